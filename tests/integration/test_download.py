"""Dataset export against the real Doccano server."""

from __future__ import annotations

import json
import zipfile

import pytest

from doccano_provider.client import DoccanoClient, InvalidArgumentError
from tests.integration.counting_session import CountingSession

pytestmark = pytest.mark.integration


def _upload_texts(client, project_id: int, tmp_path, texts: list[str], label: str = "pos") -> list[int]:
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps({"text": text, "label": [label]}) + "\n" for text in texts))
    status = client.upload(project_id, [str(path)], "DocumentClassification", "JSONL")
    assert status.errors == []
    return [example.id for example in client.list_examples(project_id)]


def _read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_download_zip_has_one_file_per_member(admin_client, project_factory, tmp_path):
    project = project_factory("DocumentClassification")
    admin_client.add_member(project.id, "annotator1", "annotator")
    _upload_texts(admin_client, project.id, tmp_path, ["one", "two", "three"])

    archive = admin_client.download(project.id, "JSONL", dir_name=str(tmp_path / "out"))

    assert archive.parent == tmp_path / "out"
    assert archive.suffix == ".zip"
    assert [p.name for p in archive.parent.iterdir()] == [archive.name]
    with zipfile.ZipFile(archive) as zip_file:
        assert sorted(zip_file.namelist()) == ["admin.jsonl", "annotator1.jsonl"]
        rows = [json.loads(line) for line in zip_file.read("admin.jsonl").decode().splitlines()]
    assert sorted(row["text"] for row in rows) == ["one", "three", "two"]
    assert {tuple(row["label"]) for row in rows} == {("pos",)}


def test_download_extracts_collaborative_export(admin_client, project_factory, tmp_path):
    project = project_factory("DocumentClassification", collaborative_annotation=True)
    _upload_texts(admin_client, project.id, tmp_path, ["alpha", "beta"])

    folder = admin_client.download(project.id, "CSV", dir_name=str(tmp_path), extract=True)

    assert folder.is_dir()
    assert (tmp_path / (folder.name + ".zip")).is_file()
    assert [p.name for p in folder.iterdir()] == ["all.csv"]
    content = (folder / "all.csv").read_text()
    assert "alpha" in content
    assert "beta" in content


def test_download_only_approved(admin_client, annotator_clients, project_factory, tmp_path):
    project = project_factory("DocumentClassification")
    annotator = annotator_clients[0]
    admin_client.add_member(project.id, "annotator1", "annotator")
    example_ids = _upload_texts(admin_client, project.id, tmp_path, ["a", "b", "c", "d"])
    confirmed = example_ids[:2]
    for example_id in confirmed:
        annotator.confirm_example(project.id, example_id)

    folder = admin_client.download(
        project.id, "JSONL", only_approved=True, dir_name=str(tmp_path), extract=True
    )
    everything = admin_client.download(project.id, "JSONL", dir_name=str(tmp_path / "all"), extract=True)

    assert sorted(row["id"] for row in _read_jsonl(folder / "annotator1.jsonl")) == sorted(confirmed)
    assert _read_jsonl(folder / "admin.jsonl") == []
    assert len(_read_jsonl(everything / "annotator1.jsonl")) == 4


def test_download_sequence_labeling_export(admin_client, project_factory, tmp_path):
    project = project_factory("SequenceLabeling")
    path = tmp_path / "ner.jsonl"
    path.write_text(
        json.dumps({"text": "EU rejects German call", "label": [[0, 2, "ORG"], [11, 17, "MISC"]]}) + "\n"
    )
    admin_client.upload(project.id, [str(path)], "SequenceLabeling", "JSONL")

    folder = admin_client.download(project.id, "JSONL", dir_name=str(tmp_path), extract=True)

    rows = _read_jsonl(folder / "admin.jsonl")
    assert [sorted(map(tuple, row["label"])) for row in rows] == [[(0, 2, "ORG"), (11, 17, "MISC")]]


def test_download_bad_format_sends_no_export(doccano_server, admin_client, project_factory, tmp_path):
    project = project_factory("SequenceLabeling")
    session = CountingSession()
    client = DoccanoClient(doccano_server.url, token=admin_client.token, session=session)

    with pytest.raises(InvalidArgumentError, match="'CSV' for project .*: use one of JSONL"):
        client.download(project.id, "CSV", dir_name=str(tmp_path))

    assert session.sent == [("GET", f"v1/projects/{project.id}/download-format")]
    assert list(tmp_path.iterdir()) == []


def test_list_download_options(admin_client, project_factory):
    project = project_factory("Seq2seq")

    names = [option.name for option in admin_client.list_download_options(project.id)]

    assert sorted(names) == ["CSV", "JSON", "JSONL"]


def test_list_upload_options(admin_client, project_factory):
    project = project_factory("SequenceLabeling", use_relation=True)

    options = admin_client.list_upload_options(project.id)

    by_task = {(option.task_id, option.name) for option in options}
    assert ("RelationExtraction", "JSONL") in by_task
    conll = next(option for option in options if option.name == "CoNLL")
    assert {"scheme", "delimiter", "encoding"} <= set(conll.properties)
