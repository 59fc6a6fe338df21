"""Dataset upload against the real Doccano server, with the shared real datasets."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from doccano_provider.client import DoccanoClient, InvalidArgumentError, TaskFailedError
from tests.integration.counting_session import CountingSession

pytestmark = pytest.mark.integration

POEM_LABELS = {"-1": "negative", "0": "no_impact", "1": "positive", "2": "mixed"}
WNUT_TYPES = {"person", "location", "group", "corporation", "product", "creative-work"}


def _license_record_counts(folder: Path, unit: str) -> dict[str, int]:
    """Read the ``<file> -> <file>  <count> <unit>`` lines of a dataset's LICENSE-SOURCE.txt."""
    text = (folder / "LICENSE-SOURCE.txt").read_text()
    pattern = rf"->\s+(\S+)\s+([\d,]+) {unit}"
    return {name: int(count.replace(",", "")) for name, count in re.findall(pattern, text)}


def _poem_tsv_to_jsonl(source: Path, target: Path, label_totals: dict[str, int]) -> int:
    """Convert one poem_sentiment TSV (id, verse, label; no header) to Doccano JSONL.

    Adds the file's label counts to ``label_totals`` and returns its number of rows.
    """
    rows = 0
    with source.open(newline="", encoding="utf-8") as tsv, target.open("w", encoding="utf-8") as out:
        for verse_id, verse, label in csv.reader(tsv, delimiter="\t", quoting=csv.QUOTE_NONE):
            name = POEM_LABELS[label]
            label_totals[name] = label_totals.get(name, 0) + 1
            record = {"text": verse, "label": [name], "verse_id": int(verse_id)}
            out.write(json.dumps(record) + "\n")
            rows += 1
    return rows


@pytest.fixture
def counting_client(doccano_server, admin_client):
    session = CountingSession()
    client = DoccanoClient(doccano_server.url, token=admin_client.token, session=session)
    yield client, session
    client.close()


def test_poem_sentiment_upload(admin_client, project_factory, shared_data, tmp_path):
    folder = shared_data / "poem_sentiment"
    counts = _license_record_counts(folder, "records")
    assert counts == {"data/train.tsv": 892, "data/dev.tsv": 105, "data/test.tsv": 104}
    files = []
    label_totals: dict[str, int] = {}
    for name, expected in counts.items():
        target = tmp_path / (Path(name).stem + ".jsonl")
        assert _poem_tsv_to_jsonl(folder / name, target, label_totals) == expected
        files.append(str(target))
    project = project_factory("DocumentClassification", single_class_classification=True)

    status = admin_client.upload(project.id, files, "DocumentClassification", "JSONL")

    assert status.ready
    assert status.errors == []
    assert status.warnings == []
    assert admin_client.count_examples(project.id) == sum(counts.values()) == 1101
    labels = {label.text for label in admin_client.list_label_types(project.id, "category")}
    assert labels == set(POEM_LABELS.values())
    distribution = admin_client._transport.get(f"/v1/projects/{project.id}/metrics/category-distribution")
    assert distribution["admin"] == label_totals
    assert label_totals["mixed"] == 49


def test_wnut17_conll_upload(admin_client, project_factory, shared_data):
    folder = shared_data / "wnut17_emerging_entities"
    counts = _license_record_counts(folder, "sentences")
    assert counts == {"emerging.dev.conll": 1009, "emerging.test.annotated": 1287}
    entity_count = sum(
        line.split("\t")[1].startswith("B-")
        for name in counts
        for line in (folder / name).read_text(encoding="utf-8").splitlines()
        if "\t" in line
    )
    project = project_factory("SequenceLabeling")
    files = [str(folder / name) for name in counts]

    status = admin_client.upload(
        project.id, files, "SequenceLabeling", "CoNLL", options={"scheme": "IOB2", "delimiter": " "}
    )

    assert status.errors == []
    assert admin_client.count_examples(project.id) == 2296
    span_types = {label.text for label in admin_client.list_label_types(project.id, "span")}
    assert span_types == WNUT_TYPES
    distribution = admin_client._transport.get(f"/v1/projects/{project.id}/metrics/span-distribution")
    assert sum(distribution["admin"].values()) == entity_count == 836 + 1079


def test_bad_lines_are_returned(admin_client, project_factory, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"text": "fine one", "label": ["ok"]}\n'
        "this is not json\n"
        '{"text": "", "label": ["ok"]}\n'
        '{"text": "fine two", "label": ["ok"]}\n'
    )
    project = project_factory("DocumentClassification")

    status = admin_client.upload(project.id, [str(path)], "DocumentClassification", "JSONL")

    assert [entry["line"] for entry in status.errors] == [2, 3]
    assert {entry["filename"] for entry in status.errors} == {"mixed.jsonl"}
    assert "Expecting value" in status.errors[0]["message"]
    assert admin_client.count_examples(project.id) == 2


