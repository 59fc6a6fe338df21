"""Push model predictions to Doccano as pre-annotations, and order examples by uncertainty.

This module adds what an active-learning loop needs beyond the documented client API; it
imports no Airflow, so scripts and benchmarks call it directly.

Facts about Doccano 1.8.4 that shape it:

* Every annotation has ``prob`` (a float, default 0) and a ``manual`` flag (default false).
  The REST serializers accept and return ``prob`` but leave ``manual`` out, so every annotation
  created through the API is stored with ``manual=false``, and no client can read the flag back.
* A second identical category from the same user is a database constraint error that the
  server returns as a 500 page. So an example's annotations are read before anything is
  created on it, unless an export taken just before showed it had no label.
* ``requests.Session`` is not safe to share between threads, so every worker thread gets its
  own :class:`DoccanoClient` that reuses the caller's token (no extra login).
* The JSONL import stores labels with ``prob=0`` and ignores any ``prob`` key in a label.
  Unknown top-level keys such as ``score`` go to the example's ``meta`` (see
  :func:`import_predicted_examples`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from doccano_provider.client._client import DoccanoClient
from doccano_provider.client.exceptions import DoccanoError, InvalidArgumentError
from doccano_provider.client.predictions import Prediction, PredictionKind

log = logging.getLogger("doccano_provider.client")

OnExisting = Literal["replace", "skip"]
ON_EXISTING_CHOICES: tuple[str, ...] = ("replace", "skip")
_ANNOTATION_ROUTES = {"category": "categories", "span": "spans"}
# Columns of a JSONL export row that carry labels, across the text project types.
_LABEL_COLUMNS = ("label", "entities", "relations", "cats")
# Meta key that carries a prediction's confidence on imported examples, because the import
# cannot set an annotation's prob.
CONFIDENCE_META_KEY = "prediction_confidence"
# Failed examples listed by name in the error raised at the end of a push.
MAX_LISTED_FAILURES = 5


@dataclass
class PreannotationResult:
    """Counts of one push of predictions.

    :ivar created: examples that got the prediction (for the first time or replacing an older one).
    :ivar unchanged: examples that already carried exactly this prediction (e.g. on a task retry).
    :ivar kept_existing: examples left alone because someone else labeled them, or because
        ``on_existing="skip"`` and they already had a prediction from this user.
    :ivar scored: examples whose ``score`` was set to the prediction's uncertainty.
    :ivar failed: ``{"example_id", "error"}`` for every example that failed.
    :ivar seconds: wall time.
    """

    created: int = 0
    unchanged: int = 0
    kept_existing: int = 0
    scored: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "unchanged": self.unchanged,
            "kept_existing": self.kept_existing,
            "scored": self.scored,
            "failed": self.failed[:MAX_LISTED_FAILURES],
            "failed_count": len(self.failed),
            "seconds": round(self.seconds, 3),
        }


def worker_client(client: DoccanoClient) -> DoccanoClient:
    """Return a new client with its own HTTP session that sends ``client``'s token."""
    if not client.token:
        raise InvalidArgumentError("The client has no token: call login() (or pass token=) before pushing.")
    transport = client._transport
    return DoccanoClient(
        transport.base_url,
        transport.session.verify,
        token=client.token,
        timeout=transport.timeout,
        page_size=transport.page_size,
        max_retries=transport.max_retries,
    )


def resolve_label_ids(
    client: DoccanoClient, project_id: int, kind: PredictionKind, predictions: Sequence[Prediction]
) -> dict[str, int]:
    """Map every label text the predictions use to its label-type id in the project.

    :raises InvalidArgumentError: a label text is not a label type of the project; nothing is sent.
    """
    ids = {label_type.text: label_type.id for label_type in client.list_label_types(project_id, kind)}
    missing = sorted({text for prediction in predictions for text in prediction.label_texts()} - set(ids))
    if missing:
        raise InvalidArgumentError(
            f"Label(s) {missing} are not {kind} label types of project {project_id} (it has "
            f"{sorted(ids)}). Create them first, e.g. with DoccanoCreateProjectOperator(labels=...)."
        )
    return ids


