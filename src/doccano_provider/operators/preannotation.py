"""Operators that push model predictions to Doccano and select the next examples to annotate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import BaseOperator

from doccano_provider._arguments import parse_project_id
from doccano_provider.client.exceptions import InvalidArgumentError
from doccano_provider.client.preannotate import (
    ON_EXISTING_CHOICES,
    import_predicted_examples,
    push_predictions,
    resolve_label_ids,
    select_uncertain_examples,
)
from doccano_provider.client.predictions import PREDICTION_KINDS, read_predictions_jsonl, validate_predictions
from doccano_provider.hooks.doccano import DoccanoHook

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context


def _read_text(path: str) -> str:
    """Read a local path or an ObjectStoragePath URI such as ``s3://bucket/predictions.jsonl``."""
    if "://" in path and not path.startswith("file://"):
        from airflow.providers.common.compat.sdk import ObjectStoragePath

        return ObjectStoragePath(path).read_text(encoding="utf-8")
    from pathlib import Path

    local = Path(path.removeprefix("file://"))
    if not local.is_file():
        raise InvalidArgumentError(f"Predictions file {path!r} not found: pass an existing JSONL file.")
    return local.read_text(encoding="utf-8")


def _check_batch_size(value: Any, task_id: str) -> int:
    try:
        batch_size = int(value)
    except (TypeError, ValueError):
        batch_size = 0
    if isinstance(value, (bool, float)) or batch_size < 1:
        raise ValueError(f"Invalid batch_size {value!r} for task {task_id}: use an integer >= 1.")
    return batch_size


