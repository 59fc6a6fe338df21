"""Time ``list_examples`` over 10,000 examples at several page sizes.

Creates a throw-away DocumentClassification project, imports the examples with one JSONL
upload, lists them with page sizes 500 (the client default), 100 and 1000, prints the
request count, seconds and examples per second of each run, and deletes the project.

Usage (against the shared dev server, or any Doccano 1.8.4 you started yourself)::

    DOCCANO_STATE_DIR=/work/.doccano-dev .venv/bin/python bench/list_examples.py [--examples 10000]

The server URL and admin credentials come from ``$DOCCANO_STATE_DIR/server.env``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.doccano_server import load_server_env  # noqa: E402

from doccano_provider.client import DoccanoClient  # noqa: E402

PAGE_SIZES = (500, 100, 1000)


def import_examples(client: DoccanoClient, project_id: int, count: int) -> float:
    """Upload ``count`` one-line examples as a JSONL file and return the seconds it took."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "examples.jsonl"
        with path.open("w") as handle:
            for index in range(count):
                handle.write(json.dumps({"text": f"benchmark example {index}", "label": []}) + "\n")
        started = time.perf_counter()
        status = client.upload(project_id, [str(path)], "DocumentClassification", "JSONL")
        elapsed = time.perf_counter() - started
    if status.errors:
        raise SystemExit(f"Import reported {len(status.errors)} errors, first: {status.errors[0]}")
    return elapsed


def time_listing(url: str, token: str, project_id: int, page_size: int) -> tuple[int, int, float]:
    """List every example with ``page_size``; return (examples, requests, seconds)."""
    client = DoccanoClient(url, token=token, page_size=page_size)
    requests_sent = 0
    original_get = client._transport.get

    def counting_get(path: str, **kwargs: object) -> object:
        nonlocal requests_sent
        requests_sent += 1
        return original_get(path, **kwargs)

    client._transport.get = counting_get  # type: ignore[method-assign]
    started = time.perf_counter()
    examples = list(client.list_examples(project_id))
    elapsed = time.perf_counter() - started
    client.close()
    return len(examples), requests_sent, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000, help="number of examples to import")
    args = parser.parse_args()

    env = load_server_env(required=True)
    client = DoccanoClient(env["DOCCANO_URL"])
    client.login(env["DOCCANO_USERNAME"], env["DOCCANO_PASSWORD"])
    project = client.create_project(
        f"bench-list-{uuid.uuid4().hex[:8]}", "DocumentClassification", "benchmark"
    )
    try:
        seconds = import_examples(client, project.id, args.examples)
        print(
            f"import: {args.examples} examples in {seconds:.2f} s ({args.examples / seconds:,.0f} examples/s)"
        )
        imported = client.count_examples(project.id)
        if imported != args.examples:
            raise SystemExit(f"Expected {args.examples} examples after the import, found {imported}.")
        print(f"{'page_size':>9} {'examples':>8} {'requests':>8} {'seconds':>8} {'examples/s':>10}")
        for page_size in PAGE_SIZES:
            count, requests_sent, elapsed = time_listing(
                env["DOCCANO_URL"], client.token or "", project.id, page_size
            )
            print(f"{page_size:>9} {count:>8} {requests_sent:>8} {elapsed:>8.2f} {count / elapsed:>10,.0f}")
    finally:
        client.delete_project(project.id)
        client.close()


if __name__ == "__main__":
    main()