def _wanted_annotations(prediction: Prediction, label_ids: Mapping[str, int]) -> list[dict[str, Any]]:
    """Return the request bodies that express ``prediction``."""
    if prediction.label is not None:
        return [{"label": label_ids[prediction.label], "prob": prediction.confidence}]
    return [
        {
            "label": label_ids[span.label],
            "start_offset": span.start_offset,
            "end_offset": span.end_offset,
            "prob": span.confidence if span.confidence is not None else prediction.confidence,
        }
        for span in prediction.spans or []
    ]


def _identity(body: Mapping[str, Any]) -> tuple[Any, ...]:
    """Return what makes two annotations the same label on the same text (ignoring prob)."""
    return (body["label"], body.get("start_offset"), body.get("end_offset"))


class _Pusher:
    """Apply predictions to existing examples, one worker client per thread."""

    def __init__(
        self,
        client: DoccanoClient,
        project_id: int,
        kind: PredictionKind,
        label_ids: Mapping[str, int],
        on_existing: OnExisting,
        write_scores: bool,
    ) -> None:
        self.client = client
        self.project_id = project_id
        self.route = _ANNOTATION_ROUTES[kind]
        self.label_ids = label_ids
        self.on_existing = on_existing
        self.write_scores = write_scores
        profile = client._transport.get("/v1/me")
        self.user_id = int(profile["id"])
        self.username = str(profile["username"])
        # Ids of examples known to have no label; None means "read each example's labels".
        self.unlabeled: set[int] | None = None
        self._local = threading.local()
        self._clients: list[DoccanoClient] = []
        self._lock = threading.Lock()

    def _thread_client(self) -> DoccanoClient:
        client = getattr(self._local, "client", None)
        if client is None:
            client = worker_client(self.client)
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()

    def apply(self, prediction: Prediction) -> tuple[str, bool]:
        """Apply one prediction; return its outcome and whether the score was written."""
        transport = self._thread_client()._transport
        path = f"/v1/projects/{self.project_id}/examples/{prediction.example_id}/{self.route}"
        outcome = self._apply_labels(transport, path, prediction)
        scored = False
        if self.write_scores and outcome != "kept_existing":
            transport.patch(
                f"/v1/projects/{self.project_id}/examples/{prediction.example_id}",
                json={"score": prediction.score},
            )
            scored = True
        return outcome, scored

    def _apply_labels(self, transport: Any, path: str, prediction: Prediction) -> str:
        wanted = _wanted_annotations(prediction, self.label_ids)
        if self.unlabeled is not None and prediction.example_id in self.unlabeled:
            # The export taken at the start showed no label on this example, so nothing to read.
            for body in wanted:
                transport.post(path, json=body)
            return "created"
        existing = transport.get(path)
        if any(item.get("user") != self.user_id for item in existing):
            # Someone else (a person, in a collaborative project) labeled it: never overwrite.
            return "kept_existing"
        wanted_by_identity = {_identity(body): body for body in wanted}
        kept = [item for item in existing if _identity(item) in wanted_by_identity]
        stale = [item for item in existing if _identity(item) not in wanted_by_identity]
        kept_identities = {_identity(item) for item in kept}
        missing = [body for identity, body in wanted_by_identity.items() if identity not in kept_identities]
        if (stale or missing) and existing and self.on_existing == "skip":
            return "kept_existing"
        for item in kept:
            prob = wanted_by_identity[_identity(item)]["prob"]
            if abs(float(item.get("prob", 0.0)) - prob) > 1e-9:
                transport.patch(f"{path}/{item['id']}", json={"prob": prob})
        # Change stale annotations in place (one request each) before deleting or adding any. A
        # missing label is on none of this user's annotations, so the change breaks no uniqueness.
        for item, body in zip(stale, missing, strict=False):
            transport.patch(f"{path}/{item['id']}", json=body)
        for item in stale[len(missing) :]:
            transport.delete(f"{path}/{item['id']}")
        for body in missing[len(stale) :]:
            transport.post(path, json=body)
        return "created" if stale or missing else "unchanged"


