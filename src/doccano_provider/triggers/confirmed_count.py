"""Event trigger that fires when a Doccano project's confirmed-example count reaches a threshold.

Use it with an ``AssetWatcher`` so that a training DAG starts when enough new examples are
confirmed (Airflow 3 event-driven scheduling)::

    from airflow.sdk import Asset, AssetWatcher, DAG

    trigger = DoccanoConfirmedCountTrigger(project_id=7, threshold=200, step=200)
    confirmed = Asset("doccano://project/7/confirmed", watchers=[AssetWatcher("p7", trigger)])

    with DAG("train_on_confirmed", schedule=[confirmed]): ...
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.providers.common.compat.triggers import BaseEventTrigger
from airflow.triggers.base import TriggerEvent

from doccano_provider.triggers.progress import DoccanoProgressClient, ProgressRequestError


class DoccanoConfirmedCountTrigger(BaseEventTrigger):
    """Poll a project's confirmed count and yield an event each time it crosses the next threshold.

    The first event comes when the count reaches ``threshold``; each later one when it has
    grown by ``step`` since the previous event. Without ``step`` the trigger fires once and
    then only watches. Each event is ``{"project_id", "confirmed", "threshold"}``.

    NOTE: the crossing point lives in the trigger's memory. When the triggerer restarts, the
    trigger starts again from ``threshold``, so it fires once more if the count is already past it.

    The count is Doccano's ``confirmed=true`` filter for the connection's user. In a
    collaborative project it counts the examples that anyone confirmed, otherwise only the
    examples that this user confirmed.

    :param project_id: the Doccano project.
    :param threshold: confirmed count of the first event.
    :param step: growth of the count between two events; ``None`` fires only once.
    :param poll_interval: seconds between two counts.
    :param doccano_conn_id: the Doccano connection (login and password, or an API token as password).
    """

    def __init__(
        self,
        *,
        project_id: int,
        threshold: int,
        step: int | None = None,
        poll_interval: float = 60.0,
        doccano_conn_id: str = "doccano_default",
    ) -> None:
        super().__init__()
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
            raise ValueError(f"Invalid threshold {threshold!r}: use an integer >= 1 confirmed examples.")
        if step is not None and (isinstance(step, bool) or not isinstance(step, int) or step < 1):
            raise ValueError(f"Invalid step {step!r}: use an integer >= 1, or None to fire once.")
        if poll_interval <= 0:
            raise ValueError(f"Invalid poll_interval {poll_interval!r}: use a number of seconds > 0.")
        self.project_id = int(project_id)
        self.threshold = threshold
        self.step = step
        self.poll_interval = poll_interval
        self.doccano_conn_id = doccano_conn_id

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "project_id": self.project_id,
                "threshold": self.threshold,
                "step": self.step,
                "poll_interval": self.poll_interval,
                "doccano_conn_id": self.doccano_conn_id,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        next_threshold = self.threshold
        client = await DoccanoProgressClient.open(self.doccano_conn_id)
        try:
            while True:
                try:
                    count = await client.count_confirmed(self.project_id)
                except ProgressRequestError as error:
                    if not error.retryable:
                        raise
                    self.log.warning(
                        "Counting confirmed examples of project %s failed (%s); retrying in %.0f s",
                        self.project_id,
                        error,
                        self.poll_interval,
                    )
                    await asyncio.sleep(self.poll_interval)
                    continue
                if next_threshold is not None and count >= next_threshold:
                    self.log.info(
                        "Project %s has %d confirmed examples (threshold %d)",
                        self.project_id,
                        count,
                        next_threshold,
                    )
                    yield TriggerEvent(
                        {"project_id": self.project_id, "confirmed": count, "threshold": next_threshold}
                    )
                    next_threshold = count + self.step if self.step else None
                await asyncio.sleep(self.poll_interval)
        finally:
            await client.close()
