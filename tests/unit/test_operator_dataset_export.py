"""Upload and export operators against a mocked client: catalog checks, dedup, rejects, destinations."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest

from doccano_provider.client import InvalidArgumentError
from doccano_provider.operators.dataset import (
    DoccanoUploadDatasetOperator,
    TooManyRejectedLinesError,
    hash_from_upload_name,
)
from doccano_provider.operators.export import DoccanoDownloadExportOperator

JSONL_OPTION = SimpleNamespace(
    name="JSONL", task_id="DocumentClassification",
    properties={"encoding": {}, "column_data": {}, "column_label": {}},
)
TEXTLINE_OPTION = SimpleNamespace(name="TextLine", task_id="DocumentClassification", properties={"encoding": {}})


def _upload_client(counts: list[int], examples: list | None = None, errors: list | None = None) -> mock.MagicMock:
    client = mock.MagicMock()
    client.find_project_by_id.return_value = SimpleNamespace(id=4, project_type="DocumentClassification")
    client.list_upload_options.return_value = [JSONL_OPTION, TEXTLINE_OPTION]
    client.count_examples.side_effect = counts
    client.list_examples.return_value = iter(examples or [])
    client.upload.return_value = SimpleNamespace(errors=errors or [], warnings=[])
    return client


def _execute(operator, client: mock.MagicMock, module: str):
    context = {"ti": mock.MagicMock()}
    with (
        mock.patch(f"doccano_provider.operators.{module}.DoccanoHook.get_conn", return_value=client),
        mock.patch(f"doccano_provider.operators.{module}.DoccanoHook.project_url", return_value="http://d/projects/4"),
    ):
        return operator.execute(context)


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "reviews.jsonl"
    path.write_text('{"text": "good"}\n{"text": "bad"}\n')
    return path


def _upload(**kwargs) -> DoccanoUploadDatasetOperator:
    kwargs.setdefault("project_id", "4")
    kwargs.setdefault("format", "JSONL")
    return DoccanoUploadDatasetOperator(task_id="upload", **kwargs)


def test_upload_sends_hash_in_upload_name(data_file: Path) -> None:
    client = _upload_client(counts=[0, 0, 2])
    result = _execute(_upload(file_paths=str(data_file)), client, "dataset")
    assert result == {"project_id": 4, "imported": 2, "rejected": 0, "skipped_files": [], "errors": []}
    digest = hashlib.sha256(data_file.read_bytes()).hexdigest()
    (name,) = client.upload.call_args.kwargs["upload_names"]
    assert name == f"reviews.sha256-{digest}.jsonl"
    assert hash_from_upload_name(name) == digest


def test_upload_reads_object_storage_uri(data_file: Path) -> None:
    client = _upload_client(counts=[0, 0, 2])
    result = _execute(_upload(file_paths=[data_file.as_uri()]), client, "dataset")
    assert result["imported"] == 2
    sent = client.upload.call_args.args[1]
    assert len(sent) == 1
    assert sent[0] != str(data_file)


def test_upload_skips_content_already_imported(data_file: Path) -> None:
    digest = hashlib.sha256(data_file.read_bytes()).hexdigest()
    example = SimpleNamespace(upload_name=f"reviews.sha256-{digest}.jsonl")
    client = _upload_client(counts=[2], examples=[example])
    result = _execute(_upload(file_paths=[str(data_file)]), client, "dataset")
    assert result["skipped_files"] == [str(data_file)]
    assert result["imported"] == 0
    client.upload.assert_not_called()


def test_upload_sends_duplicate_files_once(data_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(data_file.read_bytes())
    client = _upload_client(counts=[0, 0, 2])
    result = _execute(_upload(file_paths=[str(data_file), str(copy)]), client, "dataset")
    assert result["skipped_files"] == [str(copy)]
    assert len(client.upload.call_args.args[1]) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"format": "XML"}, "JSONL, TextLine"),
        ({"format_options": {"delimiter": ";"}}, "delimiter"),
        ({"format": "TextLine", "column_data": "body"}, "column_data"),
    ],
)
def test_upload_checks_catalog_before_sending(data_file: Path, kwargs: dict, message: str) -> None:
    client = _upload_client(counts=[0])
    with pytest.raises(InvalidArgumentError, match=message):
        _execute(_upload(file_paths=str(data_file), **kwargs), client, "dataset")
    client.upload.assert_not_called()


def test_upload_missing_file_rejected(tmp_path: Path) -> None:
    client = _upload_client(counts=[0])
    with pytest.raises(InvalidArgumentError, match="does not exist"):
        _execute(_upload(file_paths=str(tmp_path / "nope.jsonl")), client, "dataset")
    client.upload.assert_not_called()


def test_upload_fails_above_max_rejected_lines(data_file: Path) -> None:
    errors = [{"filename": "reviews.jsonl", "line": 2, "message": "Invalid data in line 2"}]
    client = _upload_client(counts=[0, 0, 1], errors=errors)
    with pytest.raises(TooManyRejectedLinesError, match="line 2: Invalid data"):
        _execute(_upload(file_paths=str(data_file)), client, "dataset")


def test_upload_tolerates_rejected_lines_within_limit(data_file: Path) -> None:
    errors = [{"filename": "reviews.jsonl", "line": 2, "message": "Invalid data in line 2"}]
    client = _upload_client(counts=[0, 0, 1], errors=errors)
    result = _execute(_upload(file_paths=str(data_file), max_rejected_lines=1), client, "dataset")
    assert result["rejected"] == 1
    assert result["errors"] == [{"filename": "reviews.jsonl", "line": 2, "message": "Invalid data in line 2"}]


def test_upload_rejects_negative_max_rejected_lines() -> None:
    with pytest.raises(ValueError, match="max_rejected_lines"):
        _upload(file_paths="a.jsonl", max_rejected_lines=-1)


def _export_client(tmp_zip_members: dict[str, str]) -> mock.MagicMock:
    client = mock.MagicMock()
    client.list_download_options.return_value = [SimpleNamespace(name="JSONL"), SimpleNamespace(name="CSV")]

    def download(project_id, fmt, only_approved, dir_name, *, extract, timeout):
        archive = Path(dir_name) / "export-1.zip"
        with zipfile.ZipFile(archive, "w") as zip_file:
            for name, text in tmp_zip_members.items():
                zip_file.writestr(name, text)
        if not extract:
            return archive
        folder = Path(dir_name) / "export-1"
        with zipfile.ZipFile(archive) as zip_file:
            zip_file.extractall(folder)
        return folder

    client.download.side_effect = download
    return client


def _export(**kwargs) -> DoccanoDownloadExportOperator:
    kwargs.setdefault("project_id", 4)
    return DoccanoDownloadExportOperator(task_id="export", **kwargs)


def test_export_writes_archive_and_files_locally(tmp_path: Path) -> None:
    client = _export_client({"alice.jsonl": "{}\n", "admin.jsonl": "{}\n"})
    result = _execute(_export(destination=str(tmp_path / "out")), client, "export")
    assert result["project_id"] == 4
    assert Path(result["archive"]).is_file()
    assert sorted(Path(path).name for path in result["files"]) == ["admin.jsonl", "alice.jsonl"]
    assert all(Path(path).is_file() for path in result["files"])


def test_export_writes_to_object_storage_uri(tmp_path: Path) -> None:
    client = _export_client({"all.jsonl": "{}\n"})
    result = _execute(_export(destination=(tmp_path / "bucket").as_uri(), extract=False), client, "export")
    assert result["files"] == []
    assert (tmp_path / "bucket" / "export-1.zip").is_file()


def test_export_rejects_unknown_format(tmp_path: Path) -> None:
    client = _export_client({})
    with pytest.raises(InvalidArgumentError, match="JSONL, CSV"):
        _execute(_export(destination=str(tmp_path), format="XML"), client, "export")
    client.download.assert_not_called()


def test_export_declares_asset_outlet() -> None:
    operator = _export(destination="/tmp/x", export_asset_name="reviews")
    (asset,) = operator.outlets
    assert asset.uri == "doccano://export/reviews"
