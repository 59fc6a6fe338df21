"""Typed client for the Doccano REST API; imports nothing from Airflow."""

from __future__ import annotations

from doccano_provider.client._client import DoccanoClient
from doccano_provider.client.exceptions import (
    AuthenticationError,
    DoccanoError,
    HTTPStatusError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RequestTimeoutError,
    ServerError,
    TaskFailedError,
    TransportError,
    UnexpectedResponseError,
    UnsafeArchiveError,
    ValidationError,
    WaitTimeoutError,
)

__all__ = [
    "AuthenticationError",
    "DoccanoClient",
    "DoccanoError",
    "HTTPStatusError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "RequestTimeoutError",
    "ServerError",
    "TaskFailedError",
    "TransportError",
    "UnexpectedResponseError",
    "UnsafeArchiveError",
    "ValidationError",
    "WaitTimeoutError",
]
