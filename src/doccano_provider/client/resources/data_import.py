"""Dataset upload: import formats, file upload, ingest and task status."""

from __future__ import annotations

import logging
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import Field

from doccano_provider.client._polling import wait_for
from doccano_provider.client.exceptions import InvalidArgumentError, TaskFailedError, UnexpectedResponseError
from doccano_provider.client.resources._base import DoccanoModel, ResourceMixin

log = logging.getLogger("doccano_provider.client")

TASKS: tuple[str, ...] = (
    "DocumentClassification",
    "SequenceLabeling",
    "Seq2seq",
    "Speech2text",
    "ImageClassification",
    "BoundingBox",
    "Segmentation",
    "ImageCaptioning",
    "IntentDetectionAndSlotFilling",
    "RelationExtraction",
)
"""Values of the upload ``task``: a project type, or RelationExtraction for projects with relations."""

RELATION_EXTRACTION = "RelationExtraction"

MISSING_COLUMN_MESSAGE = "Column {} not found in the file"
"""Doccano's message (at line 0) for a file without a column. Without the label column the
examples are still imported without labels, but without the text column nothing is imported."""

LOGGED_ERRORS = 5
"""Rejected lines quoted in the warning log after an import."""


class DataImportOption(DoccanoModel):
    """One import format of a project's catalog; ``name`` is the value to pass as ``format``."""

    name: str
    display_name: str = ""
    task_id: str = ""
    accept_types: str = ""
    example: str = ""
    title: str = ""
    type: str = ""
    properties: dict[str, Any] = Field(default_factory=dict)


class TaskStatus(DoccanoModel):
    """State of an import task.

    ``errors`` lists the lines the server rejected (dicts with ``filename``, ``line`` and
    ``message``). The server still reports the task as successful when lines were rejected,
    and imports the valid lines. ``warnings`` lists the entries that rejected no line, such as
    a file without the label column (line 0), whose examples were imported without labels.
    """

    task_id: str | None = None
    ready: bool
    result: Any = None
    error: Any = None
    errors: list[dict[str, Any]] = Field(default_factory=list)
    warnings: list[dict[str, Any]] = Field(default_factory=list)


def _is_warning(entry: dict[str, Any], column_label: str) -> bool:
    """Tell whether an import error entry rejected no line (a missing label column)."""
    return entry.get("line") == 0 and entry.get("message") == MISSING_COLUMN_MESSAGE.format(column_label)


UPLOAD_CHUNK_BYTES = 1024 * 1024

_TASK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
"""Celery task ids and filepond upload ids: letters, digits, ``-`` and ``_``."""


class _MultipartFile:
    """A ``multipart/form-data`` body with one file field, read from the open file in chunks.

    ``requests`` reads a whole file into memory when it is passed as ``files=``. This body is
    passed as ``data=`` instead: ``requests`` reads its length and sends ``Content-Length``, and
    urllib3 reads it in blocks, so memory use stays flat for any file size. ``seek(0)`` lets
    the transport resend it on a retry.
    """

    def __init__(self, field: str, filename: str, handle: BinaryIO) -> None:
        self.boundary = secrets.token_hex(16)
        quoted = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        self._head = (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{quoted}"\r\n\r\n'
        ).encode()
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._handle = handle
        self._size = os.fstat(handle.fileno()).st_size
        self._position = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return len(self._head) + self._size + len(self._tail)

    def seek(self, offset: int) -> None:
        if offset != 0:
            raise ValueError("The upload body can only be rewound to the start.")
        self._handle.seek(0)
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = len(self)
        parts = []
        while size > 0:
            part = self._read_part(size)
            if not part:
                break
            parts.append(part)
            size -= len(part)
        return b"".join(parts)

    def _read_part(self, size: int) -> bytes:
        head_end = len(self._head)
        file_end = head_end + self._size
        if self._position < head_end:
            part = self._head[self._position : self._position + size]
        elif self._position < file_end:
            part = self._handle.read(min(size, file_end - self._position))
            if not part:
                raise OSError(f"Upload file {self._handle.name!r} shrank while it was being sent.")
        else:
            part = self._tail[self._position - file_end : self._position - file_end + size]
        self._position += len(part)
        return part

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(UPLOAD_CHUNK_BYTES):
            yield chunk


