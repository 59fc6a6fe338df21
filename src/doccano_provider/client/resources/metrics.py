"""Progress and label distribution metrics."""

from __future__ import annotations

from doccano_provider.client.resources._base import ResourceMixin


class MetricsCalls(ResourceMixin):
    """Progress and label distribution metrics."""
