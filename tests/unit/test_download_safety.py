"""Download file naming and zip extraction safety, with mocked HTTP and hand-made zips."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest
import responses

from doccano_provider.client import (
    DoccanoClient,
    InvalidArgumentError,
    TaskFailedError,
    UnsafeArchiveError,
    WaitTimeoutError,
)
from doccano_provider.client._archive import filename_from_content_disposition, safe_extract

BASE = "http://127.0.0.1:9"
PROJECT = f"{BASE}/v1/projects/7"


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _mock_export(zip_body: bytes, content_disposition: str, not_ready_polls: int = 0) -> None:
    responses.get(f"{PROJECT}/download-format", json=[{"name": "JSONL", "example": ""}])
    responses.post(f"{PROJECT}/download", json={"task_id": "t-1"})
    for _ in range(not_ready_polls):
        responses.get(f"{PROJECT}/download", json={"status": "Not ready"})
    responses.get(
        f"{PROJECT}/download",
        body=zip_body,
        content_type="application/zip",
        headers={"Content-Disposition": content_disposition},
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('attachment; filename="57d08390-eb29.zip"', "57d08390-eb29.zip"),
        ('attachment; filename="../../escape.zip"', "escape.zip"),
        ('attachment; filename="/etc/cron.d/evil.zip"', "evil.zip"),
        ('attachment; filename="..\\\\..\\\\win.zip"', "win.zip"),
        ("attachment; filename*=UTF-8''..%2F..%2Fencoded.zip", "encoded.zip"),
        ('attachment; filename=".."', None),
        ('attachment; filename="a..zip"', None),
        ('attachment; filename=".hidden.zip"', None),
        ('attachment; filename="a b\tc.zip"', None),
        ("attachment", None),
        (None, None),
    ],
)
def test_filename_from_content_disposition(header, expected):
    assert filename_from_content_disposition(header) == expected


@responses.activate
def test_download_strips_directories_from_header(tmp_path):
    target = tmp_path / "out"
    _mock_export(_zip_bytes({"admin.jsonl": b"{}\n"}), 'attachment; filename="../../escape.zip"', 2)
    client = DoccanoClient(BASE, token="t")

    path = client.download(7, "JSONL", dir_name=str(target))

    assert path == target / "escape.zip"
    assert path.is_file()
    assert not (tmp_path / "escape.zip").exists()
    assert sorted(p.name for p in target.iterdir()) == ["escape.zip"]


@responses.activate
def test_download_falls_back_for_unsafe_name(tmp_path):
    _mock_export(_zip_bytes({"admin.jsonl": b"{}\n"}), 'attachment; filename=".."')
    client = DoccanoClient(BASE, token="t")

    path = client.download(7, "JSONL", dir_name=str(tmp_path))

    assert path.name == "doccano-project-7-export-t-1.zip"
    assert zipfile.is_zipfile(path)


@responses.activate
def test_download_rejects_zip_slip_on_extract(tmp_path):
    evil = _zip_bytes({"admin.jsonl": b"{}\n", "../../outside.txt": b"pwned"})
    _mock_export(evil, 'attachment; filename="export.zip"')
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(UnsafeArchiveError, match=r"\.\./\.\./outside\.txt"):
        client.download(7, "JSONL", dir_name=str(tmp_path / "d"), extract=True)

    assert not (tmp_path / "outside.txt").exists()
    assert not (tmp_path / "d" / "export").exists()
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["export.zip"]


@responses.activate
def test_download_bad_format_sends_nothing(tmp_path):
    responses.get(f"{PROJECT}/download-format", json=[{"name": "JSONL", "example": ""}])
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(InvalidArgumentError, match="'CSV'.*use one of JSONL"):
        client.download(7, "CSV", dir_name=str(tmp_path))

    assert [call.request.method for call in responses.calls] == ["GET"]


@responses.activate
def test_download_failed_task_raises_with_server_text(tmp_path):
    responses.get(f"{PROJECT}/download-format", json=[{"name": "JSONL", "example": ""}])
    responses.post(f"{PROJECT}/download", json={"task_id": "t-9"})
    responses.get(
        f"{PROJECT}/download", status=500, body="<h1>Server Error (500)</h1>", content_type="text/html"
    )
    responses.get(
        f"{BASE}/v1/tasks/status/t-9", json={"ready": True, "result": None, "error": {"text": "'XML'"}}
    )
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(TaskFailedError, match="t-9.*'XML'") as info:
        client.download(7, "JSONL", dir_name=str(tmp_path))

    assert info.value.task_id == "t-9"
    assert list(tmp_path.iterdir()) == []


@responses.activate
def test_download_timeout_names_task(tmp_path):
    responses.get(f"{PROJECT}/download-format", json=[{"name": "JSONL", "example": ""}])
    responses.post(f"{PROJECT}/download", json={"task_id": "t-slow"})
    responses.get(f"{PROJECT}/download", json={"status": "Not ready"})
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(WaitTimeoutError, match="Export task t-slow"):
        client.download(7, "JSONL", dir_name=str(tmp_path), timeout=0.6)


@responses.activate
def test_download_rejects_non_zip_body(tmp_path):
    _mock_export(b"not a zip at all", 'attachment; filename="x.zip"')
    client = DoccanoClient(BASE, token="t")

    with pytest.raises(Exception, match="not a zip"):
        client.download(7, "JSONL", dir_name=str(tmp_path))

    assert list(tmp_path.iterdir()) == []


def _write_zip(path: Path, members: dict[str, bytes]) -> Path:
    path.write_bytes(_zip_bytes(members))
    return path


def test_extract_writes_members(tmp_path):
    archive = _write_zip(tmp_path / "a.zip", {"admin.jsonl": b"1\n", "annotator1.jsonl": b"2\n"})

    files = safe_extract(archive, tmp_path / "a")

    assert sorted(f.name for f in files) == ["admin.jsonl", "annotator1.jsonl"]
    assert (tmp_path / "a" / "annotator1.jsonl").read_bytes() == b"2\n"


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("/etc/passwd", "absolute path"),
        ("C:/evil.txt", "absolute path"),
        ("a/../../b.txt", r"contains '\.\.'"),
    ],
)
def test_extract_rejects_unsafe_paths(tmp_path, member, reason):
    archive = _write_zip(tmp_path / "a.zip", {"ok.txt": b"x", member: b"y"})

    with pytest.raises(UnsafeArchiveError, match=reason):
        safe_extract(archive, tmp_path / "a")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip"]


def test_extract_rejects_symlink(tmp_path):
    link = zipfile.ZipInfo("link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(link, "/etc/passwd")
    (tmp_path / "a.zip").write_bytes(buffer.getvalue())

    with pytest.raises(UnsafeArchiveError, match="symbolic link"):
        safe_extract(tmp_path / "a.zip", tmp_path / "a")


def test_extract_caps_member_count(tmp_path):
    archive = _write_zip(tmp_path / "a.zip", {f"f{i}.txt": b"x" for i in range(5)})

    with pytest.raises(UnsafeArchiveError, match="5 members, more than the limit of 4"):
        safe_extract(archive, tmp_path / "a", max_members=4)


def test_extract_caps_total_size(tmp_path):
    archive = _write_zip(tmp_path / "a.zip", {"big.txt": b"0" * 2000})

    with pytest.raises(UnsafeArchiveError, match="2000 bytes, more than the limit of 1000"):
        safe_extract(archive, tmp_path / "a", max_bytes=1000)


def test_extract_rejects_understated_size(tmp_path, monkeypatch):
    archive = _write_zip(tmp_path / "a.zip", {"bomb.txt": b"0" * 5000})
    original = zipfile.ZipFile.infolist

    def understated(self):
        infos = original(self)
        for info in infos:
            info.file_size = 10
        return infos

    monkeypatch.setattr(zipfile.ZipFile, "infolist", understated)

    with pytest.raises(UnsafeArchiveError, match="corrupt.*CRC"):
        safe_extract(archive, tmp_path / "a", max_bytes=1000)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip"]


def test_extract_refuses_existing_folder(tmp_path):
    archive = _write_zip(tmp_path / "a.zip", {"x.txt": b"x"})
    (tmp_path / "a").mkdir()

    with pytest.raises(FileExistsError, match="already exists"):
        safe_extract(archive, tmp_path / "a")
