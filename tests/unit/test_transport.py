"""Transport faults that a real Doccano server cannot easily produce, with mocked HTTP."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from responses import matchers

from doccano_provider.client import (
    AuthenticationError,
    DoccanoClient,
    NotFoundError,
    PermissionDeniedError,
    RequestTimeoutError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    ValidationError,
)
from doccano_provider.client._transport import Transport

BASE = "http://doccano.test:8000"


@pytest.fixture
def transport(monkeypatch) -> Transport:
    sleeps: list[float] = []
    monkeypatch.setattr("doccano_provider.client._transport._sleep", sleeps.append)
    transport = Transport(BASE, token="secret-token", max_retries=3, backoff_factor=0.1)
    transport.sleeps = sleeps  # type: ignore[attr-defined]
    return transport


@responses.activate
def test_token_header_sent_and_cookies_dropped(transport):
    responses.post(
        f"{BASE}/v1/auth/login/",
        json={"key": "abc"},
        headers={"Set-Cookie": "sessionid=s1; Path=/"},
    )
    responses.get(
        f"{BASE}/v1/me",
        json={"id": 1, "username": "admin"},
        match=[matchers.header_matcher({"Authorization": "Token abc"})],
    )
    client = DoccanoClient(BASE)
    client.login("admin", "pw")
    assert client.get_profile().username == "admin"
    assert "Cookie" not in responses.calls[1].request.headers
    assert len(client._transport.session.cookies) == 0


@responses.activate
def test_429_honours_retry_after(transport):
    responses.get(f"{BASE}/v1/roles", status=429, headers={"Retry-After": "3"}, json={"detail": "slow"})
    responses.get(f"{BASE}/v1/roles", json=[])
    assert transport.get("/v1/roles") == []
    assert transport.sleeps == [3.0]
    assert len(responses.calls) == 2


@responses.activate
def test_502_then_success_retries_get(transport, caplog):
    responses.get(f"{BASE}/v1/projects/1", status=502, body="bad gateway")
    responses.get(f"{BASE}/v1/projects/1", status=503, body="unavailable")
    responses.get(f"{BASE}/v1/projects/1", json={"id": 1})
    with caplog.at_level(logging.WARNING, logger="doccano_provider.client"):
        assert transport.get("/v1/projects/1") == {"id": 1}
    assert len(transport.sleeps) == 2
    assert transport.sleeps[1] > 0
    assert "Retrying GET /v1/projects/1 (retry 1 of 3)" in caplog.text
    assert "HTTP 502" in caplog.text
    assert "secret-token" not in caplog.text


@responses.activate
def test_backoff_grows_and_gives_up(transport):
    for _ in range(4):
        responses.get(f"{BASE}/v1/roles", status=503, body="down")
    with pytest.raises(ServerError) as info:
        transport.get("/v1/roles")
    assert info.value.status_code == 503
    assert len(responses.calls) == 4
    # Exponential base 0.1, 0.2, 0.4 scaled by jitter in [0.5, 1.0).
    assert 0.05 <= transport.sleeps[0] < 0.1
    assert 0.1 <= transport.sleeps[1] < 0.2
    assert 0.2 <= transport.sleeps[2] < 0.4


@responses.activate
def test_post_not_retried_on_502(transport):
    responses.post(f"{BASE}/v1/projects", status=502, body="bad gateway")
    with pytest.raises(ServerError):
        transport.post("/v1/projects", json={"name": "x"})
    assert len(responses.calls) == 1


@responses.activate
def test_post_retried_on_429(transport):
    responses.post(f"{BASE}/v1/projects", status=429, json={"detail": "throttled"})
    responses.post(f"{BASE}/v1/projects", status=201, json={"id": 5})
    assert transport.post("/v1/projects", json={"name": "x"}) == {"id": 5}
    assert len(responses.calls) == 2


@responses.activate
def test_connection_reset_retries_get(transport):
    responses.get(f"{BASE}/v1/roles", body=requests.ConnectionError("Connection reset by peer"))
    responses.get(f"{BASE}/v1/roles", json=[{"id": 1, "name": "project_admin"}])
    assert transport.get("/v1/roles") == [{"id": 1, "name": "project_admin"}]
    assert len(transport.sleeps) == 1


@responses.activate
def test_connection_reset_not_retried_for_post(transport):
    # A reset after sending may mean the server created the object, so a POST is not resent.
    responses.post(f"{BASE}/v1/projects", body=requests.ConnectionError("Connection reset by peer"))
    with pytest.raises(TransportError, match="failed after 1 attempt"):
        transport.post("/v1/projects", json={"name": "x"})
    assert len(responses.calls) == 1


@responses.activate
def test_read_timeout_raises_after_retries(transport):
    for _ in range(4):
        responses.get(f"{BASE}/v1/roles", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(RequestTimeoutError, match="timed out after 4 attempt"):
        transport.get("/v1/roles")
    assert len(responses.calls) == 4


@responses.activate
def test_read_timeout_not_retried_for_post(transport):
    responses.post(f"{BASE}/v1/projects", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(RequestTimeoutError):
        transport.post("/v1/projects", json={})
    assert len(responses.calls) == 1


def test_refused_connection_retried_for_post(monkeypatch):
    # A refused connection never reached the server, so even a POST is safe to resend.
    sleeps: list[float] = []
    monkeypatch.setattr("doccano_provider.client._transport._sleep", sleeps.append)
    with socket_bound_but_closed() as port:
        transport = Transport(f"http://127.0.0.1:{port}", max_retries=2, backoff_factor=0.01, timeout=2)
        with pytest.raises(TransportError, match="failed after 3 attempt"):
            transport.post("/v1/projects", json={})
    assert len(sleeps) == 2


def test_slow_response_hits_read_timeout(monkeypatch):
    monkeypatch.setattr("doccano_provider.client._transport._sleep", lambda seconds: None)
    with slow_server(delay=1.0) as url:
        transport = Transport(url, max_retries=1, timeout=(1.0, 0.2))
        with pytest.raises(RequestTimeoutError):
            transport.get("/v1/roles")


@responses.activate
def test_html_200_reports_wrong_url(transport):
    responses.get(f"{BASE}/v1/roles", body="<html>app</html>", content_type="text/html")
    with pytest.raises(UnexpectedResponseError, match="does not look like the Doccano API"):
        transport.get("/v1/roles")


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (403, {"detail": "Authentication credentials were not provided."}, AuthenticationError),
        (403, {"detail": "Invalid token."}, AuthenticationError),
        (403, {"detail": "You do not have permission to perform this action."}, PermissionDeniedError),
        (404, {"detail": "No Project matches the given query."}, NotFoundError),
        (400, {"name": ["This field is required."]}, ValidationError),
    ],
)
@responses.activate
def test_error_classes(transport, status, body, error_class):
    responses.get(f"{BASE}/v1/projects/9", status=status, json=body)
    with pytest.raises(error_class) as info:
        transport.get("/v1/projects/9")
    assert info.value.status_code == status
    assert info.value.method == "GET"
    assert info.value.url == f"{BASE}/v1/projects/9"


@responses.activate
def test_validation_error_lists_fields(transport):
    responses.post(
        f"{BASE}/v1/projects",
        status=400,
        json={"name": ["This field is required."], "resourcetype": "Invalid resourcetype"},
    )
    with pytest.raises(ValidationError) as info:
        transport.post("/v1/projects", json={})
    assert info.value.errors == {
        "name": ["This field is required."],
        "resourcetype": ["Invalid resourcetype"],
    }
    assert "name: This field is required." in str(info.value)


@responses.activate
def test_500_html_page_message(transport):
    responses.post(
        f"{BASE}/v1/projects/1/category-types",
        status=500,
        body="<h1>Server Error (500)</h1>",
        content_type="text/html",
    )
    with pytest.raises(ServerError, match="HTML error page"):
        transport.post("/v1/projects/1/category-types", json={"text": "dup"})


@responses.activate
def test_paginate_builds_pages_from_base_url(transport):
    # The server's own "next" link points at another host, so the transport must not follow it.
    responses.get(
        f"{BASE}/v1/projects/1/examples",
        match=[matchers.query_param_matcher({"limit": "2", "offset": "0"})],
        json={"count": 3, "next": "http://internal:9999/v1/x?offset=2", "results": [{"id": 1}, {"id": 2}]},
    )
    responses.get(
        f"{BASE}/v1/projects/1/examples",
        match=[matchers.query_param_matcher({"limit": "2", "offset": "2"})],
        json={"count": 3, "next": None, "results": [{"id": 3}]},
    )
    transport.page_size = 2
    assert [item["id"] for item in transport.paginate("/v1/projects/1/examples")] == [1, 2, 3]


@responses.activate
def test_paginate_is_lazy(transport):
    responses.get(
        f"{BASE}/v1/projects",
        json={"count": 10, "next": f"{BASE}/v1/projects?offset=5", "results": [{"id": 1}]},
    )
    iterator = transport.paginate("/v1/projects")
    assert len(responses.calls) == 0
    assert next(iterator) == {"id": 1}
    assert len(responses.calls) == 1


def endless_pages(count_for_offset):
    """Return a callback serving full pages of new ids, each with ``next`` set, forever."""

    def callback(request):
        query = dict(parse_qsl(urlsplit(request.url).query))
        limit, offset = int(query["limit"]), int(query["offset"])
        body = {"next": "more", "results": [{"id": offset + i + 1} for i in range(limit)]}
        count = count_for_offset(offset)
        if count is not None:
            body["count"] = count
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    return callback


@responses.activate
def test_paginate_stops_at_reported_count(transport):
    responses.add_callback(responses.GET, f"{BASE}/v1/projects", callback=endless_pages(lambda offset: 5))
    transport.page_size = 2

    ids = [item["id"] for item in transport.paginate("/v1/projects")]

    assert ids == [1, 2, 3, 4, 5, 6]
    assert len(responses.calls) == 3


@responses.activate
def test_paginate_raises_when_count_keeps_growing(transport):
    # Each page reports more items than were listed so far, so the count never stops the loop.
    responses.add_callback(
        responses.GET, f"{BASE}/v1/projects", callback=endless_pages(lambda offset: offset + 10)
    )
    transport.page_size = 2

    with pytest.raises(UnexpectedResponseError, match="more items than the 10 it reported") as info:
        list(transport.paginate("/v1/projects"))

    assert info.value.url == f"{BASE}/v1/projects"
    # 10 reported at first plus a margin of max(10, page size) = 20 items, two per page.
    assert len(responses.calls) == 10


@responses.activate
def test_paginate_rejects_next_without_count(transport):
    responses.add_callback(responses.GET, f"{BASE}/v1/projects", callback=endless_pages(lambda offset: None))
    transport.page_size = 2

    with pytest.raises(UnexpectedResponseError, match="no integer 'count'"):
        list(transport.paginate("/v1/projects"))

    assert len(responses.calls) == 1


@pytest.mark.parametrize("base_url", ["", "127.0.0.1:8000", "ftp://host"])
def test_invalid_base_url_rejected(base_url):
    with pytest.raises(ValueError, match="Invalid Doccano base_url"):
        Transport(base_url)


def test_base_url_normalised():
    assert Transport("http://h:1/").base_url == "http://h:1"
    assert Transport("http://h:1/v1/").base_url == "http://h:1"


# -- small local servers for faults that need a real socket ---------------------------------


@contextlib.contextmanager
def socket_bound_but_closed():
    """Yield a loopback port on which nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield port


@contextlib.contextmanager
def slow_server(delay: float):
    """Serve on 127.0.0.1 and respond to every request after ``delay`` seconds."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - name fixed by BaseHTTPRequestHandler
            time.sleep(delay)
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"[]")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
