"""Member calls against the real server."""

from __future__ import annotations

import pytest

from doccano_provider.client import (
    DoccanoClient,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)


def test_add_find_list_update_member(project_factory, admin_client, doccano_server):
    project = project_factory()
    username = doccano_server.annotators[0][0]
    member = admin_client.add_member(project.id, username, "annotator")
    assert member.username == username
    assert member.rolename == "annotator"
    assert admin_client.find_member_by_id(project.id, member.id).user == member.user
    members = {item.username: item.rolename for item in admin_client.list_members(project.id)}
    assert members == {doccano_server.username: "project_admin", username: "annotator"}
    updated = admin_client.update_member(project.id, member.id, "annotation_approver")
    assert updated.rolename == "annotation_approver"
    assert admin_client.find_member_by_id(project.id, member.id).rolename == "annotation_approver"


def test_add_member_twice_raises_validation_error(project_factory, admin_client, doccano_server):
    project = project_factory()
    username = doccano_server.annotators[0][0]
    admin_client.add_member(project.id, username, "annotator")
    with pytest.raises(ValidationError, match="already assigned"):
        admin_client.add_member(project.id, username, "annotator")


def test_add_member_unknown_role_lists_roles(project_factory, admin_client, doccano_server):
    project = project_factory()
    with pytest.raises(InvalidArgumentError, match="'reviewer'") as info:
        admin_client.add_member(project.id, doccano_server.annotators[0][0], "reviewer")
    for role in ("project_admin", "annotator", "annotation_approver"):
        assert role in str(info.value)
    assert len(admin_client.list_members(project.id)) == 1


def test_add_member_unknown_user_raises_not_found(project_factory, admin_client):
    project = project_factory()
    with pytest.raises(NotFoundError, match="no-such-user-xyz"):
        admin_client.add_member(project.id, "no-such-user-xyz", "annotator")


def test_update_member_unknown_role_raises(project_factory, admin_client, doccano_server):
    project = project_factory()
    member = admin_client.add_member(project.id, doccano_server.annotators[0][0], "annotator")
    with pytest.raises(InvalidArgumentError, match="role_name"):
        admin_client.update_member(project.id, member.id, "boss")
    assert admin_client.find_member_by_id(project.id, member.id).rolename == "annotator"


def test_demoting_last_admin_raises(project_factory, admin_client, doccano_server):
    project = project_factory()
    (admin_member,) = [
        m for m in admin_client.list_members(project.id) if m.username == doccano_server.username
    ]
    with pytest.raises(ValidationError, match="at least one administrator"):
        admin_client.update_member(project.id, admin_member.id, "annotator")


def test_delete_member_and_bulk_delete(project_factory, admin_client, doccano_server):
    project = project_factory()
    first = admin_client.add_member(project.id, doccano_server.annotators[0][0], "annotator")
    second = admin_client.add_member(project.id, doccano_server.annotators[1][0], "annotator")
    admin_client.delete_member(project.id, first.id)
    with pytest.raises(NotFoundError):
        admin_client.find_member_by_id(project.id, first.id)
    assert {m.id for m in admin_client.list_members(project.id)} >= {second.id}
    admin_client.bulk_delete_members(project.id, [second.id])
    assert [m.username for m in admin_client.list_members(project.id)] == [doccano_server.username]


def test_bulk_delete_members_empty_list_raises(project_factory, admin_client, doccano_server):
    project = project_factory()
    admin_client.add_member(project.id, doccano_server.annotators[0][0], "annotator")
    with pytest.raises(InvalidArgumentError, match="member_ids is empty"):
        admin_client.bulk_delete_members(project.id, [])
    assert len(admin_client.list_members(project.id)) == 2


def test_annotator_cannot_manage_members(project_factory, admin_client, annotator_clients, doccano_server):
    project = project_factory()
    admin_client.add_member(project.id, doccano_server.annotators[0][0], "annotator")
    annotator: DoccanoClient = annotator_clients[0]
    with pytest.raises(PermissionDeniedError):
        annotator.list_members(project.id)
    with pytest.raises(PermissionDeniedError):
        annotator.add_member(project.id, doccano_server.annotators[1][0], "annotator")


def test_delete_own_membership_rejected(project_factory, admin_client, doccano_server):
    project = project_factory()
    (own,) = admin_client.list_members(project.id)
    with pytest.raises(InvalidArgumentError, match="does not let users remove themselves"):
        admin_client.delete_member(project.id, own.id)
    other = admin_client.add_member(project.id, doccano_server.annotators[0][0], "annotator")
    with pytest.raises(InvalidArgumentError, match=f"Member {own.id}"):
        admin_client.bulk_delete_members(project.id, [other.id, own.id])
    assert {member.id for member in admin_client.list_members(project.id)} == {own.id, other.id}


def test_delete_unknown_member_raises_not_found(project_factory, admin_client, doccano_server):
    project = project_factory()
    other_project = project_factory()
    foreign = admin_client.add_member(other_project.id, doccano_server.annotators[0][0], "annotator")
    with pytest.raises(NotFoundError, match=f"no member with id {foreign.id}"):
        admin_client.delete_member(project.id, foreign.id)
    assert foreign.id in {member.id for member in admin_client.list_members(other_project.id)}
