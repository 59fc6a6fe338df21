"""The active-learning example DAG parses cheaply, and its AssetWatcher schedule is valid."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# The example DAGs are written for the Airflow 3 task SDK, so on Airflow 2.x they are not loaded.
pytest.importorskip("airflow.sdk", reason="the example DAGs need Airflow 3 (airflow.sdk)")

PROBE = """
import json, sys
sys.path.insert(0, {root!r})
import runpy
namespace = runpy.run_path({path!r})
dag = namespace["dag"]
watchers = []
schedule = namespace["_schedule"]()
if schedule:
    for asset in schedule:
        for watcher in asset.watchers:
            watchers.append([watcher.name, type(watcher.trigger).__name__, watcher.trigger.serialize()[1]])
print(json.dumps({{
    "dag_id": dag.dag_id,
    "tasks": sorted(dag.task_ids),
    "sklearn_imported": "sklearn" in sys.modules,
    "watchers": watchers,
}}))
"""


def _probe(tmp_path, **env_overrides: str) -> dict:
    env = dict(os.environ)
    env.update(AIRFLOW_HOME=str(tmp_path), **env_overrides)
    path = ROOT / "example_dags" / "active_learning_loop.py"
    code = PROBE.format(root=str(ROOT), path=str(path))
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_dag_parses_without_sklearn(tmp_path):
    parsed = _probe(tmp_path)
    assert parsed["dag_id"] == "doccano_active_learning_loop"
    assert parsed["tasks"] == [
        "export_confirmed",
        "preannotate",
        "select_next_batch",
        "train_and_predict",
        "wait_for_annotations",
    ]
    assert parsed["sklearn_imported"] is False
    assert parsed["watchers"] == []


def test_dag_asset_watcher_schedule(tmp_path):
    parsed = _probe(tmp_path, DOCCANO_AL_PROJECT_ID="7", DOCCANO_AL_STEP="25")
    assert parsed["watchers"] == [
        [
            "doccano_confirmed_7",
            "DoccanoConfirmedCountTrigger",
            {
                "project_id": 7,
                "threshold": 25,
                "step": 25,
                "poll_interval": 60.0,
                "doccano_conn_id": "doccano_default",
            },
        ]
    ]
