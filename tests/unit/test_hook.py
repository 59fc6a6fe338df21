"""DoccanoHook: connection parsing, client caching, secret masking and the connection test."""

from __future__ import annotations

import json
import socket
from unittest import mock

import pytest
import responses

from doccano_provider.client import DoccanoClient
from doccano_provider.hooks.doccano import DoccanoHook, parse_verify

URL = "http://doccano.test:8000"
PASSWORD = "s3cret-pass"
TOKEN = "a" * 40


def _set_connection(monkeypatch: pytest.MonkeyPatch, conn_id: str = "doccano_default", **fields: object) -> None:
    connection = {"conn_type": "doccano", "host": URL, "login": "admin", "password": PASSWORD}
    connection.update(fields)
    connection = {key: value for key, value in connection.items() if value is not None}
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(connection))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_hook_class_attributes() -> None:
    assert DoccanoHook.conn_type == "doccano"
    assert DoccanoHook.default_conn_name == "doccano_default"
    assert DoccanoHook.conn_name_attr == "doccano_conn_id"
    assert DoccanoHook.hook_name == "Doccano"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), (True, True), ("false", False), ("True", True), ("/etc/ca.pem", "/etc/ca.pem")],
)
def test_parse_verify(value: object, expected: object) -> None:
    assert parse_verify(value) == expected


def test_settings_read_extras(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch, extra={"verify": "/etc/ssl/ca.pem", "timeout": "30", "page_size": 100})
    settings = DoccanoHook().settings
    assert settings.base_url == URL
    assert settings.verify == "/etc/ssl/ca.pem"
    assert settings.read_timeout == 30.0
    assert settings.page_size == 100
    assert settings.uses_token is False


def test_settings_reject_bad_page_size(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch, extra={"page_size": "-3"})
    with pytest.raises(ValueError, match="page_size"):
        DoccanoHook().settings  # noqa: B018


def test_settings_without_host_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch, host=None)
    with pytest.raises(ValueError, match="no host"):
        DoccanoHook().settings  # noqa: B018


@responses.activate
def test_get_conn_logs_in_once_and_masks_token(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch)
    login = responses.post(f"{URL}/v1/auth/login/", json={"key": TOKEN})
    with mock.patch("doccano_provider.hooks.doccano.mask_secret") as mask_secret:
        hook = DoccanoHook()
        client = hook.get_conn()
        assert hook.get_conn() is client
    assert isinstance(client, DoccanoClient)
    assert client.token == TOKEN
    assert login.call_count == 1
    mask_secret.assert_any_call(TOKEN)


@responses.activate
def test_token_connection_skips_login(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch, login=None, password=TOKEN)
    profile = responses.get(f"{URL}/v1/me", json={"id": 1, "username": "bot"})
    hook = DoccanoHook()
    assert hook.get_profile().username == "bot"
    assert profile.calls[0].request.headers["Authorization"] == f"Token {TOKEN}"


@responses.activate
def test_hook_forwards_client_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch)
    responses.post(f"{URL}/v1/auth/login/", json={"key": TOKEN})
    responses.get(f"{URL}/v1/roles", json=[{"id": 1, "name": "project_admin"}])
    hook = DoccanoHook()
    assert [role.name for role in hook.list_roles()] == ["project_admin"]
    with pytest.raises(AttributeError):
        hook.no_such_call  # noqa: B018


@responses.activate
def test_connection_test_good_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch)
    responses.post(f"{URL}/v1/auth/login/", json={"key": TOKEN})
    responses.get(f"{URL}/v1/me", json={"id": 1, "username": "admin"})
    ok, message = DoccanoHook().test_connection()
    assert ok is True
    assert "admin" in message
    assert PASSWORD not in message
    assert TOKEN not in message


@responses.activate
def test_connection_test_bad_password(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch)
    responses.post(
        f"{URL}/v1/auth/login/", status=400,
        json={"non_field_errors": ["Unable to log in with provided credentials."]},
    )
    ok, message = DoccanoHook().test_connection()
    assert ok is False
    assert "Authentication" in message
    assert PASSWORD not in message


@responses.activate
def test_connection_test_invalid_token(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch, login=None, password=TOKEN)
    responses.get(f"{URL}/v1/me", status=403, json={"detail": "Invalid token."})
    ok, message = DoccanoHook().test_connection()
    assert ok is False
    assert "API token" in message
    assert TOKEN not in message


def test_connection_test_unreachable_host(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch, host=f"http://127.0.0.1:{_closed_port()}")
    ok, message = DoccanoHook().test_connection()
    assert ok is False
    assert "unreachable" in message
    assert PASSWORD not in message


@responses.activate
def test_connection_test_html_page(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch)
    responses.post(f"{URL}/v1/auth/login/", body="<html></html>", content_type="text/html")
    ok, message = DoccanoHook().test_connection()
    assert ok is False
    assert "root" in message


def test_connection_test_missing_password_does_not_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch, password=None)
    ok, message = DoccanoHook().test_connection()
    assert ok is False
    assert "password" in message


def test_project_url(monkeypatch: pytest.MonkeyPatch) -> None:
    _set_connection(monkeypatch, host=URL + "/")
    assert DoccanoHook().project_url(7) == f"{URL}/projects/7"


def test_form_methods_exist_for_airflow2() -> None:
    behaviour = DoccanoHook.get_ui_field_behaviour()
    assert behaviour["relabeling"]["host"] == "Doccano URL"
    assert "port" in behaviour["hidden_fields"]
