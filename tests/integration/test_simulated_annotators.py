"""Simulated annotators against the real Doccano server: labels, confirmations, targets, reruns."""

from __future__ import annotations

import pytest
from tools.simulated_annotators import SimulatedAnnotators, summarize, target_count

from doccano_provider.client import DoccanoClient, InvalidArgumentError

pytestmark = pytest.mark.integration

TEXTS = [f"verse number {index}" for index in range(6)]
GOLD = {text: ("positive" if index % 2 else "negative") for index, text in enumerate(TEXTS)}


@pytest.fixture
def classification_project(admin_client: DoccanoClient, project_factory, doccano_server):
    project = project_factory("DocumentClassification", single_class_classification=True)
    for text in ("negative", "positive"):
        admin_client.create_label_type(project.id, "category", text)
    for username, _ in doccano_server.annotators:
        admin_client.add_member(project.id, username, "annotator")
    for text in TEXTS:
        admin_client.create_example(project.id, text)
    return project


def _run(doccano_server, project_id: int, gold, **kwargs) -> SimulatedAnnotators:
    annotators = SimulatedAnnotators(
        doccano_server.url, doccano_server.annotators, project_id, gold, poll_interval=0.2, **kwargs
    )
    annotators.start()
    annotators.wait(timeout=120)
    assert not annotators.is_alive()
    return annotators


def test_annotators_label_and_confirm_all(doccano_server, classification_project, annotator_clients) -> None:
    annotators = _run(doccano_server, classification_project.id, lambda example: GOLD[example.text], pace=0)
    for report in annotators.reports:
        assert report.reached_target
        assert report.confirmed == len(TEXTS)
        assert report.labeled == len(TEXTS)
        assert report.errors == []
    for client in annotator_clients:
        assert client.count_examples(classification_project.id, is_confirmed=True) == len(TEXTS)
        for example in client.list_examples(classification_project.id):
            labels = client.list_categories(classification_project.id, example.id)
            label_texts = {
                client.find_label_type_by_id(classification_project.id, label.label, "category").text
                for label in labels
            }
            assert label_texts == {GOLD[example.text]}
    assert "reached target" in summarize(annotators.reports)


def test_rerun_creates_no_duplicates(doccano_server, classification_project, annotator_clients) -> None:
    gold = lambda example: GOLD[example.text]  # noqa: E731
    _run(doccano_server, classification_project.id, gold, pace=0, target=2)
    second = _run(doccano_server, classification_project.id, gold, pace=0)
    for report in second.reports:
        assert report.confirmed == len(TEXTS) - 2
        assert report.reached_target
    for client in annotator_clients:
        for example in client.list_examples(classification_project.id):
            assert len(client.list_categories(classification_project.id, example.id)) == 1


def test_count_target_stops_early(doccano_server, classification_project, annotator_clients) -> None:
    annotators = _run(
        doccano_server, classification_project.id, lambda example: GOLD[example.text], pace=0, target=3
    )
    for report in annotators.reports:
        assert report.confirmed == 3
        assert report.confirmed_total == 3
    for client in annotator_clients:
        assert client.count_examples(classification_project.id, is_confirmed=True) == 3


def test_skipped_examples_stay_unconfirmed(doccano_server, classification_project) -> None:
    def gold(example):
        return None if example.text == TEXTS[0] else GOLD[example.text]

    annotators = SimulatedAnnotators(
        doccano_server.url,
        doccano_server.annotators[:1],
        classification_project.id,
        gold,
        pace=0,
        poll_interval=0.2,
    )
    annotators.start()
    annotators.wait(timeout=10)
    reports = annotators.stop()
    assert reports[0].skipped >= 1
    assert reports[0].confirmed == len(TEXTS) - 1
    assert not reports[0].reached_target


def test_unknown_label_reported(doccano_server, classification_project) -> None:
    annotators = _run(
        doccano_server, classification_project.id, lambda example: "no such label", pace=0, start_timeout=5
    )
    for report in annotators.reports:
        assert report.confirmed == 0
        assert report.errors
        assert "'no such label' is not a category label" in report.errors[0]


def test_spans_from_gold(doccano_server, admin_client, project_factory, annotator_clients) -> None:
    project = project_factory("SequenceLabeling")
    admin_client.create_label_type(project.id, "span", "location")
    for username, _ in doccano_server.annotators:
        admin_client.add_member(project.id, username, "annotator")
    admin_client.create_example(project.id, "Paris rocks")
    admin_client.create_example(project.id, "nothing here")
    gold = {"Paris rocks": [(0, 5, "location")], "nothing here": []}
    annotators = _run(doccano_server, project.id, lambda example: gold[example.text], pace=0)
    for report in annotators.reports:
        assert report.confirmed == 2
        assert report.labeled == 1
    client = annotator_clients[0]
    spans = {
        example.text: [
            (span.start_offset, span.end_offset) for span in client.list_spans(project.id, example.id)
        ]
        for example in client.list_examples(project.id)
    }
    assert spans == {"Paris rocks": [(0, 5)], "nothing here": []}


def test_pace_limits_rate(doccano_server, classification_project) -> None:
    annotators = _run(
        doccano_server, classification_project.id, lambda example: GOLD[example.text], pace=4.0, target=5
    )
    # Five examples at four per second need at least four intervals of 0.25 s.
    for report in annotators.reports:
        assert report.elapsed_seconds >= 1.0


@pytest.mark.parametrize("target", [0, 1.5, -1, "all", True, 0.0])
def test_invalid_target_rejected(target) -> None:
    with pytest.raises(InvalidArgumentError, match="target="):
        SimulatedAnnotators("http://127.0.0.1:1", [("a", "b")], 1, lambda example: None, target=target)


def test_target_count_rounds_up() -> None:
    assert target_count(0.5, 7) == 4
    assert target_count(1.0, 7) == 7
    assert target_count(10, 7) == 7
    assert target_count(3, 7) == 3
