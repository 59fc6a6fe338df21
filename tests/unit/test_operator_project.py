"""DoccanoCreateProjectOperator against a mocked client: validation first, convergence, if_exists."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest

from doccano_provider.client import InvalidArgumentError, NotFoundError
from doccano_provider.operators.project import DoccanoCreateProjectOperator, ProjectExistsError

LABELS = [
    {"text": "positive", "type": "category", "color": "#2ca02c", "suffix_key": "p"},
    {"text": "negative", "type": "category"},
]
MEMBERS = [{"username": "alice", "role": "annotator"}]


def _project(project_id: int = 7, name: str = "round", project_type: str = "DocumentClassification"):
    return SimpleNamespace(id=project_id, name=name, project_type=project_type)


def _operator(**kwargs) -> DoccanoCreateProjectOperator:
    kwargs.setdefault("project_name", "round")
    return DoccanoCreateProjectOperator(task_id="create", **kwargs)


def _run(operator: DoccanoCreateProjectOperator, client: mock.MagicMock) -> int:
    context = {"ti": mock.MagicMock()}
    with (
        mock.patch("doccano_provider.operators.project.DoccanoHook.get_conn", return_value=client),
        mock.patch("doccano_provider.operators.project.DoccanoHook.project_url", return_value="http://d/projects/7"),
    ):
        return operator.execute(context)


def _client(projects: list | None = None, labels: list | None = None, members: list | None = None):
    client = mock.MagicMock()
    client.list_projects.return_value = iter(projects or [])
    client.create_project.return_value = _project()
    client.update_project.return_value = _project()
    client.list_label_types.return_value = labels or []
    client.list_members.return_value = members or []
    return client


def test_template_fields_include_names_and_conn_id() -> None:
    fields = DoccanoCreateProjectOperator.template_fields
    for name in ("project_name", "labels", "members", "doccano_conn_id"):
        assert name in fields


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"labels": [{"text": "x", "type": "bbox"}]}, "type"),
        ({"labels": [{"text": "x", "colour": "#fff"}]}, "colour"),
        ({"labels": [{"text": "x", "color": "red"}]}, "color"),
        ({"labels": [{"text": "x"}, {"text": "x"}]}, "twice"),
        ({"labels": [{"text": "a", "suffix_key": "a"}, {"text": "b", "suffix_key": "a"}]}, "shortcut"),
        ({"labels": [{"text": "a", "prefix_key": "ctrl"}]}, "suffix_key"),
        ({"labels": "positive"}, "list of dicts"),
        ({"members": [{"username": "bob", "role": "owner"}]}, "role"),
        ({"members": [{"username": "bob"}, {"username": "bob"}]}, "twice"),
        ({"members": [{"name": "bob"}]}, "name"),
        ({"project_type": "Translation"}, "project_type"),
        ({"allow_overlapping": True}, "SequenceLabeling"),
        ({"project_name": " "}, "project_name"),
    ],
)
def test_invalid_declarations_fail_before_any_request(kwargs: dict, message: str) -> None:
    client = _client()
    with pytest.raises(InvalidArgumentError, match=message):
        _run(_operator(**kwargs), client)
    assert client.method_calls == []


def test_invalid_if_exists_rejected_at_parse_time() -> None:
    with pytest.raises(ValueError, match="if_exists"):
        _operator(if_exists="replace")


def test_unknown_member_fails_before_project_exists() -> None:
    client = _client()
    client.find_user_by_name.side_effect = NotFoundError("no", status_code=404, method="GET", url="u")
    with pytest.raises(InvalidArgumentError, match="alice"):
        _run(_operator(members=MEMBERS), client)
    client.create_project.assert_not_called()


def test_creates_project_labels_and_members() -> None:
    client = _client()
    assert _run(_operator(labels=LABELS, members=MEMBERS), client) == 7
    client.create_project.assert_called_once()
    assert client.create_project.call_args.args[:2] == ("round", "DocumentClassification")
    assert client.create_label_type.call_count == 2
    client.add_member.assert_called_once_with(7, "alice", "annotator")


def test_reuse_creates_only_missing_labels_and_members() -> None:
    existing_label = SimpleNamespace(id=1, text="positive", background_color="#2CA02C", prefix_key=None, suffix_key="p")
    existing_member = SimpleNamespace(id=3, username="alice", rolename="annotator")
    client = _client(projects=[_project()], labels=[existing_label], members=[existing_member])
    assert _run(_operator(labels=LABELS, members=MEMBERS), client) == 7
    client.create_project.assert_not_called()
    client.update_project.assert_not_called()
    client.create_label_type.assert_called_once()
    assert client.create_label_type.call_args.args[2] == "negative"
    client.update_label_type.assert_not_called()
    client.add_member.assert_not_called()
    client.update_member.assert_not_called()


def test_reuse_fixes_member_role() -> None:
    existing_member = SimpleNamespace(id=3, username="alice", rolename="annotation_approver")
    client = _client(projects=[_project()], members=[existing_member])
    _run(_operator(members=MEMBERS), client)
    client.update_member.assert_called_once_with(7, 3, "annotator")


def test_if_exists_fail_raises() -> None:
    client = _client(projects=[_project()])
    with pytest.raises(ProjectExistsError, match="id 7"):
        _run(_operator(if_exists="fail"), client)


def test_if_exists_update_patches_settings() -> None:
    client = _client(projects=[_project()])
    _run(_operator(if_exists="update", guideline="Read carefully"), client)
    client.update_project.assert_called_once()
    assert client.update_project.call_args.kwargs["guideline"] == "Read carefully"


def test_existing_project_of_other_type_rejected() -> None:
    client = _client(projects=[_project(project_type="Seq2seq")])
    with pytest.raises(Exception, match="Seq2seq"):
        _run(_operator(), client)


def test_two_projects_with_same_name_rejected() -> None:
    client = _client(projects=[_project(7), _project(8)])
    with pytest.raises(Exception, match="7, 8"):
        _run(_operator(), client)


def test_link_persisted_with_project_url() -> None:
    client = _client()
    context = {"ti": mock.MagicMock()}
    with (
        mock.patch("doccano_provider.operators.project.DoccanoHook.get_conn", return_value=client),
        mock.patch("doccano_provider.operators.project.DoccanoHook.project_url", return_value="http://d/projects/7"),
    ):
        _operator().execute(context)
    context["ti"].xcom_push.assert_called_once_with(key="doccano_project_url", value="http://d/projects/7")
