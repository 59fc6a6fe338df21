"""The operators and the hook against the real Doccano server: idempotency and honest errors."""

from __future__ import annotations

import json
import socket
import zipfile
from pathlib import Path
from unittest import mock

import pytest

from doccano_provider.client import DoccanoClient
from doccano_provider.hooks.doccano import DoccanoHook
from doccano_provider.operators.dataset import DoccanoUploadDatasetOperator, TooManyRejectedLinesError
from doccano_provider.operators.export import DoccanoDownloadExportOperator
from doccano_provider.operators.project import DoccanoCreateProjectOperator
from doccano_provider.sensors.progress import DoccanoAnnotationProgressSensor
from tests.integration.conftest import DoccanoServer, unique_name

pytestmark = pytest.mark.integration

LABELS = [
    {"text": "positive", "type": "category", "color": "#2ca02c", "suffix_key": "p"},
    {"text": "negative", "type": "category", "color": "#d62728", "suffix_key": "n"},
]


@pytest.fixture
def connection(monkeypatch: pytest.MonkeyPatch, doccano_server: DoccanoServer) -> DoccanoServer:
    value = {
        "conn_type": "doccano", "host": doccano_server.url,
        "login": doccano_server.username, "password": doccano_server.password,
    }
    monkeypatch.setenv("AIRFLOW_CONN_DOCCANO_DEFAULT", json.dumps(value))
    return doccano_server


@pytest.fixture
def project_name(admin_client: DoccanoClient):
    name = unique_name("op")
    yield name
    for project in admin_client.list_projects():
        if project.name == name:
            admin_client.delete_project(project.id)


def _context() -> dict:
    return {"ti": mock.MagicMock()}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_test_real_server(connection: DoccanoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    ok, message = DoccanoHook().test_connection()
    assert ok is True, message
    assert connection.password not in message

    wrong = {"conn_type": "doccano", "host": connection.url, "login": connection.username, "password": "wrong-pw-1"}
    monkeypatch.setenv("AIRFLOW_CONN_DOCCANO_WRONG", json.dumps(wrong))
    ok, message = DoccanoHook("doccano_wrong").test_connection()
    assert ok is False
    assert "Authentication" in message
    assert "wrong-pw-1" not in message

    down = {**wrong, "host": f"http://127.0.0.1:{_closed_port()}", "password": connection.password}
    monkeypatch.setenv("AIRFLOW_CONN_DOCCANO_DOWN", json.dumps(down))
    ok, message = DoccanoHook("doccano_down").test_connection()
    assert ok is False
    assert "unreachable" in message
    assert connection.password not in message


def test_create_project_twice_converges(
    connection: DoccanoServer, admin_client: DoccanoClient, project_name: str
) -> None:
    annotator = connection.annotators[0][0]
    operator = DoccanoCreateProjectOperator(
        task_id="create", project_name=project_name, labels=LABELS,
        members=[{"username": annotator, "role": "annotator"}],
    )
    first = operator.execute(_context())
    second = operator.execute(_context())
    assert first == second
    assert [project.name for project in admin_client.list_projects()].count(project_name) == 1
    labels = sorted(label.text for label in admin_client.list_label_types(first, "category"))
    assert labels == ["negative", "positive"]
    members = [member.username for member in admin_client.list_members(first)]
    assert members.count(annotator) == 1


def test_upload_twice_imports_once(connection: DoccanoServer, admin_client: DoccanoClient, project_name: str,
                                   tmp_path: Path) -> None:
    project_id = DoccanoCreateProjectOperator(task_id="create", project_name=project_name).execute(_context())
    data = tmp_path / "lines.jsonl"
    data.write_text("".join(json.dumps({"text": f"line {index}", "label": ["positive"]}) + "\n" for index in range(5)))
    operator = DoccanoUploadDatasetOperator(
        task_id="upload", project_id=str(project_id), file_paths=[data.as_uri()], format="JSONL"
    )
    first = operator.execute(_context())
    second = operator.execute(_context())
    assert first["imported"] == 5
    assert first["skipped_files"] == []
    assert second["imported"] == 0
    assert second["skipped_files"] == [data.as_uri()]
    assert admin_client.count_examples(project_id) == 5


def test_upload_rejected_lines_fail_task(connection: DoccanoServer, project_name: str, tmp_path: Path) -> None:
    project_id = DoccanoCreateProjectOperator(task_id="create", project_name=project_name).execute(_context())
    data = tmp_path / "bad.jsonl"
    data.write_text('{"text": "fine"}\n{"text": ""}\nnot json\n')
    operator = DoccanoUploadDatasetOperator(
        task_id="upload", project_id=project_id, file_paths=str(data), format="JSONL"
    )
    with pytest.raises(TooManyRejectedLinesError, match="rejected 2 line") as failure:
        operator.execute(_context())
    assert "line 2" in str(failure.value)


def test_export_and_sensor_on_real_project(
    connection: DoccanoServer, admin_client: DoccanoClient, project_name: str, tmp_path: Path
) -> None:
    project_id = DoccanoCreateProjectOperator(
        task_id="create", project_name=project_name, collaborative_annotation=True
    ).execute(_context())
    example = admin_client.create_example(project_id, "one verse")
    sensor = DoccanoAnnotationProgressSensor(task_id="wait", project_id=project_id, min_fraction=1.0)
    assert sensor.poke(_context()).is_done is False
    admin_client.confirm_example(project_id, example.id)
    result = sensor.poke(_context())
    assert result.is_done is True
    assert result.xcom_value == {"project_id": project_id, "scope": "project", "total": 1, "complete": 1, "met": True}

    export = DoccanoDownloadExportOperator(
        task_id="export", project_id=project_id, destination=(tmp_path / "out").as_uri(), only_approved=True
    ).execute(_context())
    assert [Path(path).name for path in export["files"]] == ["all.jsonl"]
    with zipfile.ZipFile(Path(export["archive"].removeprefix("file://"))) as archive:
        assert archive.namelist() == ["all.jsonl"]
