"""Every response model of the client, importable from one module.

Each model is defined beside the calls that return it, in ``doccano_provider.client.resources``.
"""

from __future__ import annotations

from doccano_provider.client.resources._base import DoccanoModel, LabelKind
from doccano_provider.client.resources.annotations import (
    Annotation,
    BoundingBox,
    Category,
    Relation,
    Segment,
    Span,
    Text,
)
from doccano_provider.client.resources.comments import Comment
from doccano_provider.client.resources.data_export import DataExportOption
from doccano_provider.client.resources.data_import import DataImportOption, TaskStatus
from doccano_provider.client.resources.examples import Example
from doccano_provider.client.resources.label_types import LabelType, PrefixKey
from doccano_provider.client.resources.members import Member
from doccano_provider.client.resources.metrics import LabelDistribution, MemberProgress, Progress
from doccano_provider.client.resources.projects import Project, ProjectType, Tag
from doccano_provider.client.resources.users import PasswordUpdated, Role, User, UserDetails

__all__ = [
    "Annotation",
    "BoundingBox",
    "Category",
    "Comment",
    "DataExportOption",
    "DataImportOption",
    "DoccanoModel",
    "Example",
    "LabelDistribution",
    "LabelKind",
    "LabelType",
    "Member",
    "MemberProgress",
    "PasswordUpdated",
    "PrefixKey",
    "Progress",
    "Project",
    "ProjectType",
    "Relation",
    "Role",
    "Segment",
    "Span",
    "Tag",
    "TaskStatus",
    "Text",
    "User",
    "UserDetails",
]
