"""The provider metadata validates against Airflow's schema and names importable classes."""

from __future__ import annotations

import importlib
import json
from importlib.metadata import entry_points
from pathlib import Path

import airflow
import jsonschema
import pytest

from doccano_provider import get_provider_info


def _schema() -> dict:
    path = Path(airflow.__file__).parent / "provider_info.schema.json"
    if not path.is_file():
        pytest.fail(f"{path} is missing from the installed Airflow package")
    return json.loads(path.read_text())


def _import(dotted: str) -> object:
    module_name, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def test_provider_info_matches_airflow_schema() -> None:
    jsonschema.validate(get_provider_info(), _schema())


def test_package_name_matches_distribution() -> None:
    assert get_provider_info()["package-name"] == "airflow-provider-doccano"


def test_entry_point_returns_provider_info() -> None:
    points = [
        point for point in entry_points(group="apache_airflow_provider") if point.value.startswith("doccano")
    ]
    assert len(points) == 1
    assert points[0].load()() == get_provider_info()


def test_listed_modules_import() -> None:
    info = get_provider_info()
    for section in ("hooks", "operators", "sensors", "triggers"):
        for entry in info[section]:
            for module in entry["python-modules"]:
                importlib.import_module(module)


def test_connection_type_names_the_hook() -> None:
    (connection,) = get_provider_info()["connection-types"]
    hook_class = _import(connection["hook-class-name"])
    assert connection["connection-type"] == hook_class.conn_type == "doccano"
    assert connection["hook-name"] == hook_class.hook_name


def test_conn_fields_match_hook_widgets() -> None:
    (connection,) = get_provider_info()["connection-types"]
    assert set(connection["conn-fields"]) == {"verify", "timeout", "page_size"}
    for field in connection["conn-fields"].values():
        assert "schema" in field
        assert "label" in field


def test_extra_links_import() -> None:
    for dotted in get_provider_info()["extra-links"]:
        link_class = _import(dotted)
        assert link_class().name == "Doccano project"
