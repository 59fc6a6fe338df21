"""Examples and their confirmation state."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from doccano_provider.client.exceptions import InvalidArgumentError
from doccano_provider.client.resources._base import DoccanoModel, ResourceMixin, check_ids

log = logging.getLogger("doccano_provider.client")


class Example(DoccanoModel):
    id: int
    text: str | None = None
    meta: Any = None
    score: float = 100.0
    filename: str = ""
    upload_name: str = ""
    is_confirmed: bool = False
    comment_count: int = 0
    annotation_approver: Any = None


def _confirmed_params(is_confirmed: bool | None) -> dict[str, str]:
    if is_confirmed is None:
        return {}
    if not isinstance(is_confirmed, bool):
        raise InvalidArgumentError(f"Invalid is_confirmed {is_confirmed!r}: use True, False or None.")
    # Doccano filters on ``confirmed`` and ignores an ``is_confirmed`` query parameter.
    return {"confirmed": "true" if is_confirmed else "false"}


class ExampleCalls(ResourceMixin):
    """Examples: find, list, count, create, update, delete, and confirm or unconfirm.

    NOTE: Doccano 1.8.4 looks examples up by id without checking the project in the URL, so
    find, update, delete and the confirmation calls act on an example of another project
    when given its id. An example carries no project field, so the client cannot check this.
    The bulk delete is scoped: it skips ids of other projects.
    """

    def find_example_by_id(self, project_id: int, example_id: int) -> Example:
        """Return one example (``GET .../examples/{id}``). ``is_confirmed`` is the caller's state.

        :raises NotFoundError: no example has that id.
        """
        return Example.model_validate(self._transport.get(f"/v1/projects/{project_id}/examples/{example_id}"))

    def list_examples(self, project_id: int, is_confirmed: bool | None = None) -> Iterator[Example]:
        """Yield the project's examples, one page request at a time (``GET .../examples``).

        :param is_confirmed: ``True`` keeps only confirmed examples and ``False`` only the
            others; ``None`` yields all of them. Per-user projects count the caller's own
            confirmation, collaborative projects anyone's.
        :raises InvalidArgumentError: ``is_confirmed`` is not a bool or ``None``, raised when
            the first item is requested.

        NOTE: pages are fetched by offset, so deleting examples while a listing runs can make
        it skip some, and with ``is_confirmed`` so can confirming or unconfirming them.
        """
        params = _confirmed_params(is_confirmed)
        for item in self._transport.paginate(f"/v1/projects/{project_id}/examples", params):
            yield Example.model_validate(item)

    def count_examples(self, project_id: int, is_confirmed: bool | None = None) -> int:
        """Return the number of examples, filtered like :meth:`list_examples` (one request, ``limit=1``)."""
        params = {**_confirmed_params(is_confirmed), "limit": 1, "offset": 0}
        return int(self._transport.get(f"/v1/projects/{project_id}/examples", params=params)["count"])

    def create_example(
        self, project_id: int, text: str, score: float = 100.0, meta: dict[str, Any] | None = None
    ) -> Example:
        """Create one text example (``POST .../examples {text, score, meta}``).

        For many examples, ``upload`` is about ten times faster.

        :raises InvalidArgumentError: ``meta`` is not a dict.
        :raises PermissionDeniedError: the user is not a project admin.
        """
        if meta is not None and not isinstance(meta, dict):
            raise InvalidArgumentError(f"Invalid meta {meta!r}: use a dict of JSON values, or None.")
        body = {"text": text, "score": score, "meta": meta if meta is not None else {}}
        return Example.model_validate(self._transport.post(f"/v1/projects/{project_id}/examples", json=body))

    def update_example(
        self,
        project_id: int,
        example_id: int,
        text: str | None = None,
        score: float | None = None,
        meta: dict[str, Any] | None = None,
    ) -> Example:
        """Change an example's text, score or meta with PATCH, leaving the ``None`` ones unchanged.

        ``meta`` replaces the whole meta object.

        :raises InvalidArgumentError: ``text`` is empty or only whitespace, or ``meta`` is not
            a dict. Nothing is sent.
        :raises NotFoundError: no example has that id.
        :raises PermissionDeniedError: the user is not a project admin.
        """
        if text is not None and not text.strip():
            # Doccano 1.8.4 accepts this PATCH and stores an empty text (it trims whitespace),
            # which wipes the example and leaves its span offsets past the end of the text.
            raise InvalidArgumentError(
                f"Invalid text {text!r}: pass the example's new non-empty text, or None to leave "
                "the text unchanged."
            )
        if meta is not None and not isinstance(meta, dict):
            raise InvalidArgumentError(f"Invalid meta {meta!r}: use a dict of JSON values, or None.")
        fields = {"text": text, "score": score, "meta": meta}
        body = {key: value for key, value in fields.items() if value is not None}
        path = f"/v1/projects/{project_id}/examples/{example_id}"
        return Example.model_validate(self._transport.patch(path, json=body))

    def delete_example(self, project_id: int, example_id: int) -> None:
        """Delete one example with its annotations and comments.

        :raises NotFoundError: no example has that id.
        """
        self._transport.delete(f"/v1/projects/{project_id}/examples/{example_id}")

    def bulk_delete_examples(self, project_id: int, example_ids: list[int]) -> None:
        """Delete the given examples with one ``DELETE .../examples {"ids": [...]}``.

        :raises InvalidArgumentError: ``example_ids`` is empty, because the server would then
            delete every example of the project (use :meth:`delete_all_examples` for that).
        """
        ids = check_ids("example_ids", example_ids)
        self._transport.delete(f"/v1/projects/{project_id}/examples", json={"ids": ids})
        log.info("Deleted %d examples from project %s.", len(ids), project_id)

    def delete_all_examples(self, project_id: int) -> None:
        """Delete every example of the project (``DELETE .../examples {"ids": []}``)."""
        self._transport.delete(f"/v1/projects/{project_id}/examples", json={"ids": []})
        log.info("Deleted all examples of project %s.", project_id)

    def update_example_state(self, project_id: int, example_id: int) -> None:
        """Toggle the caller's confirmation of an example (``POST .../examples/{id}/states``).

        In collaborative projects un-confirming removes every user's confirmation. Use
        :meth:`confirm_example` or :meth:`unconfirm_example` to set a state that a retry
        cannot flip back.
        """
        self._transport.post(f"/v1/projects/{project_id}/examples/{example_id}/states")

    def confirm_example(self, project_id: int, example_id: int) -> None:
        """Mark an example as confirmed unless it already is (one GET, then a POST if needed)."""
        if not self.find_example_by_id(project_id, example_id).is_confirmed:
            self.update_example_state(project_id, example_id)

    def unconfirm_example(self, project_id: int, example_id: int) -> None:
        """Remove the caller's confirmation of an example if there is one (one GET, then a POST if needed)."""
        if self.find_example_by_id(project_id, example_id).is_confirmed:
            self.update_example_state(project_id, example_id)