def _task_status(
    task_id: str,
    body: dict[str, Any],
    upload_names: dict[str, str] | None = None,
    column_label: str = "label",
) -> TaskStatus:
    """Build a :class:`TaskStatus` from a ``/v1/tasks/status`` body.

    A JSON parse error names the server's temporary file, whose path contains the upload id;
    ``upload_names`` maps upload ids back to the uploaded file names.
    """
    result = body.get("result")
    entries = result.get("error", []) if isinstance(result, dict) else []
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    for raw in entries:
        entry = dict(raw) if isinstance(raw, dict) else {"message": str(raw)}
        filename = str(entry.get("filename", ""))
        for upload_id, name in (upload_names or {}).items():
            if f"/{upload_id}/" in filename:
                entry["filename"] = name
        (warnings if _is_warning(entry, column_label) else errors).append(entry)
    return TaskStatus(
        task_id=task_id,
        ready=bool(body.get("ready")),
        result=result,
        error=body.get("error"),
        errors=errors,
        warnings=warnings,
    )


def _check_readable_files(file_paths: object) -> list[Path]:
    """Return the upload files as paths; one path given as a string or ``PathLike`` is accepted."""
    if isinstance(file_paths, (str, os.PathLike)):
        file_paths = [file_paths]
    if not isinstance(file_paths, (list, tuple)):
        raise InvalidArgumentError(
            f"Invalid file_paths {file_paths!r}: pass a list of file paths, e.g. ['data.jsonl']."
        )
    paths = []
    for file_path in file_paths:
        if not isinstance(file_path, (str, os.PathLike)) or not str(file_path):
            raise InvalidArgumentError(f"Invalid upload file {file_path!r}: pass the path of a file.")
        path = Path(file_path)
        if not path.is_file():
            raise InvalidArgumentError(f"Upload file {file_path!r} does not exist or is not a regular file.")
        # NOTE: os.access is always true for root, so an unreadable file only fails when opened.
        if not os.access(path, os.R_OK):
            raise InvalidArgumentError(f"Upload file {file_path!r} is not readable: check its permissions.")
        if path.stat().st_size == 0:
            raise InvalidArgumentError(
                f"Upload file {file_path!r} is empty: the server would import nothing and report no error."
            )
        paths.append(path)
    if not paths:
        raise InvalidArgumentError("file_paths is empty: pass at least one file to upload.")
    return paths


def _select_option(
    options: list[DataImportOption], task: str, format: str, project_id: int
) -> DataImportOption:  # noqa: A002
    """Return the catalog entry for ``format`` and ``task``, or raise listing the valid names."""
    for option in options:
        if option.name == format and option.task_id == task:
            return option
    valid = sorted({option.name for option in options if option.task_id == task})
    if not valid:
        raise InvalidArgumentError(
            f"Project {project_id} has no import format for task {task}: RelationExtraction needs a "
            "SequenceLabeling project created with use_relation=True."
        )
    raise InvalidArgumentError(
        f"Invalid upload format {format!r} for task {task} in project {project_id}: "
        f"use one of {', '.join(valid)}."
    )


