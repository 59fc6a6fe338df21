"""The six annotation kinds against the real server, one project type at a time."""

from __future__ import annotations

import pytest

from doccano_provider.client import InvalidArgumentError, NotFoundError, ValidationError

pytestmark = pytest.mark.integration


def _labels(client, project_id: int, kind: str, *texts: str) -> dict[str, int]:
    return {text: client.create_label_type(project_id, kind, text).id for text in texts}


def _image_examples(client, project_id: int, project_type: str, shared_data, count: int = 2) -> list[int]:
    folder = shared_data / "bccd_blood_cells_test" / "BCCD" / "JPEGImages"
    images = sorted(folder.glob("*.jpg"))[:count]
    status = client.upload(project_id, [str(image) for image in images], project_type, "ImageFile")
    assert status.errors == []
    return sorted(example.id for example in client.list_examples(project_id))


def test_category_calls(admin_client, project_factory):
    project = project_factory("DocumentClassification")
    labels = _labels(admin_client, project.id, "category", "positive", "negative", "neutral")
    example = admin_client.create_example(project.id, "a fine day").id

    by_text = admin_client.create_category(project.id, example, "positive", confidence=0.75)
    by_id = admin_client.create_category(project.id, example, labels["negative"])

    assert by_text.label == labels["positive"]
    assert by_text.confidence == 0.75
    assert by_id.label == labels["negative"]
    assert admin_client.find_category_by_id(project.id, example, by_text.id).label == labels["positive"]
    assert sorted(c.id for c in admin_client.list_categories(project.id, example)) == sorted(
        [by_text.id, by_id.id]
    )

    updated = admin_client.update_category(project.id, example, by_text.id, label="neutral")
    assert updated.label == labels["neutral"]
    assert updated.confidence == 0.75
    rescored = admin_client.update_category(project.id, example, by_text.id, confidence=0.25)
    assert rescored.label == labels["neutral"]
    assert rescored.confidence == 0.25

    admin_client.delete_category(project.id, example, by_id.id)
    with pytest.raises(NotFoundError):
        admin_client.find_category_by_id(project.id, example, by_id.id)
    admin_client.delete_all_categories(project.id, example)
    assert admin_client.list_categories(project.id, example) == []


def test_duplicate_category_raises_before_sending(admin_client, project_factory):
    project = project_factory("DocumentClassification")
    _labels(admin_client, project.id, "category", "positive")
    example = admin_client.create_example(project.id, "text").id
    first = admin_client.create_category(project.id, example, "positive")

    with pytest.raises(
        InvalidArgumentError,
        match=rf"already has a category with label \d+ from this user \(annotation {first.id}\)",
    ):
        admin_client.create_category(project.id, example, "positive")

    assert [c.id for c in admin_client.list_categories(project.id, example)] == [first.id]


def test_single_class_category_replaces(admin_client, project_factory):
    project = project_factory("DocumentClassification", single_class_classification=True)
    labels = _labels(admin_client, project.id, "category", "positive", "negative")
    example = admin_client.create_example(project.id, "text").id
    admin_client.create_category(project.id, example, "positive")

    again = admin_client.create_category(project.id, example, "positive")
    other = admin_client.create_category(project.id, example, "negative")

    assert again.label == labels["positive"]
    assert [c.id for c in admin_client.list_categories(project.id, example)] == [other.id]


def test_same_category_from_two_users_in_collaborative_project(
    admin_client, annotator_clients, project_factory
):
    project = project_factory("DocumentClassification", collaborative_annotation=True)
    annotator = annotator_clients[0]
    admin_client.add_member(project.id, "annotator1", "annotator")
    _labels(admin_client, project.id, "category", "positive")
    example = admin_client.create_example(project.id, "text").id

    mine = admin_client.create_category(project.id, example, "positive")
    theirs = annotator.create_category(project.id, example, "positive")

    assert mine.user != theirs.user
    assert len(admin_client.list_categories(project.id, example)) == 2
    with pytest.raises(InvalidArgumentError, match="already has a category with label"):
        annotator.create_category(project.id, example, "positive")


def test_unknown_label_text_raises_not_found(admin_client, project_factory):
    project = project_factory("DocumentClassification")
    example = admin_client.create_example(project.id, "text").id

    with pytest.raises(NotFoundError, match="no-such-label"):
        admin_client.create_category(project.id, example, "no-such-label")


