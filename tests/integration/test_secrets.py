"""Passwords and tokens stay out of logs, exception messages and reprs."""

from __future__ import annotations

import logging

import pytest

from doccano_provider.client import AuthenticationError, DoccanoClient


@pytest.fixture
def debug_logs(caplog):
    for name in ("doccano_provider", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_login_and_calls_log_no_secret(doccano_server, debug_logs):
    username, password = doccano_server.annotators[0]
    client = DoccanoClient(doccano_server.url)

    client.login(username, password)
    client.get_profile()
    list(client.list_projects())

    token = client.token
    assert token
    assert debug_logs.records, "DEBUG logging captured nothing, so the check below would prove nothing"
    assert password not in debug_logs.text
    assert token not in debug_logs.text
    assert token not in repr(client)
    assert token not in str(client)
    client.close()


def test_failed_login_message_has_no_password(doccano_server, debug_logs):
    username, _ = doccano_server.annotators[0]
    wrong_password = "Wrong-Pass-Review-4711"
    client = DoccanoClient(doccano_server.url)

    with pytest.raises(AuthenticationError) as caught:
        client.login(username, wrong_password)

    assert username in str(caught.value)
    assert wrong_password not in str(caught.value)
    assert wrong_password not in repr(caught.value)
    assert wrong_password not in repr(caught.value.__cause__)
    assert wrong_password not in debug_logs.text
    assert client.token is None
    client.close()
