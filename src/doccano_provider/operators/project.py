"""Create a Doccano project with its label types and members, idempotently."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from doccano_provider._compat import AirflowException, BaseOperator, Context
from doccano_provider.client import InvalidArgumentError, NotFoundError
from doccano_provider.client.resources.label_types import (
    check_color,
    check_label_text,
    check_prefix_key,
    check_suffix_key,
)
from doccano_provider.client.resources.projects import Project, check_project_flags, check_project_type
from doccano_provider.hooks.doccano import DoccanoHook
from doccano_provider.links import DoccanoProjectLink

IF_EXISTS_CHOICES = ("reuse", "fail", "update")
LABEL_KINDS = ("category", "span", "relation")
LABEL_KEYS = frozenset({"text", "type", "color", "prefix_key", "suffix_key"})
MEMBER_ROLES = ("project_admin", "annotator", "annotation_approver")
MEMBER_KEYS = frozenset({"username", "role"})

# The label kind a declaration without "type" gets, by project type.
DEFAULT_LABEL_KIND = {
    "DocumentClassification": "category",
    "ImageClassification": "category",
    "SequenceLabeling": "span",
}


class ProjectExistsError(AirflowException):
    """A project with the requested name exists and ``if_exists="fail"`` was given."""


def normalize_labels(labels: Sequence[dict[str, Any]] | None, project_type: str) -> list[dict[str, Any]]:
    """Check label declarations and return them with every key filled in.

    :raises InvalidArgumentError: an unknown key, kind, text, color or shortcut, or a duplicate.
    """
    if labels is None:
        return []
    if isinstance(labels, str | dict):
        raise InvalidArgumentError(
            f"Invalid labels {labels!r}: pass a list of dicts such as "
            "[{'text': 'positive', 'type': 'category'}]."
        )
    result: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for label in labels:
        if not isinstance(label, dict):
            raise InvalidArgumentError(f"Invalid label {label!r}: each label is a dict with at least 'text'.")
        unknown = set(label) - LABEL_KEYS
        if unknown:
            raise InvalidArgumentError(
                f"Invalid key(s) {sorted(unknown)} in label {label!r}: use {sorted(LABEL_KEYS)}."
            )
        kind = label.get("type") or DEFAULT_LABEL_KIND.get(project_type)
        if kind not in LABEL_KINDS:
            raise InvalidArgumentError(
                f"Invalid or missing type {label.get('type')!r} in label {label!r}: use one of "
                f"{', '.join(LABEL_KINDS)}."
            )
        if kind == "relation" and project_type != "SequenceLabeling":
            raise InvalidArgumentError(
                f"Relation label {label.get('text')!r} needs a SequenceLabeling project "
                "with use_relation=True."
            )
        text = check_label_text(label.get("text"))
        check_color(label.get("color"))
        check_prefix_key(label.get("prefix_key"))
        check_suffix_key(label.get("suffix_key"))
        if label.get("prefix_key") and not label.get("suffix_key"):
            raise InvalidArgumentError(
                f"Label {text!r} has a prefix_key but no suffix_key: add a suffix_key."
            )
        if (kind, text) in seen:
            raise InvalidArgumentError(f"Label {text!r} of type {kind!r} is declared twice: remove one.")
        seen.add((kind, text))
        result.append(
            {
                "type": kind,
                "text": text,
                "color": label.get("color"),
                "prefix_key": label.get("prefix_key"),
                "suffix_key": label.get("suffix_key"),
            }
        )
    _check_shortcuts_unique(result)
    return result


def _check_shortcuts_unique(labels: list[dict[str, Any]]) -> None:
    seen: dict[tuple[str, Any, Any], str] = {}
    for label in labels:
        if not label["suffix_key"] or label["type"] == "relation":
            continue
        key = (label["type"], label["prefix_key"], label["suffix_key"])
        if key in seen:
            raise InvalidArgumentError(
                f"Labels {seen[key]!r} and {label['text']!r} share the shortcut "
                f"{label['prefix_key'] or ''} {label['suffix_key']}: give each a different suffix_key."
            )
        seen[key] = label["text"]


def normalize_members(members: Sequence[dict[str, Any]] | None) -> list[dict[str, str]]:
    """Check member declarations (``username`` and ``role``) and return them.

    :raises InvalidArgumentError: an unknown key or role, a missing username, or a duplicate.
    """
    if members is None:
        return []
    if isinstance(members, str | dict):
        raise InvalidArgumentError(
            f"Invalid members {members!r}: pass a list of dicts such as "
            "[{'username': 'alice', 'role': 'annotator'}]."
        )
    result: list[dict[str, str]] = []
    seen: set[str] = set()
    for member in members:
        if not isinstance(member, dict):
            raise InvalidArgumentError(
                f"Invalid member {member!r}: each member is a dict with username and role."
            )
        unknown = set(member) - MEMBER_KEYS
        if unknown:
            raise InvalidArgumentError(
                f"Invalid key(s) {sorted(unknown)} in member {member!r}: use 'username' and 'role'."
            )
        username = member.get("username")
        if not isinstance(username, str) or not username.strip():
            raise InvalidArgumentError(f"Invalid or missing username in member {member!r}.")
        role = member.get("role", "annotator")
        if role not in MEMBER_ROLES:
            raise InvalidArgumentError(
                f"Invalid role {role!r} for member {username!r}: use one of {', '.join(MEMBER_ROLES)}."
            )
        if username in seen:
            raise InvalidArgumentError(f"Member {username!r} is declared twice: keep one entry.")
        seen.add(username)
        result.append({"username": username, "role": role})
    return result


class DoccanoCreateProjectOperator(BaseOperator):
    """Create a Doccano project, or find it by name, and converge its label types and members.

    Running the task again (a retry or a new DAG run) finds the project by its exact name and
    creates only the label types and members that are missing, so nothing is duplicated.
    Declared members whose role differs get the declared role; undeclared label types and
    members are left alone. Declarations are checked before any request is sent.

    :param project_name: the project's name, the key that makes the operator idempotent.
    :param project_type: DocumentClassification, SequenceLabeling, Seq2seq, ... (Doccano 1.8.4 types).
    :param description: the project's description (Doccano requires a non-empty one).
    :param guideline: the annotation guideline, in Markdown.
    :param labels: label types to declare: dicts with ``text``, ``type`` (category, span or
        relation; defaults to the project type's kind), ``color`` (``#rrggbb``), ``prefix_key``
        (None, ``ctrl``, ``shift`` or ``ctrl shift``) and ``suffix_key`` (one of 0-9 or a-z).
    :param members: users to add: dicts with ``username`` and ``role`` (project_admin,
        annotator or annotation_approver; default annotator).
    :param if_exists: what to do when a project with that name exists: ``reuse`` it (keep its
        settings), ``fail``, or ``update`` its settings to the ones given here.
    :param collaborative_annotation: annotators share one set of annotations and confirmations.
    :param single_class_classification: allow one category per example.
    :param random_order: show examples to each annotator in a shuffled order.
    :param allow_overlapping: allow overlapping spans (SequenceLabeling only).
    :param grapheme_mode: count offsets in grapheme clusters (SequenceLabeling only).
    :param use_relation: enable relation labels (SequenceLabeling only).
    :param tags: project tags.
    :param doccano_conn_id: the ``doccano`` connection to use.
    """

    template_fields: Sequence[str] = (
        "project_name",
        "description",
        "guideline",
        "labels",
        "members",
        "tags",
        "doccano_conn_id",
    )
    template_fields_renderers = {"labels": "json", "members": "json", "guideline": "md"}
    operator_extra_links = (DoccanoProjectLink(),)
    ui_color = "#c8e6fa"

    def __init__(
        self,
        *,
        project_name: str,
        project_type: str = "DocumentClassification",
        description: str = "Created by Airflow",
        guideline: str = "",
        labels: list[dict[str, Any]] | None = None,
        members: list[dict[str, Any]] | None = None,
        if_exists: Literal["reuse", "fail", "update"] = "reuse",
        collaborative_annotation: bool = False,
        single_class_classification: bool = False,
        random_order: bool = False,
        allow_overlapping: bool = False,
        grapheme_mode: bool = False,
        use_relation: bool = False,
        tags: list[str] | None = None,
        doccano_conn_id: str = DoccanoHook.default_conn_name,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if if_exists not in IF_EXISTS_CHOICES:
            raise ValueError(f"Invalid if_exists {if_exists!r}: use one of {', '.join(IF_EXISTS_CHOICES)}.")
        self.project_name = project_name
        self.project_type = project_type
        self.description = description
        self.guideline = guideline
        self.labels = labels
        self.members = members
        self.if_exists = if_exists
        self.collaborative_annotation = collaborative_annotation
        self.single_class_classification = single_class_classification
        self.random_order = random_order
        self.allow_overlapping = allow_overlapping
        self.grapheme_mode = grapheme_mode
        self.use_relation = use_relation
        self.tags = tags
        self.doccano_conn_id = doccano_conn_id

    def _settings(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "guideline": self.guideline,
            "random_order": self.random_order,
            "collaborative_annotation": self.collaborative_annotation,
            "single_class_classification": self.single_class_classification,
            "allow_overlapping": self.allow_overlapping,
            "grapheme_mode": self.grapheme_mode,
            "use_relation": self.use_relation,
            "tags": self.tags,
        }

    def validate(self) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
        """Check every argument; return the normalized labels and members.

        :raises InvalidArgumentError: with the invalid value and the fix.
        """
        if not isinstance(self.project_name, str) or not self.project_name.strip():
            raise InvalidArgumentError(f"Invalid project_name {self.project_name!r}: use a non-empty name.")
        if not isinstance(self.description, str) or not self.description.strip():
            raise InvalidArgumentError(
                "Invalid description '': Doccano requires a non-empty project description."
            )
        check_project_type(self.project_type)
        check_project_flags(self.project_type, self._settings())
        labels = normalize_labels(self.labels, self.project_type)
        if any(label["type"] == "relation" for label in labels) and not self.use_relation:
            raise InvalidArgumentError(
                "Relation labels are declared but use_relation=False: set use_relation=True."
            )
        return labels, normalize_members(self.members)

    def execute(self, context: Context) -> int:
        labels, members = self.validate()
        hook = DoccanoHook(self.doccano_conn_id)
        client = hook.get_conn()
        self._check_users_exist(client, members)
        project = self._find_or_create(client)
        DoccanoProjectLink.persist(context, hook.project_url(project.id))
        created_labels = self._converge_labels(client, project.id, labels)
        changed_members = self._converge_members(client, project.id, members)
        self.log.info(
            "Project %s (%r) is ready: %d label type(s) created, %d member(s) added or changed.",
            project.id,
            project.name,
            created_labels,
            changed_members,
        )
        return project.id

    def _check_users_exist(self, client: Any, members: list[dict[str, str]]) -> None:
        # Read-only lookups, so a misspelt username fails the task before the project exists.
        missing = []
        for member in members:
            try:
                client.find_user_by_name(member["username"])
            except NotFoundError:
                missing.append(member["username"])
        if missing:
            raise InvalidArgumentError(
                f"Doccano user(s) {', '.join(map(repr, missing))} not found: create them first or fix "
                "the usernames in members."
            )

    def _find_or_create(self, client: Any) -> Project:
        matches = [project for project in client.list_projects() if project.name == self.project_name]
        if len(matches) > 1:
            ids = ", ".join(str(project.id) for project in matches)
            raise AirflowException(
                f"Found {len(matches)} Doccano projects named {self.project_name!r} (ids {ids}): "
                "rename or delete the extra ones so the name identifies one project."
            )
        if not matches:
            project = client.create_project(self.project_name, self.project_type, **self._settings())
            self.log.info("Created Doccano project %s (%r).", project.id, project.name)
            return project
        project = matches[0]
        if self.if_exists == "fail":
            raise ProjectExistsError(
                f"Doccano project {self.project_name!r} exists (id {project.id}) and if_exists='fail': "
                "pick another name or use if_exists='reuse'."
            )
        if project.project_type != self.project_type:
            raise AirflowException(
                f"Doccano project {project.id} ({self.project_name!r}) is a {project.project_type} project, "
                f"not {self.project_type}: Doccano cannot change a project's type, so use another name."
            )
        if self.if_exists == "update":
            project = client.update_project(project.id, **self._settings())
            self.log.info("Updated the settings of Doccano project %s (%r).", project.id, project.name)
        else:
            self.log.info("Reusing Doccano project %s (%r).", project.id, project.name)
        return project

    def _converge_labels(self, client: Any, project_id: int, labels: list[dict[str, Any]]) -> int:
        created = 0
        existing: dict[str, dict[str, Any]] = {}
        for kind in {label["type"] for label in labels}:
            existing[kind] = {item.text: item for item in client.list_label_types(project_id, kind)}
        for label in labels:
            current = existing[label["type"]].get(label["text"])
            if current is None:
                client.create_label_type(
                    project_id,
                    label["type"],
                    label["text"],
                    prefix_key=label["prefix_key"],
                    suffix_key=label["suffix_key"],
                    color=label["color"],
                )
                created += 1
                continue
            color_differs = (
                label["color"] is not None
                and (current.background_color or "").lower() != label["color"].lower()
            )
            keys_differ = (current.prefix_key, current.suffix_key) != (
                label["prefix_key"],
                label["suffix_key"],
            )
            if color_differs or keys_differ:
                client.update_label_type(
                    project_id,
                    current.id,
                    label["type"],
                    prefix_key=label["prefix_key"],
                    suffix_key=label["suffix_key"],
                    color=label["color"],
                )
                self.log.info("Updated %s label %r in project %s.", label["type"], label["text"], project_id)
        return created

    def _converge_members(self, client: Any, project_id: int, members: list[dict[str, str]]) -> int:
        if not members:
            return 0
        existing = {member.username: member for member in client.list_members(project_id)}
        changed = 0
        for member in members:
            current = existing.get(member["username"])
            if current is None:
                client.add_member(project_id, member["username"], member["role"])
                self.log.info("Added %s as %s to project %s.", member["username"], member["role"], project_id)
                changed += 1
            elif current.rolename != member["role"]:
                client.update_member(project_id, current.id, member["role"])
                self.log.info(
                    "Changed the role of %s in project %s from %s to %s.",
                    member["username"],
                    project_id,
                    current.rolename,
                    member["role"],
                )
                changed += 1
        return changed
