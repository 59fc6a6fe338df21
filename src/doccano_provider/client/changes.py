"""Find the confirmed examples that are new or changed since an earlier export.

Doccano 1.8.4 has no "changed since" filter, so changes are found by comparing content:

* the examples list does not return ``updated_at`` (it only sorts by it), and an example's
  ``updated_at`` moves when its ``score`` or ``meta`` changes but not when its labels change;
* annotations and confirmation states carry timestamps, but only one example at a time can be
  read, so one request per example;
* a JSONL export of the confirmed examples takes one background task for the whole project.

So one export is compared with the previous one: every exported row (a confirmed example, with
its labels) gets a fingerprint of its text and labels, and a row is *changed* when its fingerprint
is new or differs. This finds new confirmations and label edits on confirmed examples, and
rows that disappeared (un-confirmed or deleted examples), without a request per example.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

# Export columns that are not labels or text: Doccano adds them to every row.
_NON_LABEL_COLUMNS = ("id", "Comments")
MARKER_VERSION = 1


def row_key(source: str, row: Mapping[str, Any]) -> str:
    """Return the key of an exported row: the file it came from (user or ``all``) and the example id."""
    return f"{source}:{row['id']}"


def row_fingerprint(row: Mapping[str, Any]) -> str:
    """Return a short hash of everything in an exported row except its comments."""
    content = {key: value for key, value in row.items() if key != "Comments"}
    labels = content.get("label")
    if isinstance(labels, list):
        content["label"] = sorted(labels, key=lambda item: json.dumps(item, sort_keys=True))
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:20]


def read_export_rows(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """Read every ``*.jsonl`` file of an extracted export as ``(file stem, row)`` pairs."""
    rows = []
    for path in sorted(folder.rglob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    rows.append((path.stem, json.loads(line)))
    return rows


def diff_rows(
    rows: Iterable[tuple[str, Mapping[str, Any]]], previous: Mapping[str, str]
) -> tuple[list[dict[str, Any]], list[str], dict[str, str]]:
    """Compare exported rows with the fingerprints of the previous export.

    :param rows: ``(file stem, row)`` pairs from :func:`read_export_rows`.
    :param previous: the fingerprints stored after the previous successful export.
    :returns: the changed rows (each with ``source`` and ``key`` added), the keys that are gone,
        and the fingerprints to store.
    """
    changed: list[dict[str, Any]] = []
    current: dict[str, str] = {}
    for source, row in rows:
        key = row_key(source, row)
        fingerprint = row_fingerprint(row)
        current[key] = fingerprint
        if previous.get(key) != fingerprint:
            changed.append({**row, "source": source, "key": key})
    removed = sorted(set(previous) - set(current))
    return changed, removed, current


def parse_marker(value: Any) -> dict[str, str]:
    """Return the fingerprints stored in a marker, or none for a missing or foreign value."""
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, Mapping) or value.get("version") != MARKER_VERSION:
        return {}
    fingerprints = value.get("fingerprints")
    return dict(fingerprints) if isinstance(fingerprints, Mapping) else {}


def build_marker(fingerprints: Mapping[str, str], exported_at: str) -> dict[str, Any]:
    """Return the marker to store after a successful export."""
    return {"version": MARKER_VERSION, "exported_at": exported_at, "fingerprints": dict(fingerprints)}
