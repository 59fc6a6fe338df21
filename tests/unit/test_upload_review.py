"""Upload arguments that must be rejected, or accepted, before anything is sent."""

from __future__ import annotations

import pytest
import responses

from doccano_provider.client import DoccanoClient, InvalidArgumentError, UnexpectedResponseError

BASE = "http://127.0.0.1:9"


def _upload_sends_nothing(file_paths: object, match: str) -> None:
    client = DoccanoClient(BASE, token="t", max_retries=0)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        with pytest.raises(InvalidArgumentError, match=match):
            client.upload(1, file_paths, "DocumentClassification", "JSONL")  # type: ignore[arg-type]
        assert len(mock.calls) == 0


def test_upload_empty_file_rejected(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    _upload_sends_nothing([str(empty)], "is empty")


def test_upload_directory_rejected(tmp_path):
    _upload_sends_nothing([str(tmp_path)], "not a regular file")


@pytest.mark.parametrize("file_paths", [None, 5, {"a": 1}, b"data.jsonl"])
def test_upload_file_paths_wrong_type(file_paths):
    _upload_sends_nothing(file_paths, "pass a list of file paths")


@pytest.mark.parametrize("entry", [None, 3, ""])
def test_upload_bad_entry_in_list(entry):
    _upload_sends_nothing([entry], "pass the path of a file")


def test_upload_no_files_rejected():
    _upload_sends_nothing([], "file_paths is empty")


def test_upload_single_path_string_accepted(tmp_path):
    data = tmp_path / "one.jsonl"
    data.write_text('{"text": "a"}\n')
    client = DoccanoClient(BASE, token="t", max_retries=0)
    with responses.RequestsMock() as mock:
        mock.get(f"{BASE}/v1/projects/1", json={"id": 1, "project_type": "DocumentClassification"})
        mock.get(
            f"{BASE}/v1/projects/1/catalog",
            json=[{"name": "JSONL", "task_id": "DocumentClassification", "properties": {}}],
        )
        mock.post(f"{BASE}/v1/fp/process/", body="upload-1", content_type="text/plain")
        mock.post(f"{BASE}/v1/projects/1/upload", json={"task_id": "t-1"})
        mock.get(f"{BASE}/v1/tasks/status/t-1", json={"ready": True, "result": {"error": []}, "error": None})

        status = client.upload(1, str(data), "DocumentClassification", "JSONL")

        uploads = [call for call in mock.calls if call.request.url.endswith("/v1/fp/process/")]
        assert len(uploads) == 1
    assert status.ready


def test_upload_id_that_is_html_rejected(tmp_path):
    data = tmp_path / "one.jsonl"
    data.write_text('{"text": "a"}\n')
    client = DoccanoClient(BASE, token="t", max_retries=0)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(f"{BASE}/v1/fp/process/", body="<!doctype html><html>app</html>", content_type="text/html")
        with pytest.raises(UnexpectedResponseError, match="instead of an upload id"):
            client._send_file(data, "one.jsonl")
