"""Model prediction records and their validation, for pre-annotating Doccano examples.

A prediction record names one example and what a model predicts for it::

    {"example_id": 12, "label": "positive", "confidence": 0.91}
    {"example_id": 13, "spans": [{"start_offset": 0, "end_offset": 4, "label": "ORG"}], "confidence": 0.7}

A record for an example that does not exist yet carries ``text`` instead of ``example_id``.
Such records are imported as new examples together with their labels, by
:func:`doccano_provider.client.preannotate.import_predicted_examples`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, model_validator
from pydantic import ValidationError as PydanticValidationError

from doccano_provider.client.exceptions import InvalidArgumentError

PredictionKind = Literal["category", "span"]
PREDICTION_KINDS: tuple[str, ...] = ("category", "span")
# How many invalid records an error message lists before it only counts the rest.
MAX_LISTED_ERRORS = 10


def _check_confidence(value: float | None) -> float | None:
    if value is not None and (math.isnan(value) or not 0.0 <= value <= 1.0):
        raise ValueError(f"confidence {value!r} is outside [0, 1]")
    return value


def _reject_bool(value: Any) -> Any:
    # Pydantic's lax mode would silently turn True into a confidence of 1.0.
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is a boolean: use a number in [0, 1]")
    return value


Confidence = Annotated[float, BeforeValidator(_reject_bool)]


class PredictedSpan(BaseModel):
    """One predicted span: character offsets into the example text and the label text."""

    model_config = ConfigDict(extra="forbid")

    start_offset: StrictInt = Field(ge=0)
    end_offset: StrictInt = Field(ge=0)
    label: str = Field(min_length=1)
    confidence: Confidence | None = None

    @model_validator(mode="after")
    def _check(self) -> PredictedSpan:
        if self.start_offset >= self.end_offset:
            raise ValueError(
                f"start_offset {self.start_offset} is not less than end_offset {self.end_offset}"
            )
        _check_confidence(self.confidence)
        return self


class Prediction(BaseModel):
    """A model's prediction for one example (existing: ``example_id``; new: ``text``)."""

    model_config = ConfigDict(extra="forbid")

    example_id: StrictInt | None = Field(default=None, gt=0)
    text: str | None = Field(default=None, min_length=1)
    label: str | None = Field(default=None, min_length=1)
    spans: list[PredictedSpan] | None = None
    confidence: Confidence
    uncertainty: float | None = None
    meta: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _check(self) -> Prediction:
        if (self.example_id is None) == (self.text is None):
            raise ValueError("give exactly one of example_id (an existing example) or text (a new one)")
        if (self.label is None) == (self.spans is None):
            raise ValueError("give exactly one of label (classification) or spans (sequence labeling)")
        _check_confidence(self.confidence)
        if self.uncertainty is not None and (math.isnan(self.uncertainty) or self.uncertainty < 0):
            raise ValueError(f"uncertainty {self.uncertainty!r} is negative or NaN")
        return self

    @property
    def kind(self) -> PredictionKind:
        return "category" if self.label is not None else "span"

    @property
    def score(self) -> float:
        """The value written to the example's ``score``: the uncertainty, else 1 - confidence."""
        return self.uncertainty if self.uncertainty is not None else 1.0 - self.confidence

    def label_texts(self) -> set[str]:
        if self.label is not None:
            return {self.label}
        return {span.label for span in self.spans or []}


def _describe(error: PydanticValidationError) -> str:
    parts = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts)


def validate_predictions(
    records: Iterable[Mapping[str, Any]], kind: PredictionKind, *, source: str = "predictions"
) -> list[Prediction]:
    """Parse and check every prediction record before any of them is sent.

    :param records: dicts with ``example_id`` or ``text``, ``label`` or ``spans``, and ``confidence``.
    :param kind: ``category`` (records need ``label``) or ``span`` (records need ``spans``).
    :param source: where the records came from, named in error messages.
    :raises InvalidArgumentError: listing the invalid records by position, when any record is
        invalid, has the wrong kind, or repeats an ``example_id``.
    """
    if kind not in PREDICTION_KINDS:
        raise InvalidArgumentError(f"Invalid prediction kind {kind!r}: use 'category' or 'span'.")
    predictions: list[Prediction] = []
    errors: list[str] = []
    seen_ids: dict[int, int] = {}
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            errors.append(f"record {index}: expected an object, got {type(record).__name__}")
            continue
        try:
            prediction = Prediction.model_validate(dict(record))
        except PydanticValidationError as error:
            errors.append(f"record {index}: {_describe(error)}")
            continue
        if prediction.kind != kind:
            needed = "label" if kind == "category" else "spans"
            errors.append(f"record {index}: {kind} predictions need '{needed}'")
            continue
        if prediction.example_id is not None:
            if prediction.example_id in seen_ids:
                errors.append(
                    f"record {index}: example_id {prediction.example_id} repeats record "
                    f"{seen_ids[prediction.example_id]}; give one record per example"
                )
                continue
            seen_ids[prediction.example_id] = index
        predictions.append(prediction)
    if errors:
        listed = "\n  ".join(errors[:MAX_LISTED_ERRORS])
        more = (
            f"\n  ... and {len(errors) - MAX_LISTED_ERRORS} more" if len(errors) > MAX_LISTED_ERRORS else ""
        )
        raise InvalidArgumentError(
            f"{len(errors)} invalid prediction record(s) in {source}; nothing was sent. Fix them and "
            f"retry:\n  {listed}{more}"
        )
    return predictions


def read_predictions_jsonl(text: str, *, source: str) -> list[dict[str, Any]]:
    """Parse JSON Lines text into records, naming the line of any invalid JSON.

    :raises InvalidArgumentError: a non-empty line is not valid JSON.
    """
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise InvalidArgumentError(
                f"Invalid JSON on line {number} of {source}: {error.msg}. Write one JSON object per line."
            ) from error
    return records
