"""Label types of a project: categories, span labels and relation labels."""

from __future__ import annotations

import logging
import os
import re
import string
from pathlib import Path
from typing import Any, Literal

from doccano_provider.client.exceptions import InvalidArgumentError, NotFoundError
from doccano_provider.client.resources._base import (
    DoccanoModel,
    LabelKind,
    ResourceMixin,
    check_ids,
    check_label_kind,
)

log = logging.getLogger("doccano_provider.client")

PrefixKey = Literal["ctrl", "shift", "ctrl shift"] | None
SuffixKey = str | None

PREFIX_KEYS: tuple[str | None, ...] = (None, "ctrl", "shift", "ctrl shift")
SUFFIX_KEYS: tuple[str, ...] = tuple(string.digits + string.ascii_lowercase)
UNCHANGED = -1
"""Default of ``update_label_type``'s key arguments: leave the key as it is."""

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_MAX_TEXT_LENGTH = 100


class LabelType(DoccanoModel):
    id: int
    text: str
    prefix_key: str | None = None
    suffix_key: str | None = None
    background_color: str | None = None
    text_color: str | None = None


def label_types_path(project_id: int, type: str) -> str:  # noqa: A002 - the public API name
    """Return ``/v1/projects/{id}/{category|span|relation}-types`` after checking ``type``."""
    return f"/v1/projects/{project_id}/{check_label_kind(type)}-types"


def check_prefix_key(prefix_key: object) -> None:
    if prefix_key not in PREFIX_KEYS:
        raise InvalidArgumentError(
            f"Invalid prefix_key {prefix_key!r}: use None, 'ctrl', 'shift' or 'ctrl shift'."
        )


def check_suffix_key(suffix_key: object) -> None:
    if suffix_key is not None and suffix_key not in SUFFIX_KEYS:
        raise InvalidArgumentError(
            f"Invalid suffix_key {suffix_key!r}: use None or one character of 0-9 or a-z."
        )


def check_color(color: object) -> None:
    if color is not None and not (isinstance(color, str) and _COLOR.match(color)):
        raise InvalidArgumentError(f"Invalid color {color!r}: use a '#rrggbb' hex string such as '#1f77b4'.")


def check_label_text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgumentError(f"Invalid label text {text!r}: use a non-empty string.")
    if len(text) > _MAX_TEXT_LENGTH:
        raise InvalidArgumentError(
            f"Label text {text[:20]!r}... is {len(text)} characters long: Doccano allows at most "
            f"{_MAX_TEXT_LENGTH}."
        )
    return text