class DataImportCalls(ResourceMixin):
    """Dataset upload: import formats, file upload, ingest and task status."""

    def list_upload_options(self, project_id: int) -> list[DataImportOption]:
        """Return the import formats the project accepts, with their parameters (admin only)."""
        body = self._transport.get(f"/v1/projects/{project_id}/catalog")
        return [DataImportOption.model_validate(item) for item in body]

    def get_task_status(self, task_id: str) -> TaskStatus:
        """Return the state of an import task. An unknown id stays ``ready=False`` forever."""
        if not _TASK_ID.match(task_id):
            raise InvalidArgumentError(
                f"Invalid task_id {task_id!r}: use the Celery task id that upload returned, e.g. a UUID."
            )
        return _task_status(task_id, self._transport.get(f"/v1/tasks/status/{task_id}"))

    def upload(
        self,
        project_id: int,
        file_paths: list[str] | str | os.PathLike[str],
        task: str,
        format: str,  # noqa: A002 - the public API names this parameter 'format'
        column_data: str = "text",
        column_label: str = "label",
        *,
        options: dict[str, Any] | None = None,
        upload_names: list[str] | None = None,
        timeout: float = 600.0,
    ) -> TaskStatus:
        """Upload files into a project and wait until the server has imported them.

        Every argument is checked before anything is sent: the files must be readable, ``task``
        must be the project's type (or RelationExtraction in a project with relations),
        ``format`` must be in the project's catalog, and each key of ``options`` must be a
        parameter of that format. Then each file goes to ``/v1/fp/process/``, one ingest
        request names them all, and the import task is polled until it finishes.

        :param project_id: the project to import into.
        :param file_paths: local files; one path as a string or ``PathLike`` is accepted too
            and uploaded as a list of one. Empty files are rejected.
        :param task: the project type, or ``RelationExtraction``.
        :param format: an import format name from :meth:`list_upload_options`, e.g. ``JSONL``.
        :param column_data: the field or column that holds the text.
        :param column_label: the field or column that holds the labels.
        :param options: other parameters of the format, e.g. ``{"encoding": "utf_8"}``,
            ``{"delimiter": "\\t"}`` or ``{"scheme": "IOB2"}``.
        :param upload_names: the name each file is uploaded under, in the order of
            ``file_paths``; the local file name by default. Image and audio examples keep it
            as ``upload_name``.
        :param timeout: seconds to wait for the import task.
        :return: the finished task; ``errors`` lists the rejected lines.
        :raises InvalidArgumentError: an argument is invalid; nothing was sent.
        :raises TaskFailedError: the import task crashed on the server. Doccano 1.8.4 on SQLite
            does so, after about 6 s of retries and with nothing imported, when JSONL records
            have different extra keys, because the missing ones become NaN in ``meta``.
        :raises WaitTimeoutError: the task did not finish within ``timeout``.
        """
        paths = _check_readable_files(file_paths)
        names = self._upload_names(paths, upload_names)
        if task not in TASKS:
            raise InvalidArgumentError(f"Invalid upload task {task!r}: use one of {', '.join(TASKS)}.")
        if timeout <= 0:
            raise InvalidArgumentError(f"Invalid timeout {timeout!r}: use a positive number of seconds.")
        project_type = self._transport.get(f"/v1/projects/{project_id}")["project_type"]
        if task not in (project_type, RELATION_EXTRACTION):
            raise InvalidArgumentError(
                f"Invalid upload task {task!r} for project {project_id}, whose type is {project_type}: "
                f"use {project_type!r}, or 'RelationExtraction' in a project with relations."
            )
        option = _select_option(self.list_upload_options(project_id), task, format, project_id)
        extra = dict(options or {})
        reserved = sorted(set(extra) & {"column_data", "column_label", "format", "task", "uploadIds"})
        if reserved:
            raise InvalidArgumentError(
                f"Invalid option(s) {', '.join(reserved)} in options: "
                "pass them as upload() arguments instead."
            )
        unknown = sorted(set(extra) - set(option.properties))
        if unknown:
            raise InvalidArgumentError(
                f"Invalid option(s) {', '.join(unknown)} for upload format {format!r}: "
                f"this format accepts {', '.join(sorted(option.properties)) or 'no options'}."
            )

        started = time.monotonic()
        upload_ids = [self._send_file(path, name) for path, name in zip(paths, names, strict=True)]
        body = {
            **extra,
            "uploadIds": upload_ids,
            "format": format,
            "task": task,
            "column_data": column_data,
            "column_label": column_label,
        }
        task_id = self._transport.post(f"/v1/projects/{project_id}/upload", json=body)["task_id"]
        log.info("Started import task %s for %d file(s) into project %s.", task_id, len(paths), project_id)
        id_to_name = dict(zip(upload_ids, names, strict=True))
        status = wait_for(
            lambda: self._finished_import(task_id, id_to_name, column_label),
            timeout=timeout,
            task_id=task_id,
            description="Import task",
        )
        self._log_import_result(project_id, status, len(paths), time.monotonic() - started)
        return status

    @staticmethod
    def _upload_names(paths: list[Path], upload_names: list[str] | None) -> list[str]:
        if upload_names is None:
            return [path.name for path in paths]
        if len(upload_names) != len(paths):
            raise InvalidArgumentError(
                f"upload_names has {len(upload_names)} name(s) for {len(paths)} file(s): "
                "give one name per file."
            )
        for name in upload_names:
            if not name or "/" in name or "\\" in name:
                raise InvalidArgumentError(
                    f"Invalid upload name {name!r}: use a file name without directories."
                )
        return list(upload_names)

    def _send_file(self, path: Path, name: str) -> str:
        """Send one file to the server's temporary upload area and return its upload id."""
        with path.open("rb") as handle:
            # Uploading the same file twice only leaves an unused temporary file, so retrying is safe.
            # The view returns text/plain and responds with 406 to the client's default JSON-only Accept.
            body = _MultipartFile("filepond", name, handle)
            response = self._transport.request(
                "POST",
                "/v1/fp/process/",
                data=body,
                headers={"Accept": "*/*", "Content-Type": body.content_type},
                retry_post=True,
            )
        upload_id = response.text.strip()
        if not _TASK_ID.match(upload_id) or len(upload_id) > 100:
            raise UnexpectedResponseError(
                f"POST {response.url} returned {upload_id[:80]!r} instead of an upload id: the URL does not "
                "look like Doccano's upload endpoint. Check the base URL.",
                method="POST",
                url=response.url,
                status_code=response.status_code,
            )
        log.debug("Uploaded %s as %s (upload id %s).", path, name, upload_id)
        return upload_id

    def _finished_import(
        self, task_id: str, upload_names: dict[str, str], column_label: str
    ) -> TaskStatus | None:
        body = self._transport.get(f"/v1/tasks/status/{task_id}")
        if not body.get("ready"):
            return None
        status = _task_status(task_id, body, upload_names, column_label)
        if status.error is not None:
            text = status.error.get("text") if isinstance(status.error, dict) else status.error
            raise TaskFailedError(
                f"Import task {task_id} failed on the server: {text}. Check the file format and the "
                "Doccano server log.",
                task_id=task_id,
                errors=[status.error] if isinstance(status.error, dict) else [],
            )
        return status

    @staticmethod
    def _log_import_result(project_id: int, status: TaskStatus, files: int, seconds: float) -> None:
        log.info(
            "Imported %d file(s) into project %s in %.1f s (task %s); %d rejected line(s).",
            files,
            project_id,
            seconds,
            status.task_id,
            len(status.errors),
        )
        if status.errors:
            log.warning(
                "Import task %s rejected %d line(s) in project %s; first ones: %s",
                status.task_id,
                len(status.errors),
                project_id,
                "; ".join(_describe(entry) for entry in status.errors[:LOGGED_ERRORS]),
            )
        # These notes rejected no line; a missing label column on an unlabelled upload is expected.
        for entry in status.warnings:
            log.info(
                "Import task %s in project %s: %s (no line rejected).",
                status.task_id,
                project_id,
                _describe(entry),
            )


def _describe(entry: dict[str, Any]) -> str:
    return f"{entry.get('filename', '?')} line {entry.get('line', '?')}: {entry.get('message', '')}"
