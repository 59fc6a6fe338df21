"""The incremental export operator and the confirmed-count trigger against the real Doccano server.

The operator runs its real ``execute`` against the server. Only the Airflow Variable store and
the task instance's XCom push are in-memory stand-ins, because both need a running task
supervisor.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from doccano_provider.client import DoccanoClient, NotFoundError
from doccano_provider.operators import incremental_export
from doccano_provider.operators.incremental_export import DoccanoIncrementalExportOperator, default_marker_key
from doccano_provider.triggers.confirmed_count import DoccanoConfirmedCountTrigger

pytestmark = pytest.mark.integration


class FakeVariable:
    """In-memory stand-in for ``airflow.sdk.Variable`` with the calls the operator makes."""

    store: dict[str, str] = {}

    @classmethod
    def get(cls, key, default=None):
        return json.loads(cls.store[key]) if key in cls.store else default

    @classmethod
    def set(cls, key, value, serialize_json=False):
        cls.store[key] = json.dumps(value) if serialize_json else value


class FakeTaskInstance:
    def __init__(self) -> None:
        self.pushed: dict[str, object] = {}

    def xcom_push(self, key, value):
        json.dumps(value)  # XCom values must be JSON-serializable
        self.pushed[key] = value


@pytest.fixture
def connection(monkeypatch, doccano_server):
    monkeypatch.setenv(
        "AIRFLOW_CONN_DOCCANO_DEFAULT",
        json.dumps(
            {
                "conn_type": "doccano",
                "host": doccano_server.url,
                "login": doccano_server.username,
                "password": doccano_server.password,
            }
        ),
    )
    FakeVariable.store = {}
    monkeypatch.setattr(incremental_export, "Variable", FakeVariable)


@pytest.fixture
def project(admin_client: DoccanoClient, project_factory):
    project = project_factory("DocumentClassification", collaborative_annotation=True)
    labels = {
        text: admin_client.create_label_type(project.id, "category", text).id for text in ("pos", "neg")
    }
    ids = [admin_client.create_example(project.id, f"line {index}").id for index in range(5)]
    return project.id, ids, labels


def _run(operator: DoccanoIncrementalExportOperator) -> dict:
    return operator.execute({"ti": FakeTaskInstance()})


def test_export_returns_only_new_confirmations(admin_client, connection, project, tmp_path):
    project_id, ids, labels = project
    for example_id in ids[:2]:
        admin_client.create_category(project_id, example_id, labels["pos"])
        admin_client.confirm_example(project_id, example_id)
    operator = DoccanoIncrementalExportOperator(
        task_id="export", project_id=project_id, destination=str(tmp_path)
    )
    first = _run(operator)
    assert first["changed"] == 2
    assert sorted(row["id"] for row in first["rows"]) == ids[:2]
    assert first["path"] is not None

    admin_client.confirm_example(project_id, ids[2])
    second = _run(operator)
    assert [row["id"] for row in second["rows"]] == [ids[2]]
    assert second["confirmed_total"] == 3

    third = _run(operator)
    assert third["changed"] == 0
    assert third["path"] is None


def test_export_detects_label_change_and_unconfirm(admin_client, connection, project):
    project_id, ids, labels = project
    for example_id in ids[:2]:
        admin_client.create_category(project_id, example_id, labels["pos"])
        admin_client.confirm_example(project_id, example_id)
    operator = DoccanoIncrementalExportOperator(task_id="export", project_id=project_id)
    _run(operator)
    category = admin_client.list_categories(project_id, ids[0])[0]
    admin_client.update_category(project_id, ids[0], category.id, label=labels["neg"])
    admin_client.unconfirm_example(project_id, ids[1])
    result = _run(operator)
    assert [(row["id"], row["label"]) for row in result["rows"]] == [(ids[0], ["neg"])]
    assert result["removed"] == [f"all:{ids[1]}"]


def test_failed_export_keeps_marker(admin_client, connection, project, monkeypatch):
    project_id, ids, labels = project
    admin_client.confirm_example(project_id, ids[0])
    operator = DoccanoIncrementalExportOperator(task_id="export", project_id=project_id)
    _run(operator)
    key = default_marker_key("doccano_default", project_id)
    marker_before = FakeVariable.store[key]
    admin_client.confirm_example(project_id, ids[1])

    def broken_download(self, *args, **kwargs):
        raise NotFoundError("export failed on purpose", status_code=404, method="GET", url="test")

    original_download = DoccanoClient.download
    monkeypatch.setattr(DoccanoClient, "download", broken_download)
    with pytest.raises(NotFoundError):
        _run(operator)
    assert FakeVariable.store[key] == marker_before
    monkeypatch.setattr(DoccanoClient, "download", original_download)
    retried = _run(operator)
    assert [row["id"] for row in retried["rows"]] == [ids[1]]


def test_export_prefers_human_labels(admin_client, annotator_clients, doccano_server, connection, project):
    project_id, ids, labels = project
    admin_client.add_member(project_id, doccano_server.annotators[0][0], "annotator")
    annotator = annotator_clients[0]
    # The model predicted "pos" (prob > 0); the annotator added "neg" and confirmed.
    admin_client.create_category(project_id, ids[0], labels["pos"], confidence=0.7)
    annotator.create_category(project_id, ids[0], labels["neg"])
    annotator.confirm_example(project_id, ids[0])
    result = _run(DoccanoIncrementalExportOperator(task_id="export", project_id=project_id))
    assert [row["label"] for row in result["rows"]] == [["neg"]]
    raw = _run(
        DoccanoIncrementalExportOperator(
            task_id="raw",
            project_id=project_id,
            prefer_human_labels=False,
            full_refresh=True,
            marker_variable="raw-marker",
        )
    )
    assert sorted(raw["rows"][0]["label"]) == ["neg", "pos"]


def test_trigger_fires_at_threshold(admin_client, connection, project):
    project_id, ids, _ = project
    admin_client.confirm_example(project_id, ids[0])
    trigger = DoccanoConfirmedCountTrigger(project_id=project_id, threshold=2, step=2, poll_interval=0.2)

    async def first_event():
        events = trigger.run()
        task = asyncio.ensure_future(events.__anext__())
        await asyncio.sleep(1.0)
        assert not task.done()  # one confirmed example is below the threshold
        await asyncio.to_thread(admin_client.confirm_example, project_id, ids[1])
        event = await asyncio.wait_for(task, timeout=30)
        await events.aclose()
        return event

    event = asyncio.run(first_event())
    assert event.payload == {"project_id": project_id, "confirmed": 2, "threshold": 2}


def test_trigger_serializes_without_secrets():
    trigger = DoccanoConfirmedCountTrigger(project_id=3, threshold=10, step=5)
    classpath, kwargs = trigger.serialize()
    assert classpath == "doccano_provider.triggers.confirmed_count.DoccanoConfirmedCountTrigger"
    assert kwargs == {
        "project_id": 3,
        "threshold": 10,
        "step": 5,
        "poll_interval": 60.0,
        "doccano_conn_id": "doccano_default",
    }
