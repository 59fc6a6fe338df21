"""Annotation round: sentiment of poem verses (text classification) in Doccano.

The DAG creates a DocumentClassification project with the four Poem Sentiment labels and the
annotators as members. It converts the dataset's TSV files to Doccano JSONL, without the gold
labels, and uploads them. It waits until every annotator has confirmed the target share of
examples, then downloads the export of confirmed examples and summarises it. The export is an Asset, so
``example_doccano_export_consumer`` runs after each round.

Every setting is a DAG Param whose default comes from an environment variable, so the demo and
the tests can point the DAG at a small subset without editing it:

===============================  ==================================  ================================
Param                            environment variable                default
===============================  ==================================  ================================
``data_dir``                     ``DOCCANO_POEM_SENTIMENT_DIR``      local copy, else downloaded
``splits``                       ``DOCCANO_POEM_SPLITS``             ``train,dev,test`` (1,101 verses)
``limit``                        ``DOCCANO_POEM_LIMIT``              ``0`` (all verses)
``project_name``                 ``DOCCANO_POEM_PROJECT``            ``poem-sentiment``
``annotators``                   ``DOCCANO_ANNOTATORS``              ``annotator1,annotator2``
``target_fraction``              ``DOCCANO_TARGET_FRACTION``         ``1.0`` (every verse)
``work_dir``                     ``DOCCANO_WORK_DIR``                ``$AIRFLOW_HOME/doccano-work``
===============================  ==================================  ================================

``target_fraction`` is the share of verses each annotator must confirm. The sensor's poke
interval, ``DOCCANO_POKE_INTERVAL`` (seconds, default 60), is read when the file is parsed.

Nothing here touches the network or the dataset at import time; parsing takes milliseconds.
"""

from __future__ import annotations

import logging
import os

from airflow.providers.common.compat.sdk import DAG, Param, task
from doccano_example_round import (
    ROUND_DAG_ARGS,
    env_list,
    project_members,
    round_params,
    run_file,
    wait_and_export,
)

from doccano_provider.operators.dataset import DoccanoUploadDatasetOperator
from doccano_provider.operators.project import DoccanoCreateProjectOperator

log = logging.getLogger(__name__)

# The Asset name is fixed when the file is parsed because the consumer DAG is scheduled on it.
# The project name can still change per run.
EXPORT_ASSET_NAME = os.environ.get("DOCCANO_POEM_ASSET", "poem-sentiment")

LABELS = [
    {"text": "negative", "type": "category", "color": "#d62728", "suffix_key": "1"},
    {"text": "no impact", "type": "category", "color": "#7f7f7f", "suffix_key": "2"},
    {"text": "positive", "type": "category", "color": "#2ca02c", "suffix_key": "3"},
    {"text": "mixed", "type": "category", "color": "#9467bd", "suffix_key": "4"},
]

with DAG(
    dag_id="example_doccano_poem_sentiment",
    description="Doccano annotation round: poem verse sentiment (text classification)",
    params={
        "data_dir": Param(
            os.environ.get("DOCCANO_POEM_SENTIMENT_DIR", ""),
            type="string",
            description="Poem Sentiment folder (with data/*.tsv); empty: the local copy or a download.",
        ),
        "splits": Param(env_list("DOCCANO_POEM_SPLITS", "train,dev,test"), type="array"),
        "limit": Param(int(os.environ.get("DOCCANO_POEM_LIMIT", "0")), type="integer", minimum=0),
        **round_params(os.environ.get("DOCCANO_POEM_PROJECT", "poem-sentiment")),
    },
    **ROUND_DAG_ARGS,
) as dag:

    @task
    def prepare_dataset(params: dict | None = None, run_id: str | None = None) -> str:
        """Convert the Poem Sentiment TSV files into one JSONL file for Doccano and return its path."""
        from doccano_example_data import locate_poem_sentiment, poem_sentiment_to_jsonl

        data_dir = params["data_dir"] or str(locate_poem_sentiment())
        output = run_file(params, run_id, "poem_sentiment.jsonl")
        count = poem_sentiment_to_jsonl(data_dir, output, splits=params["splits"], limit=params["limit"])
        log.info("Wrote %d verses to %s", count, output)
        return str(output)

    create_project = DoccanoCreateProjectOperator(
        task_id="create_project",
        project_name="{{ params.project_name }}",
        project_type="DocumentClassification",
        description="Sentiment of poem verses (Poem Sentiment, Sheng and Uthus 2020, CC BY 4.0)",
        guideline="Pick the sentiment the verse expresses: negative, no impact, positive, or mixed.",
        labels=LABELS,
        members=project_members(),
        single_class_classification=True,
        if_exists="reuse",
    )

    upload = DoccanoUploadDatasetOperator(
        task_id="upload_verses",
        project_id=create_project.output,
        file_paths=prepare_dataset(),
        format="JSONL",
        format_options={"encoding": "utf_8"},
    )

    wait_for_annotators, export = wait_and_export(create_project.output, EXPORT_ASSET_NAME)

    @task
    def summarize_export(result: dict) -> dict:
        """Count the exported examples per annotator file and the label distribution."""
        from doccano_example_data import summarize_jsonl_export

        summary = summarize_jsonl_export(result["files"])
        summary["archive"] = str(result.get("archive"))
        log.info("Export summary: %s", summary)
        return summary

    upload >> wait_for_annotators
    summarize_export(export.output)
