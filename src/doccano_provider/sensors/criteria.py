"""Completion criteria for annotation progress: one pure function shared by sensor and trigger.

A *snapshot* is what the server reported at one moment, as a JSON-safe dict::

    {"project_id": 7, "collaborative": False, "total": 120,
     "complete": 30,                       # metrics/progress (scope "project" only)
     "members": {"alice": 40, "bob": 12},  # metrics/member-progress (member scopes only)
     "roles": {"alice": "annotator", "bob": "annotator", "admin": "project_admin"}}

:func:`evaluate_progress` decides from a snapshot and a :class:`ProgressCriteria` whether the
target is reached, without any I/O, so the sensor (requests) and the trigger (httpx) only
differ in how they fetch the snapshot.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from doccano_provider.client import InvalidArgumentError

SCOPES = ("project", "all_members", "any_member", "users")
DEFAULT_EXCLUDED_ROLES = ("project_admin",)


@dataclass(frozen=True)
class ProgressCriteria:
    """What counts as done.

    :param min_fraction: confirmed examples / total examples to reach, in (0, 1].
    :param min_count: confirmed examples to reach.
    :param scope: ``project`` (examples confirmed by anyone; collaborative projects only),
        ``all_members`` (every counted member reaches the target), ``any_member`` (at least
        one does) or ``users`` (every user in ``usernames`` does).
    :param usernames: the users that count, for ``scope="users"``.
    :param exclude_roles: roles whose members do not count for ``all_members`` and
        ``any_member``; project admins by default, because the admin who runs the DAG is a
        member of every project it creates but does not annotate.
    """

    min_fraction: float | None = None
    min_count: int | None = None
    scope: str = "project"
    usernames: tuple[str, ...] = ()
    exclude_roles: tuple[str, ...] = field(default=DEFAULT_EXCLUDED_ROLES)

    def __post_init__(self) -> None:
        if self.min_fraction is None and self.min_count is None:
            raise InvalidArgumentError("Set min_fraction, min_count or both: the sensor needs a target.")
        if self.min_fraction is not None and not (
            isinstance(self.min_fraction, int | float) and 0 < self.min_fraction <= 1
        ):
            raise InvalidArgumentError(
                f"Invalid min_fraction {self.min_fraction!r}: use a number in (0, 1], e.g. 0.8 for 80%."
            )
        if self.min_count is not None and (
            isinstance(self.min_count, bool) or not isinstance(self.min_count, int) or self.min_count < 1
        ):
            raise InvalidArgumentError(f"Invalid min_count {self.min_count!r}: use a positive integer.")
        if self.scope not in SCOPES:
            raise InvalidArgumentError(f"Invalid scope {self.scope!r}: use one of {', '.join(SCOPES)}.")
        if self.scope == "users" and not self.usernames:
            raise InvalidArgumentError("scope='users' needs usernames: list the users whose progress counts.")
        if self.scope != "users" and self.usernames:
            raise InvalidArgumentError(
                f"usernames are only used with scope='users', not scope={self.scope!r}: set scope='users'."
            )

    @property
    def needs_members(self) -> bool:
        """Whether a snapshot needs per-member counts (``metrics/member-progress``)."""
        return self.scope != "project"

    @property
    def needs_roles(self) -> bool:
        """Whether a snapshot needs member roles (to drop ``exclude_roles``)."""
        return self.scope in ("all_members", "any_member") and bool(self.exclude_roles)

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_fraction": self.min_fraction,
            "min_count": self.min_count,
            "scope": self.scope,
            "usernames": list(self.usernames),
            "exclude_roles": list(self.exclude_roles),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProgressCriteria:
        return cls.from_values(
            min_fraction=data.get("min_fraction"),
            min_count=data.get("min_count"),
            scope=data.get("scope", "project"),
            usernames=data.get("usernames"),
            exclude_roles=tuple(data.get("exclude_roles") or ()),
        )

    @classmethod
    def from_values(
        cls,
        *,
        min_fraction: Any = None,
        min_count: Any = None,
        scope: Any = "project",
        usernames: Any = None,
        exclude_roles: tuple[str, ...] = DEFAULT_EXCLUDED_ROLES,
    ) -> ProgressCriteria:
        """Build criteria from literal or rendered template values, converting strings first.

        Jinja renders a template to a string unless the DAG sets ``render_template_as_native_obj``,
        so ``"0.8"``, ``"5"``, ``"None"`` and ``"['alice', 'bob']"`` are accepted here and
        converted with :func:`parse_min_fraction`, :func:`parse_min_count` and
        :func:`parse_usernames`.

        :raises InvalidArgumentError: naming the value that is invalid and the expected form.
        """
        return cls(
            min_fraction=parse_min_fraction(min_fraction),
            min_count=parse_min_count(min_count),
            scope=scope.strip() if isinstance(scope, str) else scope,
            usernames=parse_usernames(usernames),
            exclude_roles=tuple(exclude_roles),
        )


# Jinja renders a Python None as the string "None", e.g. for a Param whose value is null.
_NONE_STRINGS = ("", "None", "null")


def _parse_number(value: Any, name: str, convert: type[int] | type[float], expected: str) -> Any:
    """Convert a rendered string with ``convert``; ``"None"`` and ``""`` become ``None``.

    Other types pass through unchanged, so :class:`ProgressCriteria` checks them.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text in _NONE_STRINGS:
        return None
    try:
        return convert(text)
    except ValueError:
        raise InvalidArgumentError(
            f"Invalid {name} {value!r}: it must be (or render to) {expected}. "
            "For a templated value, check the Param or XCom it renders from."
        ) from None


