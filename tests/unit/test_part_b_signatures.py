"""Upload, download and annotation calls match the documented client API exactly."""

from __future__ import annotations

import inspect
import json

import pytest

from doccano_provider.client import DoccanoClient
from tests.conftest import shared_dir

SECTIONS = {
    "Data Upload",
    "Data Download",
    "Category",
    "Span",
    "Relation",
    "Text",
    "Bounding Box",
    "Segment",
}


def _documented_calls() -> list[dict]:
    path = shared_dir() / "reference" / "client-api.json"
    if not path.is_file():
        pytest.fail(f"{path} is missing. Set DOCCANO_SHARED_DIR to the folder that contains reference/.")
    return [call for call in json.loads(path.read_text()) if call["section"] in SECTIONS]


def test_part_b_covers_documented_calls():
    calls = _documented_calls()

    assert len(calls) == 4 + 36
    for call in calls:
        assert hasattr(DoccanoClient, call["name"]), call["name"]


@pytest.mark.parametrize("call", _documented_calls(), ids=lambda call: call["name"])
def test_signature_matches_documentation(call):
    parameters = list(inspect.signature(getattr(DoccanoClient, call["name"])).parameters.values())[1:]
    positional = [p for p in parameters if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    extra = [p for p in parameters if p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD]

    assert [p.name for p in positional] == [p["name"] for p in call["params"]]
    for actual, documented in zip(positional, call["params"], strict=True):
        if documented["required"]:
            assert actual.default is inspect.Parameter.empty, actual.name
        else:
            assert repr(actual.default) == documented["default"], actual.name
    for parameter in extra:
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, parameter.name
        assert parameter.default is not inspect.Parameter.empty, parameter.name
