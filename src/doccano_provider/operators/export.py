"""Download a Doccano project's export to a local folder or object storage."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from doccano_provider._arguments import parse_project_id
from doccano_provider._compat import BaseOperator, Context, ObjectStoragePath
from doccano_provider.assets import doccano_export_asset
from doccano_provider.client import InvalidArgumentError
from doccano_provider.hooks.doccano import DoccanoHook
from doccano_provider.links import DoccanoProjectLink

COPY_CHUNK_BYTES = 1024 * 1024


class DoccanoDownloadExportOperator(BaseOperator):
    """Export a Doccano project and save the zip, and optionally its per-user files.

    The format is checked against the project's export formats before the export starts.
    Doccano's zip contains one ``<username>.<ext>`` file per member, or ``all.<ext>`` in a
    collaborative project; with ``extract=True`` those files are extracted next to the zip,
    rejecting absolute paths, ``..`` and links. With ``export_asset_name`` the task declares
    :func:`~doccano_provider.assets.doccano_export_asset` as an outlet, so DAGs scheduled on
    that Asset run after each export.

    :param project_id: the Doccano project id.
    :param destination: a local folder or an ``ObjectStoragePath`` URI (``s3://bucket/exports``,
        ``file:///data/exports`` ...); created if missing.
    :param format: an export format of the project, e.g. ``JSONL``, ``JSON``, ``CSV``, ``fastText``.
    :param only_approved: export only confirmed examples.
    :param extract: also write the files extracted from the zip.
    :param export_asset_name: the name given to :func:`doccano_export_asset` for the outlet;
        ``None`` declares no Asset.
    :param export_timeout: seconds to wait for the server's export task.
    :param doccano_conn_id: the ``doccano`` connection to use.
    """

    template_fields: Sequence[str] = ("project_id", "destination", "format", "doccano_conn_id")
    operator_extra_links = (DoccanoProjectLink(),)
    ui_color = "#c8e6fa"

    def __init__(
        self,
        *,
        project_id: int | str,
        destination: str,
        format: str = "JSONL",  # noqa: A002 - Doccano's name for the export format
        only_approved: bool = False,
        extract: bool = True,
        export_asset_name: str | None = None,
        export_timeout: float = 600.0,
        doccano_conn_id: str = DoccanoHook.default_conn_name,
        **kwargs: Any,
    ) -> None:
        if export_asset_name is not None:
            outlets = list(kwargs.pop("outlets", None) or [])
            outlets.append(doccano_export_asset(export_asset_name))
            kwargs["outlets"] = outlets
        super().__init__(**kwargs)
        self.project_id = project_id
        self.destination = destination
        self.format = format
        self.only_approved = only_approved
        self.extract = extract
        self.export_asset_name = export_asset_name
        self.export_timeout = export_timeout
        self.doccano_conn_id = doccano_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        project_id = parse_project_id(self.project_id)
        if not isinstance(self.destination, str) or not self.destination.strip():
            raise InvalidArgumentError(
                f"Invalid destination {self.destination!r}: use a local folder or a URI such as s3://bucket/exports."
            )
        hook = DoccanoHook(self.doccano_conn_id)
        client = hook.get_conn()
        DoccanoProjectLink.persist(context, hook.project_url(project_id))
        valid = [option.name for option in client.list_download_options(project_id)]
        if self.format not in valid:
            raise InvalidArgumentError(
                f"Invalid export format {self.format!r} for project {project_id}: "
                f"use one of {', '.join(valid)}."
            )

        with tempfile.TemporaryDirectory(prefix="doccano-export-") as workdir:
            staging = Path(workdir)
            saved = client.download(
                project_id,
                self.format,
                self.only_approved,
                str(staging),
                extract=self.extract,
                timeout=self.export_timeout,
            )
            if self.extract:
                # The client extracts (rejecting unsafe members) into a folder named after the zip.
                archive = staging / f"{saved.name}.zip"
                files = sorted(path for path in saved.rglob("*") if path.is_file())
            else:
                archive, files = saved, []
            written_archive, written_files = self._publish(staging, archive, files)

        result = {"project_id": project_id, "archive": written_archive, "files": written_files}
        self.log.info(
            "Saved the %s export of project %s to %s (%d extracted file(s)).",
            self.format,
            project_id,
            written_archive,
            len(written_files),
        )
        self._annotate_asset_event(context, result)
        return result

    def _publish(self, staging: Path, archive: Path, files: list[Path]) -> tuple[str, list[str]]:
        """Copy the zip and extracted files from ``staging`` to the destination; return their paths."""
        if "://" in self.destination:
            root: Any = ObjectStoragePath(self.destination)
        else:
            root = Path(self.destination)
        root.mkdir(parents=True, exist_ok=True)
        written_files = []
        for local in [archive, *files]:
            target = root.joinpath(*local.relative_to(staging).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with local.open("rb") as reader, target.open("wb") as writer:
                shutil.copyfileobj(reader, writer, COPY_CHUNK_BYTES)
            written_files.append(str(target))
        return written_files[0], written_files[1:]

    def _annotate_asset_event(self, context: Context, result: dict[str, Any]) -> None:
        if self.export_asset_name is None:
            return
        outlet_events = context.get("outlet_events")
        if outlet_events is None:
            return
        # Consumers read the export's location from the Asset event's extra.
        outlet_events[doccano_export_asset(self.export_asset_name)].extra = {
            "project_id": result["project_id"],
            "archive": result["archive"],
            "files": result["files"],
        }