def _labeled_and_all_example_ids(
    client: DoccanoClient, project_id: int, username: str
) -> tuple[set[int], set[int]] | None:
    """Return (ids of examples with labels visible to ``username``, ids of all examples) from one export.

    Returns ``None`` when the export has no file for that user (e.g. a superuser who is not a
    member of a per-user project), so the caller reads each example's labels instead.
    """
    with tempfile.TemporaryDirectory(prefix="doccano-prefetch-") as folder:
        extracted = Path(client.download(project_id, "JSONL", dir_name=folder, extract=True))
        files = sorted(extracted.rglob("*.jsonl"))
        chosen = [path for path in files if path.stem == "all"] or [
            path for path in files if path.stem == username
        ]
        if not chosen:
            return None
        labeled: set[int] = set()
        all_ids: set[int] = set()
        for path in chosen:
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        continue
                    row = json.loads(line)
                    all_ids.add(int(row["id"]))
                    if any(row.get(column) for column in _LABEL_COLUMNS):
                        labeled.add(int(row["id"]))
    return labeled, all_ids


def push_predictions(
    client: DoccanoClient,
    project_id: int,
    predictions: Sequence[Prediction],
    kind: PredictionKind,
    *,
    on_existing: OnExisting = "replace",
    max_workers: int = 4,
    write_scores: bool = True,
    prefetch: bool = True,
) -> PreannotationResult:
    """Write predictions on existing examples as annotations with ``prob`` = confidence.

    With ``prefetch``, one JSONL export first lists the examples that have no label yet, and
    those get their prediction directly. For every other example, the annotations visible to the
    client's user are read first, then:

    * labeled by another user (a person, in a collaborative project): left alone;
    * already carrying exactly this prediction from this user: left alone (``prob`` is updated
      if it differs), so a retried task adds nothing twice;
    * carrying a different earlier prediction from this user: replaced (``on_existing="replace"``)
      or left alone (``"skip"``);
    * otherwise: the prediction is created.

    NOTE: the export is a snapshot. When a person labels an unlabeled example after the export
    and before the push, the prediction is added beside that label.

    With ``write_scores``, the example's ``score`` is set to the prediction's uncertainty
    (``uncertainty``, else ``1 - confidence``), so ``ordering=-score`` lists the least certain first.

    :param client: a logged-in client; each worker thread gets its own copy sending its token.
    :param project_id: the project.
    :param predictions: validated records with ``example_id`` (see ``validate_predictions``).
    :param kind: ``category`` or ``span``.
    :param on_existing: what to do with this user's earlier, different prediction.
    :param max_workers: concurrent requests (threads), at least 1.
    :param write_scores: also write the uncertainty to each example's ``score``.
    :param prefetch: start with one JSONL export of the project, which shows which examples
        have no label yet (those get their prediction without a read first) and rejects example
        ids from other projects. Doccano does not scope annotation URLs to the project, so
        without it a wrong id would label another project's example.
    :raises InvalidArgumentError: bad arguments or unknown label texts, before any request that writes.
    :raises DoccanoError: when any example failed, after all others were tried; the message lists
        the first failures. Re-running is safe.
    """
    if on_existing not in ON_EXISTING_CHOICES:
        raise InvalidArgumentError(f"Invalid on_existing {on_existing!r}: use 'replace' or 'skip'.")
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
        raise InvalidArgumentError(f"Invalid max_workers {max_workers!r}: use an integer >= 1.")
    new_examples = [index for index, prediction in enumerate(predictions) if prediction.example_id is None]
    if new_examples:
        raise InvalidArgumentError(
            f"Records {new_examples[:MAX_LISTED_FAILURES]} have no example_id; import new examples with "
            "import_predicted_examples() instead."
        )
    started = time.monotonic()
    result = PreannotationResult()
    label_ids = resolve_label_ids(client, project_id, kind, predictions)
    pusher = _Pusher(client, project_id, kind, label_ids, on_existing, write_scores)
    if prefetch:
        snapshot = _labeled_and_all_example_ids(client, project_id, pusher.username)
        if snapshot is None:
            log.info(
                "Export of project %s has no file for %s; reading each example's labels instead",
                project_id,
                pusher.username,
            )
        else:
            labeled, all_ids = snapshot
            requested = {int(prediction.example_id or 0) for prediction in predictions}
            foreign = sorted(requested - all_ids)
            if foreign:
                raise InvalidArgumentError(
                    f"Example ids {foreign[:MAX_LISTED_FAILURES]} ({len(foreign)} in all) are not "
                    f"examples of project {project_id}; nothing was sent. Predict only its examples."
                )
            pusher.unlabeled = requested - labeled
    try:
        with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="doccano-preannotate") as pool:
            futures = [(prediction, pool.submit(pusher.apply, prediction)) for prediction in predictions]
            for prediction, future in futures:
                try:
                    outcome, scored = future.result()
                except DoccanoError as error:
                    result.failed.append({"example_id": prediction.example_id, "error": str(error)})
                    continue
                setattr(result, outcome, getattr(result, outcome) + 1)
                result.scored += int(scored)
    finally:
        pusher.close()
    result.seconds = time.monotonic() - started
    log.info(
        "Pre-annotated project %s in %.1f s: %d created, %d unchanged, %d kept, %d scored, %d failed",
        project_id,
        result.seconds,
        result.created,
        result.unchanged,
        result.kept_existing,
        result.scored,
        len(result.failed),
    )
    if result.failed:
        listed = "; ".join(f"example {item['example_id']}: {item['error']}" for item in result.failed[:5])
        raise DoccanoError(
            f"Pre-annotation of project {project_id} failed on {len(result.failed)} of "
            f"{len(predictions)} examples ({listed}). The others were written; re-run to retry."
        )
    return result


