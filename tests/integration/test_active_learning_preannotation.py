"""Pre-annotations and uncertainty scores against the real Doccano server, read back from it."""

from __future__ import annotations

import pytest

from doccano_provider.client import DoccanoClient, InvalidArgumentError
from doccano_provider.client.preannotate import push_predictions, select_uncertain_examples
from doccano_provider.client.predictions import validate_predictions

pytestmark = pytest.mark.integration


@pytest.fixture
def classification_project(admin_client: DoccanoClient, project_factory):
    project = project_factory("DocumentClassification", collaborative_annotation=True)
    for text in ("positive", "negative"):
        admin_client.create_label_type(project.id, "category", text)
    examples = [admin_client.create_example(project.id, f"verse number {index}") for index in range(6)]
    return project, [example.id for example in examples]


def _categories(client: DoccanoClient, project_id: int, example_id: int) -> list[dict]:
    return client._transport.get(f"/v1/projects/{project_id}/examples/{example_id}/categories")


def test_push_categories_read_back(admin_client, classification_project):
    project, ids = classification_project
    records = [
        {
            "example_id": example_id,
            "label": "positive" if index % 2 else "negative",
            "confidence": 0.5 + index / 20,
        }
        for index, example_id in enumerate(ids)
    ]
    result = push_predictions(
        admin_client, project.id, validate_predictions(records, "category"), "category", max_workers=3
    )
    assert result.created == len(ids)
    assert result.scored == len(ids)
    labels = {label.text: label.id for label in admin_client.list_label_types(project.id, "category")}
    for index, example_id in enumerate(ids):
        categories = _categories(admin_client, project.id, example_id)
        assert len(categories) == 1
        assert categories[0]["label"] == labels["positive" if index % 2 else "negative"]
        assert categories[0]["prob"] == pytest.approx(0.5 + index / 20)
        # The API never sets Doccano's manual flag, and does not return it either.
        assert "manual" not in categories[0]
        example = admin_client.find_example_by_id(project.id, example_id)
        assert example.score == pytest.approx(1 - (0.5 + index / 20))


def test_push_twice_adds_nothing(admin_client, classification_project):
    project, ids = classification_project
    records = [{"example_id": example_id, "label": "positive", "confidence": 0.8} for example_id in ids]
    predictions = validate_predictions(records, "category")
    push_predictions(admin_client, project.id, predictions, "category")
    again = push_predictions(admin_client, project.id, predictions, "category")
    assert again.created == 0
    assert again.unchanged == len(ids)
    for example_id in ids:
        assert len(_categories(admin_client, project.id, example_id)) == 1


def test_push_replaces_older_prediction(admin_client, classification_project):
    project, ids = classification_project
    first = [{"example_id": ids[0], "label": "positive", "confidence": 0.6}]
    second = [{"example_id": ids[0], "label": "negative", "confidence": 0.7}]
    push_predictions(admin_client, project.id, validate_predictions(first, "category"), "category")
    push_predictions(admin_client, project.id, validate_predictions(second, "category"), "category")
    categories = _categories(admin_client, project.id, ids[0])
    negative = admin_client.find_label_type_by_text(project.id, "negative", "category").id
    assert [item["label"] for item in categories] == [negative]
    assert categories[0]["prob"] == pytest.approx(0.7)


def test_push_keeps_human_labels(admin_client, annotator_clients, doccano_server, classification_project):
    project, ids = classification_project
    annotator = annotator_clients[0]
    admin_client.add_member(project.id, doccano_server.annotators[0][0], "annotator")
    positive = admin_client.find_label_type_by_text(project.id, "positive", "category").id
    # Posted the way Doccano's web UI does: no prob.
    annotator._transport.post(
        f"/v1/projects/{project.id}/examples/{ids[1]}/categories", json={"label": positive}
    )
    records = [{"example_id": ids[1], "label": "negative", "confidence": 0.9}]
    result = push_predictions(admin_client, project.id, validate_predictions(records, "category"), "category")
    assert result.kept_existing == 1
    assert [item["label"] for item in _categories(admin_client, project.id, ids[1])] == [positive]


def test_push_unknown_label_sends_nothing(admin_client, classification_project):
    project, ids = classification_project
    records = [
        {"example_id": ids[0], "label": "positive", "confidence": 0.9},
        {"example_id": ids[1], "label": "mixed", "confidence": 0.9},
    ]
    with pytest.raises(InvalidArgumentError, match="mixed"):
        push_predictions(admin_client, project.id, validate_predictions(records, "category"), "category")
    assert _categories(admin_client, project.id, ids[0]) == []


def test_push_spans_read_back(admin_client, project_factory):
    project = project_factory("SequenceLabeling", collaborative_annotation=True)
    admin_client.create_label_type(project.id, "span", "ORG")
    example = admin_client.create_example(project.id, "EU rejects German call")
    records = [
        {
            "example_id": example.id,
            "spans": [{"start_offset": 0, "end_offset": 2, "label": "ORG", "confidence": 0.4}],
            "confidence": 0.6,
        }
    ]
    push_predictions(admin_client, project.id, validate_predictions(records, "span"), "span")
    push_predictions(admin_client, project.id, validate_predictions(records, "span"), "span")
    spans = admin_client._transport.get(f"/v1/projects/{project.id}/examples/{example.id}/spans")
    assert len(spans) == 1
    assert (spans[0]["start_offset"], spans[0]["end_offset"]) == (0, 2)
    assert spans[0]["prob"] == pytest.approx(0.4)


def test_select_most_uncertain_first(admin_client, classification_project):
    project, ids = classification_project
    confidences = [0.9, 0.55, 0.7, 0.99, 0.6, 0.8]
    records = [
        {"example_id": example_id, "label": "positive", "confidence": confidence}
        for example_id, confidence in zip(ids, confidences, strict=True)
    ]
    push_predictions(admin_client, project.id, validate_predictions(records, "category"), "category")
    admin_client.confirm_example(project.id, ids[1])
    selected = select_uncertain_examples(admin_client, project.id, 3)
    assert selected == [ids[4], ids[2], ids[5]]


def test_push_rejects_other_project_ids(admin_client, project_factory, classification_project):
    project, ids = classification_project
    other = project_factory("DocumentClassification")
    admin_client.create_label_type(other.id, "category", "positive")
    foreign = admin_client.create_example(other.id, "a verse of another project").id
    records = [
        {"example_id": ids[0], "label": "positive", "confidence": 0.9},
        {"example_id": foreign, "label": "positive", "confidence": 0.9},
    ]
    with pytest.raises(InvalidArgumentError, match=f"{foreign}"):
        push_predictions(admin_client, project.id, validate_predictions(records, "category"), "category")
    assert _categories(admin_client, project.id, ids[0]) == []
    assert _categories(admin_client, other.id, foreign) == []


def test_push_without_prefetch_reads_labels(admin_client, classification_project):
    project, ids = classification_project
    records = [{"example_id": example_id, "label": "negative", "confidence": 0.6} for example_id in ids]
    predictions = validate_predictions(records, "category")
    first = push_predictions(admin_client, project.id, predictions, "category", prefetch=False)
    second = push_predictions(admin_client, project.id, predictions, "category", prefetch=False)
    assert first.created == len(ids)
    assert second.unchanged == len(ids)
    for example_id in ids:
        assert len(_categories(admin_client, project.id, example_id)) == 1
