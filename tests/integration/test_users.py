"""Authentication, users and roles against the real server."""

from __future__ import annotations

import pytest

from doccano_provider.client import (
    AuthenticationError,
    DoccanoClient,
    NotFoundError,
    PermissionDeniedError,
    UnexpectedResponseError,
)
from tests.integration.conftest import unique_name


def test_login_wrong_password_raises(doccano_server):
    client = DoccanoClient(doccano_server.url)
    with pytest.raises(AuthenticationError, match="Unable to log in"):
        client.login(doccano_server.username, "wrong-password")


def test_requests_without_login_raise_authentication_error(doccano_server):
    client = DoccanoClient(doccano_server.url)
    with pytest.raises(AuthenticationError) as info:
        client.get_profile()
    assert info.value.status_code == 403


def test_invalid_token_raises_authentication_error(doccano_server):
    client = DoccanoClient(doccano_server.url, token="0" * 40)
    with pytest.raises(AuthenticationError, match="Invalid token"):
        client.list_roles()


def test_wrong_base_url_reports_html(doccano_server, admin_client):
    client = DoccanoClient(doccano_server.url + "/some/app", token=admin_client.token)
    with pytest.raises(UnexpectedResponseError, match="does not look like the Doccano API"):
        client.list_roles()


def test_profile_and_roles(admin_client, doccano_server):
    profile = admin_client.get_profile()
    assert profile.username == doccano_server.username
    assert profile.is_superuser
    roles = {role.name for role in admin_client.list_roles()}
    assert roles == {"project_admin", "annotator", "annotation_approver"}


def test_create_search_and_find_user(admin_client):
    name = unique_name("user")
    created = admin_client.create_user(name, "Str0ng-Passw0rd!")
    assert created.username == name
    assert not created.is_staff
    assert [user.id for user in admin_client.search_users(name)] == [created.id]
    assert admin_client.find_user_by_name(name).id == created.id
    with pytest.raises(NotFoundError, match="not found"):
        admin_client.find_user_by_name(name + "-missing")


def test_annotator_cannot_create_user(annotator_clients):
    with pytest.raises(PermissionDeniedError):
        annotator_clients[0].create_user(unique_name("user"), "Str0ng-Passw0rd!")


def test_password_change_details_and_logout(doccano_server, admin_client):
    name = unique_name("user")
    admin_client.create_user(name, "Str0ng-Passw0rd!")
    client = DoccanoClient(doccano_server.url)
    client.login(name, "Str0ng-Passw0rd!")
    assert client.change_current_user_password("N3w-Passw0rd!", "N3w-Passw0rd!").detail
    details = client.update_current_user_details(first_name="Ada", last_name="Lovelace")
    assert (details.first_name, details.last_name) == ("Ada", "Lovelace")
    old_token = client.token
    client.logout()
    assert client.token is None
    with pytest.raises(AuthenticationError):
        DoccanoClient(doccano_server.url, token=old_token).get_profile()
    with pytest.raises(AuthenticationError):
        client.login(name, "Str0ng-Passw0rd!")
    client.login(name, "N3w-Passw0rd!")
    assert client.get_profile().username == name