def _import_row(prediction: Prediction) -> dict[str, Any]:
    row: dict[str, Any] = dict(prediction.meta or {})
    row["text"] = prediction.text
    if prediction.label is not None:
        row["label"] = [prediction.label]
    else:
        row["label"] = [[span.start_offset, span.end_offset, span.label] for span in prediction.spans or []]
    row[CONFIDENCE_META_KEY] = prediction.confidence
    return row


def import_predicted_examples(
    client: DoccanoClient,
    project_id: int,
    predictions: Sequence[Prediction],
    kind: PredictionKind,
    *,
    timeout: float = 600.0,
) -> dict[str, Any]:
    """Create new examples together with their predicted labels in one JSONL upload.

    NOTE: Doccano 1.8.4's import cannot store a confidence: it creates each label with
    ``prob=0`` and ``manual=false`` for the uploading user, drops any ``prob`` key inside a label,
    and moves unknown top-level keys (``score`` included) into ``meta``. The confidence is
    therefore kept in the ``prediction_confidence`` meta key, which annotators see beside the text.
    Label types that the project lacks are created by the import.

    The file is uploaded under a name derived from its content, and an upload whose name is
    already on the project's examples is not repeated, so a retried task imports nothing twice.

    :returns: ``{"uploaded": bool, "upload_name": str, "examples": int, "errors": [...]}``.
    """
    new_only = [prediction for prediction in predictions if prediction.text is not None]
    if len(new_only) != len(predictions):
        raise InvalidArgumentError(
            "import_predicted_examples() takes records with 'text' only; push predictions for existing "
            "examples (records with 'example_id') with push_predictions()."
        )
    if not new_only:
        raise InvalidArgumentError("No predictions to import: pass at least one record.")
    lines = [
        json.dumps(_import_row(prediction), ensure_ascii=False, sort_keys=True) for prediction in new_only
    ]
    content = ("\n".join(lines) + "\n").encode("utf-8")
    upload_name = f"preannotations-{hashlib.sha256(content).hexdigest()[:16]}.jsonl"
    if _upload_exists(client, project_id, new_only[0].text or "", upload_name):
        log.info("Project %s already has the examples of %s; not importing again", project_id, upload_name)
        return {"uploaded": False, "upload_name": upload_name, "examples": len(new_only), "errors": []}
    with tempfile.TemporaryDirectory(prefix="doccano-preannotations-") as folder:
        path = Path(folder) / upload_name
        path.write_bytes(content)
        task = "DocumentClassification" if kind == "category" else "SequenceLabeling"
        status = client.upload(
            project_id, [str(path)], task, "JSONL", upload_names=[upload_name], timeout=timeout
        )
    errors = list(status.errors or [])
    log.info(
        "Imported %d pre-annotated examples to project %s as %s; %d rejected lines",
        len(new_only) - len(errors),
        project_id,
        upload_name,
        len(errors),
    )
    return {"uploaded": True, "upload_name": upload_name, "examples": len(new_only), "errors": errors[:10]}


