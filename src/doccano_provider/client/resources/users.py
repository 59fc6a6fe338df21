"""Authentication, users, the current user's details, and roles."""

from __future__ import annotations

import logging

from doccano_provider.client.exceptions import (
    AuthenticationError,
    InvalidArgumentError,
    NotFoundError,
    UnexpectedResponseError,
    ValidationError,
)
from doccano_provider.client.resources._base import DoccanoModel, ResourceMixin

log = logging.getLogger("doccano_provider.client")


class User(DoccanoModel):
    id: int
    username: str
    is_superuser: bool = False
    is_staff: bool = False


class UserDetails(DoccanoModel):
    pk: int
    username: str
    email: str | None = None
    first_name: str = ""
    last_name: str = ""


class PasswordUpdated(DoccanoModel):
    detail: str


class Role(DoccanoModel):
    id: int
    name: str


def _check_credentials(username: str, password: str) -> None:
    """Reject an empty username or password, without ever putting the password in the message."""
    if not username.strip():
        raise InvalidArgumentError(f"Invalid username {username!r}: use a non-empty username.")
    if not password:
        raise InvalidArgumentError("Invalid password: it is empty. Pass the user's password.")


class UserCalls(ResourceMixin):
    """Login, logout, users and roles."""

    def login(self, username: str, password: str) -> None:
        """Log in and send the returned token on every following request.

        Only the token is kept: the session cookies of the login response are dropped, because
        Doccano demands a CSRF token from any request that carries them.

        :raises AuthenticationError: the username or password is wrong.
        """
        _check_credentials(username, password)
        self._transport.set_token(None)
        try:
            body = self._transport.post("/v1/auth/login/", json={"username": username, "password": password})
        except ValidationError as error:
            if "non_field_errors" not in error.errors:
                raise
            raise AuthenticationError(
                f"Login as {username!r} failed: {' '.join(error.errors['non_field_errors'])} "
                "Check the username and password.",
                status_code=error.status_code,
                method=error.method,
                url=error.url,
                errors=error.errors,
            ) from error
        if not isinstance(body, dict) or not isinstance(body.get("key"), str) or not body["key"]:
            raise UnexpectedResponseError(
                f"Login as {username!r} returned no 'key' token: the URL does not look like Doccano's "
                "login endpoint. Check the base URL.",
                method="POST",
                url=self._transport.url("/v1/auth/login/"),
                status_code=200,
            )
        self._transport.set_token(body["key"])

    def logout(self) -> None:
        """Log out and forget the token.

        Doccano keeps one token per user and deletes it on logout, so every other client that
        uses the same user's token is logged out too. The next login creates a new token.
        """
        self._transport.post("/v1/auth/logout/")
        self._transport.set_token(None)

    def search_users(self, name: str = "") -> list[User]:
        """Return the users whose username contains ``name`` (case-insensitive)."""
        return [User.model_validate(item) for item in self._transport.get("/v1/users", params={"q": name})]

    def find_user_by_name(self, name: str) -> User:
        """Return the user named exactly ``name``.

        :raises NotFoundError: no user has that username.
        """
        for user in self.search_users(name):
            if user.username == name:
                return user
        raise NotFoundError(
            f"User {name!r} not found. Create it first (create_user) or check the spelling.",
            status_code=404,
            method="GET",
            url=self._transport.url("/v1/users"),
        )

    def create_user(self, username: str, password: str) -> User:
        """Create a user; only staff users may do this. Django's password rules apply."""
        _check_credentials(username, password)
        body = {"username": username, "password1": password, "password2": password}
        return User.model_validate(self._transport.post("/v1/users/create", json=body))

    def get_profile(self) -> User:
        """Return the logged-in user (id, username, staff and superuser flags)."""
        return User.model_validate(self._transport.get("/v1/me"))

    def change_current_user_password(self, password: str, confirm_password: str) -> PasswordUpdated:
        """Set a new password for the logged-in user. The token stays valid."""
        body = {"new_password1": password, "new_password2": confirm_password}
        return PasswordUpdated.model_validate(self._transport.post("/v1/auth/password/change/", json=body))

    def update_current_user_details(
        self, username: str | None = None, first_name: str | None = None, last_name: str | None = None
    ) -> UserDetails:
        """Change the logged-in user's username or names; ``None`` leaves a field unchanged."""
        fields = {"username": username, "first_name": first_name, "last_name": last_name}
        body = {key: value for key, value in fields.items() if value is not None}
        return UserDetails.model_validate(self._transport.patch("/v1/auth/user/", json=body))

    def list_roles(self) -> list[Role]:
        """Return the project roles (project_admin, annotator, annotation_approver)."""
        return [Role.model_validate(item) for item in self._transport.get("/v1/roles")]