class LabelTypeCalls(ResourceMixin):
    """Label types: find, list, create, update, delete and upload from a file.

    ``type`` is ``"category"``, ``"span"`` or ``"relation"`` and selects the server's
    ``category-types``, ``span-types`` or ``relation-types`` routes.

    Doccano 1.8.4 looks label types up by id without checking the project in the URL, so a
    wrong ``project_id`` would read, change or delete another project's label. The calls that
    take label type ids therefore list the project's label types first and raise
    ``NotFoundError`` for an id that is not among them.
    """

    def find_label_type_by_id(self, project_id: int, label_type_id: int, type: LabelKind) -> LabelType:  # noqa: A002
        """Return one label type of the project, read from ``GET .../{type}-types``.

        :raises InvalidArgumentError: ``type`` is not category, span or relation.
        :raises NotFoundError: the project has no label type of that kind with that id.
        """
        labels = self.list_label_types(project_id, type)
        self._require_ids(project_id, type, labels, [label_type_id])
        return next(label for label in labels if label.id == label_type_id)

    def find_label_type_by_text(self, project_id: int, text: str, type: LabelKind) -> LabelType:  # noqa: A002
        """Return the label type of that kind whose text is exactly ``text``.

        :raises NotFoundError: the project has no such label type.
        """
        for label in self.list_label_types(project_id, type):
            if label.text == text:
                return label
        raise NotFoundError(
            f"No {type} label type with text {text!r} in project {project_id}. "
            "Create it first (create_label_type) or check the spelling.",
            status_code=404,
            method="GET",
            url=self._transport.url(label_types_path(project_id, type)),
        )

    def list_label_types(self, project_id: int, type: LabelKind) -> list[LabelType]:  # noqa: A002
        """Return the project's label types of that kind, oldest first (one unpaginated request)."""
        path = label_types_path(project_id, type)
        return [LabelType.model_validate(item) for item in self._transport.get(path)]

    def create_label_type(
        self,
        project_id: int,
        type: LabelKind,  # noqa: A002
        text: str,
        prefix_key: PrefixKey = None,
        suffix_key: SuffixKey = None,
        color: str | None = None,
    ) -> LabelType:
        """Create a label type with ``POST .../{type}-types``, sending ``color`` as ``background_color``.

        The label types are listed first, because Doccano 1.8.4 responds to a duplicate text with
        an HTML 500 page. A duplicate raises ``InvalidArgumentError`` instead. Without
        ``color`` the server picks a random one.

        :raises InvalidArgumentError: invalid kind, text, keys or color, or the text is taken.
            For relation label types also a taken shortcut or a prefix key without a suffix
            key, which the server would accept.
        :raises ValidationError: for category and span label types, the shortcut key is taken
            or a prefix key lacks a suffix key.
        :raises PermissionDeniedError: the user may not create labels in this project.
        """
        path = label_types_path(project_id, type)
        check_label_text(text)
        check_prefix_key(prefix_key)
        check_suffix_key(suffix_key)
        check_color(color)
        labels = self.list_label_types(project_id, type)
        _check_text_is_free(project_id, type, labels, text)
        _check_relation_shortcut(project_id, type, labels, prefix_key, suffix_key)
        body: dict[str, Any] = {"text": text, "prefix_key": prefix_key, "suffix_key": suffix_key}
        if color is not None:
            body["background_color"] = color
        label = LabelType.model_validate(self._transport.post(path, json=body))
        log.info("Created %s label type %s (%r) in project %s.", type, label.id, text, project_id)
        return label

    def update_label_type(
        self,
        project_id: int,
        label_type_id: int,
        type: LabelKind,  # noqa: A002
        text: str | None = None,
        prefix_key: PrefixKey | int = UNCHANGED,
        suffix_key: SuffixKey | int = UNCHANGED,
        color: str | None = None,
    ) -> LabelType:
        """Change a label type with ``PATCH .../{type}-types/{id}``.

        ``text`` and ``color`` are unchanged when ``None``. ``prefix_key`` and ``suffix_key``
        are unchanged when ``-1``, because ``None`` is a real value there (no key).

        :raises InvalidArgumentError: invalid kind, text, keys or color, or another label
            type of that kind has the new text.
        :raises ValidationError: the shortcut key is taken (category and span label types; for
            relation label types the client raises ``InvalidArgumentError``).
        :raises NotFoundError: the project has no label type of that kind with that id.
        """
        path = label_types_path(project_id, type)
        body: dict[str, Any] = {}
        if text is not None:
            body["text"] = check_label_text(text)
        if prefix_key != UNCHANGED:
            check_prefix_key(prefix_key)
            body["prefix_key"] = prefix_key
        if suffix_key != UNCHANGED:
            check_suffix_key(suffix_key)
            body["suffix_key"] = suffix_key
        if color is not None:
            check_color(color)
            body["background_color"] = color
        labels = self.list_label_types(project_id, type)
        self._require_ids(project_id, type, labels, [label_type_id])
        if text is not None:
            _check_text_is_free(project_id, type, labels, text, except_id=label_type_id)
        (current,) = [label for label in labels if label.id == label_type_id]
        _check_relation_shortcut(
            project_id,
            type,
            labels,
            current.prefix_key if prefix_key == UNCHANGED else prefix_key,
            current.suffix_key if suffix_key == UNCHANGED else suffix_key,
            except_id=label_type_id,
        )
        return LabelType.model_validate(self._transport.patch(f"{path}/{label_type_id}", json=body))

    def delete_label_type(self, project_id: int, label_type_id: int, type: LabelKind) -> None:  # noqa: A002
        """Delete a label type and every annotation that uses it (``DELETE .../{type}-types/{id}``).

        :raises NotFoundError: the project has no label type of that kind with that id.
        """
        path = label_types_path(project_id, type)
        self._require_ids(project_id, type, self.list_label_types(project_id, type), [label_type_id])
        self._transport.delete(f"{path}/{label_type_id}")

    def bulk_delete_label_types(self, project_id: int, label_type_ids: list[int], type: LabelKind) -> None:  # noqa: A002
        """Delete several label types with one ``DELETE .../{type}-types {"ids": [...]}``.

        :raises InvalidArgumentError: ``label_type_ids`` is empty or contains a non-integer.
        :raises NotFoundError: an id is not a label type of that kind in the project. Nothing
            is deleted.
        """
        path = label_types_path(project_id, type)
        ids = check_ids("label_type_ids", label_type_ids)
        self._require_ids(project_id, type, self.list_label_types(project_id, type), ids)
        self._transport.delete(path, json={"ids": ids})
        log.info("Deleted %d %s label type(s) from project %s.", len(ids), type, project_id)

    def upload_label_type(self, project_id: int, file_path: str | os.PathLike[str], type: LabelKind) -> None:  # noqa: A002
        """Create the label types listed in a JSON file (``POST .../{type}-type-upload``).

        The file is a JSON array of objects with ``text`` and optionally ``prefix_key``,
        ``suffix_key``, ``background_color`` and ``text_color``. It is sent as the multipart
        field ``file``. The server creates all of them or none.

        :raises InvalidArgumentError: invalid kind, or the file does not exist.
        :raises ValidationError: the file is not a JSON array of labels, or a text or
            shortcut key is already taken.
        """
        check_label_kind(type)
        if not isinstance(file_path, (str, os.PathLike)) or not str(file_path):
            raise InvalidArgumentError(f"Invalid file_path {file_path!r}: pass the path of a JSON file.")
        path = Path(file_path)
        if not path.is_file():
            raise InvalidArgumentError(f"Label file {file_path!r} not found: pass the path of a JSON file.")
        with path.open("rb") as handle:
            self._transport.post(
                f"/v1/projects/{project_id}/{type}-type-upload",
                files={"file": (path.name, handle, "application/json")},
            )
        log.info("Uploaded %s label types from %s to project %s.", type, path.name, project_id)

    def _require_ids(
        self,
        project_id: int,
        type: str,  # noqa: A002
        labels: list[LabelType],
        ids: list[int],
    ) -> None:
        known = {label.id for label in labels}
        missing = [label_id for label_id in ids if label_id not in known]
        if missing:
            raise NotFoundError(
                f"Project {project_id} has no {type} label type with id {', '.join(map(str, missing))}. "
                "Check the project id and the label kind (list_label_types).",
                status_code=404,
                method="GET",
                url=self._transport.url(label_types_path(project_id, type)),
            )


