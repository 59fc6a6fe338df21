"""Dataset download: export formats, the export task and safe saving of the zip."""

from __future__ import annotations

import logging
import os
import tempfile
import time
import zipfile
from pathlib import Path

import requests

from doccano_provider.client._archive import (
    MAX_EXTRACT_BYTES,
    MAX_EXTRACT_MEMBERS,
    filename_from_content_disposition,
    safe_extract,
)
from doccano_provider.client._polling import wait_for
from doccano_provider.client._transport import decode_json
from doccano_provider.client.exceptions import (
    InvalidArgumentError,
    ServerError,
    TaskFailedError,
    TransportError,
    UnexpectedResponseError,
)
from doccano_provider.client.resources._base import DoccanoModel, ResourceMixin

log = logging.getLogger("doccano_provider.client")

DOWNLOAD_CHUNK_BYTES = 1024 * 1024


class DataExportOption(DoccanoModel):
    """One export format of a project; ``name`` is the value to pass as ``format``."""

    name: str
    example: str = ""


class DataExportCalls(ResourceMixin):
    """Dataset download: export formats, the export task and safe saving of the zip."""

    def list_download_options(self, project_id: int) -> list[DataExportOption]:
        """Return the export formats of the project (admin only)."""
        body = self._transport.get(f"/v1/projects/{project_id}/download-format")
        return [DataExportOption.model_validate(item) for item in body]

    def download(
        self,
        project_id: int,
        format: str,  # noqa: A002 - the public API names this parameter 'format'
        only_approved: bool = False,
        dir_name: str | os.PathLike[str] = ".",
        *,
        extract: bool = False,
        timeout: float = 600.0,
        max_extract_bytes: int = MAX_EXTRACT_BYTES,
        max_extract_members: int = MAX_EXTRACT_MEMBERS,
    ) -> Path:
        """Export the project, wait for the export task and save the zip in ``dir_name``.

        The zip is streamed to a temporary file in ``dir_name`` and renamed when complete, so
        ``dir_name`` never contains a partial archive. Its name comes from the server's
        ``Content-Disposition`` header with any directory part removed; a name with ``..``,
        unusual characters or another extension than ``.zip``, or the name of a file that
        already exists, is replaced by ``doccano-project-<id>-export-<task id>.zip``.

        The zip holds one ``<username>.<ext>`` file per member, or ``all.<ext>`` in
        collaborative projects.

        :param project_id: the project to export.
        :param format: an export format name from :meth:`list_download_options`, e.g. ``JSONL``.
        :param only_approved: export only confirmed examples (Doccano's ``exportApproved``).
        :param dir_name: the folder to save into; created if missing.
        :param extract: also extract the zip into a folder named after it (without ``.zip``)
            and return that folder. Extraction rejects absolute paths, ``..`` and links.
        :param timeout: seconds to wait for the export task.
        :param max_extract_bytes: cap of the total uncompressed size when extracting.
        :param max_extract_members: cap of the number of files when extracting.
        :return: the path of the zip, or of the extracted folder with ``extract=True``.
        :raises InvalidArgumentError: ``format`` is not an export format of the project, or
            ``dir_name`` is not a folder; nothing was sent.
        :raises TaskFailedError: the export task failed on the server.
        :raises WaitTimeoutError: the export did not finish within ``timeout``.
        :raises TransportError: the zip download broke off; no partial file is left.
        :raises UnsafeArchiveError: with ``extract=True``, the zip is unsafe to extract.
        """
        if not isinstance(dir_name, (str, os.PathLike)) or not str(dir_name):
            raise InvalidArgumentError(f"Invalid dir_name {dir_name!r}: pass the path of a folder, e.g. '.'.")
        directory = Path(dir_name)
        if directory.exists() and not directory.is_dir():
            raise InvalidArgumentError(f"Download folder {dir_name!r} exists but is not a folder.")
        if timeout <= 0:
            raise InvalidArgumentError(f"Invalid timeout {timeout!r}: use a positive number of seconds.")
        valid = [option.name for option in self.list_download_options(project_id)]
        if format not in valid:
            raise InvalidArgumentError(
                f"Invalid export format {format!r} for project {project_id}: use one of {', '.join(valid)}."
            )
        directory.mkdir(parents=True, exist_ok=True)

        started = time.monotonic()
        body = {"format": format, "exportApproved": bool(only_approved)}
        task_id = self._transport.post(f"/v1/projects/{project_id}/download", json=body)["task_id"]
        log.info("Started export task %s for project %s (format %s).", task_id, project_id, format)
        response = wait_for(
            lambda: self._finished_export(project_id, task_id),
            timeout=timeout,
            task_id=task_id,
            description="Export task",
        )
        archive = _save_archive(response, directory, f"doccano-project-{project_id}-export-{task_id}.zip")
        log.info(
            "Downloaded the export of project %s to %s (%d bytes) in %.1f s.",
            project_id,
            archive,
            archive.stat().st_size,
            time.monotonic() - started,
        )
        if not extract:
            return archive
        folder = directory / archive.name.removesuffix(".zip")
        files = safe_extract(archive, folder, max_bytes=max_extract_bytes, max_members=max_extract_members)
        log.info("Extracted %d file(s) from %s into %s.", len(files), archive.name, folder)
        return folder

    def _finished_export(self, project_id: int, task_id: str) -> requests.Response | None:
        """Return the streaming zip response when the export is ready, ``None`` while it runs."""
        path = f"/v1/projects/{project_id}/download"
        try:
            response = self._transport.request("GET", path, params={"taskId": task_id}, stream=True)
        except ServerError as error:
            # Doccano returns 500 for a failed export task, and the task status contains the reason.
            reason = self._transport.get(f"/v1/tasks/status/{task_id}").get("error") or {}
            text = reason.get("text") if isinstance(reason, dict) else reason
            raise TaskFailedError(
                f"Export task {task_id} of project {project_id} failed on the server: {text or error}.",
                task_id=task_id,
                errors=[reason] if isinstance(reason, dict) and reason else [],
            ) from error
        if "json" not in response.headers.get("Content-Type", ""):
            return response
        with response:
            body = decode_json(response)
        if isinstance(body, dict) and body.get("status") == "Not ready":
            return None
        raise UnexpectedResponseError(
            f"GET {response.url} returned unexpected JSON instead of the export zip: {body!r:.200}",
            method="GET",
            url=response.url,
            status_code=response.status_code,
        )


