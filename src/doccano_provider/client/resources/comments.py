"""Comments on examples."""

from __future__ import annotations

from collections.abc import Iterator

from doccano_provider.client.resources._base import DoccanoModel, ResourceMixin, check_ids


class Comment(DoccanoModel):
    id: int
    text: str
    example: int
    user: int | None = None
    username: str | None = None
    created_at: str | None = None


class CommentCalls(ResourceMixin):
    """Comments: find, list, create, update and delete.

    Only a comment's author (or a superuser) may read it by id, change or delete it.
    """

    def find_comment_by_id(self, project_id: int, comment_id: int) -> Comment:
        """Return one comment (``GET .../comments/{id}``).

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

        :raises ValidationError: ``text`` is empty.
        """
        path = f"/v1/projects/{project_id}/comments"
        body = self._transport.post(path, params={"example": example_id}, json={"text": text})
        # The create response has ``example`` as a string, which the model's int field converts.
        return Comment.model_validate(body)

    def update_comment(self, project_id: int, comment_id: int, text: str) -> Comment:
        """Replace a comment's text (``PATCH .../comments/{id}``).

        :raises PermissionDeniedError: the caller did not write the comment.
        """
        path = f"/v1/projects/{project_id}/comments/{comment_id}"
        return Comment.model_validate(self._transport.patch(path, json={"text": text}))

    def delete_comment(self, project_id: int, comment_id: int) -> None:
        """Delete one comment.

        :raises PermissionDeniedError: the caller did not write the comment.
        """
        self._transport.delete(f"/v1/projects/{project_id}/comments/{comment_id}")

    def bulk_delete_comments(self, project_id: int, comment_ids: list[int]) -> None:
        """Delete several comments with one ``DELETE .../comments {"ids": [...]}``.

        NOTE: Doccano 1.8.4 deletes only the caller's own comments among ``comment_ids`` and
        skips the others without an error.

        :raises InvalidArgumentError: ``comment_ids`` is empty. Nothing is sent.
        """
        ids = check_ids("comment_ids", comment_ids)
        self._transport.delete(f"/v1/projects/{project_id}/comments", json={"ids": ids})
