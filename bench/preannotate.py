"""Time pre-annotating 1,000 examples: the provider's paths against one request per label.

Measurements on fresh collaborative DocumentClassification projects, with the same
predictions (one category per example, with a confidence):

* ``one request per label``: a sequential loop that POSTs each category with its ``prob``;
  it does not read existing labels first, so a retry would duplicate them;
* ``provider, labels only``: ``push_predictions`` with ``--workers`` threads, one client per
  thread. One export shows that no example has a label yet, so each gets one POST; scores off;
* ``provider, labels and scores``: the same, also writing each example's uncertainty to ``score``;
* ``provider, next round``: a second push on those examples with new confidences and a quarter
  of the labels changed. Each example is read, then its annotation and score are patched;
* ``provider, new examples``: ``import_predicted_examples``, one JSONL upload that creates the
  examples with their labels (Doccano's import stores ``prob=0`` and puts the confidence in meta).

Usage: ``DOCCANO_STATE_DIR=... .venv/bin/python bench/preannotate.py [--examples 1000] [--workers 4]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.doccano_server import load_server_env  # noqa: E402

from doccano_provider.client import DoccanoClient  # noqa: E402
from doccano_provider.client.preannotate import import_predicted_examples, push_predictions  # noqa: E402
from doccano_provider.client.predictions import validate_predictions  # noqa: E402

LABELS = ("negative", "no_impact", "positive", "mixed")


def verses(count: int) -> list[str]:
    shared = Path(os.environ.get("DOCCANO_SHARED_DIR", ROOT.parent / "shared"))
    path = shared / "data" / "poem_sentiment" / "data" / "train.tsv"
    texts = [line.split("\t")[1] for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line]
    # Repeat the 892 verses with a suffix when more examples are asked for.
    return [f"{texts[index % len(texts)]} ({index})" for index in range(count)]


def new_project(client: DoccanoClient, texts: list[str] | None) -> tuple[int, list[int]]:
    project = client.create_project(
        f"bench-preannotate-{random.randrange(10**9)}",
        "DocumentClassification",
        "pre-annotation benchmark",
        collaborative_annotation=True,
    )
    for text in LABELS:
        client.create_label_type(project.id, "category", text)
    if texts is None:
        return project.id, []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "examples.jsonl"
        # An empty label list keeps Doccano from reporting "Column label not found" for line 0.
        rows = "".join(json.dumps({"text": text, "label": []}) + "\n" for text in texts)
        path.write_text(rows, encoding="utf-8")
        client.upload(project.id, [str(path)], "DocumentClassification", "JSONL")
    ids = [example.id for example in client.list_examples(project.id)]
    return project.id, ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=1000, help="examples to pre-annotate (default 1000)")
    parser.add_argument("--workers", type=int, default=4, help="threads of the provider path (default 4)")
    options = parser.parse_args()
    server = load_server_env(required=True)
    client = DoccanoClient(server["DOCCANO_URL"])
    client.login(server["DOCCANO_USERNAME"], server["DOCCANO_PASSWORD"])
    texts = verses(options.examples)
    rng = random.Random(0)
    chosen = [(rng.choice(LABELS), round(rng.uniform(0.3, 0.99), 4)) for _ in texts]
    projects = []
    figures: dict[str, float] = {}
    try:
        project_id, ids = new_project(client, texts)
        projects.append(project_id)
        label_ids = {label.text: label.id for label in client.list_label_types(project_id, "category")}
        started = time.monotonic()
        for example_id, (label, confidence) in zip(ids, chosen, strict=True):
            client._transport.post(
                f"/v1/projects/{project_id}/examples/{example_id}/categories",
                json={"label": label_ids[label], "prob": confidence},
            )
        figures["one request per label (sequential POST)"] = time.monotonic() - started

        threads = f"{options.workers} threads"
        scenarios = (
            (f"provider, labels only ({threads})", False),
            (f"provider, labels and scores ({threads})", True),
        )
        for name, write_scores in scenarios:
            project_id, ids = new_project(client, texts)
            projects.append(project_id)
            records = [
                {"example_id": example_id, "label": label, "confidence": confidence}
                for example_id, (label, confidence) in zip(ids, chosen, strict=True)
            ]
            started = time.monotonic()
            predictions = validate_predictions(records, "category")
            push_predictions(
                client,
                project_id,
                predictions,
                "category",
                max_workers=options.workers,
                write_scores=write_scores,
            )
            figures[name] = time.monotonic() - started

        # The loop's usual case: the next round changes every confidence and a quarter of the labels.
        next_round = [
            {
                "example_id": record["example_id"],
                "label": rng.choice(LABELS) if index % 4 == 0 else record["label"],
                "confidence": round(rng.uniform(0.3, 0.99), 4),
            }
            for index, record in enumerate(records)
        ]
        started = time.monotonic()
        push_predictions(
            client,
            project_id,
            validate_predictions(next_round, "category"),
            "category",
            max_workers=options.workers,
        )
        figures[f"provider, next round: replace labels and scores ({threads})"] = time.monotonic() - started

        project_id, _ = new_project(client, None)
        projects.append(project_id)
        records = [
            {"text": text, "label": label, "confidence": confidence}
            for text, (label, confidence) in zip(texts, chosen, strict=True)
        ]
        started = time.monotonic()
        import_predicted_examples(client, project_id, validate_predictions(records, "category"), "category")
        figures["provider, new examples (one JSONL upload)"] = time.monotonic() - started
    finally:
        for project_id in projects:
            client.delete_project(project_id)
        client.close()

    print(f"Pre-annotating {options.examples} examples, Doccano 1.8.4 at {server['DOCCANO_URL']}:")
    for name, seconds in figures.items():
        print(f"  {name:<70} {seconds:7.2f} s  ({options.examples / seconds:6.0f} examples/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
