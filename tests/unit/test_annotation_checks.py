"""Annotation argument checks that must fail before any request is sent."""

from __future__ import annotations

import math

import pytest
import responses

from doccano_provider.client import DoccanoClient, InvalidArgumentError

BASE = "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.create_span(1, 2, 5, 5, 1), "start_offset must be less than end_offset"),
        (lambda c: c.create_span(1, 2, 6, 3, 1), "start_offset must be less than end_offset"),
        (lambda c: c.create_span(1, 2, -1, 3, 1), "Invalid start_offset -1"),
        (lambda c: c.update_span(1, 2, 3, start_offset=4, end_offset=2), "less than end_offset"),
        (lambda c: c.create_bounding_box(1, 2, -1, 0, 10, 10, 1), "Invalid x -1"),
        (lambda c: c.create_bounding_box(1, 2, 0, 0, 10, -5, 1), "Invalid height -5"),
        (lambda c: c.create_bounding_box(1, 2, 0, 0, math.nan, 1, 1), "Invalid width nan"),
        (lambda c: c.update_bounding_box(1, 2, 3, y=-2), "Invalid y -2"),
        (lambda c: c.create_segment(1, 2, [1, 2, 3], 1), "even number of values"),
        (lambda c: c.create_segment(1, 2, [], 1), "even number of values"),
        (lambda c: c.create_segment(1, 2, [1, 2, "3", 4], 1), "Invalid segment point '3'"),
        (lambda c: c.update_segment(1, 2, 3, points=[1]), "even number of values"),
        (lambda c: c.create_category(1, 2, 1.5), "Invalid label 1.5"),
        (lambda c: c.create_category(1, 2, ""), "Invalid label ''"),
        (lambda c: c.create_category(1, 2, True), "Invalid label True"),
        (lambda c: c.create_category(1, 2, 1, confidence=math.inf), "Invalid confidence inf"),
        (lambda c: c.create_category(1, 2, 1, confidence=-math.inf), "Invalid confidence -inf"),
        (lambda c: c.create_category(1, 2, 1, confidence=math.nan), "Invalid confidence nan"),
        (lambda c: c.create_category(1, 2, 1, confidence=1.5), "Invalid confidence 1.5: use a probability"),
        (lambda c: c.create_span(1, 2, 0, 3, 1, confidence=-0.1), "Invalid confidence -0.1"),
        (lambda c: c.create_relation(1, 2, 3, 4, 1, confidence=2), "Invalid confidence 2"),
        (lambda c: c.update_category(1, 2, 3, confidence=1.0001), "Invalid confidence 1.0001"),
        (lambda c: c.update_bounding_box(1, 2, 3, confidence=-1), "Invalid confidence -1"),
        (lambda c: c.create_category(1, 2, 1, human_annotated="yes"), "Invalid human_annotated 'yes'"),
        (lambda c: c.create_text(1, 2, ""), "Invalid text ''"),
    ],
)
@responses.activate
def test_invalid_annotation_sends_nothing(call, message):
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(InvalidArgumentError, match=message):
        call(client)

    assert len(responses.calls) == 0


@responses.activate
def test_update_sends_only_given_fields():
    url = f"{BASE}/v1/projects/1/examples/2/bboxes/3"
    responses.patch(url, json={"id": 3, "label": 4, "x": 1, "y": 2, "width": 30, "height": 4, "prob": 0.5})
    client = DoccanoClient(BASE, token="t")

    box = client.update_bounding_box(1, 2, 3, width=30, confidence=0.5)

    assert responses.calls[0].request.body == b'{"width": 30, "prob": 0.5}'
    assert box.width == 30
    assert box.confidence == 0.5


@pytest.mark.parametrize("confidence", [0, 0.0, 1, 1.0])
@responses.activate
def test_confidence_bounds_accepted(confidence):
    url = f"{BASE}/v1/projects/1/examples/2/categories/3"
    responses.patch(url, json={"id": 3, "label": 4, "prob": confidence})
    client = DoccanoClient(BASE, token="t")

    category = client.update_category(1, 2, 3, confidence=confidence)

    assert responses.calls[0].request.body == f'{{"prob": {confidence}}}'.encode()
    assert category.confidence == confidence


@responses.activate
def test_relation_label_is_sent_as_type():
    url = f"{BASE}/v1/projects/1/examples/2/relations"
    responses.get(f"{BASE}/v1/projects/1/relation-types", json=[{"id": 7, "text": "causes"}])
    responses.post(url, json={"id": 9, "from_id": 5, "to_id": 6, "type": 7, "prob": 0.0})
    client = DoccanoClient(BASE, token="t")

    relation = client.create_relation(1, 2, 5, 6, 7)

    assert (
        responses.calls[1].request.body
        == b'{"from_id": 5, "to_id": 6, "type": 7, "manual": false, "prob": 0.0}'
    )
    assert relation.type == 7
