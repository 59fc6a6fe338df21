"""Project calls against the real server."""

from __future__ import annotations

import inspect

import pytest

from doccano_provider.client import DoccanoClient, InvalidArgumentError, NotFoundError, PermissionDeniedError
from doccano_provider.client.resources.projects import PROJECT_TYPES, RESOURCE_TYPES
from tests.integration.conftest import unique_name


@pytest.mark.parametrize("project_type", PROJECT_TYPES)
def test_create_project_sets_resourcetype(project_factory, admin_client, project_type):
    project = project_factory(project_type)
    assert project.project_type == project_type
    assert project.resourcetype == RESOURCE_TYPES[project_type]
    found = admin_client.find_project_by_id(project.id)
    assert found.name == project.name
    assert found.resourcetype == RESOURCE_TYPES[project_type]


def test_create_project_sends_every_field(project_factory):
    project = project_factory(
        "SequenceLabeling",
        description="spans",
        guideline="mark names",
        random_order=True,
        collaborative_annotation=True,
        allow_overlapping=True,
        grapheme_mode=True,
        use_relation=True,
        tags=["ner", "round-1"],
    )
    assert project.description == "spans"
    assert project.guideline == "mark names"
    assert project.random_order
    assert project.collaborative_annotation
    assert project.allow_overlapping
    assert project.grapheme_mode
    assert project.use_relation
    assert sorted(tag.text for tag in project.tags) == ["ner", "round-1"]


def test_create_project_single_class(project_factory):
    for project_type in ("DocumentClassification", "ImageClassification", "IntentDetectionAndSlotFilling"):
        project = project_factory(project_type, single_class_classification=True)
        assert project.single_class_classification


def test_create_project_empty_description_not_sent(project_factory):
    project = project_factory("Seq2seq", description="")
    assert project.description == ""


def _offline_client() -> DoccanoClient:
    """Return a client whose every request fails, to prove a check runs before any request."""
    return DoccanoClient("http://127.0.0.1:9", token="0" * 40, max_retries=0)


@pytest.mark.parametrize(
    ("project_type", "flag"),
    [
        ("DocumentClassification", "allow_overlapping"),
        ("Seq2seq", "grapheme_mode"),
        ("IntentDetectionAndSlotFilling", "use_relation"),
        ("SequenceLabeling", "single_class_classification"),
        ("Seq2seq", "single_class_classification"),
        ("BoundingBox", "single_class_classification"),
    ],
)
def test_create_project_rejects_flag_for_type(admin_client, project_type, flag):
    name = unique_name("flag")
    with pytest.raises(InvalidArgumentError, match=flag) as info:
        admin_client.create_project(name, project_type, "x", **{flag: True})
    assert project_type in str(info.value)
    assert not any(project.name == name for project in admin_client.list_projects())
    with pytest.raises(InvalidArgumentError, match=flag):
        _offline_client().create_project(name, project_type, "x", **{flag: True})


def test_create_project_rejects_unknown_type(admin_client):
    with pytest.raises(InvalidArgumentError, match="DocumentClassification") as info:
        admin_client.create_project(unique_name("bad"), "TextClassification", "x")
    assert "'TextClassification'" in str(info.value)
    assert isinstance(info.value, ValueError)
    with pytest.raises(InvalidArgumentError):
        _offline_client().create_project(unique_name("bad"), "TextClassification", "x")


def test_create_project_rejects_string_tags(admin_client):
    with pytest.raises(InvalidArgumentError, match="list of strings"):
        admin_client.create_project(unique_name("bad"), "Seq2seq", "x", tags="oops")


def test_annotator_cannot_create_project(annotator_clients):
    with pytest.raises(PermissionDeniedError):
        annotator_clients[0].create_project(unique_name("denied"), "Seq2seq", "x")


def test_find_missing_project_raises_not_found(admin_client):
    with pytest.raises(NotFoundError) as info:
        admin_client.find_project_by_id(999_999_999)
    assert info.value.status_code == 404


