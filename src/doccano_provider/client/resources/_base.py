"""Shared base of the resource modules: each one is a mixin of :class:`DoccanoClient`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from doccano_provider.client._transport import Transport
from doccano_provider.client.exceptions import InvalidArgumentError

LabelKind = Literal["category", "span", "relation"]
LABEL_KINDS: tuple[str, ...] = ("category", "span", "relation")


class DoccanoModel(BaseModel):
    """Base of the response models: unknown server fields are kept, not dropped."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ResourceMixin:
    """Gives a resource mixin typed access to the client's transport."""

    _transport: Transport


def check_label_kind(type: str) -> str:  # noqa: A002 - the public API names this parameter 'type'
    """Raise ``InvalidArgumentError`` unless ``type`` is category, span or relation."""
    if type not in LABEL_KINDS:
        raise InvalidArgumentError(
            f"Invalid label type kind {type!r}: use one of {', '.join(LABEL_KINDS)}."
        )
    return type


def check_ids(name: str, ids: list[int]) -> list[int]:
    """Reject an empty id list: Doccano's bulk delete removes everything when given none."""
    if not ids:
        raise InvalidArgumentError(
            f"{name} is empty. Doccano deletes every object when a bulk delete names no id, "
            f"so pass at least one id (or call the matching delete_all_* method on purpose)."
        )
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgumentError(f"Invalid id {value!r} in {name}: ids are integers.")
    return list(ids)
