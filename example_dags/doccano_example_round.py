"""Parts that both example annotation rounds share: Params, members, the wait and the export.

Each round creates a project, uploads one file, waits until every annotator has confirmed the
target share of examples and downloads the export. Everything here is independent of the
dataset, so each DAG file only shows its own dataset's steps. Importing this module touches
neither the network nor a dataset. The functions read the environment variables when they are
called, not when the module is imported, because a process that parses the DAG files again
reuses the imported module.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.providers.common.compat.sdk import Param, task

from doccano_provider.operators.export import DoccanoDownloadExportOperator
from doccano_provider.sensors.progress import DoccanoAnnotationProgressSensor

ROUND_DAG_ARGS: dict[str, Any] = {
    "start_date": datetime(2024, 1, 1),
    "schedule": None,
    "catchup": False,
    "default_args": {"retries": 2, "retry_delay": timedelta(seconds=30)},
    "tags": ["doccano", "example"],
}
"""Keyword arguments of ``DAG`` that every example round uses."""


def env_list(name: str, default: str) -> list[str]:
    """Split the comma-separated environment variable ``name`` (or ``default``) into items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def default_work_dir() -> str:
    """Return ``$DOCCANO_WORK_DIR``, else ``$AIRFLOW_HOME/doccano-work``."""
    airflow_home = Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))
    return os.environ.get("DOCCANO_WORK_DIR", str(airflow_home / "doccano-work"))


def round_params(project_name: str) -> dict[str, Param]:
    """Return the Params of every round: ``project_name``, ``annotators``, ``target_fraction``, ``work_dir``.

    :param project_name: the default project name.
    """
    return {
        "project_name": Param(project_name, type="string", minLength=1, maxLength=100),
        "annotators": Param(env_list("DOCCANO_ANNOTATORS", "annotator1,annotator2"), type="array"),
        "target_fraction": Param(
            float(os.environ.get("DOCCANO_TARGET_FRACTION", "1.0")),
            type="number",
            exclusiveMinimum=0,
            maximum=1,
            description="Share of the examples each annotator must confirm before the export, in (0, 1].",
        ),
        "work_dir": Param(default_work_dir(), type="string"),
    }


def run_file(params: dict[str, Any], run_id: str, file_name: str) -> Path:
    """Return ``<work_dir>/<run id>/<file_name>``, the run id reduced to letters, digits and ``_``."""
    safe_run_id = "".join(char if char.isalnum() else "_" for char in run_id)
    return Path(params["work_dir"]) / safe_run_id / file_name


@task
def project_members(params: dict | None = None) -> list[dict[str, str]]:
    """Return the project members, one annotator role per user from the ``annotators`` Param."""
    return [{"username": username, "role": "annotator"} for username in params["annotators"]]


def wait_and_export(
    project_id: Any, export_asset_name: str
) -> tuple[DoccanoAnnotationProgressSensor, DoccanoDownloadExportOperator]:
    """Add ``wait_for_annotators >> download_export`` to the current DAG and return both tasks.

    The sensor waits until every member except project admins (the DAG's own account) has
    confirmed ``params.target_fraction`` of the examples, polling every
    ``$DOCCANO_POKE_INTERVAL`` seconds (default 60). The export then writes the confirmed
    examples as JSONL under ``<work_dir>/exports/<run id>`` and updates the Asset
    ``export_asset_name``.

    :param project_id: the project id, e.g. the create-project task's ``output``.
    :param export_asset_name: the name of the export Asset that consumer DAGs are scheduled on.
    """
    wait_for_annotators = DoccanoAnnotationProgressSensor(
        task_id="wait_for_annotators",
        project_id=project_id,
        min_fraction="{{ params.target_fraction }}",
        scope="all_members",
        # Read at parse time because poke_interval is not a templated field.
        poke_interval=float(os.environ.get("DOCCANO_POKE_INTERVAL", "60")),
        timeout=timedelta(days=7).total_seconds(),
        mode="reschedule",
    )
    export = DoccanoDownloadExportOperator(
        task_id="download_export",
        project_id=project_id,
        format="JSONL",
        only_approved=True,
        destination="{{ params.work_dir }}/exports/{{ run_id | replace(':', '_') | replace('+', '_') }}",
        extract=True,
        export_asset_name=export_asset_name,
    )
    wait_for_annotators >> export
    return wait_for_annotators, export
