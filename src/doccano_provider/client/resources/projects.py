"""Projects: find, list, create, update and delete."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any, Literal, get_args

from doccano_provider.client.exceptions import InvalidArgumentError
from doccano_provider.client.resources._base import DoccanoModel, ResourceMixin

log = logging.getLogger("doccano_provider.client")

ProjectType = Literal[
    "DocumentClassification",
    "SequenceLabeling",
    "Seq2seq",
    "IntentDetectionAndSlotFilling",
    "Speech2text",
    "ImageClassification",
    "BoundingBox",
    "Segmentation",
    "ImageCaptioning",
]
PROJECT_TYPES: tuple[str, ...] = get_args(ProjectType)

# Doccano 1.8.4 picks the project model from ``resourcetype`` and accepts any pairing with
# ``project_type``, so the client derives one from the other.
RESOURCE_TYPES: dict[str, str] = {
    "DocumentClassification": "TextClassificationProject",
    "SequenceLabeling": "SequenceLabelingProject",
    "Seq2seq": "Seq2seqProject",
    "IntentDetectionAndSlotFilling": "IntentDetectionAndSlotFillingProject",
    "Speech2text": "Speech2textProject",
    "ImageClassification": "ImageClassificationProject",
    "BoundingBox": "BoundingBoxProject",
    "Segmentation": "SegmentationProject",
    "ImageCaptioning": "ImageCaptioningProject",
}

# Flags that only some project types use. The server silently drops them on the others.
SEQUENCE_LABELING_FLAGS = ("allow_overlapping", "grapheme_mode", "use_relation")
SINGLE_CLASS_TYPES = ("DocumentClassification", "ImageClassification", "IntentDetectionAndSlotFilling")


class Tag(DoccanoModel):
    id: int
    text: str
    project: int | None = None


class Project(DoccanoModel):
    id: int
    name: str
    description: str = ""
    guideline: str = ""
    project_type: str
    resourcetype: str | None = None
    random_order: bool = False
    collaborative_annotation: bool = False
    single_class_classification: bool = False
    allow_member_to_create_label_type: bool = False
    allow_overlapping: bool = False
    grapheme_mode: bool = False
    use_relation: bool = False
    is_text_project: bool = True
    author: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    tags: list[Tag] = []


def check_project_type(project_type: str) -> str:
    """Raise ``InvalidArgumentError`` unless ``project_type`` is a Doccano 1.8.4 project type."""
    if not isinstance(project_type, str) or project_type not in RESOURCE_TYPES:
        raise InvalidArgumentError(
            f"Invalid project_type {project_type!r}: use one of {', '.join(PROJECT_TYPES)}."
        )
    return project_type


def check_project_flags(project_type: str, flags: Mapping[str, Any]) -> None:
    """Raise ``InvalidArgumentError`` for a flag set to ``True`` that ``project_type`` does not use."""
    for name in SEQUENCE_LABELING_FLAGS:
        if flags.get(name) and project_type != "SequenceLabeling":
            raise InvalidArgumentError(
                f"{name}=True applies only to SequenceLabeling projects, not {project_type}: "
                f"drop the flag or use project_type='SequenceLabeling'."
            )
    if flags.get("single_class_classification") and project_type not in SINGLE_CLASS_TYPES:
        raise InvalidArgumentError(
            f"single_class_classification=True applies only to {', '.join(SINGLE_CLASS_TYPES)} "
            f"projects, not {project_type}: drop the flag."
        )


def _check_same_model(project: Project, project_type: str) -> None:
    if project.resourcetype and RESOURCE_TYPES[project_type] != project.resourcetype:
        raise InvalidArgumentError(
            f"Cannot change project {project.id} from {project.project_type} to {project_type}: "
            f"Doccano keeps the project's model ({project.resourcetype}) on update. "
            f"Create a new {project_type} project instead."
        )


def _check_tags(tags: list[str]) -> list[str]:
    if isinstance(tags, str):
        raise InvalidArgumentError(f"Invalid tags {tags!r}: pass a list of strings, e.g. [{tags!r}].")
    if not isinstance(tags, (list, tuple)):
        raise InvalidArgumentError(f"Invalid tags {tags!r}: pass a list of strings, e.g. ['news'].")
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip():
            raise InvalidArgumentError(f"Invalid tag {tag!r}: tags are non-empty strings.")
    return list(dict.fromkeys(tags))


class ProjectCalls(ResourceMixin):
    """Projects: find, list, create, update and delete."""

    def find_project_by_id(self, project_id: int) -> Project:
        """Return one project (``GET /v1/projects/{id}``).

        :raises NotFoundError: no project has that id.
        :raises PermissionDeniedError: the user is not a member of the project.
        """
        return Project.model_validate(self._transport.get(f"/v1/projects/{project_id}"))

    def list_projects(self) -> Iterator[Project]:
        """Yield the projects the user is a member of, newest first, one page request at a time.

        Nothing is requested until the first item is consumed.
        """
        for item in self._transport.paginate("/v1/projects"):
            yield Project.model_validate(item)

    def create_project(
        self,
        name: str,
        project_type: ProjectType,
        description: str,
        guideline: str = "",
        random_order: bool = False,
        collaborative_annotation: bool = False,
        single_class_classification: bool = False,
        allow_overlapping: bool = False,
        grapheme_mode: bool = False,
        use_relation: bool = False,
        tags: list[str] | None = None,
    ) -> Project:
        """Create a project with ``POST /v1/projects``. Only staff users may do this.

        ``resourcetype`` is derived from ``project_type``. The SequenceLabeling flags and
        ``single_class_classification`` are rejected on types that do not use them, because the
        server would drop them silently. An empty ``description`` is not sent, because the
        server rejects an explicit empty string.

        :raises InvalidArgumentError: invalid ``project_type``, a flag that does not apply, or
            invalid tags. Nothing is sent.
        :raises PermissionDeniedError: the user is not staff.
        """
        check_project_type(project_type)
        flags = {
            "single_class_classification": single_class_classification,
            "allow_overlapping": allow_overlapping,
            "grapheme_mode": grapheme_mode,
            "use_relation": use_relation,
        }
        check_project_flags(project_type, flags)
        if not name or not name.strip():
            raise InvalidArgumentError(f"Invalid project name {name!r}: use a non-empty name.")
        body: dict[str, Any] = {
            "name": name,
            "project_type": project_type,
            "resourcetype": RESOURCE_TYPES[project_type],
            "guideline": guideline,
            "random_order": random_order,
            "collaborative_annotation": collaborative_annotation,
            "single_class_classification": single_class_classification,
        }
        if description:
            body["description"] = description
        if project_type == "SequenceLabeling":
            body.update(
                allow_overlapping=allow_overlapping, grapheme_mode=grapheme_mode, use_relation=use_relation
            )
        if tags:
            body["tags"] = [{"text": tag} for tag in _check_tags(tags)]
        project = Project.model_validate(self._transport.post("/v1/projects", json=body))
        log.info("Created %s project %s (%r).", project_type, project.id, name)
        return project

    def update_project(
        self,
        project_id: int,
        name: str | None = None,
        project_type: ProjectType | None = None,
        description: str | None = None,
        guideline: str | None = None,
        random_order: bool | None = None,
        collaborative_annotation: bool | None = None,
        single_class_classification: bool | None = None,
        allow_overlapping: bool | None = None,
        grapheme_mode: bool | None = None,
        use_relation: bool | None = None,
        tags: list[str] | None = None,
    ) -> Project:
        """Change the given fields of a project, leaving the ``None`` ones unchanged.

        Sends ``PATCH /v1/projects/{id}`` with the fields that are not ``None`` (never PUT,
        which skips Doccano's role check). ``tags`` replaces the project's tags: missing tags
        are added and others deleted through ``/v1/projects/{id}/tags``, because the project
        endpoint ignores tags on update. Flags are checked against the project's type.
        ``project_type`` may only name a type with the same server model (``resourcetype``),
        because PATCH changes the type field but never the model, which would leave a
        project whose type and model disagree.

        :raises InvalidArgumentError: invalid ``project_type`` or one with another model, a
            flag that does not apply, a blank ``name`` or ``description``, or invalid tags.
            Nothing is changed.
        :raises NotFoundError: no project has that id.
        :raises PermissionDeniedError: the user is not a project admin.
        """
        flags = {
            "single_class_classification": single_class_classification,
            "allow_overlapping": allow_overlapping,
            "grapheme_mode": grapheme_mode,
            "use_relation": use_relation,
        }
        if project_type is not None:
            check_project_type(project_type)
        if name is not None and not name.strip():
            raise InvalidArgumentError(f"Invalid project name {name!r}: use a non-empty name.")
        if description is not None and not description.strip():
            # Doccano 1.8.4 returns 400 "This field may not be blank" after trimming whitespace.
            raise InvalidArgumentError(
                f"Invalid description {description!r}: Doccano rejects a blank description, so "
                "pass a non-empty text, or None to leave the description unchanged."
            )
        target_tags = _check_tags(tags) if tags is not None else None
        if project_type is not None or any(flags.values()):
            current = self.find_project_by_id(project_id)
            if project_type is not None:
                _check_same_model(current, project_type)
            check_project_flags(project_type or current.project_type, flags)
        fields: dict[str, Any] = {
            "name": name,
            "project_type": project_type,
            "description": description,
            "guideline": guideline,
            "random_order": random_order,
            "collaborative_annotation": collaborative_annotation,
            **flags,
        }
        body = {key: value for key, value in fields.items() if value is not None}
        if body:
            self._transport.patch(f"/v1/projects/{project_id}", json=body)
        if target_tags is not None:
            self._sync_tags(project_id, target_tags)
        return self.find_project_by_id(project_id)

    def _sync_tags(self, project_id: int, target: list[str]) -> None:
        """Add the missing tags and delete the ones not in ``target``."""
        path = f"/v1/projects/{project_id}/tags"
        current = [Tag.model_validate(item) for item in self._transport.get(path)]
        current_texts = {tag.text for tag in current}
        for text in target:
            if text not in current_texts:
                self._transport.post(path, json={"text": text})
        for tag in current:
            if tag.text not in target:
                self._transport.delete(f"{path}/{tag.id}")

    def delete_project(self, project_id: int) -> None:
        """Delete a project with its examples, labels and annotations (``DELETE /v1/projects/{id}``).

        :raises NotFoundError: no project has that id.
        :raises PermissionDeniedError: the user is not a project admin.
        """
        self._transport.delete(f"/v1/projects/{project_id}")
        log.info("Deleted project %s.", project_id)
