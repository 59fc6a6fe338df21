"""Example calls against the real server."""

from __future__ import annotations

import inspect

import pytest

from doccano_provider.client import DoccanoClient, InvalidArgumentError, NotFoundError, PermissionDeniedError


@pytest.fixture
def project(project_factory):
    return project_factory("DocumentClassification")


def test_create_find_update_delete_example(project, admin_client):
    example = admin_client.create_example(project.id, "first text")
    assert example.text == "first text"
    assert example.score == 100.0
    assert example.meta == {}
    assert not example.is_confirmed
    with_meta = admin_client.create_example(project.id, "second", score=0.5, meta={"source": "unit", "n": 2})
    assert with_meta.score == 0.5
    assert with_meta.meta == {"source": "unit", "n": 2}
    found = admin_client.find_example_by_id(project.id, example.id)
    assert found.text == "first text"

    updated = admin_client.update_example(project.id, example.id, text="changed", meta={"k": "v"})
    assert updated.text == "changed"
    assert updated.meta == {"k": "v"}
    assert updated.score == 100.0
    rescored = admin_client.update_example(project.id, example.id, score=3.0)
    assert (rescored.text, rescored.score) == ("changed", 3.0)

    admin_client.delete_example(project.id, example.id)
    with pytest.raises(NotFoundError):
        admin_client.find_example_by_id(project.id, example.id)
    assert [item.id for item in admin_client.list_examples(project.id)] == [with_meta.id]


@pytest.mark.parametrize("text", ["", "  "])
def test_update_example_rejects_blank_text(project, admin_client, text):
    # Sent as is, Doccano 1.8.4 returns 200, stores an empty text and applies the score.
    example = admin_client.create_example(project.id, "keep me")
    with pytest.raises(InvalidArgumentError, match="Invalid text"):
        admin_client.update_example(project.id, example.id, text=text, score=1.0)
    found = admin_client.find_example_by_id(project.id, example.id)
    assert found.text == "keep me"
    assert found.score == 100.0


def test_invalid_meta_rejected(project, admin_client):
    with pytest.raises(InvalidArgumentError, match="meta"):
        admin_client.create_example(project.id, "x", meta=["not", "a", "dict"])
    assert admin_client.count_examples(project.id) == 0


def test_bulk_delete_and_delete_all(project, admin_client):
    ids = [admin_client.create_example(project.id, f"text {index}").id for index in range(4)]
    admin_client.bulk_delete_examples(project.id, ids[:2])
    assert [example.id for example in admin_client.list_examples(project.id)] == ids[2:]
    with pytest.raises(InvalidArgumentError, match="example_ids is empty"):
        admin_client.bulk_delete_examples(project.id, [])
    assert admin_client.count_examples(project.id) == 2
    admin_client.delete_all_examples(project.id)
    assert admin_client.count_examples(project.id) == 0


def test_list_examples_paginates(doccano_server, admin_client, project):
    ids = [admin_client.create_example(project.id, f"text {index}").id for index in range(7)]
    client = DoccanoClient(doccano_server.url, token=admin_client.token, page_size=3)
    offsets: list[int] = []
    original_get = client._transport.get

    def recording_get(path, **kwargs):
        offsets.append(kwargs["params"]["offset"])
        return original_get(path, **kwargs)

    client._transport.get = recording_get  # type: ignore[method-assign]
    examples = client.list_examples(project.id)
    assert inspect.isgenerator(examples)
    assert offsets == []
    assert [example.id for example in examples] == ids
    assert offsets == [0, 3, 6]


def test_confirmation_toggle_and_idempotent_calls(project, admin_client):
    first = admin_client.create_example(project.id, "one")
    second = admin_client.create_example(project.id, "two")
    admin_client.update_example_state(project.id, first.id)
    assert admin_client.find_example_by_id(project.id, first.id).is_confirmed
    admin_client.update_example_state(project.id, first.id)
    assert not admin_client.find_example_by_id(project.id, first.id).is_confirmed

    admin_client.confirm_example(project.id, second.id)
    admin_client.confirm_example(project.id, second.id)
    assert admin_client.find_example_by_id(project.id, second.id).is_confirmed
    assert [e.id for e in admin_client.list_examples(project.id, is_confirmed=True)] == [second.id]
    assert [e.id for e in admin_client.list_examples(project.id, is_confirmed=False)] == [first.id]
    assert admin_client.count_examples(project.id) == 2
    assert admin_client.count_examples(project.id, is_confirmed=True) == 1
    assert admin_client.count_examples(project.id, is_confirmed=False) == 1

    admin_client.unconfirm_example(project.id, second.id)
    admin_client.unconfirm_example(project.id, second.id)
    assert not admin_client.find_example_by_id(project.id, second.id).is_confirmed
    assert admin_client.count_examples(project.id, is_confirmed=True) == 0


def test_is_confirmed_must_be_bool(project, admin_client):
    with pytest.raises(InvalidArgumentError, match="is_confirmed"):
        list(admin_client.list_examples(project.id, is_confirmed="yes"))
    with pytest.raises(InvalidArgumentError, match="is_confirmed"):
        admin_client.count_examples(project.id, is_confirmed=1)


def test_annotator_can_read_and_confirm_but_not_write(
    project, admin_client, annotator_clients, doccano_server
):
    admin_client.add_member(project.id, doccano_server.annotators[0][0], "annotator")
    annotator = annotator_clients[0]
    example = admin_client.create_example(project.id, "shared")
    assert [item.id for item in annotator.list_examples(project.id)] == [example.id]
    with pytest.raises(PermissionDeniedError):
        annotator.create_example(project.id, "mine")
    with pytest.raises(PermissionDeniedError):
        annotator.update_example(project.id, example.id, text="edited")
    with pytest.raises(PermissionDeniedError):
        annotator.delete_example(project.id, example.id)
    with pytest.raises(PermissionDeniedError):
        annotator.bulk_delete_examples(project.id, [example.id])
    annotator.confirm_example(project.id, example.id)
    # Per-user project: the confirmation is the annotator's own.
    assert annotator.find_example_by_id(project.id, example.id).is_confirmed
    assert not admin_client.find_example_by_id(project.id, example.id).is_confirmed
    assert admin_client.find_example_by_id(project.id, example.id).text == "shared"


def test_missing_example_raises_not_found(project, admin_client):
    with pytest.raises(NotFoundError):
        admin_client.find_example_by_id(project.id, 999_999_999)
    with pytest.raises(NotFoundError):
        admin_client.confirm_example(project.id, 999_999_999)
