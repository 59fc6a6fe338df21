"""One annotation round with all four Doccano steps, run by tests/integration/test_dag_e2e.py.

The test sets the ``DOCCANO_E2E_*`` environment variables before ``airflow dags test``; the last
task writes what every step returned to ``DOCCANO_E2E_RESULT`` for the test to check.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from airflow.providers.standard.operators.python import PythonOperator

from doccano_provider.operators.dataset import DoccanoUploadDatasetOperator
from doccano_provider.operators.export import DoccanoDownloadExportOperator
from doccano_provider.operators.project import DoccanoCreateProjectOperator
from doccano_provider.sensors.progress import DoccanoAnnotationProgressSensor

try:
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow import DAG

MODE = os.environ.get("DOCCANO_E2E_MODE", "reschedule")
PROJECT_NAME = os.environ.get("DOCCANO_E2E_PROJECT", "e2e-round")
DATA_URI = os.environ.get("DOCCANO_E2E_DATA", "file:///tmp/missing.jsonl")
EXPORT_URI = os.environ.get("DOCCANO_E2E_EXPORT", "file:///tmp/doccano-e2e-export")
RESULT_PATH = os.environ.get("DOCCANO_E2E_RESULT", "/tmp/doccano-e2e-result.json")
ANNOTATORS = [
    name for name in os.environ.get("DOCCANO_E2E_ANNOTATORS", "annotator1,annotator2").split(",") if name
]
MIN_COUNT = int(os.environ.get("DOCCANO_E2E_MIN_COUNT", "8"))
POKE_INTERVAL = float(os.environ.get("DOCCANO_E2E_POKE_INTERVAL", "5"))
TIMEOUT = float(os.environ.get("DOCCANO_E2E_TIMEOUT", "600"))


def write_result(ti, **_: object) -> None:
    result = {
        task_id: ti.xcom_pull(task_ids=task_id)
        for task_id in ("create_project", "upload_dataset", "wait_for_annotations", "download_export")
    }
    Path(RESULT_PATH).write_text(json.dumps(result, indent=2))


with DAG(
    dag_id="doccano_round_e2e",
    start_date=datetime(2026, 1, 1),
    schedule=None,
    catchup=False,
    default_args={"retries": 0},
    # The sensor reads its target from this Param, so the run also covers a rendered min_count.
    params={"min_count": MIN_COUNT},
):
    create_project = DoccanoCreateProjectOperator(
        task_id="create_project",
        project_name=PROJECT_NAME,
        project_type="DocumentClassification",
        description="Airflow end-to-end test round",
        labels=[
            {"text": "negative", "type": "category", "color": "#d62728", "suffix_key": "n"},
            {"text": "no_impact", "type": "category", "color": "#7f7f7f", "suffix_key": "o"},
            {"text": "positive", "type": "category", "color": "#2ca02c", "suffix_key": "p"},
            {"text": "mixed", "type": "category", "color": "#ff7f0e", "suffix_key": "m"},
        ],
        members=[{"username": name, "role": "annotator"} for name in ANNOTATORS],
    )
    upload = DoccanoUploadDatasetOperator(
        task_id="upload_dataset",
        project_id="{{ ti.xcom_pull(task_ids='create_project') }}",
        file_paths=[DATA_URI],
        format="JSONL",
    )
    wait = DoccanoAnnotationProgressSensor(
        task_id="wait_for_annotations",
        project_id="{{ ti.xcom_pull(task_ids='create_project') }}",
        min_count="{{ params.min_count }}",
        scope="all_members",
        poke_interval=POKE_INTERVAL,
        timeout=TIMEOUT,
        mode="reschedule" if MODE == "reschedule" else "poke",
        deferrable=MODE == "deferrable",
    )
    export = DoccanoDownloadExportOperator(
        task_id="download_export",
        project_id="{{ ti.xcom_pull(task_ids='create_project') }}",
        destination=EXPORT_URI,
        format="JSONL",
        export_asset_name=PROJECT_NAME,
    )
    check = PythonOperator(task_id="write_result", python_callable=write_result)

    create_project >> upload >> wait >> export >> check
