"""Label type calls against the real server."""

from __future__ import annotations

import json

import pytest

from doccano_provider.client import (
    DoccanoClient,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)


@pytest.fixture
def span_project(project_factory):
    return project_factory("SequenceLabeling", use_relation=True)


@pytest.mark.parametrize("kind", ["category", "span", "relation"])
def test_label_type_lifecycle(project_factory, admin_client, kind):
    project = project_factory("SequenceLabeling" if kind != "category" else "DocumentClassification")
    label = admin_client.create_label_type(
        project.id, kind, "first", prefix_key="ctrl", suffix_key="1", color="#aabbcc"
    )
    assert (label.text, label.prefix_key, label.suffix_key) == ("first", "ctrl", "1")
    assert label.background_color == "#aabbcc"
    assert admin_client.find_label_type_by_id(project.id, label.id, kind).text == "first"
    assert admin_client.find_label_type_by_text(project.id, "first", kind).id == label.id
    second = admin_client.create_label_type(project.id, kind, "second")
    assert [item.text for item in admin_client.list_label_types(project.id, kind)] == ["first", "second"]

    renamed = admin_client.update_label_type(project.id, label.id, kind, text="renamed", color="#010203")
    assert renamed.text == "renamed"
    assert renamed.background_color == "#010203"
    assert (renamed.prefix_key, renamed.suffix_key) == ("ctrl", "1")  # -1 leaves the keys unchanged
    cleared = admin_client.update_label_type(project.id, label.id, kind, prefix_key=None, suffix_key=None)
    assert (cleared.prefix_key, cleared.suffix_key) == (None, None)
    assert cleared.text == "renamed"

    admin_client.delete_label_type(project.id, label.id, kind)
    with pytest.raises(NotFoundError):
        admin_client.find_label_type_by_id(project.id, label.id, kind)
    admin_client.bulk_delete_label_types(project.id, [second.id], kind)
    assert admin_client.list_label_types(project.id, kind) == []


def test_label_types_are_separate_per_kind(span_project, admin_client):
    admin_client.create_label_type(span_project.id, "span", "ORG")
    admin_client.create_label_type(span_project.id, "relation", "ORG")
    assert [label.text for label in admin_client.list_label_types(span_project.id, "span")] == ["ORG"]
    assert [label.text for label in admin_client.list_label_types(span_project.id, "relation")] == ["ORG"]
    assert admin_client.list_label_types(span_project.id, "category") == []


def test_duplicate_label_text_raises_before_request(span_project, admin_client):
    label = admin_client.create_label_type(span_project.id, "span", "PER")
    with pytest.raises(InvalidArgumentError, match="already has a span label type 'PER'"):
        admin_client.create_label_type(span_project.id, "span", "PER")
    other = admin_client.create_label_type(span_project.id, "span", "LOC")
    with pytest.raises(InvalidArgumentError, match="'PER'"):
        admin_client.update_label_type(span_project.id, other.id, "span", text="PER")
    # Renaming a label to its own text is not a duplicate.
    assert admin_client.update_label_type(span_project.id, label.id, "span", text="PER").text == "PER"
    assert [item.text for item in admin_client.list_label_types(span_project.id, "span")] == ["PER", "LOC"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prefix_key": "alt", "suffix_key": "a"}, "prefix_key"),
        ({"suffix_key": "A"}, "suffix_key"),
        ({"suffix_key": "10"}, "suffix_key"),
        ({"color": "red"}, "color"),
        ({"text": ""}, "label text"),
        ({"text": "x" * 101}, "at most 100"),
    ],
)
def test_invalid_label_arguments_rejected_offline(kwargs, message):
    client = DoccanoClient("http://127.0.0.1:9", token="0" * 40, max_retries=0)
    arguments = {"text": "ok", **kwargs}
    with pytest.raises(InvalidArgumentError, match=message):
        client.create_label_type(1, "span", **arguments)


def test_invalid_update_keys_rejected_offline():
    client = DoccanoClient("http://127.0.0.1:9", token="0" * 40, max_retries=0)
    with pytest.raises(InvalidArgumentError, match="prefix_key"):
        client.update_label_type(1, 1, "span", prefix_key="meta")
    with pytest.raises(InvalidArgumentError, match="suffix_key"):
        client.update_label_type(1, 1, "span", suffix_key="!")


