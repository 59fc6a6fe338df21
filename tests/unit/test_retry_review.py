"""Retry-After parsing and capping, and POSTs that must not be retried."""

from __future__ import annotations

import email.utils
import time

import pytest
import responses

from doccano_provider.client import ServerError, TransportError
from doccano_provider.client._transport import Transport

BASE = "http://127.0.0.1:9"


@pytest.fixture
def transport(monkeypatch) -> Transport:
    sleeps: list[float] = []
    monkeypatch.setattr("doccano_provider.client._transport._sleep", sleeps.append)
    transport = Transport(BASE, token="t", max_retries=2, backoff_factor=0.1, backoff_max=30.0)
    transport.sleeps = sleeps  # type: ignore[attr-defined]
    return transport


def _retry_once(transport: Transport, retry_after: str) -> float:
    responses.get(f"{BASE}/v1/roles", status=429, headers={"Retry-After": retry_after})
    responses.get(f"{BASE}/v1/roles", json=[])
    assert transport.get("/v1/roles") == []
    (slept,) = transport.sleeps  # type: ignore[attr-defined]
    return slept


@responses.activate
def test_retry_after_http_date(transport):
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    assert 18.0 <= _retry_once(transport, when) <= 20.5


@responses.activate
def test_retry_after_http_date_without_zone(transport, monkeypatch):
    # RFC 9110 dates are always GMT, so a date without a zone must not be read as local time.
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    when = time.strftime("%a, %d %b %Y %H:%M:%S", time.gmtime(time.time() + 20))
    try:
        slept = _retry_once(transport, when)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert 18.0 <= slept <= 20.5


@pytest.mark.parametrize("value", ["100000000", "inf", "1e308"])
@responses.activate
def test_enormous_retry_after_capped(transport, value):
    assert _retry_once(transport, value) == 120.0


@pytest.mark.parametrize("value", ["-5", "nan", "soon", "Wed, 99 Foo 2015"])
@responses.activate
def test_unusable_retry_after_never_negative(transport, value):
    slept = _retry_once(transport, value)
    assert 0.0 <= slept <= 0.1


@responses.activate
def test_post_not_retried_on_500_or_503(transport):
    responses.post(f"{BASE}/v1/projects", status=503)
    with pytest.raises(ServerError):
        transport.post("/v1/projects", json={"name": "x"})
    assert len(responses.calls) == 1
    assert transport.sleeps == []  # type: ignore[attr-defined]


@responses.activate
def test_post_not_retried_after_connection_reset(transport):
    import requests

    responses.post(f"{BASE}/v1/projects", body=requests.ConnectionError("Connection reset by peer"))
    with pytest.raises(TransportError):
        transport.post("/v1/projects", json={"name": "x"})
    assert len(responses.calls) == 1


@responses.activate
def test_paginate_skips_item_shifted_by_insert(transport):
    transport.page_size = 2
    # Newest first: item 4 is created after the first page, so page two starts with 2 again.
    responses.get(f"{BASE}/v1/projects", json={"count": 3, "next": "n", "results": [{"id": 3}, {"id": 2}]})
    responses.get(f"{BASE}/v1/projects", json={"count": 4, "next": None, "results": [{"id": 2}, {"id": 1}]})

    assert [item["id"] for item in transport.paginate("/v1/projects")] == [3, 2, 1]


def test_streamed_error_page_returns_connection():
    import http.server
    import threading

    class ErrorPage(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
            body = b"<html>" + b"x" * 200_000 + b"</html>"
            self.send_response(500)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ErrorPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    transport = Transport(base, token="t", max_retries=0)
    try:
        with pytest.raises(ServerError):
            transport.request("GET", "/v1/projects/1/download", stream=True)
        pools = transport.session.get_adapter(base).poolmanager.pools
        checked_out = sum(pools[key].pool.maxsize - pools[key].pool.qsize() for key in pools.keys())  # noqa: SIM118 - the container cannot be iterated
        assert checked_out == 0
    finally:
        server.shutdown()
        server.server_close()