class DoccanoPreannotateOperator(BaseOperator):
    """Push model predictions to a Doccano project as pre-annotations with their confidence.

    Every record is validated, and every label text checked against the project, before
    anything is written. Records with ``example_id`` go to existing examples, through
    ``max_workers`` concurrent requests with one HTTP session per thread; the confidence is stored
    in each annotation's ``prob``. Records with ``text`` become new examples in one JSONL upload;
    Doccano 1.8.4's import cannot store ``prob``, so their confidence goes to the
    ``prediction_confidence`` meta key instead. A retried task adds no label twice, because
    existing annotations are checked before any write (one export, then a read of each example
    that has labels), and an identical upload is not repeated.

    Doccano 1.8.4 stores every annotation created through its API with ``manual=false`` and
    does not return the flag, so a pre-annotation differs from a person's label in the API only
    by its non-zero ``prob``.

    .. note::
        In a project without ``collaborative_annotation`` each user sees only their own labels,
        so annotators see pre-annotations only if the connection logs in as them.

    :param project_id: the project to annotate (templated).
    :param predictions: a list of records ``{"example_id" or "text", "label" or "spans",
        "confidence"}``, e.g. an upstream task's XCom (templated). Optional keys: ``uncertainty``
        (the score to write; default ``1 - confidence``) and ``meta`` (for new examples).
        Span records give ``spans`` as ``[{"start_offset", "end_offset", "label", "confidence"?}]``.
    :param predictions_path: a JSONL file of the same records instead of ``predictions``: a local
        path or an ObjectStoragePath URI (templated).
    :param kind: ``category`` (classification) or ``span`` (sequence labeling).
    :param on_existing: ``replace`` an earlier, different prediction by the same user, or
        ``skip`` the example. Labels by other users are never changed.
    :param write_scores: write each example's uncertainty to its ``score``, so the examples
        list can be ordered by it (``ordering=-score``).
    :param max_workers: concurrent requests for existing examples.
    :param prefetch: start with one JSONL export of the project, so examples without labels are
        not read one by one, and example ids of other projects are rejected before any write.
    :param import_timeout: seconds to wait for the import task of new examples.
    :param doccano_conn_id: the Doccano connection (templated).
    :returns: XCom ``{"project_id", "created", "unchanged", "kept_existing", "scored", "failed",
        "failed_count", "seconds", "imported"}``.
    """

    template_fields: Sequence[str] = ("project_id", "predictions", "predictions_path", "doccano_conn_id")
    ui_color = "#c4e3f3"

    def __init__(
        self,
        *,
        project_id: int | str,
        predictions: list[Mapping[str, Any]] | str | None = None,
        predictions_path: str | None = None,
        kind: str = "category",
        on_existing: str = "replace",
        write_scores: bool = True,
        max_workers: int = 4,
        prefetch: bool = True,
        import_timeout: float = 600.0,
        doccano_conn_id: str = "doccano_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if kind not in PREDICTION_KINDS:
            raise ValueError(f"Invalid kind {kind!r} for task {self.task_id}: use 'category' or 'span'.")
        if on_existing not in ON_EXISTING_CHOICES:
            raise ValueError(
                f"Invalid on_existing {on_existing!r} for task {self.task_id}: use 'replace' or 'skip'."
            )
        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            raise ValueError(
                f"Invalid max_workers {max_workers!r} for task {self.task_id}: use an integer >= 1."
            )
        self.project_id = project_id
        self.predictions = predictions
        self.predictions_path = predictions_path
        self.kind = kind
        self.on_existing = on_existing
        self.write_scores = write_scores
        self.max_workers = max_workers
        self.prefetch = prefetch
        self.import_timeout = import_timeout
        self.doccano_conn_id = doccano_conn_id

    def _load_records(self) -> tuple[list[Any], str]:
        if (self.predictions is None) == (self.predictions_path is None):
            raise InvalidArgumentError(
                f"Task {self.task_id}: pass exactly one of predictions (a list of records) or "
                "predictions_path (a JSONL file)."
            )
        if self.predictions_path is not None:
            source = str(self.predictions_path)
            return read_predictions_jsonl(_read_text(source), source=source), source
        if not isinstance(self.predictions, list):
            raise InvalidArgumentError(
                f"Task {self.task_id}: predictions must be a list of records, got "
                f"{type(self.predictions).__name__}. Pass the upstream XComArg itself, or render "
                "templates as native objects (render_template_as_native_obj=True)."
            )
        return list(self.predictions), "predictions"

    def execute(self, context: Context) -> dict[str, Any]:
        project_id = parse_project_id(self.project_id)
        records, source = self._load_records()
        predictions = validate_predictions(records, self.kind, source=source)  # type: ignore[arg-type]
        existing = [prediction for prediction in predictions if prediction.example_id is not None]
        new = [prediction for prediction in predictions if prediction.text is not None]

        client = DoccanoHook(doccano_conn_id=self.doccano_conn_id).get_conn()
        if existing:
            # Checked before the import below, so an unknown label fails the task with nothing written.
            resolve_label_ids(client, project_id, self.kind, existing)  # type: ignore[arg-type]
        imported: dict[str, Any] | None = None
        if new:
            imported = import_predicted_examples(
                client,
                project_id,
                new,
                self.kind,
                timeout=self.import_timeout,  # type: ignore[arg-type]
            )

        result: dict[str, Any] = {"project_id": project_id}
        if existing:
            pushed = push_predictions(
                client,
                project_id,
                existing,
                self.kind,  # type: ignore[arg-type]
                on_existing=self.on_existing,  # type: ignore[arg-type]
                max_workers=self.max_workers,
                write_scores=self.write_scores,
                prefetch=self.prefetch,
            )
            result.update(pushed.as_dict())
        result["imported"] = imported
        self.log.info(
            "Pushed %d predictions to existing examples and %d as new examples of project %s",
            len(existing),
            len(new),
            project_id,
        )
        return result


class DoccanoSelectUncertainExamplesOperator(BaseOperator):
    """Return the ids of the next batch of unconfirmed examples, most uncertain first.

    Reads the examples list ordered by ``score`` descending (one request), as written by
    :class:`DoccanoPreannotateOperator` with ``write_scores=True``.

    :param project_id: the project (templated).
    :param batch_size: how many example ids to return (templated).
    :param doccano_conn_id: the Doccano connection (templated).
    :returns: XCom: the list of example ids.
    """

    template_fields: Sequence[str] = ("project_id", "batch_size", "doccano_conn_id")

    def __init__(
        self,
        *,
        project_id: int | str,
        batch_size: int | str,
        doccano_conn_id: str = "doccano_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(batch_size, str):
            # A templated batch_size is checked at run time.
            _check_batch_size(batch_size, self.task_id)
        self.project_id = project_id
        self.batch_size = batch_size
        self.doccano_conn_id = doccano_conn_id

    def execute(self, context: Context) -> list[int]:
        project_id = parse_project_id(self.project_id)
        batch_size = _check_batch_size(self.batch_size, self.task_id)
        client = DoccanoHook(doccano_conn_id=self.doccano_conn_id).get_conn()
        ids = select_uncertain_examples(client, project_id, batch_size)
        self.log.info("Selected %d uncertain examples of project %s", len(ids), project_id)
        return ids
