"""Annotations on one example: categories, spans, relations, texts, bounding boxes and segments."""

from __future__ import annotations

from doccano_provider.client.resources._base import ResourceMixin


class AnnotationCalls(ResourceMixin):
    """Annotations on one example: categories, spans, relations, texts, bounding boxes and segments."""
