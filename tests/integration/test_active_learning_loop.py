"""The active-learning demo on a small poem sentiment subset, with real Airflow and Doccano."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from doccano_provider.client import DoccanoClient
from tests.conftest import ROOT, shared_dir

pytestmark = [pytest.mark.integration, pytest.mark.airflow_e2e]

ROUNDS = 3
BATCH_SIZE = 12
LIMIT = 60


@pytest.fixture(scope="module")
def demo_run(doccano_server, tmp_path_factory):
    """Run three rounds of the demo and return its summary and console output."""
    work_dir = tmp_path_factory.mktemp("active-learning")
    env = dict(os.environ)
    env["AIRFLOW_HOME"] = str(tmp_path_factory.mktemp("airflow-home"))
    env["DOCCANO_SHARED_DIR"] = str(shared_dir())
    command = [
        sys.executable, str(ROOT / "tools" / "demo_active_learning.py"),
        "--rounds", str(ROUNDS), "--batch-size", str(BATCH_SIZE), "--limit", str(LIMIT),
        "--pace", "50", "--work-dir", str(work_dir), "--keep-project",
    ]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, f"demo failed:\n{result.stdout}\n{result.stderr}\n" + (
        (work_dir / "airflow.log").read_text()[-5000:] if (work_dir / "airflow.log").exists() else ""
    )
    summary = json.loads((work_dir / "summary.json").read_text())
    yield summary, result.stdout
    client = DoccanoClient(doccano_server.url)
    client.login(doccano_server.username, doccano_server.password)
    client.delete_project(summary["project_id"])
    client.close()


def test_demo_prints_accuracy_per_round(demo_run):
    summary, output = demo_run
    rounds = summary["rounds"]
    assert [item["round"] for item in rounds] == list(range(ROUNDS + 1))
    assert rounds[0]["accuracy"] is None
    for number in range(1, ROUNDS + 1):
        assert f"round {number}: " in output
        assert 0.0 <= rounds[number]["accuracy"] <= 1.0


def test_demo_trains_on_each_new_batch(demo_run):
    summary, _ = demo_run
    rounds = summary["rounds"]
    assert [item["trained_on"] for item in rounds[1:]] == [
        BATCH_SIZE * number for number in range(1, ROUNDS + 1)
    ]
    assert [item["new"] for item in rounds[1:]] == [BATCH_SIZE] * ROUNDS
    assert [item["predicted"] for item in rounds[1:]] == [
        LIMIT - BATCH_SIZE * n for n in range(1, ROUNDS + 1)
    ]


def test_preannotations_visible_in_doccano(demo_run, admin_client):
    summary, _ = demo_run
    project_id = summary["project_id"]
    unconfirmed = list(admin_client.list_examples(project_id, is_confirmed=False))
    assert len(unconfirmed) == LIMIT - BATCH_SIZE * ROUNDS
    for example in unconfirmed:
        categories = admin_client.list_categories(project_id, example.id)
        assert len(categories) == 1, example.id
        assert 0.0 < categories[0].confidence <= 1.0
        assert categories[0].human_annotated is False
        assert example.score == pytest.approx(1.0 - categories[0].confidence, abs=1e-6)
