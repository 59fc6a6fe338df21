"""The :class:`DoccanoClient` class, assembled from one mixin per resource family."""

from __future__ import annotations

from typing import Any

import requests

from doccano_provider.client._transport import DEFAULT_PAGE_SIZE, DEFAULT_TIMEOUT, Transport
from doccano_provider.client.resources.annotations import AnnotationCalls
from doccano_provider.client.resources.comments import CommentCalls
from doccano_provider.client.resources.data_export import DataExportCalls
from doccano_provider.client.resources.data_import import DataImportCalls
from doccano_provider.client.resources.examples import ExampleCalls
from doccano_provider.client.resources.label_types import LabelTypeCalls
from doccano_provider.client.resources.members import MemberCalls
from doccano_provider.client.resources.metrics import MetricsCalls
from doccano_provider.client.resources.projects import ProjectCalls
from doccano_provider.client.resources.server import ServerCalls
from doccano_provider.client.resources.users import UserCalls


class DoccanoClient(
    UserCalls,
    ProjectCalls,
    MemberCalls,
    LabelTypeCalls,
    ExampleCalls,
    CommentCalls,
    DataImportCalls,
    DataExportCalls,
    MetricsCalls,
    AnnotationCalls,
    ServerCalls,
):
    """Typed client for the Doccano 1.8.4 REST API.

    Every method of the documented doccano client API is here under the same name, with the
    same parameters and defaults. Each resource module in ``doccano_provider.client.resources``
    implements one family of calls.

    :param base_url: the server's root URL, e.g. ``http://127.0.0.1:8000``.
    :param verify: ``True``/``False`` for TLS verification, or a CA bundle path;
        ``None`` keeps the requests default.
    :param token: an API token to use instead of :meth:`login`, e.g. for a service account.
    :param timeout: connect and read timeouts in seconds.
    :param page_size: items per request when listing projects, examples or comments.
    :param max_retries: retries for failures that are safe to retry.
    :param session: a ``requests.Session`` to use (for custom adapters or proxies).
    """

    def __init__(
        self,
        base_url: str,
        verify: str | bool | None = None,
        *,
        token: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_retries: int = 4,
        session: requests.Session | None = None,
    ) -> None:
        self._transport = Transport(
            base_url,
            verify,
            token=token,
            timeout=timeout,
            page_size=page_size,
            max_retries=max_retries,
            session=session,
        )

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def token(self) -> str | None:
        """The API token in use, or ``None`` before :meth:`login`."""
        return self._transport.token

    def close(self) -> None:
        """Close the underlying HTTP session."""
        self._transport.close()

    def __enter__(self) -> DoccanoClient:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DoccanoClient(base_url={self.base_url!r})"
