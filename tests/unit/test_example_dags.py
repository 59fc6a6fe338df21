"""Every file in example_dags/ imports cleanly, quickly and without network access."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip("doccano_provider.operators.project")
pytest.importorskip("doccano_provider.sensors.progress")

# The example DAGs are written for the Airflow 3 task SDK, so on Airflow 2.x they are not loaded.
pytest.importorskip("airflow.sdk", reason="the example DAGs need Airflow 3 (airflow.sdk)")

EXAMPLE_DAGS = ROOT / "example_dags"

# Airflow fails a DAG file whose import takes longer than core.dagbag_import_timeout (30 s by
# default). The demo and tests load these files many times, so they must stay far below it.
IMPORT_TIMEOUT_SECONDS = 30.0

EXPECTED_DAGS = {
    "example_doccano_poem_sentiment",
    "example_doccano_wnut17",
    "example_doccano_export_consumer",
}


def _blocked_connect(*args: object, **kwargs: object) -> None:
    raise AssertionError(f"An example DAG opened a network connection at import time: {args!r}")


def _load_dagbag(monkeypatch: pytest.MonkeyPatch):
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 2.11
        from airflow.models.dagbag import DagBag

    # Airflow puts its DAGs folder on sys.path, so the DAG files import their helper modules
    # (doccano_example_round, doccano_example_data) by plain name.
    monkeypatch.syspath_prepend(str(EXAMPLE_DAGS))
    monkeypatch.setattr(socket.socket, "connect", _blocked_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _blocked_connect)
    monkeypatch.setattr(socket, "create_connection", _blocked_connect)
    started = time.perf_counter()
    try:
        dagbag = DagBag(dag_folder=str(EXAMPLE_DAGS), include_examples=False, safe_mode=False)
    except TypeError:  # Airflow 3.2+ dropped include_examples from DagBag
        dagbag = DagBag(dag_folder=str(EXAMPLE_DAGS), safe_mode=False)
    elapsed = time.perf_counter() - started
    monkeypatch.undo()
    return dagbag, elapsed


@pytest.fixture
def dagbag(monkeypatch: pytest.MonkeyPatch):
    return _load_dagbag(monkeypatch)[0]


def test_example_dags_import_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}


def test_example_dags_all_found(dagbag) -> None:
    assert set(dagbag.dag_ids) >= EXPECTED_DAGS


def test_example_dag_files_each_define_a_dag(dagbag) -> None:
    files_with_dags = {Path(dag.fileloc).name for dag in dagbag.dags.values()}
    dag_files = {path.name for path in EXAMPLE_DAGS.glob("example_*.py")}
    assert dag_files <= files_with_dags


def test_example_dags_parse_time(monkeypatch: pytest.MonkeyPatch, record_property) -> None:
    """Record each file's parse time and check it is far below Airflow's import timeout."""
    dagbag, elapsed = _load_dagbag(monkeypatch)
    stats = {Path(stat.file).name: stat.duration for stat in dagbag.dagbag_stats}
    for name, duration in stats.items():
        seconds = duration.total_seconds() if hasattr(duration, "total_seconds") else float(duration)
        record_property(f"parse_seconds[{name}]", round(seconds, 4))
        print(f"{name}: parsed in {seconds * 1000:.1f} ms")
        assert seconds < IMPORT_TIMEOUT_SECONDS / 10, f"{name} took {seconds:.2f} s to parse"
    record_property("parse_seconds_total", round(elapsed, 4))
    assert stats, "DagBag recorded no parse statistics"


def test_poem_dag_params_follow_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCCANO_POEM_LIMIT", "7")
    monkeypatch.setenv("DOCCANO_POEM_PROJECT", "poem-test")
    monkeypatch.setenv("DOCCANO_TARGET_FRACTION", "0.5")
    monkeypatch.setenv("DOCCANO_ANNOTATORS", "alice, bob")
    monkeypatch.setenv("DOCCANO_POEM_SPLITS", "dev")
    monkeypatch.setenv("DOCCANO_WORK_DIR", str(tmp_path))
    dagbag, _ = _load_dagbag(monkeypatch)
    params = dagbag.dags["example_doccano_poem_sentiment"].params
    assert params["limit"] == 7
    assert params["project_name"] == "poem-test"
    assert params["annotators"] == ["alice", "bob"]
    assert params["splits"] == ["dev"]
    assert params["work_dir"] == str(tmp_path)
    assert params["target_fraction"] == 0.5
    sensor = dagbag.dags["example_doccano_poem_sentiment"].get_task("wait_for_annotators")
    assert sensor.min_fraction == "{{ params.target_fraction }}"


def test_poem_dag_task_order(dagbag) -> None:
    dag = dagbag.dags["example_doccano_poem_sentiment"]
    assert dag.get_task("upload_verses").downstream_task_ids == {"wait_for_annotators"}
    assert dag.get_task("wait_for_annotators").downstream_task_ids == {"download_export"}
    assert dag.get_task("download_export").downstream_task_ids == {"summarize_export"}
    assert "create_project" in dag.get_task("upload_verses").upstream_task_ids
    assert "prepare_dataset" in dag.get_task("upload_verses").upstream_task_ids


def test_poem_dag_labels_match_dataset(dagbag) -> None:
    from example_dags.doccano_example_data import POEM_SENTIMENT_LABELS

    labels = dagbag.dags["example_doccano_poem_sentiment"].get_task("create_project").labels
    assert [label["text"] for label in labels] == list(POEM_SENTIMENT_LABELS.values())


def test_wnut_dag_labels_are_entity_types(dagbag) -> None:
    from example_dags.doccano_example_data import WNUT17_ENTITY_TYPES

    task = dagbag.dags["example_doccano_wnut17"].get_task("create_project")
    assert sorted(label["text"] for label in task.labels) == sorted(WNUT17_ENTITY_TYPES)
    assert {label["type"] for label in task.labels} == {"span"}
    upload = dagbag.dags["example_doccano_wnut17"].get_task("upload_sentences")
    assert upload.format == "CoNLL"


def test_consumer_scheduled_on_producer_asset(dagbag) -> None:
    producer = dagbag.dags["example_doccano_poem_sentiment"].get_task("download_export")
    consumer = dagbag.dags["example_doccano_export_consumer"]
    outlet_uris = {asset.uri for asset in producer.outlets}
    # Both Airflow 3 (asset_condition) and 2.11 (dataset_condition) keep the assets in .objects.
    timetable = consumer.timetable
    condition = getattr(timetable, "asset_condition", None) or timetable.dataset_condition
    scheduled_uris = {asset.uri for asset in condition.objects}
    assert outlet_uris & scheduled_uris
