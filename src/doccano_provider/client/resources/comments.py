"""Comments on examples."""

from __future__ import annotations

from collections.abc import Iterator

from doccano_provider.client.exceptions import InvalidArgumentError, NotFoundError
from doccano_provider.client.resources._base import DoccanoModel, ResourceMixin, check_ids


class Comment(DoccanoModel):
    id: int
    text: str
    example: int
    user: int | None = None
    username: str | None = None
    created_at: str | None = None


def _check_comment_text(text: str) -> None:
    if not text.strip():
        raise InvalidArgumentError(f"Invalid comment text {text!r}: use a non-empty text.")


class CommentCalls(ResourceMixin):
    """Comments: find, list, create, update and delete.

    Only a comment's author (or a superuser) may read it by id, change or delete it.
    Doccano 1.8.4 looks comments up by id without checking the project in the URL, so
    update and delete first check that the ids are comments of that project (one listing
    of the project's comments).
    """

    def _require_project_comments(self, project_id: int, comment_ids: list[int]) -> None:
        """Raise ``NotFoundError`` unless every id is a comment of the project."""
        path = f"/v1/projects/{project_id}/comments"
        known = {item["id"] for item in self._transport.paginate(path)}
        missing = [comment_id for comment_id in comment_ids if comment_id not in known]
        if missing:
            raise NotFoundError(
                f"Comment id(s) {missing} are not comments of project {project_id}; nothing was changed. "
                "Check the project and comment ids.",
                status_code=404,
                method="GET",
                url=self._transport.url(path),
            )

    def find_comment_by_id(self, project_id: int, comment_id: int) -> Comment:
        """Return one comment (``GET .../comments/{id}``).

        NOTE: Doccano 1.8.4 returns the comment even when it belongs to another project. This
        read is not checked against the project, so that it stays one request.

        :raises NotFoundError: no comment has that id.
        :raises PermissionDeniedError: the caller did not write the comment.
        """
        return Comment.model_validate(self._transport.get(f"/v1/projects/{project_id}/comments/{comment_id}"))

    def list_comments(self, project_id: int, example_id: int, query: str = "") -> Iterator[Comment]:
        """Yield every user's comments on one example, oldest first, one page at a time.

        :param query: keep only comments whose text contains this (case-insensitive).
        """
        params: dict[str, object] = {"example": example_id}
        if query:
            params["q"] = query
        for item in self._transport.paginate(f"/v1/projects/{project_id}/comments", params):
            yield Comment.model_validate(item)

    def create_comment(self, project_id: int, example_id: int, text: str) -> Comment:
        """Comment on an example (``POST .../comments?example={id} {text}``).

        The example id goes in the query string because the server ignores it in the body.

        :raises InvalidArgumentError: ``text`` is empty. Nothing is sent.
        """
        _check_comment_text(text)
        path = f"/v1/projects/{project_id}/comments"
        body = self._transport.post(path, params={"example": example_id}, json={"text": text})
        # The create response has ``example`` as a string, which the model's int field converts.
        return Comment.model_validate(body)

    def update_comment(self, project_id: int, comment_id: int, text: str) -> Comment:
        """Replace a comment's text (``PATCH .../comments/{id}``).

        :raises NotFoundError: the comment is not in the project. Nothing is changed.
        :raises PermissionDeniedError: the caller did not write the comment.
        """
        _check_comment_text(text)
        self._require_project_comments(project_id, [comment_id])
        path = f"/v1/projects/{project_id}/comments/{comment_id}"
        return Comment.model_validate(self._transport.patch(path, json={"text": text}))

    def delete_comment(self, project_id: int, comment_id: int) -> None:
        """Delete one comment.

        :raises NotFoundError: the comment is not in the project. Nothing is deleted.
        :raises PermissionDeniedError: the caller did not write the comment.
        """
        self._require_project_comments(project_id, [comment_id])
        self._transport.delete(f"/v1/projects/{project_id}/comments/{comment_id}")

    def bulk_delete_comments(self, project_id: int, comment_ids: list[int]) -> None:
        """Delete several comments with one ``DELETE .../comments {"ids": [...]}``.

        NOTE: Doccano 1.8.4 deletes only the caller's own comments among ``comment_ids`` and
        skips the others without an error.

        :raises InvalidArgumentError: ``comment_ids`` is empty. Nothing is sent.
        :raises NotFoundError: an id is not a comment of the project. Nothing is deleted.
        """
        ids = check_ids("comment_ids", comment_ids)
        self._require_project_comments(project_id, ids)
        self._transport.delete(f"/v1/projects/{project_id}/comments", json={"ids": ids})