def _check_text_is_free(
    project_id: int,
    type: str,  # noqa: A002
    labels: list[LabelType],
    text: str,
    except_id: int | None = None,
) -> None:
    for label in labels:
        if label.text == text and label.id != except_id:
            raise InvalidArgumentError(
                f"Project {project_id} already has a {type} label type {text!r} (id {label.id}): "
                "use that one (find_label_type_by_text) or choose another text."
            )


def _check_relation_shortcut(
    project_id: int,
    type: str,  # noqa: A002
    labels: list[LabelType],
    prefix_key: object,
    suffix_key: object,
    except_id: int | None = None,
) -> None:
    """Check the shortcut keys of a relation label type, which Doccano 1.8.4 does not validate.

    The server checks category and span label types itself (400), but accepts a relation
    type with a prefix key and no suffix key, or with the shortcut of another relation type.
    """
    if type != "relation":
        return
    if prefix_key and not suffix_key:
        raise InvalidArgumentError(
            f"Invalid shortcut: prefix_key {prefix_key!r} needs a suffix_key, or pass prefix_key=None."
        )
    if not suffix_key:
        return
    for label in labels:
        if label.id != except_id and (label.prefix_key, label.suffix_key) == (prefix_key, suffix_key):
            raise InvalidArgumentError(
                f"Project {project_id} already uses shortcut {prefix_key or ''}{'+' if prefix_key else ''}"
                f"{suffix_key} for relation label type {label.text!r} (id {label.id}): choose another key."
            )
