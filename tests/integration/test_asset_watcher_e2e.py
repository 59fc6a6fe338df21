"""End-to-end: the confirmed-count trigger, run as an AssetWatcher by real Airflow processes.

The test starts ``airflow dag-processor``, ``airflow scheduler`` and ``airflow triggerer`` on a
temporary SQLite AIRFLOW_HOME. The dag-processor parses a DAG scheduled on an Asset that the
trigger watches and registers the trigger, and the triggerer then runs it against the real
Doccano server. When the project's confirmed count reaches the threshold, the trigger's event
becomes an asset event, and the scheduler creates a DAG run. No task runs, so no api-server is
started. Progress is read from the metadata database with ``sqlite3``, because importing Airflow's
ORM in the pytest process would tie it to this one AIRFLOW_HOME.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from doccano_provider.client import DoccanoClient
from tests.conftest import ROOT
from tests.integration.conftest import DoccanoServer

pytestmark = [pytest.mark.integration, pytest.mark.airflow_e2e]

AIRFLOW_BIN = Path(sys.executable).parent / "airflow"
DAG_ID = "doccano_asset_watcher_e2e"
THRESHOLD = 2
# Seconds between two counts by the trigger, kept short so that the test waits little.
POLL_INTERVAL = 2.0
# Upper bound for each wait (registration, then the DAG run), in seconds.
WAIT_TIMEOUT = 180.0

DAG_TEMPLATE = """
from __future__ import annotations

from airflow.sdk import DAG, Asset, AssetWatcher

from doccano_provider.triggers.confirmed_count import DoccanoConfirmedCountTrigger

trigger = DoccanoConfirmedCountTrigger(
    project_id={project_id}, threshold={threshold}, poll_interval={poll_interval}
)
confirmed = Asset(
    "doccano://project/{project_id}/confirmed",
    watchers=[AssetWatcher(name="doccano_confirmed_{project_id}", trigger=trigger)],
)

with DAG(dag_id="{dag_id}", schedule=[confirmed], catchup=False):
    pass
"""

T = TypeVar("T")


def _airflow_env(home: Path, doccano_server: DoccanoServer) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(home / "dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        # Airflow 3.3 registers an asset's watchers only while a DAG that uses the asset is unpaused
        # (``add_asset_trigger_references`` in airflow/dag_processing/collection.py).
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db",
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="2",
        AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL="5",
        AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES="1",
        AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="1",
        AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC="1",
        AIRFLOW_CONN_DOCCANO_DEFAULT=json.dumps(
            {
                "conn_type": "doccano",
                "host": doccano_server.url,
                "login": doccano_server.username,
                "password": doccano_server.password,
            }
        ),
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
    )
    return env


def _query(database: Path, sql: str, *params: Any) -> list[tuple]:
    """Run one read-only query on the metadata database. A table that does not exist yet reads as empty."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        return connection.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return []
        raise
    finally:
        connection.close()


def _wait_for(check: Callable[[], T], description: str, processes: dict[str, subprocess.Popen]) -> T:
    """Call ``check`` every second until it returns a truthy value; fail after ``WAIT_TIMEOUT``."""
    deadline = time.monotonic() + WAIT_TIMEOUT
    while time.monotonic() < deadline:
        for name, process in processes.items():
            assert process.poll() is None, f"airflow {name} exited with code {process.returncode}"
        result = check()
        if result:
            return result
        time.sleep(1.0)
    raise AssertionError(f"Timed out after {WAIT_TIMEOUT:.0f} s waiting for {description}")


