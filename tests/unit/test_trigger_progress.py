"""DoccanoProgressTrigger: serialization, polling with httpx, timeout, errors and backoff."""

from __future__ import annotations

import asyncio
import importlib
import json
import time
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from doccano_provider.hooks.doccano import ConnectionSettings
from doccano_provider.triggers import progress as progress_module
from doccano_provider.triggers.progress import DoccanoProgressClient, DoccanoProgressTrigger

URL = "http://doccano.test:8000"
PASSWORD = "s3cret-pass"
TOKEN = "b" * 40
CRITERIA = {"min_count": 3, "scope": "all_members", "usernames": [], "exclude_roles": ["project_admin"]}


def _settings(login: str | None = "admin", password: str = PASSWORD) -> ConnectionSettings:
    conn = SimpleNamespace(
        conn_id="doccano_default", host=URL, schema=None, port=None, login=login, password=password,
        extra_dejson={},
    )
    return ConnectionSettings(conn)


class FakeDoccano:
    """An httpx handler that plays a Doccano server whose annotators confirm one example per poll."""

    def __init__(self, *, failures: list[int] | None = None, done_per_poll: int = 1) -> None:
        self.failures = list(failures or [])
        self.done = 0
        self.done_per_poll = done_per_poll
        self.paths: list[str] = []
        self.logins = 0
        self.expire_token_once = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.paths.append(f"{request.method} {path}")
        if path == "/v1/auth/login/":
            self.logins += 1
            assert json.loads(request.content) == {"username": "admin", "password": PASSWORD}
            return httpx.Response(200, json={"key": TOKEN}, headers={"Set-Cookie": "sessionid=x; Path=/"})
        assert "cookie" not in request.headers
        if self.expire_token_once:
            self.expire_token_once = False
            return httpx.Response(403, json={"detail": "Invalid token."})
        assert request.headers["Authorization"] == f"Token {TOKEN}"
        if path.endswith("/member-progress") and self.failures:
            return httpx.Response(self.failures.pop(0), json={"detail": "failure"})
        if path == "/v1/projects/5":
            return httpx.Response(200, json={"id": 5, "collaborative_annotation": False})
        if path.endswith("/member-progress"):
            self.done += self.done_per_poll
            progress = [{"user": "admin", "done": 0}, {"user": "alice", "done": self.done}]
            return httpx.Response(200, json={"total": 10, "progress": progress})
        if path.endswith("/members"):
            members = [
                {"id": 1, "user": 1, "role": 1, "username": "admin", "rolename": "project_admin"},
                {"id": 2, "user": 2, "role": 2, "username": "alice", "rolename": "annotator"},
            ]
            return httpx.Response(200, json=members)
        return httpx.Response(404, json={"detail": "Not found."})


