"""DoccanoAnnotationProgressSensor with templated targets: Params, XCom and both rendering modes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from unittest import mock

import pytest

from doccano_provider.client import InvalidArgumentError
from doccano_provider.sensors.criteria import ProgressCriteria
from doccano_provider.sensors.progress import DoccanoAnnotationProgressSensor

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

try:
    from airflow.providers.standard.operators.empty import EmptyOperator
except ImportError:  # Airflow 2.11 without the standard provider
    from airflow.operators.empty import EmptyOperator

USERS = ["alice", "bob"]


class FakeTaskInstance:
    """The part of a task instance that templates and XComArgs read on Airflow 2.11 and 3."""

    def __init__(self, xcoms: dict[str, Any]) -> None:
        self.xcoms = xcoms

    def get_relevant_upstream_map_indexes(self, *_: Any, **__: Any) -> None:
        return None  # no mapped tasks here

    def xcom_pull(self, task_ids: str | None = None, **_: Any) -> Any:
        return self.xcoms[task_ids]


def _dag(native: bool) -> DAG:
    return DAG(
        dag_id=f"templated_sensor_{'native' if native else 'string'}",
        start_date=datetime(2026, 1, 1),
        schedule=None,
        render_template_as_native_obj=native,
    )


def _context(**params: Any) -> dict[str, Any]:
    return {"params": params, "ti": FakeTaskInstance({"list_users": USERS}), "expanded_ti_count": None}


def _rendered_criteria(sensor: DoccanoAnnotationProgressSensor, **params: Any) -> ProgressCriteria:
    sensor.render_template_fields(_context(**params))
    return sensor._criteria()


@pytest.mark.parametrize("native", [False, True], ids=["string", "native"])
def test_params_render_to_criteria(native: bool) -> None:
    with _dag(native):
        sensor = DoccanoAnnotationProgressSensor(
            task_id="wait",
            project_id="{{ params.project_id }}",
            min_fraction="{{ params.target_fraction }}",
            min_count="{{ params.min_count }}",
            scope="{{ params.scope }}",
            usernames="{{ params.users }}",
        )
    criteria = _rendered_criteria(
        sensor, project_id=7, target_fraction=0.5, min_count=3, scope="users", users=USERS
    )
    assert criteria.min_fraction == 0.5
    assert criteria.min_count == 3
    assert criteria.scope == "users"
    assert criteria.usernames == ("alice", "bob")
    assert sensor._project_id() == 7


@pytest.mark.parametrize("native", [False, True], ids=["string", "native"])
def test_usernames_from_xcom_pull_template(native: bool) -> None:
    with _dag(native):
        sensor = DoccanoAnnotationProgressSensor(
            task_id="wait",
            project_id=7,
            min_count=2,
            scope="users",
            usernames="{{ ti.xcom_pull(task_ids='list_users') }}",
        )
    criteria = _rendered_criteria(sensor)
    assert criteria.usernames == ("alice", "bob")
    # Without native rendering the list arrives as its string form.
    assert isinstance(sensor.usernames, list) is native


@pytest.mark.parametrize("native", [False, True], ids=["string", "native"])
def test_usernames_from_xcomarg(native: bool) -> None:
    with _dag(native):
        list_users = EmptyOperator(task_id="list_users")
        sensor = DoccanoAnnotationProgressSensor(
            task_id="wait", project_id=7, min_count=2, scope="users", usernames=list_users.output
        )
    assert "list_users" in sensor.upstream_task_ids
    criteria = _rendered_criteria(sensor)
    assert criteria.usernames == ("alice", "bob")


def _target_sensor(native: bool) -> DoccanoAnnotationProgressSensor:
    """Return a sensor whose min_fraction and min_count come from Params."""
    with _dag(native):
        return DoccanoAnnotationProgressSensor(
            task_id="wait",
            project_id=7,
            min_fraction="{{ params.target_fraction }}",
            min_count="{{ params.min_count }}",
            scope="all_members",
        )


@pytest.mark.parametrize("native", [False, True], ids=["string", "native"])
def test_null_param_leaves_target_unset(native: bool) -> None:
    sensor = _target_sensor(native)
    criteria = _rendered_criteria(sensor, target_fraction=None, min_count=4)
    assert criteria.min_fraction is None
    assert criteria.min_count == 4


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"target_fraction": "abc", "min_count": 1}, "Invalid min_fraction 'abc'"),
        ({"target_fraction": 1.5, "min_count": 1}, "Invalid min_fraction 1.5"),
        ({"target_fraction": 0.5, "min_count": "many"}, "Invalid min_count 'many'"),
        ({"target_fraction": 0.5, "min_count": 2.5}, "Invalid min_count"),
        ({"target_fraction": None, "min_count": None}, "Set min_fraction"),
    ],
)
@pytest.mark.parametrize("native", [False, True], ids=["string", "native"])
def test_invalid_rendered_values_fail_before_requests(native: bool, params: dict, message: str) -> None:
    sensor = _target_sensor(native)
    sensor.render_template_fields(_context(**params))
    with (
        mock.patch("doccano_provider.sensors.progress.DoccanoHook") as hook,
        pytest.raises(InvalidArgumentError, match=message),
    ):
        sensor.execute({"ti": mock.MagicMock()})
    hook.assert_not_called()


def test_invalid_rendered_scope_names_the_value() -> None:
    with _dag(native=False):
        sensor = DoccanoAnnotationProgressSensor(
            task_id="wait", project_id=7, min_count=1, scope="{{ params.scope }}"
        )
    with pytest.raises(InvalidArgumentError, match="Invalid scope 'team'"):
        _rendered_criteria(sensor, scope="team")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_fraction": "abc"}, "Invalid min_fraction 'abc'"),
        ({"min_fraction": 0}, "Invalid min_fraction 0"),
        ({"min_count": "x"}, "Invalid min_count 'x'"),
        ({"min_count": 1, "scope": "users", "usernames": [""]}, "Invalid usernames"),
        ({"min_count": 1, "scope": "users", "usernames": "['alice'"}, "Invalid usernames"),
    ],
)
def test_literal_values_checked_at_parse_time(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        DoccanoAnnotationProgressSensor(task_id="wait", project_id=7, **kwargs)


def test_literal_strings_converted_at_parse_time() -> None:
    sensor = DoccanoAnnotationProgressSensor(
        task_id="wait", project_id=7, min_fraction="0.25", scope="users", usernames="alice, bob"
    )
    criteria = sensor._criteria()
    assert criteria.min_fraction == 0.25
    assert criteria.usernames == ("alice", "bob")


def test_templates_not_checked_at_parse_time() -> None:
    sensor = DoccanoAnnotationProgressSensor(
        task_id="wait",
        project_id=7,
        min_fraction="{{ params.target_fraction }}",
        scope="{{ params.scope }}",
        usernames=["{{ params.user }}"],
    )
    assert sensor.min_fraction == "{{ params.target_fraction }}"
    assert sensor.usernames == ["{{ params.user }}"]


def test_trigger_criteria_accept_rendered_strings() -> None:
    criteria = ProgressCriteria.from_dict(
        {"min_fraction": "0.5", "min_count": "2", "scope": "users", "usernames": "['alice']"}
    )
    expected = ProgressCriteria(
        min_fraction=0.5, min_count=2, scope="users", usernames=("alice",), exclude_roles=()
    )
    assert criteria == expected
