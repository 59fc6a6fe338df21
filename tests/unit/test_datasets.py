"""Tests for the example DAGs' dataset helpers: conversion, CoNLL checks, download, summaries."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from example_dags import doccano_example_data as data

from doccano_provider.client.exceptions import InvalidArgumentError


@pytest.fixture
def poem_dir(shared_data: Path) -> Path:
    return shared_data / "poem_sentiment"


def test_poem_jsonl_has_all_verses(poem_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "out" / "poem.jsonl"
    count = data.poem_sentiment_to_jsonl(poem_dir, output)
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert count == 1101
    assert len(rows) == 1101
    assert rows[0] == {
        "text": "with pale blue berries. in these peaceful shades--",
        "label": [],
        "verse_id": "0",
        "split": "train",
    }
    assert {row["split"] for row in rows} == {"train", "dev", "test"}
    assert not list(output.parent.glob("*.part"))


def test_poem_jsonl_limit_and_labels(poem_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "poem.jsonl"
    count = data.poem_sentiment_to_jsonl(poem_dir, output, splits=["dev"], limit=3, include_labels=True)
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert count == 3
    assert [row["label"] for row in rows] == [["no impact"], ["positive"], ["no impact"]]
    assert all(row["split"] == "dev" for row in rows)


def test_poem_label_distribution(poem_dir: Path) -> None:
    labels = [verse.label for verse in data.read_poem_sentiment(poem_dir, ["train"])]
    assert len(labels) == 892
    assert labels.count("mixed") == 49
    assert set(labels) == {"negative", "no impact", "positive", "mixed"}


def test_poem_gold_covers_every_verse(poem_dir: Path) -> None:
    gold = data.poem_sentiment_gold(poem_dir)
    assert len(gold) == 1101
    assert gold["to water, cloudlike on the bush afar,"] == "no impact"


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("1\tverse without label\n", "expected 'id<TAB>verse<TAB>label'"),
        ("1\tverse\t7\n", "expected 'id<TAB>verse<TAB>label'"),
        ("1 verse 0\n", "expected 'id<TAB>verse<TAB>label'"),
    ],
)
def test_poem_bad_line_rejected(tmp_path: Path, line: str, fragment: str) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "dev.tsv").write_text("0\tgood verse\t1\n" + line, encoding="utf-8")
    with pytest.raises(InvalidArgumentError, match="dev.tsv:2") as error:
        list(data.read_poem_sentiment(tmp_path, ["dev"]))
    assert fragment in str(error.value)


def test_poem_unknown_split_rejected(poem_dir: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="'validation' is invalid"):
        list(data.read_poem_sentiment(poem_dir, ["validation"]))


def test_poem_missing_folder_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="is missing"):
        data.poem_sentiment_to_jsonl(tmp_path, tmp_path / "x.jsonl", splits=["dev"])


def test_poem_negative_limit_rejected(poem_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="limit=-1"):
        data.poem_sentiment_to_jsonl(poem_dir, tmp_path / "x.jsonl", limit=-1)


def test_conll_check_counts_wnut_dev(shared_data: Path) -> None:
    summary = data.check_conll(shared_data / "wnut17_emerging_entities" / "emerging.dev.conll")
    assert summary.sentences == 1009
    assert summary.tokens == 15733
    assert set(summary.entity_counts) == set(data.WNUT17_ENTITY_TYPES)
    assert summary.entity_counts["person"] == 470


def test_conll_spans_match_doccano_offsets() -> None:
    sentence = [("Empire", "B-location"), ("State", "I-location"), ("is", "O"), ("Big", "B-product")]
    text, spans = data.conll_spans(sentence)
    assert text == "Empire State is Big"
    assert spans == [(0, 12, "location"), (16, 19, "product")]
    assert text[0:12] == "Empire State"


def test_conll_spans_orphan_inside_tag_starts_entity() -> None:
    text, spans = data.conll_spans([("a", "O"), ("b", "I-group"), ("c", "I-person")])
    assert text == "a b c"
    assert spans == [(2, 3, "group"), (4, 5, "person")]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("token O\n", "expected 'token<TAB>tag'"),
        ("token\tO\textra\n", "expected 'token<TAB>tag'"),
        ("token\tX-person\n", "has tag 'X-person'"),
        ("token\tB-animal\n", "entity type 'animal'"),
        ("\n\n", "contains no sentences"),
    ],
)
def test_conll_check_rejects(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "bad.conll"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidArgumentError) as error:
        data.check_conll(path)
    assert fragment in str(error.value)


def test_conll_subset_round_trips(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "wnut17_emerging_entities" / "emerging.dev.conll"
    output = tmp_path / "sub.conll"
    assert data.subset_conll(source, output, 5) == 5
    assert data.check_conll(output).sentences == 5
    assert list(data.read_conll(output)) == list(data.read_conll(source))[:5]


def test_conll_gold_keyed_by_text(tmp_path: Path) -> None:
    path = tmp_path / "g.conll"
    path.write_text("Paris\tB-location\nrocks\tO\n\nhi\tO\n", encoding="utf-8")
    assert data.conll_gold(path) == {"Paris rocks": [(0, 5, "location")], "hi": []}


def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def upstream(poem_dir: Path) -> Iterator[str]:
    """A local HTTP server with the same file layout as the upstream repository."""
    yield from _serve(poem_dir)


def test_fetch_downloads_and_verifies(upstream: str, tmp_path: Path) -> None:
    folder = data.fetch_poem_sentiment(tmp_path / "poem", source=upstream)
    data.verify_sha256(folder, data.POEM_SENTIMENT_SHA256)
    assert sum(1 for _ in data.read_poem_sentiment(folder)) == 1101
    assert not list(folder.rglob("*.part"))


def test_fetch_rejects_wrong_digest(upstream: str, tmp_path: Path) -> None:
    expected = dict(data.POEM_SENTIMENT_SHA256)
    expected["data/dev.tsv"] = "0" * 64
    with pytest.raises(InvalidArgumentError, match="expected 0000"):
        data.fetch_poem_sentiment(tmp_path / "poem", source=upstream, expected=expected)
    assert not (tmp_path / "poem" / "data" / "dev.tsv").exists()
    assert not list((tmp_path / "poem").rglob("*.part"))


def test_fetch_keeps_verified_files(poem_dir: Path, tmp_path: Path) -> None:
    folder = data.fetch_poem_sentiment(tmp_path / "poem", source=poem_dir.as_uri())
    before = (folder / "data" / "train.tsv").stat().st_mtime_ns
    # A second call with an unreachable source succeeds because every file is already verified.
    data.fetch_poem_sentiment(folder, source="http://127.0.0.1:9/")
    assert (folder / "data" / "train.tsv").stat().st_mtime_ns == before


def test_fetch_replaces_corrupt_file(poem_dir: Path, tmp_path: Path) -> None:
    folder = data.fetch_poem_sentiment(tmp_path / "poem", source=poem_dir.as_uri())
    (folder / "data" / "dev.tsv").write_text("corrupt", encoding="utf-8")
    data.fetch_poem_sentiment(folder, source=poem_dir.as_uri())
    digest = hashlib.sha256((folder / "data" / "dev.tsv").read_bytes()).hexdigest()
    assert digest == data.POEM_SENTIMENT_SHA256["data/dev.tsv"]


def test_fetch_unreachable_source_raises(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        data.fetch_poem_sentiment(tmp_path / "poem", source="http://127.0.0.1:9/", timeout=5)


def test_pinned_digests_match_shared_sums(poem_dir: Path) -> None:
    sums = data.read_sha256sums(poem_dir / "SHA256SUMS")
    for name, digest in data.POEM_SENTIMENT_SHA256.items():
        assert sums[name] == digest


def test_locate_prefers_env_folder(poem_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCCANO_POEM_SENTIMENT_DIR", str(poem_dir))
    assert data.locate_poem_sentiment() == poem_dir


def test_locate_downloads_without_local_copy(
    upstream: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCCANO_POEM_SENTIMENT_DIR", str(tmp_path / "absent"))
    monkeypatch.setenv("DOCCANO_SHARED_DIR", str(tmp_path / "absent-shared"))
    monkeypatch.setattr(data, "ROOT", tmp_path / "checkout")
    folder = data.locate_poem_sentiment(tmp_path / "download", source=upstream)
    assert folder == tmp_path / "download"
    assert (folder / "data" / "train.tsv").is_file()


def test_locate_rejects_corrupt_local_copy(
    poem_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = data.fetch_poem_sentiment(tmp_path / "copy", source=poem_dir.as_uri())
    (copy / "data" / "test.tsv").write_text("changed", encoding="utf-8")
    monkeypatch.setenv("DOCCANO_POEM_SENTIMENT_DIR", str(copy))
    with pytest.raises(InvalidArgumentError, match="test.tsv has SHA-256"):
        data.locate_poem_sentiment()


def test_summarize_classification_and_spans(tmp_path: Path) -> None:
    (tmp_path / "annotator1.jsonl").write_text(
        '{"id": 1, "text": "a", "label": ["positive"]}\n{"id": 2, "text": "b", "label": []}\n\n',
        encoding="utf-8",
    )
    (tmp_path / "annotator2.jsonl").write_text(
        '{"id": 3, "text": "Paris rocks", "label": [[0, 5, "location"]]}\n', encoding="utf-8"
    )
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    summary = data.summarize_jsonl_export(sorted(tmp_path.iterdir()))
    assert summary["files"] == {"annotator1.jsonl": 2, "annotator2.jsonl": 1}
    assert summary["examples"] == 3
    assert summary["labeled"] == 2
    assert summary["label_distribution"] == {"positive": 1, "location": 1}


def test_find_export_prefers_event_files(tmp_path: Path) -> None:
    old = tmp_path / "exports" / "run1"
    old.mkdir(parents=True)
    (old / "admin.jsonl").write_text("{}\n", encoding="utf-8")
    named = tmp_path / "elsewhere" / "a.jsonl"
    named.parent.mkdir()
    named.write_text("{}\n", encoding="utf-8")
    extras = [{"files": [str(old / "admin.jsonl")]}, {"files": [str(named), str(tmp_path / "gone.jsonl")]}]
    assert data.find_export_files(extras, tmp_path / "exports") == [named]


def test_find_export_falls_back_to_newest_folder(tmp_path: Path) -> None:
    for index, name in enumerate(["run1", "run2"]):
        folder = tmp_path / "exports" / name
        folder.mkdir(parents=True)
        (folder / "admin.jsonl").write_text("{}\n", encoding="utf-8")
        os.utime(folder, (1_000_000 + index, 1_000_000 + index))
    files = data.find_export_files([{}], tmp_path / "exports")
    assert files == [tmp_path / "exports" / "run2" / "admin.jsonl"]


def test_find_export_without_any_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="No export found"):
        data.find_export_files([], tmp_path / "exports")