def test_human_annotated_is_not_stored_by_server(admin_client, project_factory):
    # Doccano 1.8.4's serializers leave out the model's ``manual`` field.
    project = project_factory("DocumentClassification")
    _labels(admin_client, project.id, "category", "positive")
    example = admin_client.create_example(project.id, "text").id

    created = admin_client.create_category(project.id, example, "positive", human_annotated=True)

    assert created.human_annotated is False


def test_span_calls(admin_client, project_factory):
    project = project_factory("SequenceLabeling")
    labels = _labels(admin_client, project.id, "span", "ORG", "LOC")
    example = admin_client.create_example(project.id, "EU rejects German call to boycott British lamb").id

    eu = admin_client.create_span(project.id, example, 0, 2, "ORG", confidence=0.9)
    german = admin_client.create_span(project.id, example, 11, 17, labels["LOC"])

    assert (eu.start_offset, eu.end_offset, eu.label, eu.confidence) == (0, 2, labels["ORG"], 0.9)
    assert admin_client.find_span_by_id(project.id, example, german.id).label == labels["LOC"]
    with pytest.raises(ValidationError, match="overlapping is not allowed"):
        admin_client.create_span(project.id, example, 1, 5, "LOC")
    moved = admin_client.update_span(
        project.id, example, german.id, start_offset=34, end_offset=41, label="ORG"
    )
    assert (moved.start_offset, moved.end_offset, moved.label) == (34, 41, labels["ORG"])
    assert sorted(s.id for s in admin_client.list_spans(project.id, example)) == sorted([eu.id, german.id])

    admin_client.delete_span(project.id, example, eu.id)
    assert [s.id for s in admin_client.list_spans(project.id, example)] == [german.id]
    admin_client.delete_all_spans(project.id, example)
    assert admin_client.list_spans(project.id, example) == []


def test_overlapping_spans_and_relation_calls(admin_client, project_factory):
    project = project_factory("SequenceLabeling", use_relation=True, allow_overlapping=True)
    _labels(admin_client, project.id, "span", "PER", "ORG")
    relations = _labels(admin_client, project.id, "relation", "founded", "works_for")
    example = admin_client.create_example(project.id, "Larry Page founded Google").id
    person = admin_client.create_span(project.id, example, 0, 10, "PER")
    surname = admin_client.create_span(project.id, example, 6, 10, "PER")
    company = admin_client.create_span(project.id, example, 19, 25, "ORG")
    assert len(admin_client.list_spans(project.id, example)) == 3

    founded = admin_client.create_relation(
        project.id, example, person.id, company.id, "founded", confidence=0.5
    )
    second = admin_client.create_relation(project.id, example, surname.id, company.id, relations["works_for"])

    assert (founded.from_id, founded.to_id, founded.type) == (person.id, company.id, relations["founded"])
    assert founded.confidence == 0.5
    assert admin_client.find_relation_by_id(project.id, example, second.id).type == relations["works_for"]
    relabelled = admin_client.update_relation(
        project.id, example, second.id, label="founded", from_id=person.id
    )
    assert (relabelled.from_id, relabelled.type) == (person.id, relations["founded"])
    assert sorted(r.id for r in admin_client.list_relations(project.id, example)) == sorted(
        [founded.id, second.id]
    )

    admin_client.delete_relation(project.id, example, founded.id)
    assert [r.id for r in admin_client.list_relations(project.id, example)] == [second.id]
    admin_client.delete_all_relations(project.id, example)
    assert admin_client.list_relations(project.id, example) == []


def test_text_calls(admin_client, project_factory):
    project = project_factory("Seq2seq")
    example = admin_client.create_example(project.id, "Bonjour le monde").id

    hello = admin_client.create_text(project.id, example, "Hello world", confidence=0.6)
    other = admin_client.create_text(project.id, example, "Hi world")

    assert admin_client.find_text_by_id(project.id, example, hello.id).text == "Hello world"
    assert hello.confidence == 0.6
    with pytest.raises(InvalidArgumentError, match="already has a text with text 'Hello world'"):
        admin_client.create_text(project.id, example, "Hello world")
    edited = admin_client.update_text(project.id, example, other.id, text="Hello, world")
    assert edited.text == "Hello, world"
    assert sorted(t.text for t in admin_client.list_texts(project.id, example)) == [
        "Hello world",
        "Hello, world",
    ]

    admin_client.delete_text(project.id, example, hello.id)
    assert [t.id for t in admin_client.list_texts(project.id, example)] == [other.id]
    admin_client.delete_all_texts(project.id, example)
    assert admin_client.list_texts(project.id, example) == []


