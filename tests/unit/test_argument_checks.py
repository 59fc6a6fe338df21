"""Check that wrong argument types and values are rejected before any request is sent."""

from __future__ import annotations

import pytest
import responses

from doccano_provider.client import DoccanoClient
from doccano_provider.client.exceptions import InvalidArgumentError, NotFoundError

BASE_URL = "http://127.0.0.1:9"

# (call name, positional arguments, text the error must contain)
BAD_CALLS = [
    ("find_project_by_id", ("1",), "int('1')"),
    ("find_project_by_id", (True,), "pass an int"),
    ("find_project_by_id", (-1,), "positive"),
    ("find_project_by_id", (0,), "positive"),
    ("find_project_by_id", (None,), "pass an int"),
    ("find_project_by_id", ("1/../2",), "pass an int"),
    ("find_project_by_id", (1.0,), "pass an int"),
    ("delete_project", ("7",), "project_id"),
    ("find_example_by_id", (1, "2"), "example_id"),
    ("delete_example", (1, -5), "example_id"),
    ("update_example_state", (1, False), "example_id"),
    ("find_member_by_id", (1, "x"), "member_id"),
    ("find_comment_by_id", (1, None), "comment_id"),
    ("delete_label_type", (1, "3", "category"), "label_type_id"),
    ("find_category_by_id", (1, 2, -3), "label_id"),
    ("create_category", (1, 2, -4), "label"),
    ("create_category", (1, 2, 0), "label"),
    ("create_category", (1, 2, True), "label"),
    ("create_span", (1, 2, 0, 4, 3, True, "0.5"), "confidence"),
    ("create_example", (1, None), "text"),
    ("create_example", (1, 42), "text"),
    ("create_example", (1, "text", "high"), "score"),
    ("create_example", (1, "text", float("nan")), "score"),
    ("create_project", (None, "SequenceLabeling", "d"), "name"),
    ("create_project", ("p", "SequenceLabeling", "d", "", "false"), "random_order"),
    ("update_project", (1, None, None, None, None, None, "false"), "collaborative_annotation"),
    ("download", (1, "JSONL", "false"), "only_approved"),
    ("download", (1, None), "format"),
    ("count_examples", (1, "yes"), "is_confirmed"),
    ("create_comment", (1, 2, None), "text"),
    ("login", ("admin", None), "password"),
    ("add_member", (1, None, "annotator"), "username"),
    ("get_progress", ("1",), "project_id"),
    ("create_project", ("p", [], "d"), "project_type"),
    ("create_project", ("p", "Seq2seq", "d", "", False, False, False, False, False, False, True), "tags"),
    ("update_project", (1, None, None, None, None, None, None, None, None, None, None, 5), "tags"),
    ("update_project", (1, None, None, ""), "Invalid description ''"),
    ("update_project", (1, None, None, "  "), "Invalid description '  '"),
    ("update_example", (1, 2, ""), "Invalid text ''"),
    ("update_example", (1, 2, " \n"), "or None to leave the text unchanged"),
    ("create_segment", (1, 2, None, 3), "points"),
    ("upload_label_type", (1, None, "category"), "file_path"),
    ("get_task_status", ("",), "task_id"),
    ("get_task_status", ("../../projects/1",), "task_id"),
    ("login", ("", "pw"), "username"),
    ("login", ("admin", ""), "password: it is empty"),
    ("create_user", ("newuser", ""), "password: it is empty"),
]


@pytest.mark.parametrize(
    ("name", "args", "expected"), BAD_CALLS, ids=[f"{name}-{args!r}" for name, args, _ in BAD_CALLS]
)
def test_bad_argument_sends_nothing(name, args, expected):
    client = DoccanoClient(BASE_URL, max_retries=0)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        with pytest.raises(InvalidArgumentError) as caught:
            getattr(client, name)(*args)
        assert len(mock.calls) == 0
    assert expected in str(caught.value)
    assert name in str(caught.value) or "Invalid" in str(caught.value)


@pytest.mark.parametrize("ids", [[], "1,2", [1, "2"], [1, True], [0], [-1], None, 5])
def test_bulk_delete_bad_ids_send_nothing(ids):
    client = DoccanoClient(BASE_URL, max_retries=0)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        with pytest.raises(InvalidArgumentError):
            client.bulk_delete_examples(1, ids)
        assert len(mock.calls) == 0


def test_list_examples_checks_on_first_item():
    client = DoccanoClient(BASE_URL, max_retries=0)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        listing = client.list_examples("1")
        with pytest.raises(InvalidArgumentError, match="project_id"):
            next(listing)
        assert len(mock.calls) == 0


def test_numpy_style_integer_ids_accepted():
    class IndexLike:
        """An integer type that is not ``int``, like ``numpy.int64``."""

        def __index__(self) -> int:
            return 3

    client = DoccanoClient(BASE_URL, max_retries=0)
    with responses.RequestsMock() as mock:
        mock.get(f"{BASE_URL}/v1/projects/3", json={"id": 3, "name": "p", "project_type": "Seq2seq"})
        project = client.find_project_by_id(IndexLike())
        assert mock.calls[0].request.url == f"{BASE_URL}/v1/projects/3"
    assert project.id == 3


def test_path_like_download_folder_accepted(tmp_path):
    client = DoccanoClient(BASE_URL, max_retries=0)
    with responses.RequestsMock() as mock:
        mock.get(f"{BASE_URL}/v1/projects/1/download-format", json=[{"name": "JSONL"}])
        with pytest.raises(InvalidArgumentError, match="CSV"):
            client.download(1, "CSV", dir_name=tmp_path)


def test_password_of_wrong_type_not_shown():
    client = DoccanoClient(BASE_URL, max_retries=0)
    with pytest.raises(InvalidArgumentError) as caught:
        client.login("admin", b"hunter2-secret")
    assert "hunter2-secret" not in str(caught.value)
    assert "of type bytes" in str(caught.value)


def test_label_id_checked_once_per_project():
    client = DoccanoClient(BASE_URL, token="t", max_retries=0)
    labels_url = f"{BASE_URL}/v1/projects/1/span-types"
    spans_url = f"{BASE_URL}/v1/projects/1/examples/2/spans"
    with responses.RequestsMock() as mock:
        mock.get(labels_url, json=[{"id": 3, "text": "PER"}])
        mock.post(spans_url, json={"id": 1, "label": 3, "start_offset": 0, "end_offset": 2})
        client.create_span(1, 2, 0, 2, 3)
        client.create_span(1, 2, 3, 5, 3)
        with pytest.raises(NotFoundError, match="Label type id 4 is not a span label type of project 1"):
            client.create_span(1, 2, 3, 5, 4)
        listings = [call for call in mock.calls if call.request.url == labels_url]
        posts = [call for call in mock.calls if call.request.method == "POST"]
        assert len(listings) == 2
        assert len(posts) == 2