def _trigger(server: FakeDoccano, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> DoccanoProgressTrigger:
    kwargs.setdefault("poll_interval", 0.01)
    trigger = DoccanoProgressTrigger(project_id=5, criteria=CRITERIA, **kwargs)

    async def make_client() -> DoccanoProgressClient:
        http = httpx.AsyncClient(base_url=URL, transport=httpx.MockTransport(server))
        return DoccanoProgressClient(_settings(), http=http)

    monkeypatch.setattr(trigger, "_make_client", make_client)
    return trigger


async def _first_event(trigger: DoccanoProgressTrigger) -> dict[str, Any]:
    async for event in trigger.run():
        return event.payload
    raise AssertionError("the trigger fired no event")


def test_serialize_round_trip() -> None:
    trigger = DoccanoProgressTrigger(
        project_id=5, criteria=CRITERIA, doccano_conn_id="my_doccano", poll_interval=30, deadline=1234.5
    )
    classpath, kwargs = trigger.serialize()
    module_name, _, class_name = classpath.rpartition(".")
    rebuilt = getattr(importlib.import_module(module_name), class_name)(**kwargs)
    assert rebuilt.serialize() == (classpath, kwargs)
    assert json.loads(json.dumps(kwargs)) == kwargs
    assert kwargs["doccano_conn_id"] == "my_doccano"


def test_serialized_kwargs_hold_no_secret() -> None:
    _, kwargs = DoccanoProgressTrigger(project_id=5, criteria=CRITERIA).serialize()
    assert PASSWORD not in json.dumps(kwargs)
    assert set(kwargs) == {
        "project_id", "criteria", "doccano_conn_id", "poll_interval", "deadline", "max_consecutive_errors",
    }


@pytest.mark.asyncio
async def test_success_after_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    server = FakeDoccano()
    event = await _first_event(_trigger(server, monkeypatch))
    assert event["status"] == "success"
    assert event["polls"] == 3
    assert event["progress"]["members"] == {"alice": 3}
    assert event["requests"] == 1 + 3 * 3
    assert server.logins == 1


@pytest.mark.asyncio
async def test_timeout_event_at_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    server = FakeDoccano(done_per_poll=0)
    trigger = _trigger(server, monkeypatch, poll_interval=0.05, deadline=time.time() + 0.3)
    started = time.monotonic()
    event = await _first_event(trigger)
    assert event["status"] == "timeout"
    assert event["progress"]["met"] is False
    assert time.monotonic() - started < 2


@pytest.mark.asyncio
async def test_past_deadline_polls_once(monkeypatch: pytest.MonkeyPatch) -> None:
    trigger = _trigger(FakeDoccano(done_per_poll=0), monkeypatch, deadline=time.time() - 1)
    event = await _first_event(trigger)
    assert event["status"] == "timeout"
    assert event["polls"] == 1


@pytest.mark.asyncio
async def test_retryable_errors_back_off(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    real_sleep = asyncio.sleep

    async def record_sleep(delay: float) -> None:
        sleeps.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(progress_module.asyncio, "sleep", record_sleep)
    server = FakeDoccano(failures=[503, 502], done_per_poll=3)
    event = await _first_event(_trigger(server, monkeypatch, poll_interval=1.0))
    assert event["status"] == "success"
    assert event["errors"] == 2
    assert sleeps == [2.0, 4.0]


@pytest.mark.asyncio
async def test_consecutive_errors_end_with_error_event(monkeypatch: pytest.MonkeyPatch) -> None:
    server = FakeDoccano(failures=[503] * 10)
    monkeypatch.setattr(progress_module, "MAX_BACKOFF_SECONDS", 0.01)
    event = await _first_event(_trigger(server, monkeypatch, max_consecutive_errors=3))
    assert event["status"] == "error"
    assert event["errors"] == 3
    assert "503" in event["message"]


@pytest.mark.asyncio
async def test_not_found_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    server = FakeDoccano(failures=[404])
    event = await _first_event(_trigger(server, monkeypatch))
    assert event["status"] == "error"
    assert event["polls"] == 1
    assert "404" in event["message"]


@pytest.mark.asyncio
async def test_expired_token_logs_in_again(monkeypatch: pytest.MonkeyPatch) -> None:
    server = FakeDoccano(done_per_poll=3)
    trigger = _trigger(server, monkeypatch)
    server.expire_token_once = True
    event = await _first_event(trigger)
    assert event["status"] == "success"
    assert server.logins == 2


@pytest.mark.asyncio
async def test_invalid_criteria_for_project_is_error_event(monkeypatch: pytest.MonkeyPatch) -> None:
    trigger = _trigger(FakeDoccano(), monkeypatch)
    trigger.criteria = {"min_count": 1, "scope": "users", "usernames": ["carol"]}
    event = await _first_event(trigger)
    assert event["status"] == "error"
    assert "carol" in event["message"]


@pytest.mark.asyncio
async def test_wait_does_not_block_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.ensure_future(ticker())
    event = await _first_event(_trigger(FakeDoccano(), monkeypatch, poll_interval=0.2))
    ticking.cancel()
    assert event["status"] == "success"
    # Two 0.2 s waits between three polls: a blocking sleep would starve the ticker.
    assert ticks >= 20


@pytest.mark.asyncio
async def test_trigger_reads_connection_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_DOCCANO_TRIGGER_TEST",
        json.dumps({"conn_type": "doccano", "host": URL, "login": "admin", "password": PASSWORD}),
    )
    trigger = DoccanoProgressTrigger(project_id=5, criteria=CRITERIA, doccano_conn_id="doccano_trigger_test")
    client = await trigger._make_client()
    try:
        assert client.settings.base_url == URL
        assert client.settings.password == PASSWORD
    finally:
        await client.close()
