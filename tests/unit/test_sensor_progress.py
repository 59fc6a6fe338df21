"""DoccanoAnnotationProgressSensor: poke, deferral to the trigger and the trigger's events."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest

from doccano_provider._compat import AirflowException, AirflowSensorTimeout, AirflowSkipException
from doccano_provider.client import InvalidArgumentError
from doccano_provider.sensors.progress import DoccanoAnnotationProgressSensor
from doccano_provider.triggers.progress import DoccanoProgressTrigger

try:
    from airflow.providers.common.compat.sdk import TaskDeferred
except ImportError:  # pragma: no cover - older compat packages
    from airflow.exceptions import TaskDeferred


def _client(done: dict[str, int], total: int = 10) -> mock.MagicMock:
    client = mock.MagicMock()
    client.find_project_by_id.return_value = SimpleNamespace(collaborative_annotation=False)
    client.get_members_progress.return_value = [
        SimpleNamespace(user=name, done=count, total=total) for name, count in done.items()
    ]
    client.list_members.return_value = [
        SimpleNamespace(username="admin", rolename="project_admin"),
        *(SimpleNamespace(username=name, rolename="annotator") for name in done if name != "admin"),
    ]
    return client


def _sensor(**kwargs) -> DoccanoAnnotationProgressSensor:
    kwargs.setdefault("project_id", "5")
    kwargs.setdefault("min_count", 3)
    kwargs.setdefault("scope", "all_members")
    return DoccanoAnnotationProgressSensor(task_id="wait", **kwargs)


def _patched(client: mock.MagicMock):
    return (
        mock.patch("doccano_provider.sensors.progress.DoccanoHook.get_conn", return_value=client),
        mock.patch(
            "doccano_provider.sensors.progress.DoccanoHook.project_url", return_value="http://d/projects/5"
        ),
    )


def test_template_fields() -> None:
    assert set(DoccanoAnnotationProgressSensor.template_fields) == {
        "project_id",
        "min_fraction",
        "min_count",
        "scope",
        "usernames",
        "doccano_conn_id",
    }


def test_invalid_criteria_rejected_at_parse_time() -> None:
    with pytest.raises(InvalidArgumentError, match="min_fraction"):
        _sensor(min_count=None)
    with pytest.raises(InvalidArgumentError, match="scope"):
        _sensor(scope="team")


def test_poke_not_done_then_done() -> None:
    sensor = _sensor()
    get_conn, project_url = _patched(_client({"admin": 0, "alice": 2}))
    with get_conn, project_url:
        result = sensor.poke({})
    assert result.is_done is False
    get_conn, project_url = _patched(_client({"admin": 0, "alice": 3}))
    with get_conn, project_url:
        result = sensor.poke({})
    assert result.is_done is True
    assert result.xcom_value["members"] == {"alice": 3}


def test_deferrable_returns_at_once_when_met() -> None:
    sensor = _sensor(deferrable=True)
    get_conn, project_url = _patched(_client({"admin": 0, "alice": 5}))
    with get_conn, project_url:
        progress = sensor.execute({"ti": mock.MagicMock()})
    assert progress["met"] is True


def test_deferrable_defers_with_serializable_trigger() -> None:
    sensor = _sensor(deferrable=True, poke_interval=30, timeout=3600, doccano_conn_id="my_doccano")
    get_conn, project_url = _patched(_client({"admin": 0, "alice": 1}))
    with get_conn, project_url, pytest.raises(TaskDeferred) as deferred:
        sensor.execute({"ti": mock.MagicMock()})
    trigger = deferred.value.trigger
    assert isinstance(trigger, DoccanoProgressTrigger)
    assert deferred.value.method_name == "execute_complete"
    _, kwargs = trigger.serialize()
    assert kwargs["project_id"] == 5
    assert kwargs["doccano_conn_id"] == "my_doccano"
    assert kwargs["poll_interval"] == 30.0
    assert kwargs["deadline"] is not None
    assert kwargs["criteria"]["scope"] == "all_members"
    assert deferred.value.timeout.total_seconds() == 3600 + 30 + 60


def test_deferred_deadline_counts_from_this_try(monkeypatch: pytest.MonkeyPatch) -> None:
    # Documented limit: a deferral leaves no reschedule record to find the first try's start.
    monkeypatch.setattr("doccano_provider.sensors.progress.time", SimpleNamespace(time=lambda: 1_000_000.0))
    sensor = _sensor(deferrable=True, poke_interval=30, timeout=3600, retries=2)
    get_conn, project_url = _patched(_client({"admin": 0, "alice": 1}))
    with get_conn, project_url, pytest.raises(TaskDeferred) as deferred:
        sensor.execute({"ti": mock.MagicMock(try_number=2)})
    _, kwargs = deferred.value.trigger.serialize()
    assert kwargs["deadline"] == 1_000_000.0 + 3600


def test_execute_complete_success_returns_progress() -> None:
    progress = {"project_id": 5, "scope": "all_members", "total": 10, "members": {"alice": 3}, "met": True}
    event = {
        "status": "success",
        "project_id": 5,
        "progress": progress,
        "polls": 2,
        "requests": 7,
        "seconds": 1.0,
    }
    assert _sensor().execute_complete({}, event) == progress


def test_execute_complete_timeout_raises_sensor_timeout() -> None:
    progress = {"project_id": 5, "scope": "all_members", "total": 10, "members": {"alice": 1}, "met": False}
    with pytest.raises(AirflowSensorTimeout, match="alice 1/10"):
        _sensor(timeout=60).execute_complete({}, {"status": "timeout", "project_id": 5, "progress": progress})


def test_execute_complete_timeout_soft_fail_skips() -> None:
    event = {"status": "timeout", "project_id": 5, "progress": None}
    with pytest.raises(AirflowSkipException, match="soft_fail"):
        _sensor(timeout=60, soft_fail=True).execute_complete({}, event)


def test_execute_complete_error_raises() -> None:
    with pytest.raises(AirflowException, match="HTTP 404"):
        _sensor().execute_complete(
            {}, {"status": "error", "project_id": 5, "message": "GET failed with HTTP 404"}
        )


def test_project_scope_on_per_user_project_fails_clearly() -> None:
    sensor = _sensor(scope="project")
    client = _client({"alice": 3})
    client.get_progress.return_value = SimpleNamespace(total=10, complete=3)
    get_conn, project_url = _patched(client)
    with get_conn, project_url, pytest.raises(InvalidArgumentError, match="collaborative"):
        sensor.poke({})
