"""Dataset download: export formats, export task and safe file writing."""

from __future__ import annotations

from doccano_provider.client.resources._base import ResourceMixin


class DataExportCalls(ResourceMixin):
    """Dataset download: export formats, export task and safe file writing."""
