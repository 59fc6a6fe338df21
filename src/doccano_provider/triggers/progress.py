"""Trigger that waits on the triggerer for a Doccano project's annotation progress."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
from airflow.triggers.base import BaseTrigger, TriggerEvent

from doccano_provider._compat import BaseHook
from doccano_provider.client import InvalidArgumentError
from doccano_provider.hooks.doccano import CONNECT_TIMEOUT, ConnectionSettings
from doccano_provider.sensors.criteria import ProgressCriteria, describe, evaluate_progress

DEFAULT_MAX_ERRORS = 10
MAX_BACKOFF_SECONDS = 600.0
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class ProgressRequestError(Exception):
    """A request of the trigger failed; ``retryable`` is ``True`` when polling may continue."""

    def __init__(self, message: str, *, retryable: bool, status_code: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status_code = status_code


async def _read_connection(conn_id: str) -> Any:
    # The task SDK of Airflow 3 has an async lookup; Airflow 2.11 only a blocking one, which
    # runs in a worker thread so the triggerer's event loop stays free.
    aget_connection = getattr(BaseHook, "aget_connection", None)
    if aget_connection is not None:
        return await aget_connection(conn_id)
    from asgiref.sync import sync_to_async

    return await sync_to_async(BaseHook.get_connection)(conn_id)


def _build_http_client(settings: ConnectionSettings) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=settings.base_url,
        verify=True if settings.verify is None else settings.verify,
        timeout=httpx.Timeout(settings.read_timeout, connect=CONNECT_TIMEOUT),
        headers={"Accept": "application/json", "User-Agent": "airflow-provider-doccano"},
    )


class DoccanoProgressClient:
    """The few GET requests the trigger needs, with httpx's async client.

    Credentials come from the Airflow connection and stay in memory: the login token is sent
    as ``Authorization: Token`` and cookies are dropped after login, as Doccano requires.

    :param settings: the connection's URL, credentials and options.
    :param http: an ``httpx.AsyncClient`` to use (tests pass one with a mock transport).
    """

    def __init__(self, settings: ConnectionSettings, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.http = http or _build_http_client(settings)
        self.token: str | None = settings.password if settings.uses_token else None
        self.requests = 0

    @classmethod
    async def open(cls, conn_id: str) -> DoccanoProgressClient:
        """Read the Airflow connection ``conn_id`` and return a client for it.

        Building an ``httpx.AsyncClient`` loads the CA certificates, which blocks for tens of
        milliseconds (hundreds on a busy machine), so it happens in a worker thread.
        """
        settings = ConnectionSettings(await _read_connection(conn_id))
        http = await asyncio.to_thread(_build_http_client, settings)
        return cls(settings, http=http)

    async def close(self) -> None:
        await self.http.aclose()

    async def _login(self) -> None:
        self.requests += 1
        response = await self.http.post(
            "/v1/auth/login/", json={"username": self.settings.login, "password": self.settings.password}
        )
        self.http.cookies.clear()
        if response.status_code == 400:
            raise ProgressRequestError(
                f"Login to {self.settings.base_url} as {self.settings.login!r} failed: check the credentials "
                f"of connection {self.settings.conn_id!r}.",
                retryable=False,
                status_code=400,
            )
        self._check(response, "POST /v1/auth/login/")
        self.token = response.json()["key"]

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` and return its JSON; log in first and once more if the token expired."""
        for attempt in (1, 2):
            if self.token is None:
                await self._login()
            self.requests += 1
            try:
                response = await self.http.get(
                    path, params=params, headers={"Authorization": f"Token {self.token}"}
                )
            except httpx.HTTPError as error:
                raise ProgressRequestError(
                    f"GET {path} failed: {type(error).__name__}: {error}", retryable=True
                ) from error
            finally:
                self.http.cookies.clear()
            if response.status_code == 403 and attempt == 1 and not self.settings.uses_token:
                # Doccano deletes a user's only token on logout; log in again once.
                self.token = None
                continue
            self._check(response, f"GET {path}")
            return response.json()
        raise AssertionError("unreachable")

    @staticmethod
    def _check(response: httpx.Response, what: str) -> None:
        status = response.status_code
        if status < 400:
            if "json" not in response.headers.get("Content-Type", ""):
                raise ProgressRequestError(
                    f"{what} returned {response.headers.get('Content-Type')!r}, not JSON: check that the "
                    "connection's host is the Doccano root URL.",
                    retryable=False,
                    status_code=status,
                )
            return
        detail = ""
        if "json" in response.headers.get("Content-Type", ""):
            body = response.json()
            detail = f": {body.get('detail')}" if isinstance(body, dict) and body.get("detail") else ""
        raise ProgressRequestError(
            f"{what} failed with HTTP {status}{detail}",
            retryable=status in RETRYABLE_STATUSES,
            status_code=status,
        )

    async def count_confirmed(self, project_id: int) -> int:
        """Return how many examples of the project the connection's user sees as confirmed.

        In a collaborative project that is every confirmed example; in a per-user project only
        the ones this user confirmed.
        """
        body = await self.get(
            f"/v1/projects/{project_id}/examples", params={"confirmed": "true", "limit": 1, "offset": 0}
        )
        return int(body["count"])

    async def snapshot(self, project_id: int, criteria: ProgressCriteria) -> dict[str, Any]:
        """Fetch what :func:`evaluate_progress` needs for ``criteria`` (two or three GETs)."""
        project = await self.get(f"/v1/projects/{project_id}")
        snapshot: dict[str, Any] = {
            "project_id": project_id,
            "collaborative": bool(project.get("collaborative_annotation")),
        }
        if not criteria.needs_members:
            progress = await self.get(f"/v1/projects/{project_id}/metrics/progress")
            snapshot.update(total=progress["total"], complete=progress["complete"])
            return snapshot
        body = await self.get(f"/v1/projects/{project_id}/metrics/member-progress")
        snapshot.update(
            total=body["total"], members={item["user"]: item["done"] for item in body["progress"]}
        )
        if criteria.needs_roles:
            members = await self.get(f"/v1/projects/{project_id}/members")
            snapshot["roles"] = {item["username"]: item["rolename"] for item in members}
        return snapshot


