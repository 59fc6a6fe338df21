"""health_check against a local HTTP stub, for failures the shared dev server cannot show."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from doccano_provider.client import DoccanoClient, ServerError


class _HealthStub(BaseHTTPRequestHandler):
    status = 200
    body: dict[str, str] = {}

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        payload = json.dumps(self.body).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def stub_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HealthStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _serve(status: int, body: dict[str, str]) -> None:
    _HealthStub.status = status
    _HealthStub.body = body


def test_health_check_returns_checks(stub_url):
    _serve(200, {"Cache": "OK", "CeleryHealthCheckCelery": "OK"})
    assert DoccanoClient(stub_url).health_check() == {"Cache": "OK", "CeleryHealthCheckCelery": "OK"}


def test_health_check_failure_names_check(stub_url):
    _serve(500, {"Cache": "OK", "CeleryHealthCheckCelery": "unavailable: no worker answered"})
    with pytest.raises(ServerError) as info:
        DoccanoClient(stub_url, max_retries=0).health_check()
    message = str(info.value)
    assert "CeleryHealthCheckCelery: unavailable: no worker answered" in message
    assert "Cache" not in message
    assert info.value.errors == {"CeleryHealthCheckCelery": ["unavailable: no worker answered"]}


def test_health_check_not_ok_with_200(stub_url):
    _serve(200, {"MigrationsHealthCheck": "unapplied migrations"})
    with pytest.raises(ServerError, match="MigrationsHealthCheck: unapplied migrations"):
        DoccanoClient(stub_url).health_check()


def test_health_check_plain_500_reraised(stub_url):
    _serve(500, {})
    with pytest.raises(ServerError, match="HTTP 500"):
        DoccanoClient(stub_url, max_retries=0).health_check()
