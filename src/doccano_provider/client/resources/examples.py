"""Examples and their confirmation state."""

from __future__ import annotations

from doccano_provider.client.resources._base import ResourceMixin


class ExampleCalls(ResourceMixin):
    """Examples and their confirmation state."""
