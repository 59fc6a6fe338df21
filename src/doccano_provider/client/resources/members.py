"""Project members and their roles."""

from __future__ import annotations

import logging

from doccano_provider.client.exceptions import InvalidArgumentError, NotFoundError
from doccano_provider.client.resources._base import DoccanoModel, ResourceMixin, check_ids

log = logging.getLogger("doccano_provider.client")


class Member(DoccanoModel):
    id: int
    user: int
    role: int
    username: str
    rolename: str


class MemberCalls(ResourceMixin):
    """Members: find, list, add, change role and remove.

    Every call needs the project_admin role in the project, or a superuser.
    """

    def find_member_by_id(self, project_id: int, member_id: int) -> Member:
        """Return one membership (``GET .../members/{id}``). ``member_id`` is not the user id.

        :raises NotFoundError: no membership has that id.
        """
        return Member.model_validate(self._transport.get(f"/v1/projects/{project_id}/members/{member_id}"))

    def list_members(self, project_id: int) -> list[Member]:
        """Return every member of the project with its role (one unpaginated request)."""
        return [
            Member.model_validate(item) for item in self._transport.get(f"/v1/projects/{project_id}/members")
        ]

    def add_member(self, project_id: int, username: str, role_name: str) -> Member:
        """Give a user a role in the project (``POST .../members {user, role}``).

        The username and role name are resolved to ids first (``GET /v1/users``, ``/v1/roles``).

        :raises InvalidArgumentError: unknown role name. Nothing is sent.
        :raises NotFoundError: no user has that username.
        :raises ValidationError: the user is already a member of the project.
        """
        role_id = self._role_id(role_name)
        user = self.find_user_by_name(username)  # type: ignore[attr-defined]
        body = {"user": user.id, "role": role_id}
        member = Member.model_validate(self._transport.post(f"/v1/projects/{project_id}/members", json=body))
        log.info("Added %s to project %s as %s.", username, project_id, role_name)
        return member

    def update_member(self, project_id: int, member_id: int, role_name: str) -> Member:
        """Change a member's role (``PATCH .../members/{id} {role}``).

        :raises InvalidArgumentError: unknown role name. Nothing is sent.
        :raises ValidationError: the change would leave the project without an admin.
        :raises NotFoundError: no membership has that id.
        """
        role_id = self._role_id(role_name)
        path = f"/v1/projects/{project_id}/members/{member_id}"
        return Member.model_validate(self._transport.patch(path, json={"role": role_id}))

    def delete_member(self, project_id: int, member_id: int) -> None:
        """Remove one member, through the bulk delete because the server rejects a single DELETE with 405.

        :raises InvalidArgumentError: ``member_id`` is the caller's own membership.
        :raises NotFoundError: the project has no membership with that id.
        """
        self.bulk_delete_members(project_id, [member_id])

    def bulk_delete_members(self, project_id: int, member_ids: list[int]) -> None:
        """Remove several members with one ``DELETE .../members {"ids": [...]}``.

        The members and the caller are read first (``GET .../members``, ``GET /v1/me``),
        because the server silently skips unknown ids and the caller's own membership.

        :raises InvalidArgumentError: ``member_ids`` is empty or contains the caller's own
            membership. Nothing is deleted.
        :raises NotFoundError: an id is not a membership of the project. Nothing is deleted.
        """
        ids = check_ids("member_ids", member_ids)
        self._check_deletable(project_id, ids)
        self._transport.delete(f"/v1/projects/{project_id}/members", json={"ids": ids})
        log.info("Removed %d member(s) from project %s.", len(ids), project_id)

    def _check_deletable(self, project_id: int, ids: list[int]) -> None:
        members = {member.id: member for member in self.list_members(project_id)}
        missing = [member_id for member_id in ids if member_id not in members]
        if missing:
            raise NotFoundError(
                f"Project {project_id} has no member with id {', '.join(map(str, missing))}. "
                "Member ids are membership ids from list_members, not user ids.",
                status_code=404,
                method="GET",
                url=self._transport.url(f"/v1/projects/{project_id}/members"),
            )
        caller_id = self.get_profile().id  # type: ignore[attr-defined]
        for member_id in ids:
            if members[member_id].user == caller_id:
                raise InvalidArgumentError(
                    f"Member {member_id} of project {project_id} is the caller "
                    f"({members[member_id].username}): Doccano does not let users remove "
                    "themselves. Remove it with another project admin's client."
                )

    def _role_id(self, role_name: str) -> int:
        roles = self.list_roles()  # type: ignore[attr-defined]
        for role in roles:
            if role.name == role_name:
                return int(role.id)
        names = ", ".join(role.name for role in roles)
        raise InvalidArgumentError(f"Invalid role_name {role_name!r}: use one of {names}.")
