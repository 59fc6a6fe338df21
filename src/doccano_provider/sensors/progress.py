"""Sensor that waits until a Doccano project reaches an annotation target."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from doccano_provider._arguments import parse_project_id
from doccano_provider._compat import (
    AirflowException,
    AirflowSensorTimeout,
    AirflowSkipException,
    BaseSensorOperator,
    Context,
    PokeReturnValue,
)
from doccano_provider.hooks.doccano import DoccanoHook
from doccano_provider.links import DoccanoProjectLink
from doccano_provider.sensors.criteria import (
    DEFAULT_EXCLUDED_ROLES,
    ProgressCriteria,
    describe,
    evaluate_progress,
)
from doccano_provider.triggers.progress import DoccanoProgressTrigger


def fetch_snapshot(client: Any, project_id: int, criteria: ProgressCriteria) -> dict[str, Any]:
    """Fetch what :func:`evaluate_progress` needs for ``criteria`` with the blocking client."""
    project = client.find_project_by_id(project_id)
    snapshot: dict[str, Any] = {"project_id": project_id, "collaborative": project.collaborative_annotation}
    if not criteria.needs_members:
        progress = client.get_progress(project_id)
        snapshot.update(total=progress.total, complete=progress.complete)
        return snapshot
    members = client.get_members_progress(project_id)
    total = members[0].total if members else client.count_examples(project_id)
    snapshot.update(total=total, members={item.user: item.done for item in members})
    if criteria.needs_roles:
        snapshot["roles"] = {member.username: member.rolename for member in client.list_members(project_id)}
    return snapshot


def _is_literal(value: Any) -> bool:
    """Return whether ``value`` is final at parse time: no Jinja template and no ``XComArg``."""
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return not any(marker in value for marker in ("{{", "{%", "{#"))
    if isinstance(value, list | tuple):
        return all(_is_literal(item) for item in value)
    return False


class DoccanoAnnotationProgressSensor(BaseSensorOperator):
    """Wait until annotators have confirmed enough examples of a Doccano project.

    Doccano counts an example as done for a user once that user confirms it. In a
    collaborative project one confirmation counts for everyone, so ``scope="project"`` reads
    ``metrics/progress``. In a per-user project that endpoint counts only the caller, so the
    member scopes read ``metrics/member-progress`` instead; ``scope="project"`` is rejected
    there. Both ``min_fraction`` and ``min_count`` must hold when both are set.

    Modes: ``poke`` and ``reschedule`` as for any sensor, or ``deferrable=True``, which hands
    the wait to :class:`~doccano_provider.triggers.progress.DoccanoProgressTrigger` on the
    triggerer and frees the worker slot. The sensor's ``timeout`` applies in every mode.

    NOTE: with ``deferrable=True`` the ``timeout`` counts from the start of each try, as in
    ``poke`` mode, so a retried task can wait a full ``timeout`` again. ``reschedule`` mode
    counts from the first try instead, because Airflow 2.11 and 3.3 read that start from the
    task's reschedule records, and a deferral writes none.

    ``project_id``, ``min_fraction``, ``min_count``, ``scope`` and ``usernames`` are templated,
    so a DAG can take the target from a Param (``"{{ params.target_fraction }}"``) and the users
    from an upstream task (an ``XComArg`` or ``"{{ ti.xcom_pull(...) }}"``). Literal values are
    checked when the DAG is parsed; templated ones are converted from strings and checked when
    the task runs (see :meth:`ProgressCriteria.from_values`).

    :param project_id: the Doccano project id.
    :param min_fraction: fraction of the project's examples to confirm, in (0, 1].
    :param min_count: number of examples to confirm.
    :param scope: ``project`` (collaborative projects: confirmed by anyone), ``all_members``
        (every counted member reaches the target), ``any_member`` (one member does) or
        ``users`` (each user in ``usernames`` does).
    :param usernames: the users that count for ``scope="users"``: a list, or a string that
        renders to a list (``"['alice', 'bob']"``) or to comma-separated names.
    :param exclude_roles: roles that do not count for ``all_members`` and ``any_member``
        (default: project admins, e.g. the account that runs the DAG).
    :param deferrable: wait on the triggerer instead of in a worker slot.
    :param doccano_conn_id: the ``doccano`` connection to use.
    :param kwargs: ``BaseSensorOperator`` arguments: ``poke_interval``, ``timeout``, ``mode``...
    """

    template_fields: Sequence[str] = (
        "project_id",
        "min_fraction",
        "min_count",
        "scope",
        "usernames",
        "doccano_conn_id",
    )
    operator_extra_links = (DoccanoProjectLink(),)
    ui_color = "#e0f0fa"

    def __init__(
        self,
        *,
        project_id: int | str,
        min_fraction: float | str | None = None,
        min_count: int | str | None = None,
        scope: str = "project",
        usernames: list[str] | str | None = None,
        exclude_roles: Sequence[str] = DEFAULT_EXCLUDED_ROLES,
        deferrable: bool = False,
        doccano_conn_id: str = DoccanoHook.default_conn_name,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.project_id = project_id
        self.min_fraction = min_fraction
        self.min_count = min_count
        self.scope = scope
        self.usernames = usernames
        self.exclude_roles = tuple(exclude_roles)
        self.deferrable = deferrable
        self.doccano_conn_id = doccano_conn_id
        if all(_is_literal(value) for value in (min_fraction, min_count, scope, usernames)):
            # Reject bad literal values when the DAG is parsed; templates and XComArgs are
            # rendered, converted and checked when the task runs.
            self._criteria()

    def _criteria(self) -> ProgressCriteria:
        return ProgressCriteria.from_values(
            min_fraction=self.min_fraction,
            min_count=self.min_count,
            scope=self.scope,
            usernames=self.usernames,
            exclude_roles=self.exclude_roles,
        )

    def _project_id(self) -> int:
        return parse_project_id(self.project_id)

    def execute(self, context: Context) -> Any:
        # Check the rendered values before the first request, so a bad template fails at once.
        criteria = self._criteria()
        hook = DoccanoHook(self.doccano_conn_id)
        DoccanoProjectLink.persist(context, hook.project_url(self._project_id()))
        if not self.deferrable:
            return super().execute(context)
        met, progress = self._check(hook, criteria)
        if met:
            return progress
        deadline = time.time() + float(self.timeout) if self.timeout is not None else None
        # The trigger fires its own timeout event at the deadline; Airflow's deferral timeout,
        # one poll interval plus a minute later, only covers a trigger that never fires.
        safety_timeout = (
            timedelta(seconds=float(self.timeout) + float(self.poke_interval) + 60)
            if self.timeout is not None
            else None
        )
        self.defer(
            trigger=DoccanoProgressTrigger(
                project_id=self._project_id(),
                criteria=criteria.to_dict(),
                doccano_conn_id=self.doccano_conn_id,
                poll_interval=float(self.poke_interval),
                deadline=deadline,
            ),
            method_name="execute_complete",
            timeout=safety_timeout,
        )

    def _check(self, hook: DoccanoHook, criteria: ProgressCriteria) -> tuple[bool, dict[str, Any]]:
        project_id = self._project_id()
        met, progress = evaluate_progress(criteria, fetch_snapshot(hook.get_conn(), project_id, criteria))
        self.log.info(
            "Doccano project %s: %s; target %s.",
            project_id,
            describe(progress),
            "reached" if met else "not reached",
        )
        return met, progress

    def poke(self, context: Context) -> PokeReturnValue:
        met, progress = self._check(DoccanoHook(self.doccano_conn_id), self._criteria())
        return PokeReturnValue(is_done=met, xcom_value=progress)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Return the progress the trigger saw, or raise on its timeout or error event."""
        status = event.get("status")
        self.log.info(
            "Trigger for project %s ended with %s after %s poll(s), %s request(s), %s s.",
            event.get("project_id"),
            status,
            event.get("polls"),
            event.get("requests"),
            event.get("seconds"),
        )
        if status == "success":
            return event["progress"]
        if status == "timeout":
            seen = describe(event["progress"]) if event.get("progress") else "no progress read"
            if self.soft_fail:
                raise AirflowSkipException(
                    f"Doccano project {event.get('project_id')} did not reach the target within "
                    f"{self.timeout} s ({seen}); skipping because soft_fail=True."
                )
            raise AirflowSensorTimeout(
                f"Doccano project {event.get('project_id')} did not reach the target "
                f"within {self.timeout} s ({seen})."
            )
        raise AirflowException(
            f"Waiting for Doccano project {event.get('project_id')} failed: {event.get('message')}"
        )
