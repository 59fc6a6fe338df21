"""Run the active-learning example DAG for several rounds against a real Doccano server.

What it does:

1. Creates a collaborative DocumentClassification project with the four poem sentiment labels,
   adds the annotator users, and uploads the train split (or its first ``--limit`` verses)
   without labels.
2. Round 0 runs ``doccano_active_learning_loop`` with nothing confirmed: no model yet, so it
   only selects the first batch.
3. Every later round starts simulated annotators (``tools/simulated_annotators.py``) that label
   and confirm only the selected batch with the gold labels, then runs the DAG, whose sensor
   waits for them. The DAG exports what is new, trains, logs the held-out accuracy,
   pre-annotates the unconfirmed verses and selects the next batch.
4. Prints one line per round and reads a few pre-annotations back from Doccano.

Needs the Doccano server (``make doccano-up``) and its ``server.env``, found through
``DOCCANO_STATE_DIR`` (default ``<repo>/.doccano``). Airflow uses ``AIRFLOW_HOME``
(default ``<repo>/.airflow``) with SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from example_dags.doccano_example_data import (  # noqa: E402
    POEM_SENTIMENT_LABELS,
    locate_poem_sentiment,
    read_poem_sentiment,
)

from doccano_provider.client import DoccanoClient  # noqa: E402
from doccano_provider.client.preannotate import select_uncertain_examples  # noqa: E402
from tools.airflow_cli import airflow_cli_environment, run_airflow  # noqa: E402
from tools.doccano_server import annotator_logins, load_server_env  # noqa: E402
from tools.simulated_annotators import SimulatedAnnotators, summarize  # noqa: E402

DAG_ID = "doccano_active_learning_loop"


def server_settings() -> dict[str, Any]:
    """Read the server URL and the admin and annotator credentials from ``server.env``."""
    state_dir = Path(os.environ.get("DOCCANO_STATE_DIR") or ROOT / ".doccano")
    env_file = state_dir / "server.env"
    values = load_server_env(state_dir)
    if not values:
        raise SystemExit(
            f"{env_file} not found: start the server with 'make doccano-up' or set DOCCANO_STATE_DIR."
        )
    annotators = list(annotator_logins(values))
    if not annotators:
        raise SystemExit(f"{env_file} names no annotator users (DOCCANO_ANNOTATOR1_USERNAME ...).")
    return {
        "url": values["DOCCANO_URL"],
        "username": values["DOCCANO_USERNAME"],
        "password": values["DOCCANO_PASSWORD"],
        "annotators": annotators,
    }


def read_train_split(limit: int | None = None) -> tuple[Path, list[tuple[str, str]]]:
    """Return the dataset folder and the first ``limit`` ``(verse, label text)`` training pairs."""
    folder = locate_poem_sentiment()
    pairs = [(verse.text, verse.label) for verse in read_poem_sentiment(folder, splits=["train"])]
    return folder, pairs[:limit] if limit else pairs


def setup_project(client: DoccanoClient, settings: dict[str, Any], verses: list[tuple[str, str]]) -> int:
    """Create the project, its labels and members, and upload the verses without labels."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    project = client.create_project(
        f"poem-active-learning-{stamp}",
        "DocumentClassification",
        "Active-learning demo on poem sentiment",
        collaborative_annotation=True,
        single_class_classification=False,
    )
    for text in POEM_SENTIMENT_LABELS.values():
        client.create_label_type(project.id, "category", text)
    for username, _ in settings["annotators"]:
        client.add_member(project.id, username, "annotator")
    with tempfile.TemporaryDirectory(prefix="poem-al-") as folder:
        path = Path(folder) / "poem_sentiment_train.jsonl"
        path.write_text("".join(json.dumps({"text": text}) + "\n" for text, _ in verses), encoding="utf-8")
        client.upload(project.id, [str(path)], "DocumentClassification", "JSONL")
    return project.id


def airflow_env(settings: dict[str, Any]) -> dict[str, str]:
    home = Path(os.environ.get("AIRFLOW_HOME", ROOT / ".airflow"))
    home.mkdir(parents=True, exist_ok=True)
    env = airflow_cli_environment(home, settings["url"], settings["username"], settings["password"])
    env.pop("DOCCANO_AL_PROJECT_ID", None)  # the demo triggers every run itself
    return env


