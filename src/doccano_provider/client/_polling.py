"""Wait for a Doccano background task with capped exponential backoff."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from doccano_provider.client.exceptions import InvalidArgumentError, WaitTimeoutError

T = TypeVar("T")

FIRST_POLL_DELAY = 0.25
"""Seconds before the second poll. Doccano's Celery broker picks up a task after about 1 s."""

MAX_POLL_DELAY = 2.0
"""Cap of the delay between two polls, in seconds."""

POLL_BACKOFF = 1.5


def wait_for(check: Callable[[], T | None], *, timeout: float, task_id: str, description: str) -> T:
    """Call ``check`` until it returns something other than ``None`` and return that value.

    The first call happens at once. The delay between calls starts at ``FIRST_POLL_DELAY``
    and grows by ``POLL_BACKOFF`` up to ``MAX_POLL_DELAY``.

    :param check: returns the result when the task is done, ``None`` while it is running.
    :param timeout: seconds to wait in total.
    :param task_id: the Celery task id, used in the timeout message.
    :param description: the task's name in messages, e.g. ``"Import task"``, used in the timeout message.
    :raises WaitTimeoutError: the task was not done after ``timeout`` seconds.
    """
    if timeout <= 0:
        raise InvalidArgumentError(f"Invalid timeout {timeout!r}: use a positive number of seconds.")
    deadline = time.monotonic() + timeout
    delay = FIRST_POLL_DELAY
    while True:
        result = check()
        if result is not None:
            return result
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WaitTimeoutError(
                f"{description} {task_id} did not finish within {timeout:g} s. It may still be running on "
                "the server, so poll it again later or raise the timeout."
            )
        time.sleep(min(delay, remaining))
        delay = min(delay * POLL_BACKOFF, MAX_POLL_DELAY)
