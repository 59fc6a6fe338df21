"""Active-learning loop on poem sentiment: one DAG run is one round.

Each run waits until the previous round's batch is confirmed. It then exports only what was
confirmed or changed since the last run and trains a naive Bayes word-count classifier on every
confirmed verse so far. It logs the classifier's accuracy on the held-out test split,
pre-annotates the unconfirmed verses with the predictions and confidences, and writes their
uncertainty to the examples' ``score``. The last task returns the ids of the next batch to
annotate, least certain first.

The project must exist with the category labels ``negative``, ``no impact``, ``positive`` and
``mixed`` and ``collaborative_annotation`` on, so annotators see the pre-annotations
(``tools/demo_active_learning.py`` sets it up and runs the rounds). scikit-learn comes with the
``examples`` extra and is imported inside the task, so parsing this file does not need it.

With ``DOCCANO_AL_PROJECT_ID`` set, the DAG is scheduled on an asset whose watcher fires each
time the project's confirmed count has grown by ``DOCCANO_AL_STEP`` (Airflow 3 only).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from airflow.providers.common.compat.sdk import PokeReturnValue
from airflow.sdk import DAG, Param, task

from doccano_provider.hooks.doccano import DoccanoHook
from doccano_provider.operators.incremental_export import DoccanoIncrementalExportOperator
from doccano_provider.operators.preannotation import (
    DoccanoPreannotateOperator,
    DoccanoSelectUncertainExamplesOperator,
)

log = logging.getLogger(__name__)


def read_test_split(path: str) -> list[tuple[str, str]]:
    """Return ``(verse, label text)`` pairs of the held-out split; an empty path finds the dataset."""
    from doccano_example_data import locate_poem_sentiment, read_poem_sentiment

    if path:
        verses = read_poem_sentiment(Path(path).parent, splits=[Path(path).stem])
    else:
        verses = read_poem_sentiment(locate_poem_sentiment(), splits=["test"])
    return [(verse.text, verse.label) for verse in verses]


def read_confirmed(folder: str) -> dict[str, dict[str, Any]]:
    """Merge the incremental exports in ``folder``, later files winning, into rows by key."""
    rows: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(folder).glob("changes-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["key"]] = row
    return rows


def _schedule() -> Any:
    project_id = os.environ.get("DOCCANO_AL_PROJECT_ID")
    if not project_id:
        return None
    from airflow.sdk import Asset, AssetWatcher

    from doccano_provider.triggers.confirmed_count import DoccanoConfirmedCountTrigger

    step = int(os.environ.get("DOCCANO_AL_STEP", "50"))
    trigger = DoccanoConfirmedCountTrigger(project_id=int(project_id), threshold=step, step=step)
    watcher = AssetWatcher(name=f"doccano_confirmed_{project_id}", trigger=trigger)
    return [Asset(f"doccano_confirmed_project_{project_id}", watchers=[watcher])]


with DAG(
    dag_id="doccano_active_learning_loop",
    schedule=_schedule(),
    catchup=False,
    max_active_runs=1,
    tags=["doccano", "active-learning", "example"],
    params={
        "project_id": Param(1, type="integer", minimum=1),
        "round": Param(1, type="integer", minimum=0),
        "min_confirmed": Param(0, type="integer", minimum=0),
        "batch_size": Param(50, type="integer", minimum=1),
        "work_dir": Param("/tmp/doccano-active-learning", type="string"),
        "test_path": Param("", type="string"),
    },
    doc_md=__doc__,
) as dag:

    @task.sensor(poke_interval=5, timeout=6 * 3600, mode="poke")
    def wait_for_annotations(params: dict[str, Any] | None = None) -> PokeReturnValue:
        """Wait until the project has ``min_confirmed`` confirmed examples."""
        assert params is not None
        client = DoccanoHook().get_conn()
        confirmed = client.count_examples(int(params["project_id"]), is_confirmed=True)
        log.info(
            "Project %s: %d of %d confirmed examples",
            params["project_id"],
            confirmed,
            params["min_confirmed"],
        )
        return PokeReturnValue(is_done=confirmed >= int(params["min_confirmed"]), xcom_value=confirmed)

    export_confirmed = DoccanoIncrementalExportOperator(
        task_id="export_confirmed",
        project_id="{{ params.project_id }}",
        destination="{{ params.work_dir }}/confirmed",
        return_rows=False,
    )

    @task
    def train_and_predict(export: dict[str, Any], params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Train on every confirmed verse so far, score the held-out split, predict the rest."""
        assert params is not None
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.metrics import accuracy_score
        from sklearn.naive_bayes import MultinomialNB
        from sklearn.pipeline import make_pipeline

        project_id = int(params["project_id"])
        work_dir = Path(params["work_dir"])
        predictions_path = work_dir / f"predictions-round-{params['round']}.jsonl"
        work_dir.mkdir(parents=True, exist_ok=True)
        rows = read_confirmed(str(work_dir / "confirmed"))
        for key in export["removed"]:
            rows.pop(key, None)
        texts = [row["text"] for row in rows.values() if row.get("label")]
        labels = [row["label"][0] for row in rows.values() if row.get("label")]
        result: dict[str, Any] = {
            "round": params["round"],
            "trained_on": len(texts),
            "new": export["changed"],
            "accuracy": None,
            "predicted": 0,
            "predictions_path": str(predictions_path),
        }
        if len(set(labels)) < 2:
            log.info(
                "round %s: %d confirmed verses, too few classes to train; no predictions",
                params["round"],
                len(texts),
            )
            predictions_path.write_text("", encoding="utf-8")
            (work_dir / f"metrics-round-{params['round']}.json").write_text(
                json.dumps(result), encoding="utf-8"
            )
            return result

        # Word counts with naive Bayes: on a few hundred verses it beats TF-IDF with logistic
        # regression, which stays at the majority class for longer.
        model = make_pipeline(CountVectorizer(), MultinomialNB(alpha=0.5))
        model.fit(texts, labels)
        test = read_test_split(params["test_path"])
        accuracy = float(
            accuracy_score([label for _, label in test], model.predict([text for text, _ in test]))
        )
        result["accuracy"] = accuracy
        log.info(
            "round %s: trained on %d confirmed verses (%d new), accuracy %.3f on %d held-out test verses",
            params["round"],
            len(texts),
            export["changed"],
            accuracy,
            len(test),
        )

        client = DoccanoHook().get_conn()
        unconfirmed = list(client.list_examples(project_id, is_confirmed=False))
        with predictions_path.open("w", encoding="utf-8") as handle:
            if unconfirmed:
                probabilities = model.predict_proba([example.text for example in unconfirmed])
                for example, row in zip(unconfirmed, probabilities, strict=True):
                    best = int(row.argmax())
                    record = {
                        "example_id": example.id,
                        "label": str(model.classes_[best]),
                        "confidence": round(float(row[best]), 6),
                    }
                    handle.write(json.dumps(record) + "\n")
        result["predicted"] = len(unconfirmed)
        (work_dir / f"metrics-round-{params['round']}.json").write_text(json.dumps(result), encoding="utf-8")
        return result

    trained = train_and_predict(export_confirmed.output)

    preannotate = DoccanoPreannotateOperator(
        task_id="preannotate",
        project_id="{{ params.project_id }}",
        predictions_path="{{ ti.xcom_pull(task_ids='train_and_predict')['predictions_path'] }}",
        on_existing="replace",
        max_workers=4,
    )

    select_next_batch = DoccanoSelectUncertainExamplesOperator(
        task_id="select_next_batch",
        project_id="{{ params.project_id }}",
        batch_size="{{ params.batch_size }}",
    )

    wait_for_annotations() >> export_confirmed
    trained >> preannotate >> select_next_batch
