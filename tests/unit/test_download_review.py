"""Download and extraction faults a hostile or broken server can cause."""

from __future__ import annotations

import io
import socket
import threading
import zipfile
from pathlib import Path

import pytest
import responses

from doccano_provider.client import DoccanoClient, InvalidArgumentError, TransportError, UnsafeArchiveError
from doccano_provider.client._archive import safe_extract

BASE = "http://127.0.0.1:9"
PROJECT = f"{BASE}/v1/projects/7"


def _zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def _mock_export(zip_body: bytes, content_disposition: str) -> None:
    responses.get(f"{PROJECT}/download-format", json=[{"name": "JSONL", "example": ""}])
    responses.post(f"{PROJECT}/download", json={"task_id": "t-1"})
    responses.get(
        f"{PROJECT}/download",
        body=zip_body,
        content_type="application/zip",
        headers={"Content-Disposition": content_disposition},
    )


@responses.activate
def test_server_name_cannot_overwrite_other_files(tmp_path):
    notes = tmp_path / "notes.csv"
    notes.write_text("keep me")
    _mock_export(_zip_bytes([("admin.jsonl", b"{}\n")]), 'attachment; filename="notes.csv"')

    path = DoccanoClient(BASE, token="t").download(7, "JSONL", dir_name=str(tmp_path))

    assert notes.read_text() == "keep me"
    assert path.name == "doccano-project-7-export-t-1.zip"


@responses.activate
def test_server_name_cannot_replace_existing_zip(tmp_path):
    previous = tmp_path / "data.zip"
    previous.write_bytes(b"older download")
    _mock_export(_zip_bytes([("admin.jsonl", b"{}\n")]), 'attachment; filename="data.zip"')

    path = DoccanoClient(BASE, token="t").download(7, "JSONL", dir_name=str(tmp_path))

    assert previous.read_bytes() == b"older download"
    assert path.name == "doccano-project-7-export-t-1.zip"


@responses.activate
def test_extract_with_name_without_zip_suffix(tmp_path):
    _mock_export(_zip_bytes([("admin.jsonl", b"{}\n")]), 'attachment; filename="export"')

    folder = DoccanoClient(BASE, token="t").download(7, "JSONL", dir_name=str(tmp_path), extract=True)

    assert folder == tmp_path / "doccano-project-7-export-t-1"
    assert (folder / "admin.jsonl").read_bytes() == b"{}\n"


@pytest.mark.parametrize("dir_name", [None, "", 5])
def test_download_bad_dir_name_sends_nothing(dir_name):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        with pytest.raises(InvalidArgumentError, match="dir_name"):
            DoccanoClient(BASE, token="t").download(7, "JSONL", dir_name=dir_name)
        assert len(mock.calls) == 0


def test_download_dir_name_is_a_file(tmp_path):
    existing = tmp_path / "file.txt"
    existing.write_text("x")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        with pytest.raises(InvalidArgumentError, match="not a folder"):
            DoccanoClient(BASE, token="t").download(7, "JSONL", dir_name=str(existing))
        assert len(mock.calls) == 0


def test_extract_rejects_duplicate_members(tmp_path):
    archive = tmp_path / "dup.zip"
    with pytest.warns(UserWarning, match="Duplicate name"):
        archive.write_bytes(_zip_bytes([("admin.jsonl", b"first"), ("admin.jsonl", b"second")]))

    with pytest.raises(UnsafeArchiveError, match="two members named 'admin.jsonl'"):
        safe_extract(archive, tmp_path / "out")

    assert not (tmp_path / "out").exists()


def test_extract_rejects_normalised_duplicates(tmp_path):
    archive = tmp_path / "dup.zip"
    archive.write_bytes(_zip_bytes([("a/b.txt", b"first"), ("./a//b.txt", b"second")]))

    with pytest.raises(UnsafeArchiveError, match="two members"):
        safe_extract(archive, tmp_path / "out")


def test_extract_rejects_file_that_is_also_folder(tmp_path):
    archive = tmp_path / "clash.zip"
    archive.write_bytes(_zip_bytes([("a", b"file"), ("a/b.txt", b"inside")]))

    with pytest.raises(UnsafeArchiveError, match="both a file and a folder"):
        safe_extract(archive, tmp_path / "out")

    assert sorted(path.name for path in tmp_path.iterdir()) == ["clash.zip"]


def test_extract_rejects_nameless_file_member(tmp_path):
    archive = tmp_path / "dot.zip"
    archive.write_bytes(_zip_bytes([(".", b"data")]))

    with pytest.raises(UnsafeArchiveError, match="no name"):
        safe_extract(archive, tmp_path / "out")


def _serve_truncated_zip(declared: int, sent: bytes) -> tuple[socket.socket, threading.Thread]:
    """Serve one response that declares ``declared`` bytes, sends ``sent`` and closes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\n"
                f"Content-Length: {declared}\r\n"
                'Content-Disposition: attachment; filename="cut.zip"\r\n\r\n'
            )
            connection.sendall(head.encode() + sent)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread


def test_interrupted_stream_leaves_no_file(tmp_path):
    server, thread = _serve_truncated_zip(declared=10_000_000, sent=b"PK\x03\x04" + b"x" * 50_000)
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    client = DoccanoClient(url, token="t", max_retries=0)
    try:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            mock.add_passthru(url)
            mock.get(f"{url}/v1/projects/7/download-format", json=[{"name": "JSONL"}])
            mock.post(f"{url}/v1/projects/7/download", json={"task_id": "t-1"})
            with pytest.raises(TransportError, match="broke off after"):
                client.download(7, "JSONL", dir_name=str(tmp_path))
    finally:
        thread.join(5)
        server.close()

    assert list(tmp_path.iterdir()) == []


def test_response_closed_when_temporary_file_fails(tmp_path, monkeypatch):
    from doccano_provider.client.resources import data_export

    closed = []

    class FakeResponse:
        headers = {"Content-Disposition": 'attachment; filename="x.zip"'}
        url = "http://127.0.0.1:9/x"
        status_code = 200

        def __enter__(self) -> FakeResponse:
            return self

        def __exit__(self, *args: object) -> None:
            self.close()

        def close(self) -> None:
            closed.append(True)

    def broken_temporary_file(**kwargs: object) -> None:
        raise PermissionError("read-only folder")

    monkeypatch.setattr(data_export.tempfile, "NamedTemporaryFile", broken_temporary_file)
    with pytest.raises(PermissionError):
        data_export._save_archive(FakeResponse(), Path(tmp_path), "fallback.zip")  # type: ignore[arg-type]
    assert closed == [True]
