"""Simulated annotators: users who label and confirm Doccano examples from gold labels.

Demos and end-to-end tests need a round that finishes by itself. This module logs in as real
Doccano users, with one background thread and one :class:`DoccanoClient` each. Every thread
labels the examples of one project with the labels a *gold function* returns and confirms them,
because confirmations are what Doccano's progress counts. It works at a set pace and stops
when the annotator reaches a target.

Typical use::

    gold = {"the verse": "positive"}

    with SimulatedAnnotators(
        url, [("annotator1", "pw1"), ("annotator2", "pw2")], project_id,
        gold=lambda example: gold.get(example.text), pace=5.0, target=0.5,
    ) as annotators:
        reports = annotators.wait(timeout=600)

The gold function receives the client's ``Example`` (``id``, ``text``, ``meta``) and returns:

* a label text or a list of label texts: category annotations (classification projects);
* a list of ``(start_offset, end_offset, label_text)`` tuples: span annotations (sequence labeling);
* an empty list: confirm the example without annotating it (e.g. a sentence without entities);
* ``None``: skip the example, which is then neither annotated nor confirmed.

Re-running over the same project is safe: an annotation the annotator already has is not
created again (Doccano returns a 500 page for a duplicate category), and confirming uses the
idempotent ``confirm_example`` rather than the toggling state call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from doccano_provider.client import DoccanoClient, DoccanoError, InvalidArgumentError, PermissionDeniedError

log = logging.getLogger(__name__)

Span = tuple[int, int, str]
GoldLabels = str | Sequence[str] | Sequence[Span] | None
GoldFunction = Callable[[Any], GoldLabels]

# Consecutive failed examples after which an annotator gives up, so a broken server or a wrong
# gold function ends the thread with an error instead of spinning through every example.
MAX_CONSECUTIVE_ERRORS = 20


@dataclass
class AnnotatorReport:
    """Record of the work of one simulated annotator.

    :ivar username: the Doccano user.
    :ivar labeled: examples that got at least one new annotation from this run.
    :ivar confirmed: examples this run confirmed (including ones that needed no new annotation).
    :ivar skipped: examples the gold function returned ``None`` for.
    :ivar confirmed_total: the annotator's confirmed count on the server at the end.
    :ivar total: the project's example count at the end.
    :ivar reached_target: whether ``confirmed_total`` reached the target.
    :ivar errors: error messages (at most the first 20 are kept), with the example ids involved.
    :ivar elapsed_seconds: wall time of the thread.
    """

    username: str
    labeled: int = 0
    confirmed: int = 0
    skipped: int = 0
    confirmed_total: int = 0
    total: int = 0
    reached_target: bool = False
    errors: list[str] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    def add_error(self, message: str) -> None:
        if len(self.errors) < 20:
            self.errors.append(message)


def target_count(target: float | int, total: int) -> int:
    """Return the number of confirmed examples that meets ``target`` for a project of ``total``.

    A float in (0, 1] is a fraction of ``total`` (rounded up); an int >= 1 is a count, capped at
    ``total`` so that a small subset can still finish.

    :param target: fraction or count.
    :param total: the project's example count.
    :raises InvalidArgumentError: for a target that is neither.
    """
    check_target(target)
    if isinstance(target, float):
        return min(total, int(-(-target * total // 1)))
    return min(total, target)


def check_target(target: float | int) -> None:
    """Raise :class:`InvalidArgumentError` unless ``target`` is a fraction in (0, 1] or a count >= 1."""
    if isinstance(target, bool) or not isinstance(target, (int, float)):
        raise InvalidArgumentError(
            f"target={target!r} is invalid: pass a fraction in (0, 1] or a count >= 1."
        )
    if isinstance(target, float) and not 0.0 < target <= 1.0:
        raise InvalidArgumentError(f"target={target!r} is invalid: a float target is a fraction in (0, 1].")
    if isinstance(target, int) and target < 1:
        raise InvalidArgumentError(f"target={target!r} is invalid: an int target is a count >= 1.")


def _normalize(gold: GoldLabels) -> tuple[list[str], list[Span]] | None:
    """Split a gold function's result into category texts and spans; ``None`` means skip."""
    if gold is None:
        return None
    if isinstance(gold, str):
        return [gold], []
    categories: list[str] = []
    spans: list[Span] = []
    for item in gold:
        if isinstance(item, str):
            categories.append(item)
        elif isinstance(item, (tuple, list)) and len(item) == 3:
            start, end, label = item
            spans.append((int(start), int(end), str(label)))
        else:
            raise InvalidArgumentError(
                f"Gold label {item!r} is invalid: return label texts or (start, end, label) tuples."
            )
    return categories, spans


