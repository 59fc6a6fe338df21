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
``target_fraction``              ``DOCCANO_TARGET_FRACTION``         ``1.0`` (every sentence)
``work_dir``                     ``DOCCANO_WORK_DIR``                ``$AIRFLOW_HOME/doccano-work``
===============================  ==================================  ===================================

``target_fraction`` is the share of sentences each annotator must confirm. The sensor's poke
interval, ``DOCCANO_POKE_INTERVAL`` (seconds, default 60), is read when the file is parsed.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from airflow.providers.common.compat.sdk import DAG, Param, task
from doccano_example_round import ROUND_DAG_ARGS, project_members, round_params, run_file, wait_and_export

from doccano_provider.operators.dataset import DoccanoUploadDatasetOperator
from doccano_provider.operators.project import DoccanoCreateProjectOperator

log = logging.getLogger(__name__)

EXPORT_ASSET_NAME = os.environ.get("DOCCANO_WNUT17_ASSET", "wnut17-entities")

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

with DAG(
    dag_id="example_doccano_wnut17",
    description="Doccano annotation round: WNUT-17 emerging entities (sequence labeling)",
    params={
        "conll_file": Param(os.environ.get("DOCCANO_WNUT17_FILE", str(DEFAULT_CONLL)), type="string"),
        "limit": Param(int(os.environ.get("DOCCANO_WNUT17_LIMIT", "0")), type="integer", minimum=0),
        **round_params(os.environ.get("DOCCANO_WNUT17_PROJECT", "wnut17-entities")),
    },
    **ROUND_DAG_ARGS,
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
        output = run_file(params, run_id, "wnut17.conll")
        count = subset_conll(source, output, params["limit"])
        log.info("Wrote %d sentences to %s", count, output)
        return str(output)

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

    wait_for_annotators, _ = wait_and_export(create_project.output, EXPORT_ASSET_NAME)
    upload >> wait_for_annotators
