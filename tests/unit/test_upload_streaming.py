"""The filepond upload streams the file from disk, against a local HTTP server."""

from __future__ import annotations

import hashlib
import http.server
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from doccano_provider.client import DoccanoClient, _transport

FILE_BYTES = 32 * 1024 * 1024


class _UploadHandler(http.server.BaseHTTPRequestHandler):
    """Read each upload in chunks, record its size and digest, and respond with an upload id."""

    received: list[dict[str, object]] = []
    statuses: list[int] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
        length = int(self.headers["Content-Length"])
        boundary = self.headers["Content-Type"].split("boundary=", 1)[1].encode()
        digest = hashlib.sha256()
        head = b""
        remaining = length
        while remaining:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            remaining -= len(chunk)
            if not head:
                head, chunk = chunk.split(b"\r\n\r\n", 1)
            digest.update(chunk)
        tail = f"\r\n--{boundary.decode()}--\r\n".encode()
        self.received.append({"length": length, "head": head, "digest": digest, "tail": tail})
        status = self.statuses.pop(0) if self.statuses else 200
        body = b"upload-id-1" if status == 200 else b""
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def upload_server() -> Iterator[str]:
    _UploadHandler.received = []
    _UploadHandler.statuses = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _UploadHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.jsonl"
    line = b'{"text": "' + b"a" * 1000 + b'"}\n'
    with path.open("wb") as handle:
        for _ in range(FILE_BYTES // len(line)):
            handle.write(line)
    return path


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _body_digest(received: dict[str, object]) -> str:
    # The handler hashes everything after the part headers, including the closing boundary.
    return received["digest"].hexdigest()  # type: ignore[union-attr]


def test_upload_memory_stays_flat(upload_server, big_file):
    client = DoccanoClient(upload_server, token="t")

    tracemalloc.start()
    try:
        upload_id = client._send_file(big_file, "big.jsonl")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert upload_id == "upload-id-1"
    assert peak < 8 * 1024 * 1024, f"peak traced memory {peak} bytes for a {FILE_BYTES} byte file"


def test_upload_body_is_the_whole_file(upload_server, tmp_path):
    path = tmp_path / "small.txt"
    path.write_bytes(b"line one\nline two\n")
    client = DoccanoClient(upload_server, token="t")

    client._send_file(path, 'we"ird\nname.txt')

    (received,) = _UploadHandler.received
    tail = received["tail"]
    expected = hashlib.sha256(path.read_bytes() + tail).hexdigest()  # type: ignore[operator]
    assert _body_digest(received) == expected
    assert b'name="filepond"; filename="we%22ird%0Aname.txt"' in received["head"]  # type: ignore[operator]


def test_upload_retry_resends_whole_body(upload_server, tmp_path, monkeypatch):
    monkeypatch.setattr(_transport, "_sleep", lambda seconds: None)
    path = tmp_path / "small.txt"
    path.write_bytes(b"x" * 100_000)
    _UploadHandler.statuses = [503]
    client = DoccanoClient(upload_server, token="t")

    assert client._send_file(path, "small.txt") == "upload-id-1"

    first, second = _UploadHandler.received
    assert first["length"] == second["length"]
    assert _body_digest(first) == _body_digest(second)