def parse_min_fraction(value: Any) -> Any:
    """Convert a rendered ``min_fraction`` string such as ``"0.8"`` to a float.

    :raises InvalidArgumentError: for a string that is not a number.
    """
    return _parse_number(value, "min_fraction", float, "a number in (0, 1], e.g. 0.8 for 80%")


def parse_min_count(value: Any) -> Any:
    """Convert a rendered ``min_count`` string such as ``"5"``, or a whole float, to an int.

    :raises InvalidArgumentError: for a string that is not a whole number.
    """
    if isinstance(value, float) and value.is_integer():
        # A native-rendered JSON number, e.g. from a Param of type "number".
        return int(value)
    return _parse_number(value, "min_count", int, "a positive integer, e.g. 50")


def parse_usernames(value: Any) -> tuple[str, ...]:
    """Convert ``usernames`` to a tuple of names.

    Accepts a list or tuple of strings, a rendered list such as ``"['alice', 'bob']"`` (what
    ``{{ ti.xcom_pull(...) }}`` renders to without native rendering), a comma-separated string
    such as ``"alice, bob"``, or ``None``.

    :raises InvalidArgumentError: for any other value, or a name that is not a non-empty string.
    """
    if value is None:
        return ()
    names = value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "(")):
            try:
                names = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                raise InvalidArgumentError(
                    f"Invalid usernames {value!r}: it looks like a list but is not a valid one. "
                    "Pass a list of usernames, e.g. ['alice', 'bob'], or 'alice, bob'."
                ) from None
        else:
            names = [name.strip() for name in text.split(",") if name.strip()]
    if not isinstance(names, list | tuple) or not all(isinstance(name, str) and name for name in names):
        raise InvalidArgumentError(
            f"Invalid usernames {value!r}: pass a list of usernames, e.g. ['alice', 'bob'], or 'alice, bob'."
        )
    return tuple(name.strip() for name in names)


def _reached(done: int, total: int, criteria: ProgressCriteria) -> bool:
    if total <= 0:
        return False
    if criteria.min_count is not None and done < criteria.min_count:
        return False
    return criteria.min_fraction is None or done / total >= criteria.min_fraction


def evaluate_progress(criteria: ProgressCriteria, snapshot: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Decide whether ``snapshot`` meets ``criteria``.

    :return: ``(met, progress)``, where ``progress`` is a small JSON-safe summary: the scope,
        the total, the confirmed count of each subject that counts, and ``met``.
    :raises InvalidArgumentError: the criteria cannot apply to this project: scope ``project``
        on a non-collaborative project, named users who are not members, or no member left
        after ``exclude_roles``.
    """
    total = int(snapshot["total"])
    progress: dict[str, Any] = {
        "project_id": snapshot.get("project_id"),
        "scope": criteria.scope,
        "total": total,
    }
    if criteria.scope == "project":
        if not snapshot.get("collaborative"):
            raise InvalidArgumentError(
                f"scope='project' needs a collaborative project, but project {snapshot.get('project_id')} is "
                "not: Doccano then counts only the caller's confirmations. Use scope='all_members', "
                "'any_member' or 'users'."
            )
        complete = int(snapshot["complete"])
        met = _reached(complete, total, criteria)
        progress.update(complete=complete, met=met)
        return met, progress

    members: dict[str, int] = dict(snapshot["members"])
    if criteria.scope == "users":
        missing = [name for name in criteria.usernames if name not in members]
        if missing:
            raise InvalidArgumentError(
                f"User(s) {', '.join(map(repr, missing))} are not members of project "
                f"{snapshot.get('project_id')}: add them to the project or fix usernames."
            )
        counted = {name: members[name] for name in criteria.usernames}
    else:
        roles: dict[str, str] = snapshot.get("roles") or {}
        excluded = set(criteria.exclude_roles)
        counted = {name: done for name, done in members.items() if roles.get(name) not in excluded}
        if not counted:
            raise InvalidArgumentError(
                f"No member of project {snapshot.get('project_id')} counts for scope={criteria.scope!r}: "
                f"every member has a role in exclude_roles={sorted(excluded)}. Add annotators or "
                "change exclude_roles."
            )
    results = [_reached(done, total, criteria) for done in counted.values()]
    met = any(results) if criteria.scope == "any_member" else all(results)
    progress.update(members=counted, met=met)
    return met, progress


def describe(progress: dict[str, Any]) -> str:
    """Return a one-line summary of a progress dict for logs."""
    total = progress.get("total")
    if "complete" in progress:
        return f"{progress['complete']}/{total} examples confirmed"
    members = ", ".join(f"{name} {done}/{total}" for name, done in progress.get("members", {}).items())
    return f"confirmed per member: {members}"