def _stop(process: subprocess.Popen) -> None:
    """Stop one process group that this test started, by its PID, and wait for it to exit."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture
def watched_project(admin_client: DoccanoClient, project_factory) -> tuple[int, list[int]]:
    """Return a fresh project id and the ids of its four unconfirmed examples."""
    project = project_factory("DocumentClassification", collaborative_annotation=True)
    example_ids = [admin_client.create_example(project.id, f"line {index}").id for index in range(4)]
    return project.id, example_ids


@pytest.fixture
def airflow_processes(
    tmp_path: Path, doccano_server: DoccanoServer, watched_project: tuple[int, list[int]]
) -> Iterator[tuple[Path, dict[str, str], dict[str, subprocess.Popen]]]:
    """Migrate a temporary AIRFLOW_HOME, write the DAG and start the three Airflow processes.

    Yields the metadata database's path, the processes' environment and the processes by name.
    """
    project_id, _ = watched_project
    home = tmp_path / "airflow"
    (home / "dags").mkdir(parents=True)
    (home / "dags" / "watch_confirmed.py").write_text(
        DAG_TEMPLATE.format(
            project_id=project_id, threshold=THRESHOLD, poll_interval=POLL_INTERVAL, dag_id=DAG_ID
        )
    )
    env = _airflow_env(home, doccano_server)
    migrated = subprocess.run(
        [str(AIRFLOW_BIN), "db", "migrate"], env=env, capture_output=True, text=True, timeout=300
    )
    assert migrated.returncode == 0, migrated.stdout[-3000:] + migrated.stderr[-3000:]

    commands = {
        "dag-processor": ["dag-processor"],
        "scheduler": ["scheduler", "--skip-serve-logs"],
        "triggerer": ["triggerer", "--skip-serve-logs"],
    }
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, arguments in commands.items():
            log_file = (tmp_path / f"{name}.log").open("w")
            processes[name] = subprocess.Popen(
                [str(AIRFLOW_BIN), *arguments],
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log_file.close()
        yield home / "airflow.db", env, processes
    finally:
        for process in processes.values():
            _stop(process)
        for name in processes:
            log_tail = (tmp_path / f"{name}.log").read_text(errors="replace")[-2000:]
            print(f"--- airflow {name} log (tail) ---\n{log_tail}")


def test_watcher_creates_dag_run_at_threshold(admin_client, watched_project, airflow_processes):
    project_id, example_ids = watched_project
    database, env, processes = airflow_processes
    admin_client.confirm_example(project_id, example_ids[0])

    # The triggerer has picked up the watcher's trigger once the trigger row names a triggerer.
    def assigned_trigger() -> list[tuple]:
        return _query(
            database,
            "SELECT trigger.id FROM trigger JOIN asset_watcher ON asset_watcher.trigger_id = trigger.id "
            "WHERE trigger.classpath LIKE ? AND trigger.triggerer_id IS NOT NULL",
            "%DoccanoConfirmedCountTrigger",
        )

    _wait_for(assigned_trigger, "the triggerer to run the watcher's trigger", processes)
    # Let the trigger count a few times below the threshold. None of these counts may create a run.
    time.sleep(3 * POLL_INTERVAL)
    runs_before = _query(database, "SELECT run_id FROM dag_run WHERE dag_id = ?", DAG_ID)
    assert runs_before == []
    events_before = _query(database, "SELECT id FROM asset_event")
    assert events_before == []

    for example_id in example_ids[1:THRESHOLD]:
        admin_client.confirm_example(project_id, example_id)

    def dag_runs() -> list[tuple]:
        return _query(database, "SELECT run_id, run_type FROM dag_run WHERE dag_id = ?", DAG_ID)

    runs = _wait_for(dag_runs, f"a DAG run of {DAG_ID}", processes)
    assert len(runs) == 1
    assert runs[0][1] == "asset_triggered"

    events = _query(
        database,
        "SELECT asset.uri, asset_event.extra FROM asset_event JOIN asset ON asset.id = asset_event.asset_id",
    )
    assert len(events) == 1
    uri, extra = events[0]
    assert uri == f"doccano://project/{project_id}/confirmed"
    event_extra = json.loads(extra)
    assert event_extra["from_trigger"] is True
    assert event_extra["payload"] == {
        "project_id": project_id,
        "confirmed": THRESHOLD,
        "threshold": THRESHOLD,
    }

    # Airflow's own CLI reads the same run from the metadata database.
    listed = subprocess.run(
        [str(AIRFLOW_BIN), "dags", "list-runs", DAG_ID, "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr[-3000:]
    # Airflow prints warnings (a missing graphviz, for one) to stdout before the JSON line.
    listed_runs = json.loads(listed.stdout.strip().splitlines()[-1])
    assert [run["run_id"] for run in listed_runs] == [runs[0][0]]
