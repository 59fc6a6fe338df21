"""Data-aware consumer: runs after each Poem Sentiment export and reports what it received.

The DAG is scheduled on the export Asset that ``example_doccano_poem_sentiment`` declares on its
download task. It reads the newest export: the files named in the triggering Asset event's
``extra`` when the producer recorded them, otherwise the newest folder under
``$DOCCANO_WORK_DIR/exports``. A training job would start here.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from airflow.providers.common.compat.sdk import DAG, task

from doccano_provider.assets import doccano_export_asset

log = logging.getLogger(__name__)

EXPORT_ASSET = doccano_export_asset(os.environ.get("DOCCANO_POEM_ASSET", "poem-sentiment"))
AIRFLOW_HOME = Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))
WORK_DIR = os.environ.get("DOCCANO_WORK_DIR", str(AIRFLOW_HOME / "doccano-work"))

with DAG(
    dag_id="example_doccano_export_consumer",
    description="Reads the newest Poem Sentiment export from Doccano after each annotation round",
    start_date=datetime(2024, 1, 1),
    schedule=[EXPORT_ASSET],
    catchup=False,
    tags=["doccano", "example"],
) as dag:

    @task
    def read_newest_export(triggering_asset_events=None) -> dict:
        """Summarise the newest export: files, examples, labeled examples and label distribution."""
        from doccano_example_data import find_export_files, summarize_jsonl_export

        extras = []
        for events in (triggering_asset_events or {}).values():
            extras.extend(event.extra or {} for event in events)
        files = find_export_files(extras, Path(WORK_DIR) / "exports")
        summary = summarize_jsonl_export(files)
        summary["source_files"] = [str(path) for path in files]
        log.info(
            "Export with %d examples (%d labeled) from %d files; labels %s",
            summary["examples"],
            summary["labeled"],
            len(files),
            summary["label_distribution"],
        )
        return summary

    read_newest_export()
