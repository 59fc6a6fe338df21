"""End-to-end: a DAG with all four Doccano steps, run by real Airflow against the real server.

Each mode runs ``airflow dags test`` in a subprocess with its own AIRFLOW_HOME (SQLite, migrated
once per session) while simulated annotators confirm examples in a background thread, so the
sensor's wait ends by itself. The run prints what the wait cost (polls, requests, seconds).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from tools.simulated_annotators import SimulatedAnnotators

from doccano_provider.client import DoccanoClient, NotFoundError
from tests.conftest import shared_dir
from tests.integration.conftest import DoccanoServer, unique_name

pytestmark = [pytest.mark.integration, pytest.mark.airflow_e2e]

DAGS_DIR = Path(__file__).parent / "dags"
AIRFLOW_BIN = Path(sys.executable).parent / "airflow"
LABELS = {"-1": "negative", "0": "no_impact", "1": "positive", "2": "mixed"}
VERSES = 16
MIN_COUNT = 8
# Examples per second per simulated annotator; lower it to measure a longer wait.
ANNOTATOR_PACE = float(os.environ.get("DOCCANO_E2E_PACE", "1.0"))


def _airflow_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS_DIR),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db",
        PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")]),
    )
    return env


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("airflow-home")
    completed = subprocess.run(
        [str(AIRFLOW_BIN), "db", "migrate"],
        env=_airflow_env(home),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return home


@pytest.fixture
def verses(tmp_path: Path) -> dict[str, str]:
    """Write the first verses of the poem sentiment test split as JSONL; return text -> gold label."""
    source = shared_dir() / "data" / "poem_sentiment" / "data" / "test.tsv"
    gold: dict[str, str] = {}
    with source.open(newline="") as handle, (tmp_path / "verses.jsonl").open("w") as out:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            verse_id, text, label = row
            if text in gold:
                continue
            gold[text] = LABELS[label]
            out.write(json.dumps({"text": text, "verse_id": int(verse_id)}) + "\n")
            if len(gold) == VERSES:
                break
    return gold


def _find_project(client: DoccanoClient, name: str) -> int | None:
    for project in client.list_projects():
        if project.name == name:
            return project.id
    return None


class AnnotatorsInBackground:
    """Wait for the DAG to create the project, then confirm examples as the annotator users."""

    def __init__(self, server: DoccanoServer, admin: DoccanoClient, name: str, gold: dict[str, str]) -> None:
        self.server = server
        self.admin = admin
        self.name = name
        self.gold = gold
        self.project_id: int | None = None
        self.reports: list = []
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="simulated-annotators", daemon=True)

    def __enter__(self) -> AnnotatorsInBackground:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        try:
            deadline = time.monotonic() + 300
            while self.project_id is None and not self._stop.is_set() and time.monotonic() < deadline:
                self.project_id = _find_project(self.admin, self.name)
                time.sleep(1)
            if self.project_id is None:
                return
            with SimulatedAnnotators(
                self.server.url,
                list(self.server.annotators),
                self.project_id,
                gold=lambda example: self.gold.get(example.text),
                pace=ANNOTATOR_PACE,
                target=MIN_COUNT,
                start_timeout=240,
            ) as annotators:
                while not self._stop.is_set() and annotators.is_alive():
                    annotators.wait(timeout=1)
                self.reports = annotators.reports
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error


@pytest.fixture
def cleanup_projects(admin_client: DoccanoClient) -> Iterator[list[str]]:
    names: list[str] = []
    yield names
    for name in names:
        project_id = _find_project(admin_client, name)
        if project_id is not None:
            with contextlib.suppress(NotFoundError):
                admin_client.delete_project(project_id)


def _run_round(mode: str, airflow_home: Path, server: DoccanoServer, tmp_path: Path, name: str) -> tuple:
    env = _airflow_env(airflow_home)
    env.update(
        AIRFLOW_CONN_DOCCANO_DEFAULT=json.dumps(
            {
                "conn_type": "doccano",
                "host": server.url,
                "login": server.username,
                "password": server.password,
            }
        ),
        DOCCANO_E2E_MODE=mode,
        DOCCANO_E2E_PROJECT=name,
        DOCCANO_E2E_DATA=(tmp_path / "verses.jsonl").as_uri(),
        DOCCANO_E2E_EXPORT=(tmp_path / "export").as_uri(),
        DOCCANO_E2E_RESULT=str(tmp_path / "result.json"),
        DOCCANO_E2E_ANNOTATORS=",".join(username for username, _ in server.annotators),
        DOCCANO_E2E_MIN_COUNT=str(MIN_COUNT),
        DOCCANO_E2E_POKE_INTERVAL="3",
        DOCCANO_E2E_TIMEOUT="300",
    )
    started = time.monotonic()
    completed = subprocess.run(
        [str(AIRFLOW_BIN), "dags", "test", "doccano_round_e2e"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.monotonic() - started
    output = completed.stdout + completed.stderr
    (tmp_path / f"dags-test-{mode}.log").write_text(output)
    assert completed.returncode == 0, output[-6000:]
    result_path = tmp_path / "result.json"
    assert result_path.is_file(), (
        f"write_result did not run; see {tmp_path / f'dags-test-{mode}.log'}\n{output[-4000:]}"
    )
    return json.loads(result_path.read_text()), output, seconds


def _check_result(result: dict, password: str, verses: dict[str, str], output: str) -> None:
    project_id = result["create_project"]
    assert isinstance(project_id, int)
    upload = result["upload_dataset"]
    assert upload["project_id"] == project_id
    assert upload["imported"] == len(verses)
    assert upload["rejected"] == 0
    assert upload["skipped_files"] == []
    progress = result["wait_for_annotations"]
    assert progress["met"] is True
    assert progress["scope"] == "all_members"
    assert progress["total"] == len(verses)
    assert all(done >= MIN_COUNT for done in progress["members"].values())
    assert "admin" not in progress["members"]
    export = result["download_export"]
    assert export["project_id"] == project_id
    assert export["archive"].endswith(".zip")
    exported_names = sorted(Path(path).name for path in export["files"])
    assert exported_names == sorted(["admin.jsonl", "annotator1.jsonl", "annotator2.jsonl"])
    assert password not in output


@pytest.mark.parametrize("mode", ["reschedule", "deferrable"])
def test_round_dag_runs(
    mode: str,
    airflow_home: Path,
    doccano_server: DoccanoServer,
    admin_client: DoccanoClient,
    verses: dict[str, str],
    tmp_path: Path,
    cleanup_projects: list[str],
) -> None:
    name = unique_name(f"e2e-{mode}")
    cleanup_projects.append(name)
    with AnnotatorsInBackground(doccano_server, admin_client, name, verses) as annotators:
        result, output, seconds = _run_round(mode, airflow_home, doccano_server, tmp_path, name)
    assert annotators.error is None, repr(annotators.error)
    _check_result(result, doccano_server.password, verses, output)
    for path in result["download_export"]["files"]:
        lines = Path(path.removeprefix("file://")).read_text().splitlines()
        assert len(lines) == len(verses)

    pokes = len(
        re.findall(
            r"DoccanoAnnotationProgressSensor.*target (?:not )?reached|"
            r"target (?:not )?reached.*DoccanoAnnotationProgressSensor",
            output,
        )
    )
    trigger = re.search(r"ended with success after (\d+) poll\(s\), (\d+) request\(s\), ([\d.]+) s", output)
    if mode == "deferrable":
        assert trigger is not None, output[-4000:]
        polls, requests, trigger_seconds = trigger.groups()
        summary = f"trigger polls={polls} trigger requests={requests} trigger_s={trigger_seconds}"
    else:
        assert trigger is None
        assert pokes >= 1
        summary = "no trigger"
    print(
        f"\n[e2e {mode}] dags test wall {seconds:.1f} s; sensor wall {_sensor_seconds(output):.1f} s; "
        f"sensor runs in a worker={_sensor_runs(output)}; pokes in worker={pokes}; {summary}"
    )


def _asset_events(airflow_home: Path, uri: str) -> list[dict]:
    """Return the extra of every event of the Asset ``uri`` in the run's metadata database."""
    with contextlib.closing(sqlite3.connect(airflow_home / "airflow.db")) as connection:
        rows = connection.execute(
            "SELECT e.extra FROM asset_event e JOIN asset a ON a.id = e.asset_id WHERE a.uri = ?", (uri,)
        ).fetchall()
    return [json.loads(extra) if isinstance(extra, str) else extra for (extra,) in rows]


def _timestamps(output: str, pattern: str) -> list[datetime]:
    found = re.findall(r"^(\S+Z) .*" + pattern, output, flags=re.MULTILINE)
    return [datetime.fromisoformat(stamp.replace("Z", "+00:00")) for stamp in found]


def _sensor_seconds(output: str) -> float:
    """Seconds from the sensor's first start to its last end, from the ``dags test`` log."""
    starts = _timestamps(output, r"\[DAG TEST\] starting task_id=wait_for_annotations")
    ends = _timestamps(output, r"\[DAG TEST\] end task task_id=wait_for_annotations")
    return (ends[-1] - starts[0]).total_seconds() if starts and ends else float("nan")


def _sensor_runs(output: str) -> int:
    """How many times ``dags test`` started the sensor task (each is a worker slot in production)."""
    return len(_timestamps(output, r"\[DAG TEST\] starting task_id=wait_for_annotations"))