def read_back(client: DoccanoClient, project_id: int, count: int = 3) -> list[str]:
    """Return a description of a few pre-annotations as Doccano stores them."""
    label_texts = {label.id: label.text for label in client.list_label_types(project_id, "category")}
    lines = []
    for example in client.list_examples(project_id, is_confirmed=False):
        categories = client.list_categories(project_id, example.id)
        if categories:
            category = categories[0]
            lines.append(
                f"example {example.id}: label {label_texts[category.label]!r}, "
                f"prob {category.confidence:.3f}, score (uncertainty) {example.score:.3f}"
            )
        if len(lines) >= count:
            break
    return lines


def run(options: argparse.Namespace) -> int:
    settings = server_settings()
    folder, verses = read_train_split(options.limit)
    gold = dict(verses)
    work_dir = Path(options.work_dir or tempfile.mkdtemp(prefix="doccano-active-learning-"))
    log_file = work_dir / "airflow.log"
    work_dir.mkdir(parents=True, exist_ok=True)
    env = airflow_env(settings)
    print(f"Airflow log: {log_file}", flush=True)
    run_airflow(["db", "migrate"], env, log_file)

    admin = DoccanoClient(settings["url"])
    admin.login(settings["username"], settings["password"])
    project_id = setup_project(admin, settings, verses)
    print(
        f"Project {project_id}: {len(verses)} train verses at {settings['url']}/projects/{project_id}",
        flush=True,
    )

    batch: list[int] = []
    results = []
    for round_number in range(options.rounds + 1):
        confirmed_before = admin.count_examples(project_id, is_confirmed=True)
        target = confirmed_before + len(batch)
        annotators = None
        if batch:
            wanted = set(batch)
            annotators = SimulatedAnnotators(
                settings["url"],
                settings["annotators"],
                project_id,
                gold=lambda example, wanted=wanted: gold.get(example.text) if example.id in wanted else None,
                pace=options.pace,
                target=target,
                split_work=True,
            )
            annotators.start()
        conf = {
            "project_id": project_id,
            "round": round_number,
            "min_confirmed": target,
            "batch_size": options.batch_size,
            "work_dir": str(work_dir),
            "test_path": str(folder / "data" / "test.tsv"),
        }
        started = time.monotonic()
        try:
            run_airflow(["dags", "test", DAG_ID, "-c", json.dumps(conf)], env, log_file)
        finally:
            if annotators is not None:
                annotators.stop()
                print("  " + summarize(annotators.reports).replace("\n", "\n  "), flush=True)
        metrics = json.loads((work_dir / f"metrics-round-{round_number}.json").read_text(encoding="utf-8"))
        batch = select_uncertain_examples(admin, project_id, options.batch_size)
        accuracy = "n/a (no model yet)" if metrics["accuracy"] is None else f"{metrics['accuracy']:.3f}"
        print(
            f"round {round_number}: confirmed {admin.count_examples(project_id, is_confirmed=True)} "
            f"(new {metrics['new']}), trained on {metrics['trained_on']}, accuracy {accuracy} on the "
            f"held-out test split, pre-annotated {metrics['predicted']}, next batch {len(batch)} "
            f"({time.monotonic() - started:.0f} s)",
            flush=True,
        )
        results.append(metrics)
    for line in read_back(admin, project_id):
        print(f"  read back: {line}", flush=True)
    (work_dir / "summary.json").write_text(
        json.dumps({"project_id": project_id, "rounds": results}, indent=2), encoding="utf-8"
    )
    if not options.keep_project:
        admin.delete_project(project_id)
    admin.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rounds", type=int, default=3, help="training rounds after the seed round (default 3)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=100, help="verses annotated per round (default 100)"
    )
    parser.add_argument("--limit", type=int, default=None, help="use only the first N train verses")
    parser.add_argument("--pace", type=float, default=20.0, help="examples per second per annotator")
    parser.add_argument(
        "--work-dir", default=None, help="folder for exports, predictions and the Airflow log"
    )
    parser.add_argument("--keep-project", action="store_true", help="keep the Doccano project afterwards")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