class DoccanoProgressTrigger(BaseTrigger):
    """Poll a project's annotation progress until the criteria are met or the deadline passes.

    Every request goes through ``httpx.AsyncClient`` and the client is built in a worker
    thread, so the triggerer's event loop does not wait on I/O. The kwargs hold no secret: the trigger reads the connection itself when it runs.
    Failed polls are retried with exponential backoff (the poll interval doubled per failure,
    capped at 10 minutes) until ``max_consecutive_errors`` failures in a row.

    It fires one event: ``{"status": "success", "progress": ...}``, ``{"status": "timeout",
    ...}`` or ``{"status": "error", "message": ...}``, plus the poll and request counts.

    :param project_id: the Doccano project id.
    :param criteria: :meth:`ProgressCriteria.to_dict` of the target. String values, as a
        rendered template gives them, are converted by :meth:`ProgressCriteria.from_values`.
    :param doccano_conn_id: the ``doccano`` connection.
    :param poll_interval: seconds between polls.
    :param deadline: Unix time after which the trigger fires a timeout event; ``None`` waits forever.
    :param max_consecutive_errors: failed polls in a row after which it fires an error event.
    """

    def __init__(
        self,
        *,
        project_id: int,
        criteria: dict[str, Any],
        doccano_conn_id: str = "doccano_default",
        poll_interval: float = 60.0,
        deadline: float | None = None,
        max_consecutive_errors: int = DEFAULT_MAX_ERRORS,
    ) -> None:
        super().__init__()
        self.project_id = int(project_id)
        self.criteria = dict(criteria)
        self.doccano_conn_id = doccano_conn_id
        self.poll_interval = float(poll_interval)
        self.deadline = deadline
        self.max_consecutive_errors = max_consecutive_errors

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "project_id": self.project_id,
                "criteria": self.criteria,
                "doccano_conn_id": self.doccano_conn_id,
                "poll_interval": self.poll_interval,
                "deadline": self.deadline,
                "max_consecutive_errors": self.max_consecutive_errors,
            },
        )

    async def _make_client(self) -> DoccanoProgressClient:
        return await DoccanoProgressClient.open(self.doccano_conn_id)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        started = time.monotonic()
        stats = {"polls": 0, "requests": 0, "errors": 0}
        try:
            criteria = ProgressCriteria.from_dict(self.criteria)
            client = await self._make_client()
        except Exception as error:  # noqa: BLE001 - reported to the task as an error event
            yield TriggerEvent({"status": "error", "message": str(error), **stats})
            return
        progress: dict[str, Any] | None = None
        consecutive_errors = 0
        try:
            while True:
                stats["polls"] += 1
                delay = self.poll_interval
                try:
                    met, progress = evaluate_progress(
                        criteria, await client.snapshot(self.project_id, criteria)
                    )
                except InvalidArgumentError as error:
                    yield self._event("error", stats, client, started, message=str(error))
                    return
                except ProgressRequestError as error:
                    stats["errors"] += 1
                    consecutive_errors += 1
                    if not error.retryable or consecutive_errors >= self.max_consecutive_errors:
                        yield self._event(
                            "error",
                            stats,
                            client,
                            started,
                            message=f"Polling project {self.project_id} failed "
                            f"({consecutive_errors} failure(s) "
                            f"in a row): {error}",
                        )
                        return
                    delay = min(MAX_BACKOFF_SECONDS, self.poll_interval * 2**consecutive_errors)
                    self.log.warning(
                        "Polling Doccano project %s failed (%d in a row), retrying in %.0f s: %s",
                        self.project_id,
                        consecutive_errors,
                        delay,
                        error,
                    )
                else:
                    consecutive_errors = 0
                    if met:
                        yield self._event("success", stats, client, started, progress=progress)
                        return
                    self.log.info(
                        "Doccano project %s: %s; target not reached.", self.project_id, describe(progress)
                    )
                if self.deadline is not None:
                    remaining = self.deadline - time.time()
                    if remaining <= 0:
                        yield self._event("timeout", stats, client, started, progress=progress)
                        return
                    delay = min(delay, remaining)
                await asyncio.sleep(delay)
        finally:
            await client.close()

    def _event(
        self,
        status: str,
        stats: dict[str, int],
        client: DoccanoProgressClient,
        started: float,
        **payload: Any,
    ) -> TriggerEvent:
        stats = {**stats, "requests": client.requests, "seconds": round(time.monotonic() - started, 3)}
        return TriggerEvent({"status": status, "project_id": self.project_id, **stats, **payload})
