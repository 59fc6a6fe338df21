"""Validation of prediction records and the pre-annotation operators' arguments."""

from __future__ import annotations

import pytest

from doccano_provider.client import InvalidArgumentError
from doccano_provider.client.predictions import read_predictions_jsonl, validate_predictions


def test_valid_category_records():
    records = [
        {"example_id": 1, "label": "positive", "confidence": 0.9},
        {"example_id": 2, "label": "negative", "confidence": 0.4, "uncertainty": 0.8},
    ]
    predictions = validate_predictions(records, "category")
    assert [prediction.example_id for prediction in predictions] == [1, 2]
    assert predictions[0].score == pytest.approx(0.1)
    assert predictions[1].score == pytest.approx(0.8)


def test_valid_span_record():
    records = [
        {
            "example_id": 3,
            "spans": [{"start_offset": 0, "end_offset": 2, "label": "ORG", "confidence": 0.5}],
            "confidence": 0.6,
        }
    ]
    (prediction,) = validate_predictions(records, "span")
    assert prediction.label_texts() == {"ORG"}


def test_new_example_record_has_text():
    (prediction,) = validate_predictions(
        [{"text": "a verse", "label": "positive", "confidence": 1.0}], "category"
    )
    assert prediction.example_id is None


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"example_id": 1, "label": "positive", "confidence": 1.5}, "outside"),
        ({"example_id": 1, "label": "positive", "confidence": float("nan")}, "outside"),
        ({"example_id": 1, "label": "positive", "confidence": float("inf")}, "outside"),
        ({"example_id": 1, "label": "positive", "confidence": float("-inf")}, "outside"),
        ({"example_id": 1, "label": "positive", "confidence": -0.01}, "outside"),
        ({"example_id": 1, "label": "positive", "confidence": True}, "boolean"),
        ({"example_id": 1, "label": "positive"}, "confidence"),
        ({"example_id": "1", "label": "positive", "confidence": 0.5}, "example_id"),
        ({"example_id": 0, "label": "positive", "confidence": 0.5}, "example_id"),
        ({"example_id": 1, "label": "", "confidence": 0.5}, "label"),
        ({"label": "positive", "confidence": 0.5}, "exactly one of example_id"),
        ({"example_id": 1, "text": "x", "label": "positive", "confidence": 0.5}, "exactly one of example_id"),
        ({"example_id": 1, "confidence": 0.5}, "exactly one of label"),
        ({"example_id": 1, "label": "positive", "confidence": 0.5, "lable": "x"}, "lable"),
        ({"example_id": 1, "spans": [], "confidence": 0.5}, "need 'label'"),
        ("not a record", "expected an object"),
    ],
)
def test_invalid_category_record(record, message):
    with pytest.raises(InvalidArgumentError, match=message) as info:
        validate_predictions([record], "category")
    assert "nothing was sent" in str(info.value)


@pytest.mark.parametrize(
    ("span", "message"),
    [
        ({"start_offset": 4, "end_offset": 4, "label": "ORG"}, "not less than"),
        ({"start_offset": -1, "end_offset": 4, "label": "ORG"}, "start_offset"),
        ({"start_offset": 0, "end_offset": 4, "label": "ORG", "confidence": 2}, "outside"),
        ({"start_offset": 0, "end_offset": 4, "label": "ORG", "confidence": float("nan")}, "outside"),
        ({"start_offset": 0, "end_offset": 4, "label": "ORG", "confidence": float("inf")}, "outside"),
        ({"start_offset": 0, "end_offset": 4, "label": "ORG", "confidence": False}, "boolean"),
        ({"start_offset": 0, "end_offset": 4}, "label"),
    ],
)
def test_invalid_span(span, message):
    with pytest.raises(InvalidArgumentError, match=message):
        validate_predictions([{"example_id": 1, "spans": [span], "confidence": 0.5}], "span")


def test_repeated_example_id_rejected():
    records = [
        {"example_id": 5, "label": "positive", "confidence": 0.5},
        {"example_id": 5, "label": "negative", "confidence": 0.5},
    ]
    with pytest.raises(InvalidArgumentError, match="example_id 5 repeats record 0"):
        validate_predictions(records, "category")


def test_errors_listed_and_counted():
    records = [{"example_id": index + 1, "label": "x", "confidence": 3.0} for index in range(15)]
    with pytest.raises(InvalidArgumentError) as info:
        validate_predictions(records, "category", source="preds.jsonl")
    message = str(info.value)
    assert message.startswith("15 invalid prediction record(s) in preds.jsonl")
    assert "record 9:" in message
    assert "record 10:" not in message
    assert "and 5 more" in message


def test_unknown_kind_rejected():
    with pytest.raises(InvalidArgumentError, match="relation"):
        validate_predictions([], "relation")  # type: ignore[arg-type]


def test_jsonl_reports_bad_line():
    with pytest.raises(InvalidArgumentError, match="line 2 of p.jsonl"):
        read_predictions_jsonl('{"example_id": 1}\n{oops\n', source="p.jsonl")


def test_jsonl_skips_blank_lines():
    assert read_predictions_jsonl('\n{"a": 1}\n\n', source="p.jsonl") == [{"a": 1}]


def test_operator_rejects_bad_arguments():
    from doccano_provider.operators.preannotation import (
        DoccanoPreannotateOperator,
        DoccanoSelectUncertainExamplesOperator,
    )

    with pytest.raises(ValueError, match="kind"):
        DoccanoPreannotateOperator(task_id="t1", project_id=1, predictions=[], kind="relation")
    with pytest.raises(ValueError, match="on_existing"):
        DoccanoPreannotateOperator(task_id="t2", project_id=1, predictions=[], on_existing="merge")
    with pytest.raises(ValueError, match="max_workers"):
        DoccanoPreannotateOperator(task_id="t3", project_id=1, predictions=[], max_workers=0)
    with pytest.raises(ValueError, match="batch_size"):
        DoccanoSelectUncertainExamplesOperator(task_id="t4", project_id=1, batch_size=0)
    templated = DoccanoSelectUncertainExamplesOperator(
        task_id="t5", project_id=1, batch_size="{{ params.n }}"
    )
    assert "batch_size" in templated.template_fields
    assert "doccano_conn_id" in templated.template_fields


def test_operator_needs_one_source():
    from doccano_provider.operators.preannotation import DoccanoPreannotateOperator

    operator = DoccanoPreannotateOperator(
        task_id="both", project_id=1, predictions=[], predictions_path="/tmp/p.jsonl"
    )
    with pytest.raises(InvalidArgumentError, match="exactly one of predictions"):
        operator.execute({})
    missing = DoccanoPreannotateOperator(
        task_id="missing", project_id=1, predictions_path="/nonexistent/p.jsonl"
    )
    with pytest.raises(InvalidArgumentError, match="not found"):
        missing.execute({})


def test_operator_validates_before_connecting(tmp_path):
    from doccano_provider.operators.preannotation import DoccanoPreannotateOperator

    path = tmp_path / "p.jsonl"
    path.write_text('{"example_id": 1, "label": "positive", "confidence": 7}\n', encoding="utf-8")
    # No doccano connection exists in this test: the error must come from validation.
    operator = DoccanoPreannotateOperator(
        task_id="bad", project_id=1, predictions_path=str(path), doccano_conn_id="no_such_connection"
    )
    with pytest.raises(InvalidArgumentError, match="record 0: confidence"):
        operator.execute({})
