"""Static checks of docker-compose.yaml: no Docker engine runs in CI, so the file is read, not started."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.conftest import ROOT

COMPOSE = ROOT / "docker-compose.yaml"
AIRFLOW_SERVICES = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|_KEY$")
REQUIRED_VARIABLE = re.compile(r"^\$\{(\w+):\?[^}]+\}$")
VARIABLE = re.compile(r"\$\{(\w+)(:?[-?][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def _environment(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(item.split("=", 1) for item in environment)
    return {name: str(value) for name, value in environment.items()}


def test_compose_has_all_services(services: dict) -> None:
    expected = {"doccano", "airflow-postgres", "airflow-init", *AIRFLOW_SERVICES}
    assert expected <= set(services)


@pytest.mark.parametrize(("name", "command"), sorted(AIRFLOW_SERVICES.items()))
def test_airflow_service_runs_component(services: dict, name: str, command: str) -> None:
    assert services[name]["command"] == [command]


def test_airflow_init_migrates(services: dict) -> None:
    assert services["airflow-init"]["command"] == ["db", "migrate"]


def test_images_pinned(services: dict) -> None:
    for name, service in services.items():
        image = service.get("image")
        assert image, f"service {name} has no image"
        repository, _, tag = image.rpartition(":")
        assert repository, f"service {name}: image {image!r} has no tag"
        assert tag != "latest", f"service {name}: image {image!r} is not pinned"
        assert re.match(r"\d+\.\d+(\.\d+)?", tag), f"service {name}: tag {tag!r} is not a version"


def test_doccano_official_image(services: dict) -> None:
    assert services["doccano"]["image"] == "doccano/doccano:1.8.4"


def test_airflow_image_installs_provider(services: dict) -> None:
    build = services["airflow-scheduler"]["build"]
    dockerfile = ROOT / build["context"] / build["dockerfile"]
    text = dockerfile.read_text(encoding="utf-8")
    assert "pip install" in text
    assert "/opt/provider" in text
    assert build["args"]["AIRFLOW_IMAGE"].startswith("apache/airflow:3.")


@pytest.mark.parametrize("name", sorted(AIRFLOW_SERVICES))
def test_airflow_mounts_example_dags(services: dict, name: str) -> None:
    volumes = services[name]["volumes"]
    assert "./example_dags:/opt/airflow/dags:ro" in volumes
    assert _environment(services[name])["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/airflow/dags"
    assert (ROOT / "example_dags").is_dir()


@pytest.mark.parametrize("name", sorted(AIRFLOW_SERVICES))
def test_doccano_connection_wired(services: dict, name: str) -> None:
    value = _environment(services[name])["AIRFLOW_CONN_DOCCANO_DEFAULT"]
    # Substitute the variables the way Compose would, then the value must be the JSON form.
    connection = json.loads(VARIABLE.sub("value", value))
    assert connection["conn_type"] == "doccano"
    assert connection["host"] == "http://doccano:8000"
    assert "${DOCCANO_ADMIN_PASSWORD:?" in value


def test_secrets_come_from_env_without_defaults(services: dict) -> None:
    for name, service in services.items():
        for variable, value in _environment(service).items():
            if SECRET_NAME.search(variable):
                assert REQUIRED_VARIABLE.match(value), (
                    f"service {name}: {variable}={value!r} must be a required ${{VAR:?message}} reference"
                )


def test_connection_strings_take_password_from_env(services: dict) -> None:
    for name, service in services.items():
        for variable, value in _environment(service).items():
            if "://" in value and "@" in value:
                assert ":${" in value, f"service {name}: {variable} embeds a literal password"


def test_env_example_lists_every_variable(compose: dict) -> None:
    referenced = set(VARIABLE.findall(COMPOSE.read_text(encoding="utf-8")))
    names = {name for name, _ in referenced}
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    defined = {
        line.split("=", 1)[0] for line in example.splitlines() if "=" in line and not line.startswith("#")
    }
    assert names <= defined, f"missing from .env.example: {sorted(names - defined)}"
    for line in example.splitlines():
        variable, _, value = line.partition("=")
        if SECRET_NAME.search(variable) and not line.startswith("#"):
            assert value == "", f".env.example must not ship a value for {variable}"


def test_env_file_ignored_by_git() -> None:
    assert "/.env" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_ports_bound_to_loopback(services: dict) -> None:
    published = [(name, port) for name, service in services.items() for port in service.get("ports", [])]
    assert published
    for name, port in published:
        assert str(port).startswith("127.0.0.1:"), f"service {name} publishes {port} on every interface"


def test_depends_on_healthy_database(services: dict) -> None:
    for name in AIRFLOW_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["airflow-postgres"]["condition"] == "service_healthy"
        assert depends["airflow-init"]["condition"] == "service_completed_successfully"
