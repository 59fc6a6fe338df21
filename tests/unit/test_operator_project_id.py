"""Active-learning operators reject a project_id that is not an integer before any request."""

from __future__ import annotations

import pytest

from doccano_provider.client.exceptions import InvalidArgumentError
from doccano_provider.operators import incremental_export, preannotation


class UnusableHook:
    """Replacement for DoccanoHook that fails the test if an operator creates one."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("the operator created a hook before checking project_id")


def _preannotate(project_id: object) -> preannotation.DoccanoPreannotateOperator:
    return preannotation.DoccanoPreannotateOperator(
        task_id="preannotate",
        project_id=project_id,
        predictions=[{"example_id": 1, "label": "positive", "confidence": 0.5}],
    )


def _select_uncertain(project_id: object) -> preannotation.DoccanoSelectUncertainExamplesOperator:
    return preannotation.DoccanoSelectUncertainExamplesOperator(
        task_id="select", project_id=project_id, batch_size=5
    )


def _incremental_export(project_id: object) -> incremental_export.DoccanoIncrementalExportOperator:
    return incremental_export.DoccanoIncrementalExportOperator(task_id="export", project_id=project_id)


@pytest.mark.parametrize("build", [_preannotate, _select_uncertain, _incremental_export])
@pytest.mark.parametrize("project_id", ["abc", "{{ params.project_id }}", None, ""])
def test_bad_project_id_rejected_before_requests(monkeypatch, build, project_id):
    monkeypatch.setattr(preannotation, "DoccanoHook", UnusableHook)
    monkeypatch.setattr(incremental_export, "DoccanoHook", UnusableHook)
    operator = build(project_id)

    with pytest.raises(InvalidArgumentError) as info:
        operator.execute({})

    assert f"Invalid project_id {project_id!r}" in str(info.value)
    assert "integer id" in str(info.value)