def test_invalid_kind_rejected_offline():
    client = DoccanoClient("http://127.0.0.1:9", token="0" * 40, max_retries=0)
    with pytest.raises(InvalidArgumentError, match="category, span, relation"):
        client.list_label_types(1, "spans")
    with pytest.raises(InvalidArgumentError, match="label_type_ids is empty"):
        client.bulk_delete_label_types(1, [], "span")


def test_duplicate_shortcut_raises_validation_error(span_project, admin_client):
    admin_client.create_label_type(span_project.id, "span", "A", prefix_key="ctrl", suffix_key="a")
    with pytest.raises(ValidationError, match="Duplicate shortcut key"):
        admin_client.create_label_type(span_project.id, "span", "B", prefix_key="ctrl", suffix_key="a")


def test_find_label_type_by_text_missing(span_project, admin_client):
    with pytest.raises(NotFoundError, match="'nope'"):
        admin_client.find_label_type_by_text(span_project.id, "nope", "span")


def test_upload_label_type(span_project, admin_client, tmp_path):
    path = tmp_path / "labels.json"
    labels = [
        {"text": "PER", "suffix_key": "p", "background_color": "#ff0000"},
        {"text": "ORG", "backgroundColor": "#00ff00"},
    ]
    path.write_text(json.dumps(labels))
    admin_client.upload_label_type(span_project.id, str(path), "span")
    uploaded = {label.text: label for label in admin_client.list_label_types(span_project.id, "span")}
    assert set(uploaded) == {"PER", "ORG"}
    assert uploaded["PER"].suffix_key == "p"
    assert uploaded["ORG"].background_color == "#00ff00"
    with pytest.raises(ValidationError, match="same name"):
        admin_client.upload_label_type(span_project.id, str(path), "span")
    path.write_text("not json")
    with pytest.raises(ValidationError):
        admin_client.upload_label_type(span_project.id, str(path), "span")


def test_upload_label_type_missing_file(admin_client, tmp_path):
    with pytest.raises(InvalidArgumentError, match="not found"):
        admin_client.upload_label_type(1, str(tmp_path / "missing.json"), "category")


def test_annotator_cannot_create_label(project_factory, admin_client, annotator_clients, doccano_server):
    project = project_factory()
    admin_client.add_member(project.id, doccano_server.annotators[0][0], "annotator")
    with pytest.raises(PermissionDeniedError):
        annotator_clients[0].create_label_type(project.id, "category", "sneaky")
    assert [label.text for label in annotator_clients[0].list_label_types(project.id, "category")] == []


def test_label_ids_of_other_project_rejected(project_factory, admin_client):
    mine = project_factory("DocumentClassification")
    other = project_factory("DocumentClassification")
    foreign = admin_client.create_label_type(other.id, "category", "theirs")
    with pytest.raises(NotFoundError, match=f"no category label type with id {foreign.id}"):
        admin_client.find_label_type_by_id(mine.id, foreign.id, "category")
    with pytest.raises(NotFoundError, match=str(foreign.id)):
        admin_client.update_label_type(mine.id, foreign.id, "category", text="changed")
    with pytest.raises(NotFoundError, match=str(foreign.id)):
        admin_client.delete_label_type(mine.id, foreign.id, "category")
    own = admin_client.create_label_type(mine.id, "category", "ours")
    with pytest.raises(NotFoundError, match=str(foreign.id)):
        admin_client.bulk_delete_label_types(mine.id, [own.id, foreign.id], "category")
    assert [label.text for label in admin_client.list_label_types(other.id, "category")] == ["theirs"]
    assert [label.text for label in admin_client.list_label_types(mine.id, "category")] == ["ours"]


def test_label_id_of_other_kind_rejected(span_project, admin_client):
    span = admin_client.create_label_type(span_project.id, "span", "PER")
    with pytest.raises(NotFoundError, match="no relation label type"):
        admin_client.delete_label_type(span_project.id, span.id, "relation")
    assert admin_client.find_label_type_by_id(span_project.id, span.id, "span").text == "PER"