def test_crashed_import_raises_task_failed(admin_client, project_factory, tmp_path):
    # Doccano 1.8.4 on SQLite stores NaN in meta when rows have different extra keys, and
    # the whole import task then crashes on a JSON check constraint.
    path = tmp_path / "uneven.jsonl"
    path.write_text('{"text": "a", "label": ["x"]}\n{"text": "b", "label": ["x"], "extra": 1}\n')
    project = project_factory("DocumentClassification")

    with pytest.raises(TaskFailedError, match="failed on the server: CHECK constraint failed") as info:
        admin_client.upload(project.id, [str(path)], "DocumentClassification", "JSONL")

    assert info.value.task_id
    assert admin_client.count_examples(project.id) == 0


def test_missing_label_column_is_a_warning(admin_client, project_factory, tmp_path):
    path = tmp_path / "unlabelled.jsonl"
    path.write_text('{"text": "one"}\n{"text": "two"}\n')
    project = project_factory("DocumentClassification")

    status = admin_client.upload(project.id, [str(path)], "DocumentClassification", "JSONL")

    assert status.errors == []
    assert status.warnings == [
        {"filename": "unlabelled.jsonl", "line": 0, "message": "Column label not found in the file"}
    ]
    assert admin_client.count_examples(project.id) == 2


def test_csv_with_custom_columns(admin_client, project_factory, tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("sentence;gold\nthe cat sat;animal\nthe car drove;vehicle\n")
    project = project_factory("DocumentClassification")

    status = admin_client.upload(
        project.id,
        [str(path)],
        "DocumentClassification",
        "CSV",
        column_data="sentence",
        column_label="gold",
        options={"delimiter": ";"},
    )

    assert status.errors == []
    assert sorted(e.text for e in admin_client.list_examples(project.id)) == ["the car drove", "the cat sat"]
    assert {label.text for label in admin_client.list_label_types(project.id, "category")} == {
        "animal",
        "vehicle",
    }


def test_bad_format_rejected_before_upload(counting_client, project_factory, tmp_path):
    client, session = counting_client
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "x"}\n')
    project = project_factory("SequenceLabeling")

    with pytest.raises(InvalidArgumentError, match=r"'CSV'.*use one of CoNLL, JSONL, TextFile, TextLine"):
        client.upload(project.id, [str(path)], "SequenceLabeling", "CSV")

    assert session.sent == [
        ("GET", f"v1/projects/{project.id}"),
        ("GET", f"v1/projects/{project.id}/catalog"),
    ]
    assert client.count_examples(project.id) == 0


def test_relation_extraction_needs_use_relation(admin_client, project_factory, tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "x", "entities": [], "relations": []}\n')
    project = project_factory("SequenceLabeling")

    with pytest.raises(InvalidArgumentError, match="RelationExtraction needs a SequenceLabeling project"):
        admin_client.upload(project.id, [str(path)], "RelationExtraction", "JSONL")


def test_relation_extraction_upload(admin_client, project_factory, tmp_path):
    record = {
        "text": "Google was founded by Larry Page",
        "entities": [
            {"id": 1, "label": "ORG", "start_offset": 0, "end_offset": 6},
            {"id": 2, "label": "PER", "start_offset": 22, "end_offset": 32},
        ],
        "relations": [{"id": 1, "from_id": 2, "to_id": 1, "type": "founded"}],
    }
    path = tmp_path / "rel.jsonl"
    path.write_text(json.dumps(record) + "\n")
    project = project_factory("SequenceLabeling", use_relation=True)

    status = admin_client.upload(project.id, [str(path)], "RelationExtraction", "JSONL")

    assert status.errors == []
    example = next(iter(admin_client.list_examples(project.id)))
    spans = admin_client.list_spans(project.id, example.id)
    relations = admin_client.list_relations(project.id, example.id)
    assert sorted((s.start_offset, s.end_offset) for s in spans) == [(0, 6), (22, 32)]
    assert len(relations) == 1
    founded = admin_client.find_label_type_by_text(project.id, "founded", "relation")
    assert relations[0].type == founded.id


def test_intent_detection_upload(admin_client, project_factory, tmp_path):
    path = tmp_path / "intents.jsonl"
    path.write_text('{"text": "wake me up at 7am", "cats": ["set_alarm"], "entities": [[14, 17, "time"]]}\n')
    project = project_factory("IntentDetectionAndSlotFilling")

    status = admin_client.upload(project.id, [str(path)], "IntentDetectionAndSlotFilling", "JSONL")

    assert status.errors == []
    example = next(iter(admin_client.list_examples(project.id)))
    set_alarm = admin_client.find_label_type_by_text(project.id, "set_alarm", "category")
    assert [c.label for c in admin_client.list_categories(project.id, example.id)] == [set_alarm.id]
    assert [(s.start_offset, s.end_offset) for s in admin_client.list_spans(project.id, example.id)] == [
        (14, 17)
    ]


def test_image_upload_keeps_upload_names(admin_client, project_factory, shared_data):
    images = sorted((shared_data / "bccd_blood_cells_test" / "BCCD" / "JPEGImages").glob("*.jpg"))[:3]
    project = project_factory("ImageClassification")
    names = [f"sha-{index}-{image.name}" for index, image in enumerate(images)]

    status = admin_client.upload(
        project.id, [str(image) for image in images], "ImageClassification", "ImageFile", upload_names=names
    )

    assert status.errors == []
    examples = list(admin_client.list_examples(project.id))
    assert sorted(example.upload_name for example in examples) == sorted(names)
