"""Secrets in retry logs, the base URL and reprs, with mocked HTTP."""

from __future__ import annotations

import logging

import pytest
import responses

from doccano_provider.client import DoccanoClient, InvalidArgumentError, UnexpectedResponseError, _transport

BASE = "http://127.0.0.1:9"
TOKEN = "0123456789abcdef-review-token"


@responses.activate
def test_retry_logs_have_no_token(caplog, monkeypatch):
    monkeypatch.setattr(_transport, "_sleep", lambda seconds: None)
    for name in ("doccano_provider", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
    responses.get(f"{BASE}/v1/me", status=503)
    responses.get(f"{BASE}/v1/me", status=429, headers={"Retry-After": "0"})
    responses.get(f"{BASE}/v1/me", json={"id": 1, "username": "admin"})
    client = DoccanoClient(BASE, token=TOKEN)

    client.get_profile()

    retries = [record for record in caplog.records if "Retrying" in record.getMessage()]
    assert len(retries) == 2
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(client)


@pytest.mark.parametrize("url", ["http://admin:s3cret-pw@127.0.0.1:9", "https://user@127.0.0.1:9/"])
def test_credentials_in_base_url_rejected(url):
    with pytest.raises(InvalidArgumentError) as caught:
        DoccanoClient(url)
    assert "s3cret-pw" not in str(caught.value)
    assert "login()" in str(caught.value)


@responses.activate
def test_login_response_without_key():
    responses.post(f"{BASE}/v1/auth/login/", json={"detail": "ok"})
    client = DoccanoClient(BASE)

    with pytest.raises(UnexpectedResponseError, match="no 'key'"):
        client.login("admin", "pw")
    assert client.token is None
