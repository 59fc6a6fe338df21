"""Comments on examples."""

from __future__ import annotations

from doccano_provider.client.resources._base import ResourceMixin


class CommentCalls(ResourceMixin):
    """Comments on examples."""
