"""Upload argument checks and task-status handling, with mocked HTTP."""

from __future__ import annotations

import logging

import pytest
import responses

from doccano_provider.client import DoccanoClient, InvalidArgumentError, TaskFailedError, WaitTimeoutError

BASE = "http://127.0.0.1:9"
PROJECT = f"{BASE}/v1/projects/3"
CATALOG = [
    {"name": "JSONL", "task_id": "DocumentClassification", "properties": {"encoding": {}}},
    {"name": "CSV", "task_id": "DocumentClassification", "properties": {"encoding": {}, "delimiter": {}}},
]


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "a", "label": ["x"]}\n')
    return path


def _mock_project_and_catalog() -> None:
    responses.get(PROJECT, json={"id": 3, "project_type": "DocumentClassification"})
    responses.get(f"{PROJECT}/catalog", json=CATALOG)


def _mock_ingest(status_bodies: list[dict]) -> None:
    responses.post(f"{BASE}/v1/fp/process/", body="UPLOADID0123456789abcd", content_type="text/plain")
    responses.post(f"{PROJECT}/upload", json={"task_id": "task-1"})
    for body in status_bodies:
        responses.get(f"{BASE}/v1/tasks/status/task-1", json=body)


def _methods() -> list[str]:
    return [call.request.method for call in responses.calls]


@responses.activate
def test_bad_format_sends_no_upload(data_file):
    _mock_project_and_catalog()
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(
        InvalidArgumentError,
        match=r"'XML' for task DocumentClassification in project 3: use one of CSV, JSONL",
    ):
        client.upload(3, [str(data_file)], "DocumentClassification", "XML")

    assert "POST" not in _methods()


@responses.activate
def test_missing_file_sends_nothing(tmp_path):
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(InvalidArgumentError, match="missing.jsonl.*does not exist"):
        client.upload(3, [str(tmp_path / "missing.jsonl")], "DocumentClassification", "JSONL")

    assert len(responses.calls) == 0


@responses.activate
def test_unknown_option_lists_accepted_ones(data_file):
    _mock_project_and_catalog()
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(InvalidArgumentError, match="scheme.*accepts delimiter, encoding"):
        client.upload(3, [str(data_file)], "DocumentClassification", "CSV", options={"scheme": "IOB2"})

    assert "POST" not in _methods()


@responses.activate
def test_column_option_must_be_an_argument(data_file):
    _mock_project_and_catalog()
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(InvalidArgumentError, match="column_data in options: pass them as upload"):
        client.upload(3, [str(data_file)], "DocumentClassification", "CSV", options={"column_data": "body"})

    assert "POST" not in _methods()


@responses.activate
def test_task_must_match_project(data_file):
    _mock_project_and_catalog()
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(
        InvalidArgumentError, match="'Seq2seq' for project 3, whose type is DocumentClassification"
    ):
        client.upload(3, [str(data_file)], "Seq2seq", "JSONL")

    assert "POST" not in _methods()


@responses.activate
def test_unknown_task_sends_nothing(data_file):
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(InvalidArgumentError, match="Invalid upload task 'NER'"):
        client.upload(3, [str(data_file)], "NER", "JSONL")

    assert len(responses.calls) == 0


@responses.activate
def test_upload_names_must_match_files(data_file):
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(InvalidArgumentError, match="2 name\\(s\\) for 1 file"):
        client.upload(3, [str(data_file)], "DocumentClassification", "JSONL", upload_names=["a", "b"])

    assert len(responses.calls) == 0


@responses.activate
def test_rejected_lines_and_missing_label_column_are_split(data_file, caplog):
    _mock_project_and_catalog()
    temp_path = "/srv/filepond-temp-uploads/UPLOADID0123456789abcd/Xyz"
    result = {
        "error": [
            {"filename": temp_path, "line": 2, "message": "Expecting value: line 1 column 1 (char 0)"},
            {"filename": "data.jsonl", "line": 4, "message": "Invalid data in line 4"},
            {"filename": "data.jsonl", "line": 0, "message": "Column label not found in the file"},
        ]
    }
    _mock_ingest(
        [{"ready": False, "result": None, "error": None}, {"ready": True, "result": result, "error": None}]
    )
    client = DoccanoClient(BASE, token="t")

    with caplog.at_level(logging.INFO, logger="doccano_provider.client"):
        status = client.upload(
            3, [str(data_file)], "DocumentClassification", "JSONL", upload_names=["named.jsonl"]
        )

    assert status.ready
    assert status.task_id == "task-1"
    assert [entry["line"] for entry in status.errors] == [2, 4]
    assert status.errors[0]["filename"] == "named.jsonl"
    assert status.warnings == [
        {"filename": "data.jsonl", "line": 0, "message": "Column label not found in the file"}
    ]
    assert "rejected 2 line(s) in project 3" in caplog.text
    warning_text = " ".join(
        record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING
    )
    assert "Column label not found" not in warning_text
    assert "Column label not found in the file (no line rejected)" in caplog.text
    upload_call = next(call for call in responses.calls if call.request.url.endswith("/upload"))
    assert b'"uploadIds": ["UPLOADID0123456789abcd"]' in upload_call.request.body
    process_call = responses.calls[2]
    assert b'filename="named.jsonl"' in process_call.request.body


@responses.activate
def test_crashed_task_raises_with_server_text(data_file):
    _mock_project_and_catalog()
    _mock_ingest([{"ready": True, "result": None, "error": {"text": "'XML'"}}])
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(TaskFailedError, match="task-1 failed on the server: 'XML'") as info:
        client.upload(3, [str(data_file)], "DocumentClassification", "JSONL")

    assert info.value.errors == [{"text": "'XML'"}]


@responses.activate
def test_timeout_names_task(data_file):
    _mock_project_and_catalog()
    _mock_ingest([{"ready": False, "result": None, "error": None}])
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(WaitTimeoutError, match="Import task task-1 did not finish within 0.6 s"):
        client.upload(3, [str(data_file)], "DocumentClassification", "JSONL", timeout=0.6)


@responses.activate
def test_get_task_status_of_unknown_id():
    responses.get(f"{BASE}/v1/tasks/status/nope", json={"ready": False, "result": None, "error": None})
    client = DoccanoClient(BASE, token="t")

    status = client.get_task_status("nope")

    assert not status.ready
    assert status.errors == []