class SimulatedAnnotators:
    """Label and confirm a project's examples as several Doccano users, one thread each.

    :param base_url: the Doccano server's root URL.
    :param credentials: ``(username, password)`` of each annotator; each must be (or become, while
        the thread waits up to ``start_timeout``) a member of the project.
    :param project_id: the project to annotate.
    :param gold: the gold function (see the module docstring).
    :param pace: examples per second per annotator; ``0`` means as fast as the server answers.
    :param target: per annotator, a fraction in (0, 1] of the project's examples or a count >= 1
        of confirmed examples after which the annotator stops.
    :param split_work: give each annotator a disjoint share of the examples (example position
        modulo the number of annotators). Use it for collaborative projects, where one
        confirmation counts for everybody; the target then applies to the project as a whole.
    :param start_timeout: seconds a thread waits for membership and for the first examples.
    :param poll_interval: seconds between looks for newly imported examples.
    :param verify: TLS verification, passed to :class:`DoccanoClient`.
    :param client_factory: builds a logged-in client from ``(username, password)``; for tests.
    """

    def __init__(
        self,
        base_url: str,
        credentials: Sequence[tuple[str, str]],
        project_id: int,
        gold: GoldFunction,
        *,
        pace: float = 5.0,
        target: float | int = 1.0,
        split_work: bool = False,
        start_timeout: float = 300.0,
        poll_interval: float = 2.0,
        verify: bool | str | None = None,
        client_factory: Callable[[str, str], DoccanoClient] | None = None,
    ) -> None:
        if not credentials:
            raise InvalidArgumentError("credentials is empty: pass at least one (username, password) pair.")
        if pace < 0:
            raise InvalidArgumentError(f"pace={pace!r} is invalid: pass examples per second >= 0.")
        check_target(target)
        self.base_url = base_url
        self.credentials = list(credentials)
        self.project_id = project_id
        self.gold = gold
        self.pace = pace
        self.target = target
        self.split_work = split_work
        self.start_timeout = start_timeout
        self.poll_interval = poll_interval
        self.verify = verify
        self._client_factory = client_factory or self._login
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.reports = [AnnotatorReport(username=username) for username, _ in self.credentials]

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> SimulatedAnnotators:
        """Start one daemon thread per annotator and return ``self``."""
        if self._threads:
            raise RuntimeError("SimulatedAnnotators.start() was already called.")
        for index, (username, password) in enumerate(self.credentials):
            thread = threading.Thread(
                target=self._run,
                args=(index, username, password),
                name=f"simulated-annotator-{username}",
                daemon=True,
            )
            self._threads.append(thread)
            thread.start()
        return self

    def stop(self, timeout: float | None = 30.0) -> list[AnnotatorReport]:
        """Ask every thread to stop after its current example, wait for them, return the reports."""
        self._stop.set()
        return self.wait(timeout)

    def wait(self, timeout: float | None = None) -> list[AnnotatorReport]:
        """Wait until every annotator reached its target, failed, or was stopped.

        :param timeout: seconds to wait in total; ``None`` waits without limit.
        :returns: the reports; check ``is_alive()`` to tell whether threads are still running.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(remaining)
        return self.reports

    def is_alive(self) -> bool:
        """Return whether any annotator thread is still running."""
        return any(thread.is_alive() for thread in self._threads)

    def __enter__(self) -> SimulatedAnnotators:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- one annotator -------------------------------------------------------------------------

    def _login(self, username: str, password: str) -> DoccanoClient:
        client = DoccanoClient(self.base_url, self.verify)
        client.login(username, password)
        return client

    def _run(self, index: int, username: str, password: str) -> None:
        report = self.reports[index]
        started = time.monotonic()
        try:
            client = self._client_factory(username, password)
        except DoccanoError as error:
            report.add_error(f"login as {username} failed: {error}")
            log.error("Simulated annotator %s could not log in: %s", username, error)
            return
        try:
            self._annotate(client, index, report)
        except DoccanoError as error:
            report.add_error(str(error))
            log.error("Simulated annotator %s stopped on project %s: %s", username, self.project_id, error)
        finally:
            report.elapsed_seconds = time.monotonic() - started
            client.close()
            log.info(
                "Simulated annotator %s finished on project %s: labeled %d, confirmed %d, skipped %d, "
                "confirmed total %d of %d",
                username,
                self.project_id,
                report.labeled,
                report.confirmed,
                report.skipped,
                report.confirmed_total,
                report.total,
            )

    def _progress(self, client: DoccanoClient) -> tuple[int, int]:
        """Return (confirmed by this annotator, or anyone when collaborative; total examples)."""
        return (
            client.count_examples(self.project_id, is_confirmed=True),
            client.count_examples(self.project_id),
        )

    def _wait_until_ready(self, client: DoccanoClient) -> bool:
        """Wait for project membership and at least one example; return False if stopped first."""
        deadline = time.monotonic() + self.start_timeout
        while not self._stop.is_set():
            try:
                if client.count_examples(self.project_id) > 0:
                    return True
            except PermissionDeniedError:
                pass  # not a member yet: the DAG adds members before it uploads
            if time.monotonic() > deadline:
                raise DoccanoError(
                    f"Project {self.project_id} had no examples for this annotator after "
                    f"{self.start_timeout:.0f} s; check that the user is a member and the upload ran."
                )
            self._stop.wait(self.poll_interval)
        return False

    def _annotate(self, client: DoccanoClient, index: int, report: AnnotatorReport) -> None:
        if not self._wait_until_ready(client):
            return
        label_ids: dict[tuple[str, str], int] = {}
        # Examples this run skipped or failed on are not tried again, so a pass over the
        # remaining examples always makes progress or waits for new ones.
        done_with: set[int] = set()
        next_slot = time.monotonic()
        consecutive_errors = 0
        while not self._stop.is_set():
            report.confirmed_total, report.total = self._progress(client)
            if report.confirmed_total >= target_count(self.target, report.total):
                report.reached_target = True
                return
            # Snapshot the ids first: paginating a filtered list while confirming would shift it.
            pending = [
                example for example in self._pending_examples(client, index) if example.id not in done_with
            ]
            if not pending:
                self._stop.wait(self.poll_interval)  # wait for more examples to be imported
                continue
            confirmed_before = report.confirmed
            for example in pending:
                if self._stop.is_set():
                    return
                delay = next_slot - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    return
                next_slot = max(next_slot, time.monotonic()) + (1.0 / self.pace if self.pace else 0.0)
                try:
                    confirmed = self._annotate_one(client, example, label_ids, report)
                    consecutive_errors = 0
                except InvalidArgumentError:
                    raise  # a wrong gold function or missing label fails every example alike
                except DoccanoError as error:
                    consecutive_errors += 1
                    done_with.add(example.id)
                    report.add_error(f"example {example.id}: {error}")
                    log.warning(
                        "Simulated annotator %s failed on example %s: %s", report.username, example.id, error
                    )
                    if consecutive_errors >= MAX_CONSECUTIVE_ERRORS:
                        raise DoccanoError(
                            f"{consecutive_errors} examples in a row failed; last error: {error}"
                        ) from error
                    continue
                if not confirmed:
                    done_with.add(example.id)
                    continue
                # Count locally so a small count target is not overshot, and ask the server to be
                # sure (other users' confirmations count too in collaborative projects).
                if report.confirmed_total + report.confirmed - confirmed_before >= target_count(
                    self.target, report.total
                ):
                    report.confirmed_total, report.total = self._progress(client)
                    if report.confirmed_total >= target_count(self.target, report.total):
                        report.reached_target = True
                        return

    def _pending_examples(self, client: DoccanoClient, index: int) -> Iterator[Any]:
        for position, example in enumerate(client.list_examples(self.project_id, is_confirmed=False)):
            if self.split_work and position % len(self.credentials) != index:
                continue
            yield example

    def _label_id(
        self,
        client: DoccanoClient,
        kind: Literal["category", "span"],
        text: str,
        cache: dict[tuple[str, str], int],
    ) -> int:
        key = (kind, text)
        if key not in cache:
            for label_type in client.list_label_types(self.project_id, kind):
                cache[(kind, label_type.text)] = label_type.id
        if key not in cache:
            raise InvalidArgumentError(
                f"Label {text!r} is not a {kind} label of project {self.project_id}; "
                "create it first or fix the gold function."
            )
        return cache[key]

    def _annotate_one(
        self,
        client: DoccanoClient,
        example: Any,
        label_ids: dict[tuple[str, str], int],
        report: AnnotatorReport,
    ) -> bool:
        """Annotate and confirm one example; return ``False`` when the gold function skips it."""
        answer = _normalize(self.gold(example))
        if answer is None:
            report.skipped += 1
            return False
        categories, spans = answer
        created = False
        if categories:
            existing = {category.label for category in client.list_categories(self.project_id, example.id)}
            for text in categories:
                label_id = self._label_id(client, "category", text, label_ids)
                if label_id not in existing:
                    client.create_category(self.project_id, example.id, label_id, human_annotated=True)
                    created = True
        if spans:
            existing_spans = {
                (span.start_offset, span.end_offset, span.label)
                for span in client.list_spans(self.project_id, example.id)
            }
            for start, end, text in spans:
                label_id = self._label_id(client, "span", text, label_ids)
                if (start, end, label_id) not in existing_spans:
                    client.create_span(
                        self.project_id, example.id, start, end, label_id, human_annotated=True
                    )
                    created = True
        client.confirm_example(self.project_id, example.id)
        report.labeled += int(created)
        report.confirmed += 1
        return True


def summarize(reports: Sequence[AnnotatorReport]) -> str:
    """Return one line per annotator for logs and the demo's summary."""
    lines = []
    for report in reports:
        status = "reached target" if report.reached_target else "did not reach target"
        lines.append(
            f"{report.username}: confirmed {report.confirmed_total}/{report.total} ({status}); "
            f"this run labeled {report.labeled}, confirmed {report.confirmed}, skipped {report.skipped}, "
            f"errors {len(report.errors)}, {report.elapsed_seconds:.1f} s"
        )
    return "\n".join(lines)
