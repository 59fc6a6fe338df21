"""Check DoccanoClient's signatures against the documented client API in client-api.json."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path
from typing import Any

import pytest

from doccano_provider.client import DoccanoClient
from tests.conftest import shared_dir

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _load_api(reference_dir: Path) -> list[dict[str, Any]]:
    return json.loads((reference_dir / "client-api.json").read_text())


def _documented_default(text: str | None) -> Any:
    """Turn the JSON's default text (``"None"``, ``"''"``, ``"-1"``) into a Python value."""
    if text is None:
        return inspect.Parameter.empty
    return ast.literal_eval(text)


def _signature_problems(method: Any, documented: list[dict[str, Any]]) -> list[str]:
    parameters = list(inspect.signature(method).parameters.values())
    if parameters and parameters[0].name == "self":
        parameters = parameters[1:]
    positional = [parameter for parameter in parameters if parameter.kind in _POSITIONAL]
    problems = []
    names = [parameter.name for parameter in positional[: len(documented)]]
    expected_names = [param["name"] for param in documented]
    if names != expected_names:
        problems.append(f"positional parameters {names}, expected {expected_names}")
        return problems
    for parameter, param in zip(positional[: len(documented)], documented, strict=True):
        expected = _documented_default(param["default"])
        if parameter.default is not expected and parameter.default != expected:
            problems.append(f"{parameter.name} defaults to {parameter.default!r}, expected {expected!r}")
        elif type(parameter.default) is not type(expected) and expected is not inspect.Parameter.empty:
            problems.append(f"{parameter.name} default has type {type(parameter.default).__name__}")
    for parameter in positional[len(documented) :]:
        problems.append(f"extra positional parameter {parameter.name!r}; make it keyword-only")
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is inspect.Parameter.empty:
            problems.append(f"extra keyword-only parameter {parameter.name!r} has no default")
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            problems.append(f"*{parameter.name} hides the signature")
    return problems


def test_reference_lists_every_call(reference_dir):
    api = _load_api(reference_dir)
    names = [entry["name"] for entry in api]
    assert len(names) == 85  # 84 calls and the constructor
    assert len(set(names)) == len(names)


def test_constructor_signature(reference_dir):
    (entry,) = [entry for entry in _load_api(reference_dir) if entry["name"] == "__init__"]
    assert _signature_problems(DoccanoClient.__init__, entry["params"]) == []
    keyword_only = {
        name: parameter.default
        for name, parameter in inspect.signature(DoccanoClient.__init__).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert keyword_only["token"] is None
    assert keyword_only["timeout"] == (10, 120)
    assert keyword_only["page_size"] == 500
    assert keyword_only["max_retries"] == 4


def test_every_documented_call_exists(reference_dir):
    missing = [
        entry["name"]
        for entry in _load_api(reference_dir)
        if entry["name"] != "__init__" and not callable(getattr(DoccanoClient, entry["name"], None))
    ]
    assert missing == []


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(entry, id=entry["name"])
        # Parameters are collected before fixtures exist, so this reads the file directly.
        for entry in _load_api(shared_dir() / "reference")
        if entry["name"] != "__init__"
    ],
)
def test_call_signature_matches(entry):
    method = getattr(DoccanoClient, entry["name"], None)
    if method is None:
        pytest.fail(f"DoccanoClient.{entry['name']} is missing")
    assert _signature_problems(method, entry["params"]) == []


@pytest.mark.parametrize("name", ["list_projects", "list_examples", "list_comments"])
def test_documented_generators_are_lazy(reference_dir, name):
    (entry,) = [entry for entry in _load_api(reference_dir) if entry["name"] == name]
    assert entry["yields"]
    assert inspect.isgeneratorfunction(getattr(DoccanoClient, name))


def test_agreed_extra_helpers():
    expected = {
        "find_label_type_by_text": ["project_id", "text", "type"],
        "confirm_example": ["project_id", "example_id"],
        "unconfirm_example": ["project_id", "example_id"],
        "count_examples": ["project_id", "is_confirmed"],
        "health_check": [],
    }
    for name, params in expected.items():
        signature = inspect.signature(getattr(DoccanoClient, name))
        assert list(signature.parameters)[1:] == params, name
    assert inspect.signature(DoccanoClient.count_examples).parameters["is_confirmed"].default is None


def test_checker_flags_mismatches():
    documented = [
        {"name": "project_id", "default": None},
        {"name": "score", "default": "100.0"},
    ]

    def renamed(self, project, score=100.0): ...

    def wrong_default(self, project_id, score=None): ...

    def extra_positional(self, project_id, score=100.0, dry_run=False): ...

    def extra_required_keyword(self, project_id, score=100.0, *, dry_run): ...

    def conforming(self, project_id, score=100.0, *, dry_run=False): ...

    assert _signature_problems(renamed, documented) == [
        "positional parameters ['project', 'score'], expected ['project_id', 'score']"
    ]
    assert _signature_problems(wrong_default, documented) == ["score defaults to None, expected 100.0"]
    assert _signature_problems(extra_positional, documented) == [
        "extra positional parameter 'dry_run'; make it keyword-only"
    ]
    assert _signature_problems(extra_required_keyword, documented) == [
        "extra keyword-only parameter 'dry_run' has no default"
    ]
    assert _signature_problems(conforming, documented) == []
