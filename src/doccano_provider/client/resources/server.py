"""Server-level calls such as the health check."""

from __future__ import annotations

from doccano_provider.client.resources._base import ResourceMixin


class ServerCalls(ResourceMixin):
    """Server-level calls such as the health check."""
