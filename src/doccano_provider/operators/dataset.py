"""Upload dataset files into a Doccano project, once per file content."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from doccano_provider._arguments import parse_project_id
from doccano_provider._compat import AirflowFailException, BaseOperator, Context, ObjectStoragePath
from doccano_provider.client import InvalidArgumentError
from doccano_provider.hooks.doccano import DoccanoHook
from doccano_provider.links import DoccanoProjectLink

# Number of rejected lines quoted in the XCom value and in the failure message.
MAX_REPORTED_ERRORS = 10
HASH_CHUNK_BYTES = 1024 * 1024
_HASH_IN_NAME = re.compile(r"\.sha256-([0-9a-f]{64})(?:\.|$)")


class TooManyRejectedLinesError(AirflowFailException):
    """The server rejected more lines than ``max_rejected_lines`` allows; the task is not retried."""


@dataclass
class SourceFile:
    """One file to upload: where it came from, its local copy and its SHA-256."""

    source: str
    local_path: Path
    sha256: str

    @property
    def upload_name(self) -> str:
        """The name sent to Doccano, ``<stem>.sha256-<hex><suffix>``; examples keep it as ``upload_name``."""
        name = Path(self.source.rstrip("/").rsplit("/", 1)[-1])
        return f"{name.stem}.sha256-{self.sha256}{name.suffix}"


def hash_from_upload_name(upload_name: str) -> str | None:
    """Return the SHA-256 carried by an ``upload_name``, or ``None`` for other names."""
    match = _HASH_IN_NAME.search(upload_name or "")
    return match.group(1) if match else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(HASH_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_uri(path: str) -> bool:
    return "://" in path


class DoccanoUploadDatasetOperator(BaseOperator):
    """Import dataset files into a Doccano project and wait for the import.

    Files are local paths or URIs that ``ObjectStoragePath`` reads (``s3://``, ``gs://``,
    ``file://`` ...). The format, its options and the column mapping are checked against the
    project's import catalog before anything is sent.

    A retried or repeated task never imports the same content twice: each file is uploaded
    under ``<stem>.sha256-<hex><suffix>``, Doccano stores that name as every imported
    example's ``upload_name``, and files whose hash is already present in the project are
    skipped. Imported examples are counted with ``count_examples`` before and after.

    :param project_id: the Doccano project id.
    :param file_paths: one path or URI, or a list of them.
    :param format: an import format of the project's catalog, e.g. ``JSONL``, ``CSV``, ``CoNLL``.
    :param task: the import task; the project's type by default, or ``RelationExtraction``.
    :param column_data: the field or column that contains the text.
    :param column_label: the field or column that contains the labels.
    :param format_options: other parameters of the format, e.g. ``{"encoding": "utf_8"}``.
    :param max_rejected_lines: the task fails when the server rejects more lines than this.
    :param import_timeout: seconds to wait for the server's import task.
    :param doccano_conn_id: the ``doccano`` connection to use.
    """

    template_fields: Sequence[str] = (
        "project_id",
        "file_paths",
        "format",
        "task",
        "column_data",
        "column_label",
        "format_options",
        "doccano_conn_id",
    )
    template_fields_renderers = {"format_options": "json"}
    operator_extra_links = (DoccanoProjectLink(),)
    ui_color = "#c8e6fa"

    def __init__(
        self,
        *,
        project_id: int | str,
        file_paths: str | list[str],
        format: str,  # noqa: A002 - Doccano's name for the import format
        task: str | None = None,
        column_data: str = "text",
        column_label: str = "label",
        format_options: dict[str, Any] | None = None,
        max_rejected_lines: int = 0,
        import_timeout: float = 600.0,
        doccano_conn_id: str = DoccanoHook.default_conn_name,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if (
            isinstance(max_rejected_lines, bool)
            or not isinstance(max_rejected_lines, int)
            or max_rejected_lines < 0
        ):
            raise ValueError(f"Invalid max_rejected_lines {max_rejected_lines!r}: use an integer >= 0.")
        self.project_id = project_id
        self.file_paths = file_paths
        self.format = format
        self.task = task
        self.column_data = column_data
        self.column_label = column_label
        self.format_options = format_options
        self.max_rejected_lines = max_rejected_lines
        self.import_timeout = import_timeout
        self.doccano_conn_id = doccano_conn_id

    def _paths(self) -> list[str]:
        paths = [self.file_paths] if isinstance(self.file_paths, str) else list(self.file_paths or [])
        if not paths:
            raise InvalidArgumentError("file_paths is empty: pass at least one path or URI to upload.")
        for path in paths:
            if not isinstance(path, str) or not path.strip():
                raise InvalidArgumentError(f"Invalid file path {path!r}: use a local path or a URI string.")
        return paths

    def check_format(self, client: Any, project_id: int, task: str) -> None:
        """Check ``format``, ``format_options`` and the column mapping against the project's catalog.

        :raises InvalidArgumentError: naming the value and the valid choices.
        """
        options = [option for option in client.list_upload_options(project_id) if option.task_id == task]
        names = sorted({option.name for option in options})
        if not names:
            raise InvalidArgumentError(f"Project {project_id} has no import format for task {task!r}.")
        option = next((option for option in options if option.name == self.format), None)
        if option is None:
            raise InvalidArgumentError(
                f"Invalid format {self.format!r} for project {project_id} ({task}): "
                f"use one of {', '.join(names)}."
            )
        accepted = set(option.properties)
        unknown = sorted(set(self.format_options or {}) - accepted)
        if unknown:
            raise InvalidArgumentError(
                f"Invalid format_options {unknown} for format {self.format!r}: it accepts "
                f"{', '.join(sorted(accepted)) or 'none'}."
            )
        for name, value, default in (
            ("column_data", self.column_data, "text"),
            ("column_label", self.column_label, "label"),
        ):
            if value != default and name not in accepted:
                raise InvalidArgumentError(
                    f"Format {self.format!r} has no column mapping, so {name}={value!r} would be ignored: "
                    f"use a format with {name} ({', '.join(_formats_with(options, name))}) "
                    "or drop the argument."
                )

    def _fetch(self, paths: list[str], workdir: Path) -> list[SourceFile]:
        files = []
        for index, path in enumerate(paths):
            if _is_uri(path):
                source = ObjectStoragePath(path)
                if not source.is_file():
                    raise InvalidArgumentError(f"Upload file {path!r} does not exist or is not a file.")
                local = workdir / f"{index}-{source.name}"
                with source.open("rb") as reader, local.open("wb") as writer:
                    shutil.copyfileobj(reader, writer, HASH_CHUNK_BYTES)
            else:
                local = Path(path)
                if not local.is_file():
                    raise InvalidArgumentError(
                        f"Upload file {path!r} does not exist or is not a regular file."
                    )
            files.append(SourceFile(source=path, local_path=local, sha256=_sha256(local)))
        return files

    def _imported_hashes(self, client: Any, project_id: int) -> set[str]:
        # NOTE: Doccano 1.8.4 cannot filter examples by upload_name. A non-empty project is read
        # in full, which costs as much as listing its examples; an empty one costs one request.
        if client.count_examples(project_id) == 0:
            return set()
        hashes = set()
        for example in client.list_examples(project_id):
            digest = hash_from_upload_name(example.upload_name)
            if digest:
                hashes.add(digest)
        return hashes

    def execute(self, context: Context) -> dict[str, Any]:
        paths = self._paths()
        project_id = parse_project_id(self.project_id)
        hook = DoccanoHook(self.doccano_conn_id)
        client = hook.get_conn()
        project = client.find_project_by_id(project_id)
        DoccanoProjectLink.persist(context, hook.project_url(project_id))
        task = self.task or project.project_type
        self.check_format(client, project_id, task)

        with tempfile.TemporaryDirectory(prefix="doccano-upload-") as workdir:
            files = self._fetch(paths, Path(workdir))
            present = self._imported_hashes(client, project_id)
            unique: dict[str, SourceFile] = {}
            skipped: list[str] = []
            for file in files:
                if file.sha256 in present or file.sha256 in unique:
                    self.log.info(
                        "Skipping %s: project %s already has its content (sha256 %s).",
                        file.source,
                        project_id,
                        file.sha256[:12],
                    )
                    skipped.append(file.source)
                else:
                    unique[file.sha256] = file
            result: dict[str, Any] = {
                "project_id": project_id,
                "imported": 0,
                "rejected": 0,
                "skipped_files": skipped,
                "errors": [],
            }
            if not unique:
                return result
            before = client.count_examples(project_id)
            status = client.upload(
                project_id,
                [str(file.local_path) for file in unique.values()],
                task,
                self.format,
                self.column_data,
                self.column_label,
                options=self.format_options,
                upload_names=[file.upload_name for file in unique.values()],
                timeout=self.import_timeout,
            )
            after = client.count_examples(project_id)

        errors = [_short_error(entry) for entry in status.errors]
        result.update(imported=after - before, rejected=len(errors), errors=errors[:MAX_REPORTED_ERRORS])
        for warning in getattr(status, "warnings", []):
            self.log.warning("Import warning in project %s: %s", project_id, _short_error(warning))
        self.log.info(
            "Imported %d example(s) from %d file(s) into project %s; "
            "%d line(s) rejected, %d file(s) skipped.",
            result["imported"],
            len(unique),
            project_id,
            result["rejected"],
            len(skipped),
        )
        if result["rejected"] > self.max_rejected_lines:
            listed = "; ".join(
                f"{error['filename']} line {error['line']}: {error['message']}" for error in result["errors"]
            )
            # The valid lines are imported already and a retry would skip the file, so
            # retrying cannot help: the fix is in the data or in max_rejected_lines.
            raise TooManyRejectedLinesError(
                f"Doccano rejected {result['rejected']} line(s) of the upload into project {project_id}, "
                f"more than max_rejected_lines={self.max_rejected_lines}; "
                f"{result['imported']} example(s) were imported. "
                f"First errors: {listed}"
            )
        return result


def _formats_with(options: list[Any], parameter: str) -> list[str]:
    return [option.name for option in options if parameter in option.properties]


def _short_error(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "filename": str(entry.get("filename", "")),
        "line": entry.get("line"),
        "message": str(entry.get("message", ""))[:300],
    }
