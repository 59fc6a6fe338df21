"""Annotations on one example: categories, spans, relations, texts, bounding boxes and segments.

The six kinds share one set of private helpers; each public call only names its kind and
checks its own fields. ``human_annotated`` and ``confidence`` are the server's ``manual``
and ``prob`` fields.

NOTE: Doccano 1.8.4 neither stores ``manual`` through the API nor returns it, so
``human_annotated`` is sent but always reads back as ``False``.

NOTE: Doccano 1.8.4 does not check that the example in the URL belongs to the project, so
an annotation sent with another project's example id lands on that example. An example
has no project field, so the client cannot check this without listing every example.
Label ids, in contrast, are checked against the project.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import Field

from doccano_provider.client.exceptions import InvalidArgumentError, NotFoundError
from doccano_provider.client.resources._base import DoccanoModel, LabelKind, ResourceMixin

if TYPE_CHECKING:
    from doccano_provider.client.resources.label_types import LabelType


class Annotation(DoccanoModel):
    """Fields every annotation kind has."""

    id: int
    example: int | None = None
    user: int | None = None
    human_annotated: bool = Field(False, alias="manual")
    confidence: float = Field(0.0, alias="prob")
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Category(Annotation):
    label: int


class Span(Annotation):
    label: int
    start_offset: int
    end_offset: int


class Relation(Annotation):
    from_id: int
    to_id: int
    type: int


class Text(Annotation):
    text: str


class BoundingBox(Annotation):
    uuid: str | None = None
    label: int
    x: float
    y: float
    width: float
    height: float


class Segment(Annotation):
    uuid: str | None = None
    label: int
    points: list[float]


AnnotationT = TypeVar("AnnotationT", bound=Annotation)


@dataclass(frozen=True)
class _Kind(Generic[AnnotationT]):
    """Route, model and label rules of one annotation kind.

    :ivar path: the route under ``/v1/projects/{p}/examples/{e}/``.
    :ivar noun: the kind's name in messages.
    :ivar model: the response model.
    :ivar label_kind: the label-type kind its ``label`` resolves in.
    :ivar label_field: the request field that carries the label id (``type`` for relations).
    :ivar unique_field: a field that Doccano keeps unique per user and example, where a
        duplicate gets an HTML 500 instead of a 400, so the client checks it first.
    """

    path: str
    noun: str
    model: type[AnnotationT]
    label_kind: LabelKind | None
    label_field: str = "label"
    unique_field: str | None = None


CATEGORIES = _Kind("categories", "category", Category, "category", unique_field="label")
SPANS = _Kind("spans", "span", Span, "span")
RELATIONS = _Kind("relations", "relation", Relation, "relation", label_field="type")
TEXTS = _Kind("texts", "text", Text, None, unique_field="text")
BOUNDING_BOXES = _Kind("bboxes", "bounding box", BoundingBox, "category")
SEGMENTS = _Kind("segments", "segment", Segment, "category")


def _check_number(name: str, value: Any, *, minimum: float | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidArgumentError(f"Invalid {name} {value!r}: use a finite number.")
    if minimum is not None and value < minimum:
        raise InvalidArgumentError(f"Invalid {name} {value!r}: use a number >= {minimum:g}.")


def _check_span(start_offset: int | None, end_offset: int | None) -> None:
    for name, value in (("start_offset", start_offset), ("end_offset", end_offset)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise InvalidArgumentError(f"Invalid {name} {value!r}: use a character offset >= 0.")
    if start_offset is not None and end_offset is not None and start_offset >= end_offset:
        raise InvalidArgumentError(
            f"Invalid span [{start_offset}, {end_offset}): start_offset must be less than end_offset."
        )


def _check_box(**values: float | None) -> None:
    # Doccano 1.8.4 returns an HTML 500 for a negative value, from a database constraint.
    for name, value in values.items():
        if value is not None:
            _check_number(name, value, minimum=0)


def _check_points(points: list[float] | None) -> None:
    if points is None:
        return
    if not isinstance(points, (list, tuple)) or not points or len(points) % 2:
        raise InvalidArgumentError(
            f"Invalid segment points {points!r}: use a flat list [x1, y1, x2, y2, ...] with an even "
            "number of values."
        )
    for value in points:
        _check_number("segment point", value)


def _check_common(human_annotated: bool | None, confidence: float | None) -> None:
    if human_annotated is not None and not isinstance(human_annotated, bool):
        raise InvalidArgumentError(f"Invalid human_annotated {human_annotated!r}: use True or False.")
    if confidence is not None:
        _check_number("confidence", confidence)
        if not 0.0 <= confidence <= 1.0:
            raise InvalidArgumentError(
                f"Invalid confidence {confidence!r}: use a probability from 0.0 to 1.0."
            )


class AnnotationCalls(ResourceMixin):
    """Annotations on one example: categories, spans, relations, texts, bounding boxes and segments."""

    if TYPE_CHECKING:
        # Provided by LabelTypeCalls and UserCalls in the composed DoccanoClient.
        def find_label_type_by_text(self, project_id: int, text: str, type: LabelKind) -> LabelType: ...  # noqa: A002

        def list_label_types(self, project_id: int, type: LabelKind) -> list[LabelType]: ...  # noqa: A002

    # -- shared plumbing ------------------------------------------------------------------

    @staticmethod
    def _annotation_path(
        kind: _Kind[Any], project_id: int, example_id: int, annotation_id: int | None = None
    ) -> str:
        path = f"/v1/projects/{project_id}/examples/{example_id}/{kind.path}"
        return path if annotation_id is None else f"{path}/{annotation_id}"

    def _resolve_label(self, kind: _Kind[Any], project_id: int, label: int | str) -> int:
        """Return the label-type id of ``label``, an id or the text of a label type of the project."""
        if isinstance(label, int) and not isinstance(label, bool) and kind.label_kind is not None:
            self._check_label_in_project(kind.label_kind, project_id, label)
            return label
        if isinstance(label, str) and label and kind.label_kind is not None:
            return self.find_label_type_by_text(project_id, label, kind.label_kind).id
        raise InvalidArgumentError(
            f"Invalid label {label!r}: use a {kind.label_kind} type id (int) or its text (str)."
        )

    def _check_label_in_project(self, label_kind: LabelKind, project_id: int, label_id: int) -> None:
        """Raise ``NotFoundError`` unless ``label_id`` is a label type of that kind in the project.

        Doccano 1.8.4 accepts a label type id of another project and stores the annotation.
        Ids that were found in a project are remembered: an id never moves to another project,
        and the server itself rejects an id that was deleted since.
        """
        known: dict[tuple[int, str], set[int]] = self.__dict__.setdefault("_known_label_ids", {})
        key = (project_id, label_kind)
        if label_id in known.get(key, set()):
            return
        known[key] = {label.id for label in self.list_label_types(project_id, label_kind)}
        if label_id not in known[key]:
            raise NotFoundError(
                f"Label type id {label_id} is not a {label_kind} label type of project {project_id}; "
                f"nothing was sent. Use an id from list_label_types({project_id}, {label_kind!r}) or the "
                "label text.",
                status_code=404,
                method="GET",
                url=self._transport.url(f"/v1/projects/{project_id}/{label_kind}-types"),
            )

    def _request_body(
        self,
        kind: _Kind[Any],
        project_id: int,
        fields: dict[str, Any],
        label: int | str | None,
        human_annotated: bool | None,
        confidence: float | None,
    ) -> dict[str, Any]:
        """Build the request body from the given fields, leaving out every ``None``."""
        _check_common(human_annotated, confidence)
        body = {name: value for name, value in fields.items() if value is not None}
        if label is not None:
            body[kind.label_field] = self._resolve_label(kind, project_id, label)
        if human_annotated is not None:
            body["manual"] = human_annotated
        if confidence is not None:
            body["prob"] = confidence
        return body

    def _find_annotation(
        self, kind: _Kind[AnnotationT], project_id: int, example_id: int, annotation_id: int
    ) -> AnnotationT:
        path = self._annotation_path(kind, project_id, example_id, annotation_id)
        return kind.model.model_validate(self._transport.get(path))

    def _list_annotations(
        self, kind: _Kind[AnnotationT], project_id: int, example_id: int
    ) -> list[AnnotationT]:
        path = self._annotation_path(kind, project_id, example_id)
        return [kind.model.model_validate(item) for item in self._transport.get(path)]

    def _create_annotation(
        self,
        kind: _Kind[AnnotationT],
        project_id: int,
        example_id: int,
        fields: dict[str, Any],
        label: int | str | None,
        human_annotated: bool,
        confidence: float,
    ) -> AnnotationT:
        body = self._request_body(kind, project_id, fields, label, human_annotated, confidence)
        if kind.unique_field is not None:
            self._check_not_duplicate(kind, project_id, example_id, body[kind.unique_field])
        path = self._annotation_path(kind, project_id, example_id)
        return kind.model.model_validate(self._transport.post(path, json=body))

    def _update_annotation(
        self,
        kind: _Kind[AnnotationT],
        project_id: int,
        example_id: int,
        annotation_id: int,
        fields: dict[str, Any],
        label: int | str | None,
        human_annotated: bool | None,
        confidence: float | None,
    ) -> AnnotationT:
        body = self._request_body(kind, project_id, fields, label, human_annotated, confidence)
        path = self._annotation_path(kind, project_id, example_id, annotation_id)
        return kind.model.model_validate(self._transport.patch(path, json=body))

    def _delete_annotation(
        self, kind: _Kind[Any], project_id: int, example_id: int, annotation_id: int
    ) -> None:
        self._transport.delete(self._annotation_path(kind, project_id, example_id, annotation_id))

    def _delete_all_annotations(self, kind: _Kind[Any], project_id: int, example_id: int) -> None:
        self._transport.delete(self._annotation_path(kind, project_id, example_id))

    def _current_user_id(self) -> int:
        """Return the id of the user the token belongs to, asking the server once per token."""
        cache: dict[str | None, int] = self.__dict__.setdefault("_user_id_by_token", {})
        token = self._transport.token
        if token not in cache:
            cache[token] = self._transport.get("/v1/me")["id"]
        return cache[token]

    def _check_not_duplicate(self, kind: _Kind[Any], project_id: int, example_id: int, value: Any) -> None:
        """Raise if the caller already has this category or text on the example.

        Doccano 1.8.4 returns an HTML 500 for such a duplicate. A single-class classification
        project is the exception: there the server first deletes the caller's category, so
        sending the same one again is allowed.
        """
        user_id = self._current_user_id()
        for existing in self._list_annotations(kind, project_id, example_id):
            if getattr(existing, kind.unique_field or "") != value or existing.user != user_id:
                continue
            if kind is CATEGORIES:
                project = self._transport.get(f"/v1/projects/{project_id}")
                if project.get("single_class_classification"):
                    return
            raise InvalidArgumentError(
                f"Example {example_id} in project {project_id} already has a {kind.noun} with "
                f"{kind.unique_field} {value!r} from this user (annotation {existing.id}). Doccano allows "
                "it once per user: update or delete the existing annotation instead."
            )

    # -- categories -----------------------------------------------------------------------

    def find_category_by_id(self, project_id: int, example_id: int, label_id: int) -> Category:
        """Return one category annotation of an example."""
        return self._find_annotation(CATEGORIES, project_id, example_id, label_id)

    def list_categories(self, project_id: int, example_id: int) -> list[Category]:
        """Return the example's categories: the caller's own, or everyone's in collaborative projects."""
        return self._list_annotations(CATEGORIES, project_id, example_id)

    def create_category(
        self,
        project_id: int,
        example_id: int,
        label: int | str,
        human_annotated: bool = False,
        confidence: float = 0.0,
    ) -> Category:
        """Add a category to an example; ``label`` is a category type id or its text.

        :raises InvalidArgumentError: the caller already has this category on the example
            (unless the project is single-class, where the server replaces it).
        """
        return self._create_annotation(
            CATEGORIES, project_id, example_id, {}, label, human_annotated, confidence
        )

    def update_category(
        self,
        project_id: int,
        example_id: int,
        label_id: int,
        label: int | str | None = None,
        human_annotated: bool | None = None,
        confidence: float | None = None,
    ) -> Category:
        """Change the given fields of a category annotation; ``None`` leaves a field unchanged."""
        return self._update_annotation(
            CATEGORIES, project_id, example_id, label_id, {}, label, human_annotated, confidence
        )

    def delete_category(self, project_id: int, example_id: int, label_id: int) -> None:
        """Delete one category annotation."""
        self._delete_annotation(CATEGORIES, project_id, example_id, label_id)

    def delete_all_categories(self, project_id: int, example_id: int) -> None:
        """Delete the caller's categories on the example (everyone's in collaborative projects)."""
        self._delete_all_annotations(CATEGORIES, project_id, example_id)

    # -- spans ----------------------------------------------------------------------------

    def find_span_by_id(self, project_id: int, example_id: int, label_id: int) -> Span:
        """Return one span annotation of an example."""
        return self._find_annotation(SPANS, project_id, example_id, label_id)

    def list_spans(self, project_id: int, example_id: int) -> list[Span]:
        """Return the example's spans: the caller's own, or everyone's in collaborative projects."""
        return self._list_annotations(SPANS, project_id, example_id)

    def create_span(
        self,
        project_id: int,
        example_id: int,
        start_offset: int,
        end_offset: int,
        label: int | str,
        human_annotated: bool = False,
        confidence: float = 0.0,
    ) -> Span:
        """Add a span ``[start_offset, end_offset)`` (character offsets); ``label`` is a span type id or text.

        The server does not check the offsets against the text length. It rejects (400) a
        span that overlaps another one unless the project allows overlapping.
        """
        _check_span(start_offset, end_offset)
        fields = {"start_offset": start_offset, "end_offset": end_offset}
        return self._create_annotation(
            SPANS, project_id, example_id, fields, label, human_annotated, confidence
        )

    def update_span(
        self,
        project_id: int,
        example_id: int,
        label_id: int,
        start_offset: int | None = None,
        end_offset: int | None = None,
        label: int | str | None = None,
        human_annotated: bool | None = None,
        confidence: float | None = None,
    ) -> Span:
        """Change the given fields of a span annotation; ``None`` leaves a field unchanged."""
        _check_span(start_offset, end_offset)
        fields = {"start_offset": start_offset, "end_offset": end_offset}
        return self._update_annotation(
            SPANS, project_id, example_id, label_id, fields, label, human_annotated, confidence
        )

    def delete_span(self, project_id: int, example_id: int, label_id: int) -> None:
        """Delete one span annotation."""
        self._delete_annotation(SPANS, project_id, example_id, label_id)

    def delete_all_spans(self, project_id: int, example_id: int) -> None:
        """Delete the caller's spans on the example (everyone's in collaborative projects)."""
        self._delete_all_annotations(SPANS, project_id, example_id)

    # -- relations ------------------------------------------------------------------------

    def find_relation_by_id(self, project_id: int, example_id: int, label_id: int) -> Relation:
        """Return one relation annotation of an example."""
        return self._find_annotation(RELATIONS, project_id, example_id, label_id)

    def list_relations(self, project_id: int, example_id: int) -> list[Relation]:
        """Return the example's relations: the caller's own, or everyone's in collaborative projects."""
        return self._list_annotations(RELATIONS, project_id, example_id)

    def create_relation(
        self,
        project_id: int,
        example_id: int,
        from_id: int,
        to_id: int,
        label: int | str,
        human_annotated: bool = False,
        confidence: float = 0.0,
    ) -> Relation:
        """Link two spans of the example; ``label`` is a relation type id or its text (sent as ``type``)."""
        fields = {"from_id": from_id, "to_id": to_id}
        return self._create_annotation(
            RELATIONS, project_id, example_id, fields, label, human_annotated, confidence
        )

    def update_relation(
        self,
        project_id: int,
        example_id: int,
        label_id: int,
        from_id: int | None = None,
        to_id: int | None = None,
        label: int | str | None = None,
        human_annotated: bool | None = None,
        confidence: float | None = None,
    ) -> Relation:
        """Change the given fields of a relation annotation; ``None`` leaves a field unchanged."""
        fields = {"from_id": from_id, "to_id": to_id}
        return self._update_annotation(
            RELATIONS, project_id, example_id, label_id, fields, label, human_annotated, confidence
        )

    def delete_relation(self, project_id: int, example_id: int, label_id: int) -> None:
        """Delete one relation annotation."""
        self._delete_annotation(RELATIONS, project_id, example_id, label_id)

    def delete_all_relations(self, project_id: int, example_id: int) -> None:
        """Delete the caller's relations on the example (everyone's in collaborative projects)."""
        self._delete_all_annotations(RELATIONS, project_id, example_id)

    # -- texts ----------------------------------------------------------------------------

    def find_text_by_id(self, project_id: int, example_id: int, label_id: int) -> Text:
        """Return one text annotation of an example."""
        return self._find_annotation(TEXTS, project_id, example_id, label_id)

    def list_texts(self, project_id: int, example_id: int) -> list[Text]:
        """Return the example's texts: the caller's own, or everyone's in collaborative projects."""
        return self._list_annotations(TEXTS, project_id, example_id)

    def create_text(
        self,
        project_id: int,
        example_id: int,
        text: str,
        human_annotated: bool = False,
        confidence: float = 0.0,
    ) -> Text:
        """Add a text (e.g. a translation or caption) to an example.

        :raises InvalidArgumentError: ``text`` is empty, or the caller already has the same
            text on the example.
        """
        if not isinstance(text, str) or not text:
            raise InvalidArgumentError(f"Invalid text {text!r}: use a non-empty string.")
        return self._create_annotation(
            TEXTS, project_id, example_id, {"text": text}, None, human_annotated, confidence
        )

    def update_text(
        self,
        project_id: int,
        example_id: int,
        label_id: int,
        text: str | None = None,
        human_annotated: bool | None = None,
        confidence: float | None = None,
    ) -> Text:
        """Change the given fields of a text annotation; ``None`` leaves a field unchanged."""
        return self._update_annotation(
            TEXTS, project_id, example_id, label_id, {"text": text}, None, human_annotated, confidence
        )

    def delete_text(self, project_id: int, example_id: int, label_id: int) -> None:
        """Delete one text annotation."""
        self._delete_annotation(TEXTS, project_id, example_id, label_id)

    def delete_all_texts(self, project_id: int, example_id: int) -> None:
        """Delete the caller's texts on the example (everyone's in collaborative projects)."""
        self._delete_all_annotations(TEXTS, project_id, example_id)

    # -- bounding boxes -------------------------------------------------------------------

    def find_bounding_box_by_id(self, project_id: int, example_id: int, label_id: int) -> BoundingBox:
        """Return one bounding box annotation of an image example."""
        return self._find_annotation(BOUNDING_BOXES, project_id, example_id, label_id)

    def list_bounding_boxes(self, project_id: int, example_id: int) -> list[BoundingBox]:
        """Return the example's boxes: the caller's own, or everyone's in collaborative projects."""
        return self._list_annotations(BOUNDING_BOXES, project_id, example_id)

    def create_bounding_box(
        self,
        project_id: int,
        example_id: int,
        x: float,
        y: float,
        width: float,
        height: float,
        label: int | str,
        human_annotated: bool = False,
        confidence: float = 0.0,
    ) -> BoundingBox:
        """Add a box to an image example, in pixels from the top-left corner.

        ``label`` is a category type id or its text.

        :raises InvalidArgumentError: a coordinate or size is negative or not a number.
        """
        _check_box(x=x, y=y, width=width, height=height)
        fields = {"x": x, "y": y, "width": width, "height": height}
        return self._create_annotation(
            BOUNDING_BOXES, project_id, example_id, fields, label, human_annotated, confidence
        )

    def update_bounding_box(
        self,
        project_id: int,
        example_id: int,
        label_id: int,
        x: float | None = None,
        y: float | None = None,
        width: float | None = None,
        height: float | None = None,
        label: int | str | None = None,
        human_annotated: bool | None = None,
        confidence: float | None = None,
    ) -> BoundingBox:
        """Change the given fields of a bounding box; ``None`` leaves a field unchanged."""
        _check_box(x=x, y=y, width=width, height=height)
        fields = {"x": x, "y": y, "width": width, "height": height}
        return self._update_annotation(
            BOUNDING_BOXES, project_id, example_id, label_id, fields, label, human_annotated, confidence
        )

    def delete_bounding_box(self, project_id: int, example_id: int, label_id: int) -> None:
        """Delete one bounding box."""
        self._delete_annotation(BOUNDING_BOXES, project_id, example_id, label_id)

    def delete_all_bounding_boxes(self, project_id: int, example_id: int) -> None:
        """Delete the caller's boxes on the example (everyone's in collaborative projects)."""
        self._delete_all_annotations(BOUNDING_BOXES, project_id, example_id)

    # -- segments -------------------------------------------------------------------------

    def find_segment_by_id(self, project_id: int, example_id: int, label_id: int) -> Segment:
        """Return one segment (polygon) annotation of an image example."""
        return self._find_annotation(SEGMENTS, project_id, example_id, label_id)

    def list_segments(self, project_id: int, example_id: int) -> list[Segment]:
        """Return the example's segments: the caller's own, or everyone's in collaborative projects."""
        return self._list_annotations(SEGMENTS, project_id, example_id)

    def create_segment(
        self,
        project_id: int,
        example_id: int,
        points: list[float],
        label: int | str,
        human_annotated: bool = False,
        confidence: float = 0.0,
    ) -> Segment:
        """Add a polygon ``[x1, y1, x2, y2, ...]`` in pixels; ``label`` is a category type id or its text.

        :raises InvalidArgumentError: ``points`` is empty, has an odd length or contains a non-number.
        """
        if points is None:
            raise InvalidArgumentError("Invalid segment points None: use a flat list [x1, y1, x2, y2, ...].")
        _check_points(points)
        fields = {"points": list(points)}
        return self._create_annotation(
            SEGMENTS, project_id, example_id, fields, label, human_annotated, confidence
        )

    def update_segment(
        self,
        project_id: int,
        example_id: int,
        label_id: int,
        points: list[float] | None = None,
        label: int | str | None = None,
        human_annotated: bool | None = None,
        confidence: float | None = None,
    ) -> Segment:
        """Change the given fields of a segment; ``None`` leaves a field unchanged."""
        _check_points(points)
        fields = {"points": None if points is None else list(points)}
        return self._update_annotation(
            SEGMENTS, project_id, example_id, label_id, fields, label, human_annotated, confidence
        )

    def delete_segment(self, project_id: int, example_id: int, label_id: int) -> None:
        """Delete one segment."""
        self._delete_annotation(SEGMENTS, project_id, example_id, label_id)

    def delete_all_segments(self, project_id: int, example_id: int) -> None:
        """Delete the caller's segments on the example (everyone's in collaborative projects)."""
        self._delete_all_annotations(SEGMENTS, project_id, example_id)
