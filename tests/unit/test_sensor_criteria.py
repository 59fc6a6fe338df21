"""The pure criteria function that the sensor and the trigger share."""

from __future__ import annotations

import pytest

from doccano_provider.client import InvalidArgumentError
from doccano_provider.sensors.criteria import ProgressCriteria, evaluate_progress

ROLES = {"admin": "project_admin", "alice": "annotator", "bob": "annotator"}


def _members(**done: int) -> dict:
    return {"project_id": 3, "collaborative": False, "total": 10, "members": done, "roles": ROLES}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "Set min_fraction"),
        ({"min_fraction": 0}, "min_fraction"),
        ({"min_fraction": 1.5}, "min_fraction"),
        ({"min_count": 0}, "min_count"),
        ({"min_count": True}, "min_count"),
        ({"min_count": 1, "scope": "everyone"}, "scope"),
        ({"min_count": 1, "scope": "users"}, "usernames"),
        ({"min_count": 1, "scope": "all_members", "usernames": ("alice",)}, "scope='users'"),
    ],
)
def test_invalid_criteria_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        ProgressCriteria(**kwargs)


def test_criteria_dict_round_trip() -> None:
    criteria = ProgressCriteria(min_fraction=0.5, min_count=2, scope="users", usernames=("alice",))
    assert ProgressCriteria.from_dict(criteria.to_dict()) == criteria


def test_project_scope_collaborative() -> None:
    criteria = ProgressCriteria(min_fraction=0.5)
    snapshot = {"project_id": 3, "collaborative": True, "total": 10, "complete": 5}
    met, progress = evaluate_progress(criteria, snapshot)
    assert met is True
    assert progress == {"project_id": 3, "scope": "project", "total": 10, "complete": 5, "met": True}
    met, _ = evaluate_progress(criteria, {**snapshot, "complete": 4})
    assert met is False


def test_project_scope_rejects_per_user_project() -> None:
    with pytest.raises(InvalidArgumentError, match="collaborative"):
        evaluate_progress(ProgressCriteria(min_count=1), {"collaborative": False, "total": 5, "complete": 5})


def test_all_members_excludes_admins() -> None:
    criteria = ProgressCriteria(min_count=4, scope="all_members")
    met, progress = evaluate_progress(criteria, _members(admin=0, alice=4, bob=5))
    assert met is True
    assert progress["members"] == {"alice": 4, "bob": 5}
    met, _ = evaluate_progress(criteria, _members(admin=9, alice=3, bob=5))
    assert met is False


def test_any_member_needs_one() -> None:
    criteria = ProgressCriteria(min_fraction=0.8, scope="any_member")
    assert evaluate_progress(criteria, _members(admin=10, alice=8, bob=0))[0] is True
    assert evaluate_progress(criteria, _members(admin=10, alice=7, bob=0))[0] is False


def test_users_scope_counts_named_users_only() -> None:
    criteria = ProgressCriteria(min_count=2, scope="users", usernames=("bob",))
    met, progress = evaluate_progress(criteria, _members(admin=0, alice=0, bob=2))
    assert met is True
    assert progress["members"] == {"bob": 2}


def test_users_scope_rejects_non_member() -> None:
    criteria = ProgressCriteria(min_count=1, scope="users", usernames=("carol",))
    with pytest.raises(InvalidArgumentError, match="carol"):
        evaluate_progress(criteria, _members(alice=1))


def test_all_members_without_counted_member_rejected() -> None:
    criteria = ProgressCriteria(min_count=1, scope="all_members")
    with pytest.raises(InvalidArgumentError, match="exclude_roles"):
        evaluate_progress(criteria, _members(admin=3))


def test_both_targets_must_hold() -> None:
    criteria = ProgressCriteria(min_fraction=0.5, min_count=6, scope="users", usernames=("alice",))
    assert evaluate_progress(criteria, _members(alice=5))[0] is False
    assert evaluate_progress(criteria, _members(alice=6))[0] is True


def test_empty_project_never_met() -> None:
    criteria = ProgressCriteria(min_fraction=0.1, scope="users", usernames=("alice",))
    snapshot = {**_members(alice=0), "total": 0}
    assert evaluate_progress(criteria, snapshot)[0] is False
