"""Operator that exports only the confirmed examples that are new or changed since its last success."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import BaseOperator, Variable

from doccano_provider._arguments import parse_project_id
from doccano_provider.client.changes import build_marker, diff_rows, parse_marker, read_export_rows
from doccano_provider.client.preannotate import human_category_texts
from doccano_provider.hooks.doccano import DoccanoHook

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context


def default_marker_key(doccano_conn_id: str, project_id: int) -> str:
    """Return the Airflow Variable key that stores the marker of one connection and project."""
    return f"doccano_incremental_export__{doccano_conn_id}__{project_id}"


def _write_jsonl(destination: str, name: str, rows: list[dict[str, Any]]) -> str:
    """Write ``rows`` as ``<destination>/<name>``; ``destination`` is a folder or an ObjectStoragePath URI."""
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if "://" in destination and not destination.startswith("file://"):
        from airflow.providers.common.compat.sdk import ObjectStoragePath

        target = ObjectStoragePath(destination) / name
        target.write_text(text, encoding="utf-8")
        return str(target)
    folder = Path(destination.removeprefix("file://"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


class DoccanoIncrementalExportOperator(BaseOperator):
    """Export the confirmed examples that are new or changed since this operator's last success.

    Doccano 1.8.4 cannot filter by "changed since": the examples list returns no ``updated_at``,
    an example's ``updated_at`` does not move when its labels change, and annotation and
    confirmation timestamps can only be read one example at a time. So the operator runs one
    JSONL export of the confirmed examples and compares each row's fingerprint (text, labels
    and meta) with the fingerprints stored after the previous successful run. A row is returned
    when it is newly confirmed or its labels, text or meta changed. The keys of rows that
    disappeared (un-confirmed or deleted examples) are listed in ``removed``.

    The fingerprints are kept in the Airflow Variable ``marker_variable``, and the Variable is
    written only as the last step of a run, so a failed run leaves the marker where it was and
    the next run returns the same changes again. Clear the Variable (or pass ``full_refresh``)
    to export everything again.

    In a project without ``collaborative_annotation`` the export has one file per member, so a
    row's ``source`` is the member's username and "confirmed" means confirmed by that member;
    in a collaborative project ``source`` is ``all``.

    :param project_id: the project (templated).
    :param destination: a folder or ObjectStoragePath URI; when set, the changed rows are also
        written there as ``changes-<UTC timestamp>.jsonl`` (templated).
    :param marker_variable: the Variable key of the marker; by default
        ``doccano_incremental_export__<conn id>__<project id>`` (templated).
    :param prefer_human_labels: for a changed row with more than one category, read the example's
        categories and keep only those a person set (``prob`` 0) when there are any, dropping
        pre-annotations the annotator did not remove. One request per such row.
    :param full_refresh: ignore the stored marker and return every confirmed example.
    :param return_rows: include the changed rows in the XCom; turn off for large projects and
        read the file in ``destination`` instead.
    :param export_timeout: seconds to wait for Doccano's export task.
    :param doccano_conn_id: the Doccano connection (templated).
    :returns: XCom ``{"project_id", "changed", "removed", "confirmed_total", "path", "rows"}``.
    """

    template_fields: Sequence[str] = ("project_id", "destination", "marker_variable", "doccano_conn_id")
    ui_color = "#d9edf7"

    def __init__(
        self,
        *,
        project_id: int | str,
        destination: str | None = None,
        marker_variable: str | None = None,
        prefer_human_labels: bool = True,
        full_refresh: bool = False,
        return_rows: bool = True,
        export_timeout: float = 600.0,
        doccano_conn_id: str = "doccano_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.project_id = project_id
        self.destination = destination
        self.marker_variable = marker_variable
        self.prefer_human_labels = prefer_human_labels
        self.full_refresh = full_refresh
        self.return_rows = return_rows
        self.export_timeout = export_timeout
        self.doccano_conn_id = doccano_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        project_id = parse_project_id(self.project_id)
        key = self.marker_variable or default_marker_key(self.doccano_conn_id, project_id)
        previous = {} if self.full_refresh else parse_marker(Variable.get(key, default=None))
        client = DoccanoHook(doccano_conn_id=self.doccano_conn_id).get_conn()
        exported_at = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        with tempfile.TemporaryDirectory(prefix="doccano-incremental-") as folder:
            extracted = client.download(
                project_id,
                "JSONL",
                only_approved=True,
                dir_name=folder,
                extract=True,
                timeout=self.export_timeout,
            )
            rows = read_export_rows(Path(extracted))

        changed, removed, fingerprints = diff_rows(rows, previous)
        if self.prefer_human_labels:
            self._keep_human_labels(client, project_id, changed)

        path = None
        if self.destination and changed:
            path = _write_jsonl(str(self.destination), f"changes-{exported_at}.jsonl", changed)
        self.log.info(
            "Project %s: %d confirmed rows, %d new or changed, %d removed since the last export",
            project_id,
            len(rows),
            len(changed),
            len(removed),
        )
        result = {
            "project_id": project_id,
            "changed": len(changed),
            "removed": removed,
            "confirmed_total": len(rows),
            "path": path,
            "rows": changed if self.return_rows else None,
        }
        # Push the XCom before moving the marker, so an XCom that fails to serialize or store
        # fails the task with the marker unchanged.
        context["ti"].xcom_push(key="return_value", value=result)
        # NOTE: the marker is written before Airflow records the task's success. If only that
        # last step fails, the retry starts from the new marker and returns no changes.
        Variable.set(key, build_marker(fingerprints, exported_at), serialize_json=True)
        return result

    def _keep_human_labels(self, client: Any, project_id: int, rows: list[dict[str, Any]]) -> None:
        label_texts: dict[int, str] | None = None
        for row in rows:
            labels = row.get("label")
            if not isinstance(labels, list) or len(labels) < 2 or not all(isinstance(x, str) for x in labels):
                continue
            if label_texts is None:
                label_texts = {item.id: item.text for item in client.list_label_types(project_id, "category")}
            human = human_category_texts(client, project_id, int(row["id"]), label_texts)
            if human:
                row["label"] = human
