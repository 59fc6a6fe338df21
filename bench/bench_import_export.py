"""Time dataset upload and export download against a running Doccano server.

Uploads poem_sentiment (1,101 verses, converted from TSV to JSONL) into a
DocumentClassification project and wnut17 (2,296 CoNLL sentences) into a SequenceLabeling
project, then downloads each project's JSONL export. Prints one line per measurement and run,
then the median. The projects are deleted afterwards.

Usage::

    DOCCANO_STATE_DIR=/path/to/state .venv/bin/python bench/bench_import_export.py [--runs 3]

The server URL and admin credentials come from ``$DOCCANO_STATE_DIR/server.env``.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import shared_dir  # noqa: E402
from tools.doccano_server import load_server_env  # noqa: E402

from doccano_provider.client import DoccanoClient  # noqa: E402

POEM_LABELS = {"-1": "negative", "0": "no_impact", "1": "positive", "2": "mixed"}


def _poem_jsonl(folder: Path, work: Path) -> list[str]:
    paths = []
    for name in ("train", "dev", "test"):
        target = work / f"{name}.jsonl"
        with (folder / f"{name}.tsv").open(newline="", encoding="utf-8") as tsv, target.open("w") as out:
            for _, verse, label in csv.reader(tsv, delimiter="\t", quoting=csv.QUOTE_NONE):
                out.write(json.dumps({"text": verse, "label": [POEM_LABELS[label]]}) + "\n")
        paths.append(str(target))
    return paths


def _timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def run_once(client: DoccanoClient, data: Path, work: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    poem = client.create_project(f"bench-poem-{uuid.uuid4().hex[:8]}", "DocumentClassification", "benchmark")
    wnut = client.create_project(f"bench-wnut-{uuid.uuid4().hex[:8]}", "SequenceLabeling", "benchmark")
    try:
        poem_files = _poem_jsonl(data / "poem_sentiment" / "data", work)
        _, figures["upload poem_sentiment (1,101 examples)"] = _timed(
            lambda: client.upload(poem.id, poem_files, "DocumentClassification", "JSONL")
        )
        wnut_files = [
            str(data / "wnut17_emerging_entities" / name)
            for name in ("emerging.dev.conll", "emerging.test.annotated")
        ]
        _, figures["upload wnut17 (2,296 examples)"] = _timed(
            lambda: client.upload(
                wnut.id, wnut_files, "SequenceLabeling", "CoNLL", options={"scheme": "IOB2"}
            )
        )
        _, figures["download poem_sentiment JSONL"] = _timed(
            lambda: client.download(poem.id, "JSONL", dir_name=str(work / "poem"))
        )
        _, figures["download wnut17 JSONL + extract"] = _timed(
            lambda: client.download(wnut.id, "JSONL", dir_name=str(work / "wnut"), extract=True)
        )
    finally:
        client.delete_project(poem.id)
        client.delete_project(wnut.id)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="number of repetitions")
    args = parser.parse_args()
    env = load_server_env(required=True)
    data = shared_dir() / "data"
    client = DoccanoClient(env["DOCCANO_URL"])
    client.login(env["DOCCANO_USERNAME"], env["DOCCANO_PASSWORD"])
    results: dict[str, list[float]] = {}
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as work:
            for name, seconds in run_once(client, data, Path(work)).items():
                results.setdefault(name, []).append(seconds)
                print(f"run {run}: {name}: {seconds:.2f} s", flush=True)
    print(f"median of {args.runs} run(s), server {env['DOCCANO_URL']}:")
    for name, values in results.items():
        print(f"  {name}: {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})")


if __name__ == "__main__":
    main()
