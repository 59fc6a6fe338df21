"""Argument checks that the operators and the sensor share."""

from __future__ import annotations

from typing import Any

from doccano_provider.client.exceptions import InvalidArgumentError


def parse_project_id(value: Any) -> int:
    """Convert a project id, e.g. the string a template renders to, to an int.

    :raises InvalidArgumentError: naming the value when it is not an integer.
    """
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"Invalid project_id {value!r}: use the Doccano project's integer id."
        ) from None
