"""Comment calls against the real server."""

from __future__ import annotations

import pytest

from doccano_provider.client import DoccanoClient, InvalidArgumentError, NotFoundError, PermissionDeniedError


@pytest.fixture
def example(project_factory, admin_client):
    project = project_factory("DocumentClassification")
    return project, admin_client.create_example(project.id, "commented text")


def test_comment_lifecycle(example, admin_client):
    project, item = example
    comment = admin_client.create_comment(project.id, item.id, "looks wrong")
    assert comment.example == item.id
    assert isinstance(comment.example, int)
    assert comment.text == "looks wrong"
    assert admin_client.find_comment_by_id(project.id, comment.id).text == "looks wrong"
    updated = admin_client.update_comment(project.id, comment.id, "looks right")
    assert updated.text == "looks right"
    assert admin_client.find_example_by_id(project.id, item.id).comment_count == 1
    admin_client.delete_comment(project.id, comment.id)
    with pytest.raises(NotFoundError):
        admin_client.find_comment_by_id(project.id, comment.id)


def test_list_comments_filters_and_paginates(doccano_server, example, admin_client):
    project, item = example
    other = admin_client.create_example(project.id, "other text")
    ids = [admin_client.create_comment(project.id, item.id, f"note {index}").id for index in range(5)]
    admin_client.create_comment(project.id, item.id, "special remark")
    admin_client.create_comment(project.id, other.id, "note on other")
    client = DoccanoClient(doccano_server.url, token=admin_client.token, page_size=2)
    listed = list(client.list_comments(project.id, item.id))
    assert [comment.id for comment in listed][:5] == ids
    assert len(listed) == 6
    assert all(comment.example == item.id for comment in listed)
    assert [comment.text for comment in client.list_comments(project.id, item.id, query="special")] == [
        "special remark"
    ]
    assert [comment.text for comment in client.list_comments(project.id, other.id)] == ["note on other"]


def test_bulk_delete_comments(example, admin_client):
    project, item = example
    ids = [admin_client.create_comment(project.id, item.id, f"c{index}").id for index in range(3)]
    admin_client.bulk_delete_comments(project.id, ids[:2])
    assert [comment.id for comment in admin_client.list_comments(project.id, item.id)] == ids[2:]
    with pytest.raises(InvalidArgumentError, match="comment_ids is empty"):
        admin_client.bulk_delete_comments(project.id, [])
    assert len(list(admin_client.list_comments(project.id, item.id))) == 1


def test_other_users_comments_are_protected(example, admin_client, annotator_clients, doccano_server):
    project, item = example
    admin_client.add_member(project.id, doccano_server.annotators[0][0], "annotator")
    annotator = annotator_clients[0]
    admin_comment = admin_client.create_comment(project.id, item.id, "by admin")
    own = annotator.create_comment(project.id, item.id, "by annotator")
    assert own.username == doccano_server.annotators[0][0]
    assert {comment.text for comment in annotator.list_comments(project.id, item.id)} == {
        "by admin",
        "by annotator",
    }
    with pytest.raises(PermissionDeniedError):
        annotator.find_comment_by_id(project.id, admin_comment.id)
    with pytest.raises(PermissionDeniedError):
        annotator.update_comment(project.id, admin_comment.id, "edited")
    with pytest.raises(PermissionDeniedError):
        annotator.delete_comment(project.id, admin_comment.id)
    # The bulk delete skips comments of other users without an error.
    annotator.bulk_delete_comments(project.id, [admin_comment.id, own.id])
    assert [comment.text for comment in admin_client.list_comments(project.id, item.id)] == ["by admin"]


def test_non_member_cannot_comment(example, annotator_clients):
    project, item = example
    with pytest.raises(PermissionDeniedError):
        annotator_clients[0].create_comment(project.id, item.id, "outsider")