def test_intent_detection_categories_and_spans(admin_client, project_factory):
    project = project_factory("IntentDetectionAndSlotFilling")
    intent = _labels(admin_client, project.id, "category", "set_alarm")["set_alarm"]
    slot = _labels(admin_client, project.id, "span", "time")["time"]
    example = admin_client.create_example(project.id, "wake me up at 7am").id

    category = admin_client.create_category(project.id, example, "set_alarm")
    span = admin_client.create_span(project.id, example, 14, 17, "time")

    assert [c.label for c in admin_client.list_categories(project.id, example)] == [intent]
    assert [
        (s.start_offset, s.end_offset, s.label) for s in admin_client.list_spans(project.id, example)
    ] == [(14, 17, slot)]
    admin_client.delete_category(project.id, example, category.id)
    admin_client.delete_span(project.id, example, span.id)
    assert admin_client.list_categories(project.id, example) == []
    assert admin_client.list_spans(project.id, example) == []


def test_image_classification_categories(admin_client, project_factory, shared_data):
    project = project_factory("ImageClassification")
    labels = _labels(admin_client, project.id, "category", "RBC", "WBC")
    first, second = _image_examples(admin_client, project.id, "ImageClassification", shared_data)

    admin_client.create_category(project.id, first, "RBC")
    admin_client.create_category(project.id, second, labels["WBC"])

    assert [c.label for c in admin_client.list_categories(project.id, first)] == [labels["RBC"]]
    assert [c.label for c in admin_client.list_categories(project.id, second)] == [labels["WBC"]]


def test_bounding_box_calls(admin_client, project_factory, shared_data):
    project = project_factory("BoundingBox")
    labels = _labels(admin_client, project.id, "category", "RBC", "Platelets")
    example = _image_examples(admin_client, project.id, "BoundingBox", shared_data, count=1)[0]

    cell = admin_client.create_bounding_box(project.id, example, 10, 20, 100.5, 80, "RBC", confidence=0.8)
    platelet = admin_client.create_bounding_box(project.id, example, 300, 200, 20, 20, labels["Platelets"])

    assert (cell.x, cell.y, cell.width, cell.height, cell.label) == (10, 20, 100.5, 80, labels["RBC"])
    assert cell.confidence == 0.8
    assert admin_client.find_bounding_box_by_id(project.id, example, platelet.id).label == labels["Platelets"]
    with pytest.raises(InvalidArgumentError, match="Invalid x -1"):
        admin_client.create_bounding_box(project.id, example, -1, 0, 5, 5, "RBC")
    resized = admin_client.update_bounding_box(project.id, example, cell.id, width=50, label="Platelets")
    assert (resized.x, resized.width, resized.label) == (10, 50, labels["Platelets"])
    assert len(admin_client.list_bounding_boxes(project.id, example)) == 2

    admin_client.delete_bounding_box(project.id, example, cell.id)
    assert [b.id for b in admin_client.list_bounding_boxes(project.id, example)] == [platelet.id]
    admin_client.delete_all_bounding_boxes(project.id, example)
    assert admin_client.list_bounding_boxes(project.id, example) == []


def test_segment_calls(admin_client, project_factory, shared_data):
    project = project_factory("Segmentation")
    labels = _labels(admin_client, project.id, "category", "RBC", "WBC")
    example = _image_examples(admin_client, project.id, "Segmentation", shared_data, count=1)[0]
    triangle = [10.0, 10.0, 60.0, 10.0, 35.5, 50.0]

    cell = admin_client.create_segment(project.id, example, triangle, "RBC", confidence=0.4)
    other = admin_client.create_segment(project.id, example, [1, 1, 5, 1, 5, 5, 1, 5], labels["WBC"])

    assert cell.points == triangle
    assert cell.label == labels["RBC"]
    assert cell.confidence == 0.4
    assert admin_client.find_segment_by_id(project.id, example, other.id).label == labels["WBC"]
    with pytest.raises(InvalidArgumentError, match="even number of values"):
        admin_client.create_segment(project.id, example, [1, 2, 3], "RBC")
    reshaped = admin_client.update_segment(project.id, example, cell.id, points=[0, 0, 9, 0, 9, 9])
    assert reshaped.points == [0, 0, 9, 0, 9, 9]
    assert reshaped.label == labels["RBC"]
    assert len(admin_client.list_segments(project.id, example)) == 2

    admin_client.delete_segment(project.id, example, cell.id)
    assert [s.id for s in admin_client.list_segments(project.id, example)] == [other.id]
    admin_client.delete_all_segments(project.id, example)
    assert admin_client.list_segments(project.id, example) == []
