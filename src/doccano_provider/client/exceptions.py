"""Every error the Doccano client raises.

The whole hierarchy, so a caller can pick the level to catch::

    DoccanoError
    ├── InvalidArgumentError        (also a ValueError) bad input, raised before any request
    ├── TransportError              the request did not get an HTTP response
    │   └── RequestTimeoutError     connect or read timeout, after the retries
    ├── UnexpectedResponseError     a response that is not Doccano's JSON API, e.g. the web
    │                               app's HTML page that a wrong base URL returns with 200
    ├── HTTPStatusError             any 4xx/5xx; carries status, method, url, detail, errors
    │   ├── ValidationError         400: the server rejected a field or the request body
    │   ├── AuthenticationError     403 without valid credentials (Doccano never sends 401)
    │   ├── PermissionDeniedError   403 with valid credentials but not enough rights
    │   ├── NotFoundError           404
    │   └── ServerError             5xx, including Doccano's 500 HTML pages
    ├── TaskFailedError             an import or export task finished with an error
    ├── UnsafeArchiveError          an export zip has an unsafe path or link, or is too big
    └── WaitTimeoutError            a task or condition did not finish within the timeout

Doccano 1.8.4 responds with 403 both to missing or invalid credentials and to missing rights.
:func:`error_from_response` tells them apart by the ``detail`` text that Django REST
framework sends.
"""

from __future__ import annotations

from typing import Any

import requests

# Texts that Django REST framework 3.x puts in ``detail`` for authentication failures.
_AUTHENTICATION_DETAILS = (
    "Authentication credentials were not provided.",
    "Invalid token.",
    "Invalid token header.",
    "User inactive or deleted.",
    "Incorrect authentication credentials.",
)


class DoccanoError(Exception):
    """Base class of every error raised by the Doccano client."""


class InvalidArgumentError(DoccanoError, ValueError):
    """An argument is invalid; raised before anything is sent to the server."""


class TransportError(DoccanoError):
    """The request failed before an HTTP response arrived, after all retries."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class RequestTimeoutError(TransportError):
    """The server did not accept the connection or respond within the configured timeout."""


class UnexpectedResponseError(DoccanoError):
    """The response is not JSON from the Doccano API.

    Doccano responds to every unknown path with its web app's HTML page and status 200, so a
    base URL that points at the wrong place usually ends up here.
    """

    def __init__(self, message: str, *, method: str, url: str, status_code: int) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.status_code = status_code


class HTTPStatusError(DoccanoError):
    """The server responded with a 4xx or 5xx status.

    :ivar status_code: the HTTP status.
    :ivar method: the request method.
    :ivar url: the request URL.
    :ivar detail: the server's ``detail`` message, or ``None``.
    :ivar errors: per-field messages, e.g. ``{"name": ["This field is required."]}``.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        method: str,
        url: str,
        detail: str | None = None,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.method = method
        self.url = url
        self.detail = detail
        self.errors = errors or {}


class ValidationError(HTTPStatusError):
    """400: the server rejected the request body or one of its fields."""


class AuthenticationError(HTTPStatusError):
    """403 because credentials are missing or invalid: log in again or fix the token."""


class PermissionDeniedError(HTTPStatusError):
    """403 because the user lacks the role or staff flag the call needs."""


class NotFoundError(HTTPStatusError):
    """404: the project, example, label or other object does not exist."""


class ServerError(HTTPStatusError):
    """5xx: the server failed. Doccano 1.8.4 also responds with 500 to some invalid input."""


class TaskFailedError(DoccanoError):
    """An import or export task ended with an error.

    :ivar task_id: the Celery task id.
    :ivar errors: the server's error entries (dicts with ``filename``, ``line``, ``message``
        for imports, or ``{"text": ...}`` for a crashed task).
    """

    def __init__(self, message: str, *, task_id: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.task_id = task_id
        self.errors = errors or []


class UnsafeArchiveError(DoccanoError):
    """An export archive has an absolute path, ``..``, a symbolic link, or too many or too large files."""


class WaitTimeoutError(DoccanoError):
    """A task or condition did not finish within the timeout given to the call."""


def _split_body(body: Any) -> tuple[str | None, dict[str, list[str]]]:
    """Return the ``detail`` text and per-field messages of an error body."""
    if not isinstance(body, dict):
        return None, {}
    detail = body.get("detail")
    if isinstance(detail, list):
        # Model validation errors come back as {"detail": ["..."]}.
        detail = " ".join(str(item) for item in detail)
    errors: dict[str, list[str]] = {}
    for field, value in body.items():
        if field == "detail":
            continue
        if isinstance(value, list):
            errors[field] = [str(item) for item in value]
        else:
            # ``resourcetype`` errors are a bare string, not a list.
            errors[field] = [str(value)]
    return (str(detail) if detail is not None else None), errors


def error_from_response(response: requests.Response, body: Any) -> HTTPStatusError:
    """Build the exception for an error response; ``body`` is the decoded JSON or ``None``."""
    method = response.request.method or "?"
    url = response.url
    status = response.status_code
    detail, errors = _split_body(body)
    parts = [f"{method} {url} failed with HTTP {status}"]
    if detail:
        parts.append(detail)
    for field, messages in errors.items():
        parts.append(f"{field}: {' '.join(messages)}")
    if body is None and status >= 500:
        parts.append("the server returned an HTML error page; check the Doccano server log")
    message = ": ".join(parts[:2]) + ("; " + "; ".join(parts[2:]) if len(parts) > 2 else "")

    error_class: type[HTTPStatusError]
    if status == 400:
        error_class = ValidationError
    elif status in (401, 403):
        if status == 401 or (detail or "") in _AUTHENTICATION_DETAILS:
            error_class = AuthenticationError
        else:
            error_class = PermissionDeniedError
    elif status == 404:
        error_class = NotFoundError
    elif status >= 500:
        error_class = ServerError
    else:
        error_class = HTTPStatusError
    return error_class(message, status_code=status, method=method, url=url, detail=detail, errors=errors)
