"""Label types (category, span and relation types) of a project."""

from __future__ import annotations

from doccano_provider.client.resources._base import ResourceMixin


class LabelTypeCalls(ResourceMixin):
    """Label types (category, span and relation types) of a project."""