def _save_archive(response: requests.Response, directory: Path, fallback_name: str) -> Path:
    """Stream the zip to a temporary file in ``directory`` and rename it to its final name.

    The server's file name is used only if no file of that name exists yet, so the download
    never replaces a file that it did not create for the same export task. The response is
    closed in every case.
    """
    with response:
        name = filename_from_content_disposition(response.headers.get("Content-Disposition"))
        if name is None or os.path.lexists(directory / name):
            name = fallback_name
        target = directory / name
        handle = tempfile.NamedTemporaryFile(
            dir=directory, prefix=".doccano-export-", suffix=".part", delete=False
        )
        temporary = Path(handle.name)
        try:
            with handle:
                try:
                    for chunk in response.iter_content(chunk_size=DOWNLOAD_CHUNK_BYTES):
                        handle.write(chunk)
                except requests.RequestException as error:
                    raise TransportError(
                        f"GET {response.url} broke off after {handle.tell()} bytes of the export zip: "
                        f"{error}. "
                        "Nothing was saved; call download again.",
                        method="GET",
                        url=response.url,
                    ) from error
            if not zipfile.is_zipfile(temporary):
                raise UnexpectedResponseError(
                    f"GET {response.url} returned {response.headers.get('Content-Type')} content "
                    "that is not a zip.",
                    method="GET",
                    url=response.url,
                    status_code=response.status_code,
                )
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    return target
