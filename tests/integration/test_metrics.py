"""Progress, label distribution and health check against the real server."""

from __future__ import annotations

import pytest

from doccano_provider.client import DoccanoClient, InvalidArgumentError, PermissionDeniedError


def _add_annotators(admin_client, project_id, doccano_server):
    for username, _ in doccano_server.annotators:
        admin_client.add_member(project_id, username, "annotator")


def test_per_user_progress(project_factory, admin_client, annotator_clients, doccano_server):
    project = project_factory("DocumentClassification")
    _add_annotators(admin_client, project.id, doccano_server)
    ids = [admin_client.create_example(project.id, f"text {index}").id for index in range(4)]
    first, second = annotator_clients[:2]
    first.confirm_example(project.id, ids[0])
    first.confirm_example(project.id, ids[1])
    second.confirm_example(project.id, ids[0])

    assert first.get_progress(project.id).model_dump() == {"total": 4, "remaining": 2, "complete": 2}
    assert second.get_progress(project.id).model_dump() == {"total": 4, "remaining": 3, "complete": 1}
    assert admin_client.get_progress(project.id).complete == 0

    members = {item.user: item for item in admin_client.get_members_progress(project.id)}
    assert members[doccano_server.annotators[0][0]].done == 2
    assert members[doccano_server.annotators[1][0]].done == 1
    assert members[doccano_server.username].done == 0
    assert {item.total for item in members.values()} == {4}


def test_collaborative_progress(project_factory, admin_client, annotator_clients, doccano_server):
    project = project_factory("DocumentClassification", collaborative_annotation=True)
    _add_annotators(admin_client, project.id, doccano_server)
    ids = [admin_client.create_example(project.id, f"text {index}").id for index in range(3)]
    first, second = annotator_clients[:2]
    first.confirm_example(project.id, ids[0])
    second.confirm_example(project.id, ids[1])
    for client in (admin_client, first, second):
        assert client.get_progress(project.id).model_dump() == {"total": 3, "remaining": 1, "complete": 2}
    # In a collaborative project another user's confirmation counts, so this is a no-op.
    second.confirm_example(project.id, ids[0])
    assert admin_client.get_progress(project.id).complete == 2
    members = {item.user: item.done for item in admin_client.get_members_progress(project.id)}
    assert members[doccano_server.annotators[0][0]] == 1
    assert members[doccano_server.annotators[1][0]] == 1


def test_label_distribution_rows(project_factory, admin_client, doccano_server):
    project = project_factory("DocumentClassification")
    positive = admin_client.create_label_type(project.id, "category", "pos")
    admin_client.create_label_type(project.id, "category", "neg")
    for index in range(2):
        example = admin_client.create_example(project.id, f"text {index}")
        # Raw request so this test does not depend on the annotation calls.
        admin_client._transport.post(
            f"/v1/projects/{project.id}/examples/{example.id}/categories", json={"label": positive.id}
        )
    rows = admin_client.get_label_distribution(project.id, "category")
    assert {(row.username, row.label, row.count) for row in rows} == {
        (doccano_server.username, "pos", 2),
        (doccano_server.username, "neg", 0),
    }
    assert admin_client.get_label_distribution(project.id, "span") == []


def test_label_distribution_invalid_kind(project_factory, admin_client):
    project = project_factory()
    with pytest.raises(InvalidArgumentError, match="'categories'"):
        admin_client.get_label_distribution(project.id, "categories")


def test_non_member_cannot_read_progress(project_factory, annotator_clients):
    project = project_factory()
    with pytest.raises(PermissionDeniedError):
        annotator_clients[0].get_progress(project.id)


def test_health_check_needs_no_login(doccano_server):
    checks = DoccanoClient(doccano_server.url).health_check()
    assert checks
    assert set(checks.values()) == {"OK"}
    assert any("Celery" in name for name in checks)
