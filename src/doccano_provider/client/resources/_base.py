"""Shared base of the resource modules: each one is a mixin of :class:`DoccanoClient`."""

from __future__ import annotations

import functools
import inspect
import math
import operator
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from doccano_provider.client._transport import Transport
from doccano_provider.client.exceptions import InvalidArgumentError

LabelKind = Literal["category", "span", "relation"]
LABEL_KINDS: tuple[str, ...] = ("category", "span", "relation")


class DoccanoModel(BaseModel):
    """Base of the response models: unknown server fields are kept, not dropped."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


_Function = TypeVar("_Function", bound=Callable[..., Any])


def _invalid(method: str, name: str, value: object, fix: str) -> InvalidArgumentError:
    # A password given with the wrong type is still a password, so only its type is shown.
    value_text = f"of type {type(value).__name__}" if "password" in name else repr(value)
    return InvalidArgumentError(f"Invalid {name} {value_text} in {method}(): {fix}.")


def _check_integer(method: str, name: str, value: object) -> int:
    """Return ``value`` as an ``int``, accepting any integer type (e.g. numpy's) but not bool or str."""
    if isinstance(value, str) and value.strip().isdigit():
        raise _invalid(method, name, value, f"pass an int, not a string, e.g. int({value!r})")
    if isinstance(value, (bool, str, bytes, float)):
        raise _invalid(method, name, value, "pass an int")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise _invalid(method, name, value, "pass an int") from None


def _check_argument(method: str, name: str, annotation: str, value: object) -> object:
    """Check one argument against its annotation and return it, ids converted to ``int``."""
    if value is None and annotation.endswith(" | None"):
        return value
    kind = annotation.removesuffix(" | None")
    if kind == "int" or (kind == "int | str" and not isinstance(value, str)):
        number = _check_integer(method, name, value)
        if (name.endswith("_id") or name == "label") and number < 1:
            raise _invalid(method, name, value, "Doccano ids are positive integers")
        return number
    if kind == "bool" and not isinstance(value, bool):
        # A string such as "false" would otherwise count as true.
        raise _invalid(method, name, value, "pass True or False")
    if kind == "str" and not isinstance(value, str):
        raise _invalid(method, name, value, "pass a string")
    if kind == "float" and (
        isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
    ):
        raise _invalid(method, name, value, "pass a finite number")
    return value


_CHECKED_ANNOTATIONS = frozenset(
    {
        "int",
        "int | None",
        "int | str",
        "int | str | None",
        "bool",
        "bool | None",
        "str",
        "str | None",
        "float",
        "float | None",
    }
)


def with_argument_checks(function: _Function) -> _Function:
    """Wrap a public call so that its ids, flags, strings and numbers are type-checked first.

    The checks follow the annotations: ``int`` parameters take integers but not bools or
    strings, and ids (``*_id``, ``label``) must be positive. ``bool`` parameters take only
    ``True`` or ``False``, ``str`` only strings, ``float`` only finite numbers. A failed
    check raises :class:`InvalidArgumentError` before any request is sent.
    """
    signature = inspect.signature(function)
    checked = [
        (name, parameter.annotation)
        for name, parameter in signature.parameters.items()
        if parameter.annotation in _CHECKED_ANNOTATIONS
    ]
    if not checked:
        return function

    def checked_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> inspect.BoundArguments:
        bound = signature.bind(*args, **kwargs)
        for name, annotation in checked:
            if name in bound.arguments:
                bound.arguments[name] = _check_argument(
                    function.__name__, name, annotation, bound.arguments[name]
                )
        return bound

    if inspect.isgeneratorfunction(function):
        # Stay a generator function, so that listing calls remain lazy: the checks run when the
        # first item is requested, like the rest of the call.
        @functools.wraps(function)
        def checked_generator(*args: Any, **kwargs: Any) -> Any:
            bound = checked_arguments(args, kwargs)
            yield from function(*bound.args, **bound.kwargs)

        return checked_generator  # type: ignore[return-value]

    @functools.wraps(function)
    def checked_call(*args: Any, **kwargs: Any) -> Any:
        bound = checked_arguments(args, kwargs)
        return function(*bound.args, **bound.kwargs)

    return checked_call  # type: ignore[return-value]


class ResourceMixin:
    """Gives a resource mixin typed access to the client's transport.

    Every public method a subclass defines is wrapped by :func:`with_argument_checks`.
    """

    _transport: Transport

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, attribute in list(vars(cls).items()):
            if name.startswith("_") or not inspect.isfunction(attribute):
                continue
            setattr(cls, name, with_argument_checks(attribute))


def check_label_kind(type: str) -> str:  # noqa: A002 - the public API names this parameter 'type'
    """Raise ``InvalidArgumentError`` unless ``type`` is category, span or relation."""
    if type not in LABEL_KINDS:
        raise InvalidArgumentError(f"Invalid label type kind {type!r}: use one of {', '.join(LABEL_KINDS)}.")
    return type


def check_ids(name: str, ids: list[int]) -> list[int]:
    """Reject an empty id list: Doccano's bulk delete removes everything when given none."""
    if isinstance(ids, (str, bytes)) or not isinstance(ids, (list, tuple)):
        raise InvalidArgumentError(f"Invalid {name} {ids!r}: pass a list of integer ids.")
    if not ids:
        raise InvalidArgumentError(
            f"{name} is empty. Doccano deletes every object when a bulk delete names no id, "
            f"so pass at least one id (or call the matching delete_all_* method on purpose)."
        )
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgumentError(f"Invalid id {value!r} in {name}: ids are positive integers.")
    return list(ids)
