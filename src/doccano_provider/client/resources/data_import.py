"""Dataset upload: catalog, filepond upload, ingest and task status."""

from __future__ import annotations

from doccano_provider.client.resources._base import ResourceMixin


class DataImportCalls(ResourceMixin):
    """Dataset upload: catalog, filepond upload, ingest and task status."""
