"""Doccano 1.8.4 quirks that the client must guard against, on the real server."""

from __future__ import annotations

import pytest

from doccano_provider.client import InvalidArgumentError, NotFoundError


@pytest.fixture
def two_projects(admin_client, project_factory):
    first = project_factory("Seq2seq")
    second = project_factory("Seq2seq")
    first_example = admin_client.create_example(first.id, "alpha")
    second_example = admin_client.create_example(second.id, "beta")
    return first, first_example, second, second_example


def test_comment_writes_stay_in_project(admin_client, two_projects):
    first, first_example, second, second_example = two_projects
    own = admin_client.create_comment(first.id, first_example.id, "in first")
    other = admin_client.create_comment(second.id, second_example.id, "in second")

    with pytest.raises(NotFoundError, match=str(other.id)):
        admin_client.bulk_delete_comments(first.id, [own.id, other.id])
    with pytest.raises(NotFoundError):
        admin_client.delete_comment(first.id, other.id)
    with pytest.raises(NotFoundError):
        admin_client.update_comment(first.id, other.id, "changed")

    remaining = [comment.text for comment in admin_client.list_comments(second.id, second_example.id)]
    assert remaining == ["in second"]
    assert [comment.text for comment in admin_client.list_comments(first.id, first_example.id)] == [
        "in first"
    ]

    admin_client.bulk_delete_comments(first.id, [own.id])
    assert list(admin_client.list_comments(first.id, first_example.id)) == []


def test_comment_create_returns_int_example(admin_client, two_projects):
    first, first_example, _, _ = two_projects
    comment = admin_client.create_comment(first.id, first_example.id, "typed")
    assert comment.example == first_example.id
    assert isinstance(comment.example, int)


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_comment_rejected(admin_client, two_projects, text):
    first, first_example, _, _ = two_projects
    with pytest.raises(InvalidArgumentError, match="comment text"):
        admin_client.create_comment(first.id, first_example.id, text)
    assert list(admin_client.list_comments(first.id, first_example.id)) == []


def test_toggle_and_idempotent_confirm(admin_client, two_projects):
    first, first_example, _, _ = two_projects
    admin_client.update_example_state(first.id, first_example.id)
    admin_client.update_example_state(first.id, first_example.id)
    assert admin_client.find_example_by_id(first.id, first_example.id).is_confirmed is False

    admin_client.confirm_example(first.id, first_example.id)
    admin_client.confirm_example(first.id, first_example.id)
    assert admin_client.find_example_by_id(first.id, first_example.id).is_confirmed is True
    assert admin_client.count_examples(first.id, is_confirmed=True) == 1


def _idle_connections_missing(client) -> int:
    """Return how many pooled connections to the server are checked out and not returned."""
    pools = client._transport.session.get_adapter(client.base_url).poolmanager.pools
    assert len(pools) > 0, "no connection pool in use, so the count below would prove nothing"
    return sum(pools[key].pool.maxsize - pools[key].pool.qsize() for key in pools.keys())  # noqa: SIM118 - the container cannot be iterated


def test_abandoned_listing_and_download_leave_no_connection(doccano_server, project_factory, tmp_path):
    from doccano_provider.client import DoccanoClient

    client = DoccanoClient(doccano_server.url, page_size=2)
    client.login(doccano_server.username, doccano_server.password)
    project = project_factory("Seq2seq")
    for number in range(5):
        client.create_example(project.id, f"example {number}")

    listing = client.list_examples(project.id)
    assert next(listing).text is not None
    del listing
    assert _idle_connections_missing(client) == 0

    archive = client.download(project.id, "JSONL", dir_name=str(tmp_path))
    assert archive.suffix == ".zip"
    assert _idle_connections_missing(client) == 0
    client.close()


def test_relation_shortcut_checked_by_client(admin_client, project_factory):
    project = project_factory("SequenceLabeling", use_relation=True)
    first = admin_client.create_label_type(project.id, "relation", "causes", suffix_key="a")

    with pytest.raises(InvalidArgumentError, match="already uses shortcut a"):
        admin_client.create_label_type(project.id, "relation", "treats", suffix_key="a")
    with pytest.raises(InvalidArgumentError, match="needs a suffix_key"):
        admin_client.create_label_type(project.id, "relation", "treats", prefix_key="ctrl")
    second = admin_client.create_label_type(project.id, "relation", "treats", suffix_key="b")
    with pytest.raises(InvalidArgumentError, match="already uses shortcut a"):
        admin_client.update_label_type(project.id, second.id, "relation", suffix_key="a")

    labels = admin_client.list_label_types(project.id, "relation")
    assert sorted((label.text, label.suffix_key) for label in labels) == [("causes", "a"), ("treats", "b")]
    renamed = admin_client.update_label_type(project.id, first.id, "relation", text="leads to")
    assert renamed.suffix_key == "a"


def test_label_id_of_other_project_rejected(admin_client, project_factory):
    first = project_factory("DocumentClassification")
    second = project_factory("DocumentClassification")
    foreign = admin_client.create_label_type(second.id, "category", "foreign")
    own = admin_client.create_label_type(first.id, "category", "own")
    example = admin_client.create_example(first.id, "alpha")

    with pytest.raises(NotFoundError, match=f"Label type id {foreign.id} is not a category label type"):
        admin_client.create_category(first.id, example.id, foreign.id)
    assert admin_client.list_categories(first.id, example.id) == []

    category = admin_client.create_category(first.id, example.id, own.id)
    assert category.label == own.id
    with pytest.raises(NotFoundError):
        admin_client.update_category(first.id, example.id, category.id, foreign.id)
    assert admin_client.find_category_by_id(first.id, example.id, category.id).label == own.id