def _upload_exists(client: DoccanoClient, project_id: int, first_text: str, upload_name: str) -> bool:
    """Return whether an example with ``first_text`` came from the upload named ``upload_name``."""
    params = {"q": first_text[:200]}
    for item in client._transport.paginate(f"/v1/projects/{project_id}/examples", params):
        if item.get("upload_name") == upload_name:
            return True
    return False


def iter_examples_by_uncertainty(
    client: DoccanoClient, project_id: int, *, confirmed: bool | None = False
) -> Iterator[dict[str, Any]]:
    """Yield the project's examples, highest ``score`` (most uncertain) first.

    :param confirmed: ``False`` for unconfirmed examples only, ``True`` for confirmed ones,
        ``None`` for all. In per-user projects "confirmed" means confirmed by the client's user.
    """
    params: dict[str, Any] = {"ordering": "-score"}
    if confirmed is not None:
        params["confirmed"] = "true" if confirmed else "false"
    yield from client._transport.paginate(f"/v1/projects/{project_id}/examples", params)


def select_uncertain_examples(
    client: DoccanoClient, project_id: int, batch_size: int, *, confirmed: bool | None = False
) -> list[int]:
    """Return the ids of the ``batch_size`` unconfirmed examples with the highest ``score``.

    NOTE: examples never scored keep Doccano's default score of 100, so they come first. That
    is intended, because the model has made no prediction for them yet.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidArgumentError(f"Invalid batch_size {batch_size!r}: use an integer >= 1.")
    params: dict[str, Any] = {"ordering": "-score", "limit": batch_size, "offset": 0}
    if confirmed is not None:
        params["confirmed"] = "true" if confirmed else "false"
    body = client._transport.get(f"/v1/projects/{project_id}/examples", params=params)
    return [int(item["id"]) for item in body["results"]]


def human_category_texts(
    client: DoccanoClient, project_id: int, example_id: int, label_texts: Mapping[int, str]
) -> list[str]:
    """Return the texts of the example's categories that a person set, i.e. with ``prob`` 0.

    NOTE: Doccano 1.8.4 does not expose the ``manual`` flag, so ``prob`` is the only sign. Its web
    UI posts a category as ``{id, label, user}``, which the server stores with ``prob=0``. This
    module writes the model's confidence, so a prediction made with confidence 0 looks human.
    """
    categories = client._transport.get(f"/v1/projects/{project_id}/examples/{example_id}/categories")
    return sorted(
        label_texts.get(item["label"], str(item["label"]))
        for item in categories
        if float(item.get("prob", 0.0)) == 0.0
    )
