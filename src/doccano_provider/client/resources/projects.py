"""Projects: find, list, create, update and delete."""

from __future__ import annotations

from doccano_provider.client.resources._base import ResourceMixin


class ProjectCalls(ResourceMixin):
    """Projects: find, list, create, update and delete."""
