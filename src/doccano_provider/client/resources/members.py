"""Project members and their roles."""

from __future__ import annotations

from doccano_provider.client.resources._base import ResourceMixin


class MemberCalls(ResourceMixin):
    """Project members and their roles."""