def test_non_member_cannot_read_project(project_factory, annotator_clients):
    project = project_factory()
    with pytest.raises(PermissionDeniedError):
        annotator_clients[0].find_project_by_id(project.id)


def test_update_project_patches_fields(project_factory, admin_client):
    project = project_factory("SequenceLabeling", guideline="old")
    updated = admin_client.update_project(
        project.id, name=project.name + "-renamed", guideline="new", allow_overlapping=True, random_order=True
    )
    assert updated.name == project.name + "-renamed"
    assert updated.guideline == "new"
    assert updated.allow_overlapping
    assert updated.random_order
    assert updated.description == project.description


def test_update_project_rejects_flag_for_stored_type(project_factory, admin_client):
    project = project_factory("DocumentClassification")
    with pytest.raises(InvalidArgumentError, match="use_relation"):
        admin_client.update_project(project.id, name="changed", use_relation=True)
    assert admin_client.find_project_by_id(project.id).name == project.name


@pytest.mark.parametrize("description", ["", "   "])
def test_update_project_rejects_blank_description(project_factory, admin_client, description):
    # Sent as is, Doccano 1.8.4 returns 400 "This field may not be blank".
    project = project_factory("DocumentClassification")
    with pytest.raises(InvalidArgumentError, match="or None to leave the description unchanged"):
        admin_client.update_project(project.id, name="changed", description=description)
    found = admin_client.find_project_by_id(project.id)
    assert found.name == project.name
    assert found.description == project.description


def test_update_project_rejects_model_change(project_factory, admin_client):
    project = project_factory("DocumentClassification")
    with pytest.raises(InvalidArgumentError, match="Create a new SequenceLabeling project"):
        admin_client.update_project(project.id, project_type="SequenceLabeling", name="changed")
    found = admin_client.find_project_by_id(project.id)
    assert found.project_type == "DocumentClassification"
    assert found.name == project.name
    same = admin_client.update_project(project.id, project_type="DocumentClassification", guideline="g")
    assert same.guideline == "g"


def test_update_project_converges_tags(project_factory, admin_client):
    project = project_factory(tags=["a", "b"])
    updated = admin_client.update_project(project.id, tags=["b", "c"])
    assert sorted(tag.text for tag in updated.tags) == ["b", "c"]
    again = admin_client.update_project(project.id, tags=["b", "c"])
    assert sorted(tag.id for tag in again.tags) == sorted(tag.id for tag in updated.tags)
    cleared = admin_client.update_project(project.id, tags=[])
    assert cleared.tags == []


def test_update_project_uses_patch_and_annotator_is_denied(project_factory, admin_client, annotator_clients):
    project = project_factory()
    annotator = annotator_clients[0]
    admin_client.add_member(project.id, annotator.get_profile().username, "annotator")
    with pytest.raises(PermissionDeniedError):
        annotator.update_project(project.id, name="hijacked")
    assert admin_client.find_project_by_id(project.id).name == project.name


def test_delete_project(admin_client):
    project = admin_client.create_project(unique_name("delete"), "Seq2seq", "x")
    admin_client.delete_project(project.id)
    with pytest.raises(NotFoundError):
        admin_client.find_project_by_id(project.id)
    with pytest.raises(NotFoundError):
        admin_client.delete_project(project.id)


def test_list_projects_pages_lazily(doccano_server, admin_client, project_factory):
    created = {project_factory().id for _ in range(3)}
    client = DoccanoClient(doccano_server.url, token=admin_client.token, page_size=2)
    calls: list[dict] = []
    original_get = client._transport.get

    def counting_get(path, **kwargs):
        calls.append(kwargs.get("params") or {})
        return original_get(path, **kwargs)

    client._transport.get = counting_get  # type: ignore[method-assign]
    projects = client.list_projects()
    assert inspect.isgenerator(projects)
    assert calls == []
    first = next(projects)
    assert len(calls) == 1
    remaining = list(projects)
    ids = [first.id, *[project.id for project in remaining]]
    assert created <= set(ids)
    assert len(ids) == len(set(ids))
    assert len(calls) >= 2
    assert all(params["limit"] == 2 for params in calls)
