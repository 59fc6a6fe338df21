"""Safe handling of downloaded export archives: file names and zip extraction."""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
import zipfile
from email.message import Message
from pathlib import Path, PurePosixPath

from doccano_provider.client.exceptions import UnsafeArchiveError

MAX_EXTRACT_BYTES = 4 * 1024**3
"""Default cap of the total uncompressed size of an extracted export, in bytes (4 GiB)."""

MAX_EXTRACT_MEMBERS = 10_000
"""Default cap of the number of files in an extracted export."""

_CHUNK = 1024 * 1024
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def filename_from_content_disposition(header: str | None) -> str | None:
    """Return a safe file name from a ``Content-Disposition`` header, or ``None``.

    Directories are stripped. A name that still contains ``..``, control characters or other
    characters outside letters, digits, ``.``, ``_`` and ``-`` is rejected, so the name cannot
    leave the download folder, and so is a name that does not end in ``.zip``.
    """
    if not header:
        return None
    message = Message()
    message["Content-Disposition"] = header
    name = message.get_filename()
    if not name:
        return None
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if ".." in name or not _SAFE_NAME.match(name):
        return None
    # Any other extension could overwrite an unrelated file in the download folder, and a
    # name without ".zip" would equal the folder that extraction creates.
    if not name.lower().endswith(".zip") or len(name) == len(".zip"):
        return None
    return name


def _check_member(info: zipfile.ZipInfo) -> PurePosixPath:
    """Return the member's relative path, or raise if it is absolute, climbs up or is a link."""
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise UnsafeArchiveError(
            f"Archive member {info.filename!r} has an absolute path, so extraction stopped."
        )
    if ".." in path.parts:
        raise UnsafeArchiveError(f"Archive member {info.filename!r} contains '..', so extraction stopped.")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UnsafeArchiveError(
            f"Archive member {info.filename!r} is a symbolic link, so extraction stopped."
        )
    return path


def _check_unique(archive: Path, checked: list[tuple[zipfile.ZipInfo, PurePosixPath]]) -> None:
    """Raise if two members write the same path, or a file is also a parent folder of another."""
    files: dict[PurePosixPath, str] = {}
    folders: set[PurePosixPath] = set()
    for info, relative in checked:
        if not relative.parts:
            if info.is_dir():
                continue
            raise UnsafeArchiveError(
                f"Archive {archive.name} has a file member with no name ({info.filename!r})."
            )
        if info.is_dir():
            folders.add(relative)
        elif relative in files:
            raise UnsafeArchiveError(
                f"Archive {archive.name} has two members named {info.filename!r}; extraction stopped "
                "because the second would overwrite the first."
            )
        else:
            files[relative] = info.filename
        folders.update(relative.parents)
    for relative, name in files.items():
        if relative in folders:
            raise UnsafeArchiveError(
                f"Archive member {name!r} of {archive.name} is both a file and a folder; extraction stopped."
            )


def safe_extract(
    archive: Path,
    target: Path,
    *,
    max_bytes: int = MAX_EXTRACT_BYTES,
    max_members: int = MAX_EXTRACT_MEMBERS,
) -> list[Path]:
    """Extract ``archive`` into the new folder ``target`` and return the extracted files.

    Every member is checked before anything is written: no absolute path, no ``..``, no
    symbolic link, no two members with the same path, at most ``max_members`` members and at
    most ``max_bytes`` declared uncompressed bytes. The bytes actually written are counted
    against the cap as well, and a member whose header understates its size fails the CRC
    check. The files are written to a temporary
    folder next to ``target`` that is renamed to ``target`` at the end, so a failed
    extraction leaves nothing behind.

    :raises UnsafeArchiveError: a member is unsafe or a cap is exceeded.
    :raises FileExistsError: ``target`` already exists.
    """
    if target.exists():
        raise FileExistsError(
            f"Extraction folder {target} already exists: remove it or choose another folder."
        )
    with zipfile.ZipFile(archive) as zip_file:
        members = zip_file.infolist()
        if len(members) > max_members:
            raise UnsafeArchiveError(
                f"Archive {archive.name} has {len(members)} members, more than the limit of {max_members}."
            )
        declared = sum(info.file_size for info in members)
        if declared > max_bytes:
            raise UnsafeArchiveError(
                f"Archive {archive.name} would extract to {declared} bytes, "
                f"more than the limit of {max_bytes}."
            )
        checked = [(info, _check_member(info)) for info in members]
        _check_unique(archive, checked)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            written = 0
            files = []
            for info, relative in checked:
                destination = staging.joinpath(*relative.parts)
                if info.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                with zip_file.open(info) as source, destination.open("wb") as sink:
                    while chunk := source.read(_CHUNK):
                        written += len(chunk)
                        if written > max_bytes:
                            raise UnsafeArchiveError(
                                f"Archive {archive.name} extracts to more than the limit of "
                                f"{max_bytes} bytes."
                            )
                        sink.write(chunk)
                files.append(relative)
            staging.rename(target)
        except zipfile.BadZipFile as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise UnsafeArchiveError(
                f"Archive {archive.name} is corrupt: {error}, so extraction stopped."
            ) from error
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return [target.joinpath(*relative.parts) for relative in files]
