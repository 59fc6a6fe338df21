"""Fixtures that start (or reuse) the real Doccano 1.8.4 server from tools/doccano_server.py."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tools.doccano_server import annotator_logins, load_server_env

from doccano_provider.client import DoccanoClient, NotFoundError
from tests.conftest import ROOT
from tests.integration.call_coverage import CALL_RECORDER_KEY


@dataclass(frozen=True)
class DoccanoServer:
    url: str
    username: str
    password: str
    annotators: tuple[tuple[str, str], ...]


@pytest.fixture(scope="session")
def doccano_server() -> DoccanoServer:
    """Start the server if it is not running (a no-op when it is) and return its credentials."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    subprocess.run([sys.executable, str(ROOT / "tools" / "doccano_server.py"), "up"], check=True, env=env)
    values = load_server_env()
    return DoccanoServer(
        url=values["DOCCANO_URL"],
        username=values["DOCCANO_USERNAME"],
        password=values["DOCCANO_PASSWORD"],
        annotators=annotator_logins(values),
    )


@pytest.fixture(scope="session")
def admin_client(doccano_server: DoccanoServer) -> Iterator[DoccanoClient]:
    """A client logged in as the server's admin (a superuser)."""
    client = DoccanoClient(doccano_server.url)
    client.login(doccano_server.username, doccano_server.password)
    yield client
    client.close()


@pytest.fixture
def annotator_clients(doccano_server: DoccanoServer) -> Iterator[list[DoccanoClient]]:
    """One logged-in client per annotator user (not staff, not superuser)."""
    clients = []
    for username, password in doccano_server.annotators:
        client = DoccanoClient(doccano_server.url)
        client.login(username, password)
        clients.append(client)
    yield clients
    for client in clients:
        client.close()


def unique_name(prefix: str) -> str:
    """Return a project name that no other test run uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def project_factory(admin_client: DoccanoClient) -> Iterator:
    """Create projects through ``admin_client`` and delete them after the test."""
    created: list[int] = []

    def create(project_type: str = "DocumentClassification", **kwargs):
        kwargs.setdefault("description", "created by the test suite")
        name = kwargs.pop("name", None) or unique_name(project_type)
        project = admin_client.create_project(name, project_type, **kwargs)
        created.append(project.id)
        return project

    yield create
    for project_id in created:
        try:
            admin_client.delete_project(project_id)
        except NotFoundError:
            pass


@pytest.fixture(autouse=True)
def _record_client_calls(request):
    """Count documented client calls while an integration test runs (see call_coverage.py)."""
    recorder = request.config.stash.get(CALL_RECORDER_KEY, None)
    if recorder is None:
        yield
        return
    recorder.active = True
    try:
        yield
    finally:
        recorder.active = False
