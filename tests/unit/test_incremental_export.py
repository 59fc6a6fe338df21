"""Change detection of the incremental export: fingerprints, diffs and the stored marker."""

from __future__ import annotations

import json

from doccano_provider.client.changes import (
    build_marker,
    diff_rows,
    parse_marker,
    read_export_rows,
    row_fingerprint,
)


def _row(example_id: int, labels: list, text: str = "a verse", **extra) -> dict:
    return {"id": example_id, "text": text, "label": labels, "Comments": [], **extra}


def test_fingerprint_ignores_label_order_and_comments():
    first = _row(1, ["positive", "mixed"])
    second = {**_row(1, ["mixed", "positive"]), "Comments": ["looks fine"]}
    assert row_fingerprint(first) == row_fingerprint(second)


def test_fingerprint_changes_with_labels_text_and_meta():
    base = row_fingerprint(_row(1, ["positive"]))
    assert row_fingerprint(_row(1, ["negative"])) != base
    assert row_fingerprint(_row(1, ["positive"], text="another verse")) != base
    assert row_fingerprint(_row(1, ["positive"], source_id=3)) != base


def test_first_export_returns_everything():
    rows = [("all", _row(1, ["positive"])), ("all", _row(2, ["negative"]))]
    changed, removed, fingerprints = diff_rows(rows, {})
    assert [row["key"] for row in changed] == ["all:1", "all:2"]
    assert removed == []
    assert set(fingerprints) == {"all:1", "all:2"}


def test_second_export_returns_new_and_changed_only():
    first = [("all", _row(1, ["positive"])), ("all", _row(2, ["negative"])), ("all", _row(3, ["mixed"]))]
    _, _, marker = diff_rows(first, {})
    second = [("all", _row(1, ["positive"])), ("all", _row(2, ["positive"])), ("all", _row(4, ["mixed"]))]
    changed, removed, _ = diff_rows(second, marker)
    assert [row["key"] for row in changed] == ["all:2", "all:4"]
    assert removed == ["all:3"]


def test_per_member_rows_are_separate():
    rows = [("annotator1", _row(1, ["positive"])), ("annotator2", _row(1, ["negative"]))]
    changed, _, fingerprints = diff_rows(rows, {})
    assert len(changed) == 2
    assert set(fingerprints) == {"annotator1:1", "annotator2:1"}


def test_marker_round_trip():
    marker = build_marker({"all:1": "abc"}, "20261204T000000Z")
    assert parse_marker(marker) == {"all:1": "abc"}
    assert parse_marker(json.dumps(marker)) == {"all:1": "abc"}


def test_foreign_marker_is_ignored():
    assert parse_marker(None) == {}
    assert parse_marker({"version": 99, "fingerprints": {"all:1": "x"}}) == {}
    assert parse_marker({"something": "else"}) == {}


def test_read_export_rows(tmp_path):
    (tmp_path / "annotator1.jsonl").write_text(
        json.dumps(_row(1, ["positive"])) + "\n\n" + json.dumps(_row(2, [])) + "\n", encoding="utf-8"
    )
    (tmp_path / "admin.jsonl").write_text("", encoding="utf-8")
    rows = read_export_rows(tmp_path)
    assert [(source, row["id"]) for source, row in rows] == [("annotator1", 1), ("annotator1", 2)]
