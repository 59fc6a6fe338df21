"""Annotation round: emerging named entities in social media text (WNUT-17) in Doccano.

The DAG checks a WNUT-17 CoNLL file (two tab-separated columns, IOB2 tags, only the six entity
types) and optionally cuts it to the first ``limit`` sentences. It creates a SequenceLabeling
project with the six entity types and the annotators as members and uploads the file in
Doccano's CoNLL format. It waits until every annotator has confirmed the target share of
sentences, then downloads the JSONL export.

Doccano's CoNLL importer also imports the file's tags, as annotations of the uploading user;
the annotators each start from an empty page because projects are not collaborative.

===============================  ==================================  ===================================
Param                            environment variable                default
===============================  ==================================  ===================================
``conll_file``                   ``DOCCANO_WNUT17_FILE``             WNUT-17 ``emerging.dev.conll``
``limit``                        ``DOCCANO_WNUT17_LIMIT``            ``0`` (all 1,009 dev sentences)
``project_name``                 ``DOCCANO_WNUT17_PROJECT``          ``wnut17-entities``
``annotators``                   ``DOCCANO_ANNOTATORS``              ``annotator1,annotator2``
``work_dir``                     ``DOCCANO_WORK_DIR``                ``$AIRFLOW_HOME/doccano-work``
===============================  ==================================  ===================================

The target share each annotator must confirm, ``DOCCANO_TARGET_FRACTION`` (default ``1.0``), and the
sensor's ``DOCCANO_POKE_INTERVAL`` (seconds, default 60) are read when the file is parsed.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow.providers.common.compat.sdk import DAG, Param, task

from doccano_provider.operators.dataset import DoccanoUploadDatasetOperator
from doccano_provider.operators.export import DoccanoDownloadExportOperator
from doccano_provider.operators.project import DoccanoCreateProjectOperator
from doccano_provider.sensors.progress import DoccanoAnnotationProgressSensor

log = logging.getLogger(__name__)

EXPORT_ASSET_NAME = os.environ.get("DOCCANO_WNUT17_ASSET", "wnut17-entities")

AIRFLOW_HOME = Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))
WORK_DIR = os.environ.get("DOCCANO_WORK_DIR", str(AIRFLOW_HOME / "doccano-work"))
POKE_INTERVAL = float(os.environ.get("DOCCANO_POKE_INTERVAL", "60"))
# Read at parse time: the sensor's min_fraction is not a templated field.
TARGET_FRACTION = float(os.environ.get("DOCCANO_TARGET_FRACTION", "1.0"))
SHARED_DIR = Path(
    os.environ.get("DOCCANO_SHARED_DIR", Path(__file__).resolve().parent.parent.parent / "shared")
)
DEFAULT_CONLL = SHARED_DIR / "data" / "wnut17_emerging_entities" / "emerging.dev.conll"

# The six WNUT-17 entity types; the shortcut keys follow the order annotators see them in.
ENTITY_TYPES = {
    "person": "#1f77b4",
    "location": "#2ca02c",
    "group": "#ff7f0e",
    "corporation": "#d62728",
    "product": "#9467bd",
    "creative-work": "#8c564b",
}
LABELS = [
    {"text": text, "type": "span", "color": color, "suffix_key": str(index)}
    for index, (text, color) in enumerate(ENTITY_TYPES.items(), start=1)
]


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


with DAG(
    dag_id="example_doccano_wnut17",
    description="Doccano annotation round: WNUT-17 emerging entities (sequence labeling)",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    catchup=False,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
    tags=["doccano", "example"],
    params={
        "conll_file": Param(os.environ.get("DOCCANO_WNUT17_FILE", str(DEFAULT_CONLL)), type="string"),
        "limit": Param(int(os.environ.get("DOCCANO_WNUT17_LIMIT", "0")), type="integer", minimum=0),
        "project_name": Param(
            os.environ.get("DOCCANO_WNUT17_PROJECT", "wnut17-entities"),
            type="string",
            minLength=1,
            maxLength=100,
        ),
        "annotators": Param(_env_list("DOCCANO_ANNOTATORS", "annotator1,annotator2"), type="array"),
        "work_dir": Param(WORK_DIR, type="string"),
    },
) as dag:

    @task
    def prepare_conll(params: dict | None = None, run_id: str | None = None) -> str:
        """Check the CoNLL file for Doccano's importer, cut it to ``limit`` sentences, return its path."""
        from doccano_example_data import WNUT17_ENTITY_TYPES, check_conll, subset_conll

        source = Path(params["conll_file"])
        summary = check_conll(source, WNUT17_ENTITY_TYPES)
        log.info(
            "%s: %d sentences, %d tokens, entities %s",
            source,
            summary.sentences,
            summary.tokens,
            dict(summary.entity_counts),
        )
        safe_run_id = "".join(char if char.isalnum() else "_" for char in run_id)
        output = Path(params["work_dir"]) / safe_run_id / "wnut17.conll"
        count = subset_conll(source, output, params["limit"])
        log.info("Wrote %d sentences to %s", count, output)
        return str(output)

    @task
    def project_members(params: dict | None = None) -> list[dict[str, str]]:
        """Return the project members, one annotator role per user from the ``annotators`` Param."""
        return [{"username": username, "role": "annotator"} for username in params["annotators"]]

    create_project = DoccanoCreateProjectOperator(
        task_id="create_project",
        project_name="{{ params.project_name }}",
        project_type="SequenceLabeling",
        description="Emerging and rare entities in social media text (WNUT-17, CC BY 4.0)",
        guideline="Mark every person, location, group, corporation, product and creative work.",
        labels=LABELS,
        members=project_members(),
        if_exists="reuse",
    )

    upload = DoccanoUploadDatasetOperator(
        task_id="upload_sentences",
        project_id=create_project.output,
        file_paths=prepare_conll(),
        format="CoNLL",
        # Doccano guesses the encoding otherwise, and reads some UTF-8 sentences as cp1252.
        format_options={"scheme": "IOB2", "delimiter": " ", "encoding": "utf_8"},
    )

    wait_for_annotators = DoccanoAnnotationProgressSensor(
        task_id="wait_for_annotators",
        project_id=create_project.output,
        min_fraction=TARGET_FRACTION,
        # Every member except project admins (the DAG's own account) must reach the target.
        scope="all_members",
        poke_interval=POKE_INTERVAL,
        timeout=timedelta(days=7).total_seconds(),
        mode="reschedule",
    )

    export = DoccanoDownloadExportOperator(
        task_id="download_export",
        project_id=create_project.output,
        format="JSONL",
        only_approved=True,
        destination="{{ params.work_dir }}/exports/{{ run_id | replace(':', '_') | replace('+', '_') }}",
        extract=True,
        export_asset_name=EXPORT_ASSET_NAME,
    )

    upload >> wait_for_annotators >> export
