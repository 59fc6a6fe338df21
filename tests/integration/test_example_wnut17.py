"""The WNUT-17 example DAG with real Airflow against the real server, on a five-sentence subset."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from example_dags.doccano_example_data import conll_gold
from tools.simulated_annotators import SimulatedAnnotators

from doccano_provider.client import DoccanoClient
from tests.conftest import ROOT
from tests.integration.conftest import unique_name

pytestmark = [pytest.mark.integration, pytest.mark.airflow_e2e]

LIMIT = 5


def _find_project(client: DoccanoClient, name: str, stop: threading.Event) -> int | None:
    while not stop.wait(1.0):
        for project in client.list_projects():
            if project.name == name:
                return project.id
    return None


def test_wnut17_round_exports_spans(
    doccano_server, admin_client: DoccanoClient, shared_data: Path, tmp_path: Path
):
    conll = shared_data / "wnut17_emerging_entities" / "emerging.dev.conll"
    project_name = unique_name("wnut17-test")
    usernames = [username for username, _ in doccano_server.annotators]
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "example_dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW_CONN_DOCCANO_DEFAULT": json.dumps(
                {
                    "conn_type": "doccano",
                    "host": doccano_server.url,
                    "login": doccano_server.username,
                    "password": doccano_server.password,
                }
            ),
            "DOCCANO_WNUT17_FILE": str(conll),
            "DOCCANO_WNUT17_LIMIT": str(LIMIT),
            "DOCCANO_WNUT17_PROJECT": project_name,
            "DOCCANO_ANNOTATORS": ",".join(usernames),
            "DOCCANO_WORK_DIR": str(tmp_path / "work"),
            "DOCCANO_POKE_INTERVAL": "2",
        }
    )
    airflow = str(Path(sys.executable).parent / "airflow")
    gold = conll_gold(conll)
    stop = threading.Event()
    found: dict[str, SimulatedAnnotators] = {}

    def annotate() -> None:
        project_id = _find_project(admin_client_for_thread, project_name, stop)
        if project_id is None:
            return
        annotators = SimulatedAnnotators(
            doccano_server.url, doccano_server.annotators, project_id, lambda e: gold.get(e.text), pace=0
        )
        found["annotators"] = annotators
        annotators.start()
        while annotators.is_alive() and not stop.is_set():
            annotators.wait(timeout=1.0)
        annotators.stop()

    admin_client_for_thread = DoccanoClient(doccano_server.url)
    admin_client_for_thread.login(doccano_server.username, doccano_server.password)
    thread = threading.Thread(target=annotate, daemon=True)
    try:
        migrate = subprocess.run(
            [airflow, "db", "migrate"], env=env, capture_output=True, text=True, check=False
        )
        assert migrate.returncode == 0, migrate.stdout[-3000:]
        thread.start()
        run = subprocess.run(
            [airflow, "dags", "test", "example_doccano_wnut17"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        stop.set()
        thread.join(timeout=30)
        assert run.returncode == 0, run.stdout[-5000:]
        assert doccano_server.password not in run.stdout

        reports = found["annotators"].reports
        assert all(report.reached_target for report in reports)
        exports = sorted((tmp_path / "work" / "exports").rglob("*.jsonl"))
        by_name = {path.name: path for path in exports}
        for username in usernames:
            rows = [json.loads(line) for line in by_name[f"{username}.jsonl"].read_text().splitlines()]
            assert len(rows) == LIMIT
            for row in rows:
                expected = sorted([start, end, label] for start, end, label in gold[row["text"]])
                assert sorted(row["label"]) == expected
    finally:
        stop.set()
        admin_client_for_thread.close()
        for project in admin_client.list_projects():
            if project.name == project_name:
                admin_client.delete_project(project.id)
