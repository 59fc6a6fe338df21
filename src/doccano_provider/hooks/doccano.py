"""The ``doccano`` connection type and :class:`DoccanoHook`."""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any

from doccano_provider._compat import BaseHook, mask_secret
from doccano_provider.client import DoccanoClient, DoccanoError
from doccano_provider.client.exceptions import (
    AuthenticationError,
    PermissionDeniedError,
    RequestTimeoutError,
    TransportError,
    UnexpectedResponseError,
)

log = logging.getLogger(__name__)

DEFAULT_READ_TIMEOUT = 120.0
CONNECT_TIMEOUT = 10.0


def parse_verify(value: Any) -> bool | str | None:
    """Turn the ``verify`` extra into ``True``/``False``, a CA bundle path, or ``None`` (default)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.lower() in ("true", "yes", "1", "on"):
        return True
    if text.lower() in ("false", "no", "0", "off"):
        return False
    return text


def _parse_number(name: str, value: Any, kind: type) -> Any:
    if value is None or value == "":
        return None
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"Invalid {name} {value!r} in the Doccano connection extras: use a positive number."
        ) from None
    if number <= 0:
        raise ValueError(f"Invalid {name} {value!r} in the Doccano connection extras: use a positive number.")
    return number


def _unprefixed(extras: dict[str, Any]) -> dict[str, Any]:
    # Older Airflow 2 connection forms store custom fields as extra__doccano__<name>.
    prefix = "extra__doccano__"
    result = {key.removeprefix(prefix): value for key, value in extras.items() if key.startswith(prefix)}
    result.update({key: value for key, value in extras.items() if not key.startswith(prefix)})
    return result


class ConnectionSettings:
    """URL, credentials and options of a Doccano connection, read once from an Airflow ``Connection``.

    The host is the Doccano root URL. With a login, the hook logs in with login and password;
    without one, the password field is an API token.

    :param conn: the Airflow connection.
    """

    def __init__(self, conn: Any) -> None:
        host = (conn.host or "").strip()
        if not host:
            raise ValueError(
                f"Doccano connection {conn.conn_id!r} has no host: set it to the Doccano URL, "
                "e.g. https://doccano.example.com."
            )
        if "://" not in host:
            host = f"{conn.schema or 'http'}://{host}"
        if conn.port and host.count(":") < 2:
            host = f"{host.rstrip('/')}:{conn.port}"
        extras = _unprefixed(conn.extra_dejson or {})
        self.conn_id: str = conn.conn_id
        self.base_url: str = host.rstrip("/")
        self.login: str | None = conn.login or None
        self.password: str | None = conn.password or None
        self.verify = parse_verify(extras.get("verify"))
        self.read_timeout: float = (
            _parse_number("timeout", extras.get("timeout"), float) or DEFAULT_READ_TIMEOUT
        )
        self.page_size: int | None = _parse_number("page_size", extras.get("page_size"), int)
        if not self.password:
            raise ValueError(
                f"Doccano connection {self.conn_id!r} has no password or API token: set the password "
                "(with a username) or put an API token in the password field and leave the username empty."
            )

    @property
    def uses_token(self) -> bool:
        """``True`` when the password field is an API token (no login given)."""
        return self.login is None

    def client_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"timeout": (CONNECT_TIMEOUT, self.read_timeout)}
        if self.page_size:
            kwargs["page_size"] = self.page_size
        return kwargs


class DoccanoHook(BaseHook):
    """Interact with a Doccano server through :class:`~doccano_provider.client.DoccanoClient`.

    :meth:`get_conn` returns the logged-in client, so every client call is reachable as
    ``DoccanoHook(conn_id).get_conn().<call>(...)``; attribute access on the hook forwards to
    the client too, e.g. ``hook.list_members(project_id)``.

    :param doccano_conn_id: the Airflow connection id of a ``doccano`` connection.
    """

    conn_name_attr = "doccano_conn_id"
    default_conn_name = "doccano_default"
    conn_type = "doccano"
    hook_name = "Doccano"

    def __init__(self, doccano_conn_id: str = default_conn_name, *, max_retries: int = 4) -> None:
        super().__init__()
        self.doccano_conn_id = doccano_conn_id
        self.max_retries = max_retries

    # -- connection form (Airflow 2.11 reads these; Airflow 3.2+ reads provider_info) ---------

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Return the extra fields of the connection form: TLS verification, timeout, page size."""
        from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
        from flask_babel import lazy_gettext
        from wtforms import IntegerField, StringField
        from wtforms.validators import NumberRange, Optional

        return {
            "verify": StringField(
                lazy_gettext("TLS verification"),
                widget=BS3TextFieldWidget(),
                description="true or false, or the path of a CA bundle",
            ),
            "timeout": IntegerField(
                lazy_gettext("Timeout (seconds)"), widget=BS3TextFieldWidget(), validators=[Optional()]
            ),
            "page_size": IntegerField(
                lazy_gettext("Page size"),
                widget=BS3TextFieldWidget(),
                validators=[Optional(), NumberRange(min=1)],
            ),
        }

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Return the relabelled and hidden fields of the connection form."""
        return {
            "hidden_fields": ["schema", "port"],
            "relabeling": {"host": "Doccano URL", "login": "Username", "password": "Password or API token"},
            "placeholders": {
                "host": "https://doccano.example.com",
                "login": "leave empty to use an API token",
                "password": "password, or the API token when Username is empty",
            },
        }

    # -- client ------------------------------------------------------------------------------

    @cached_property
    def settings(self) -> ConnectionSettings:
        """The connection's URL, credentials and options."""
        return ConnectionSettings(self.get_connection(self.doccano_conn_id))

    def build_client(self, *, max_retries: int | None = None) -> DoccanoClient:
        """Create a new client for this connection and authenticate it.

        :param max_retries: retries of failed requests; defaults to the hook's ``max_retries``.
        :raises AuthenticationError: the username, password or token is wrong.
        """
        settings = self.settings
        retries = self.max_retries if max_retries is None else max_retries
        token = settings.password if settings.uses_token else None
        client = DoccanoClient(
            settings.base_url, settings.verify, token=token, max_retries=retries, **settings.client_kwargs()
        )
        if token:
            mask_secret(token)
        else:
            client.login(settings.login, settings.password)
            # The token is a credential obtained at run time: keep it out of task logs.
            if client.token:
                mask_secret(client.token)
        return client

    @cached_property
    def client(self) -> DoccanoClient:
        """The authenticated client, created on first use and then reused."""
        client = self.build_client()
        self.log.info("Connected to Doccano at %s (connection %s).", client.base_url, self.doccano_conn_id)
        return client

    def get_conn(self) -> DoccanoClient:
        """Return the authenticated :class:`DoccanoClient` (cached for the hook's lifetime)."""
        return self.client

    def __getattr__(self, name: str) -> Any:
        # Forward the client's public calls, e.g. hook.list_projects(); private names and the
        # hook's own attributes never get here.
        if name.startswith("_") or name in ("settings", "client"):
            raise AttributeError(name)
        client_attribute = getattr(DoccanoClient, name, None)
        if client_attribute is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(self.get_conn(), name)

    def project_url(self, project_id: int | str) -> str:
        """Return the address of a project in the Doccano web UI."""
        return f"{self.settings.base_url}/projects/{project_id}"

    # -- connection test ---------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """Log in and read the current user; return ``(ok, message)`` and never raise.

        The message names the URL and user and never contains the password or token.
        """
        try:
            settings = self.settings
        except Exception as error:  # noqa: BLE001 - the connection test must report, not raise
            return False, f"Invalid Doccano connection: {error}"
        secrets = [value for value in (settings.password,) if value]
        try:
            client = self.build_client(max_retries=0)
            try:
                user = client.get_profile()
            finally:
                client.close()
        except AuthenticationError:
            credential = f"user {settings.login!r}" if settings.login else "the API token"
            return (
                False,
                f"Authentication to Doccano at {settings.base_url} failed for {credential}: "
                "check the credentials.",
            )
        except PermissionDeniedError as error:
            return False, _scrub(f"Doccano at {settings.base_url} denied access: {error.detail}", secrets)
        except RequestTimeoutError:
            return False, f"Doccano at {settings.base_url} did not answer within the timeout."
        except TransportError as error:
            reason = type(error.__cause__).__name__ if error.__cause__ else "connection failed"
            return (
                False,
                f"Doccano at {settings.base_url} is unreachable ({reason}): check the URL and network.",
            )
        except UnexpectedResponseError:
            return False, (
                f"{settings.base_url} did not return Doccano API JSON: check that the URL is the "
                "server's root without a path."
            )
        except DoccanoError as error:
            return False, _scrub(f"Doccano connection test failed: {error}", secrets)
        except Exception as error:  # noqa: BLE001 - the connection test must report, not raise
            return False, _scrub(f"Doccano connection test failed: {type(error).__name__}: {error}", secrets)
        return True, f"Connected to Doccano at {settings.base_url} as {user.username!r}."


def _scrub(message: str, secrets: list[str]) -> str:
    for secret in secrets:
        message = message.replace(secret, "***")
    return message
