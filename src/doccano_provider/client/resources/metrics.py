"""Annotation progress and label distribution."""

from __future__ import annotations

from doccano_provider.client.resources._base import DoccanoModel, LabelKind, ResourceMixin, check_label_kind


class Progress(DoccanoModel):
    """Confirmed examples, for the caller in per-user projects or by anyone in collaborative ones."""

    total: int
    remaining: int
    complete: int


class MemberProgress(DoccanoModel):
    """One member's confirmed examples (``done``) out of the project's ``total``."""

    user: str
    done: int
    total: int


class LabelDistribution(DoccanoModel):
    """How often one member used one label: one row per (member, label type) pair."""

    username: str
    label: str
    count: int


class MetricsCalls(ResourceMixin):
    """Progress and label distribution, readable by any member of the project."""

    def get_progress(self, project_id: int) -> Progress:
        """Return ``total``, ``complete`` and ``remaining`` examples (``GET .../metrics/progress``).

        In a per-user project ``complete`` counts the examples the caller confirmed. In a
        collaborative one it counts the examples anyone confirmed.
        """
        return Progress.model_validate(self._transport.get(f"/v1/projects/{project_id}/metrics/progress"))

    def get_members_progress(self, project_id: int) -> list[MemberProgress]:
        """Return every member's confirmed count (``GET .../metrics/member-progress``).

        The server sends ``{"total": n, "progress": [{"user", "done"}, ...]}``, and each item
        gets the shared ``total``.
        """
        body = self._transport.get(f"/v1/projects/{project_id}/metrics/member-progress")
        total = body["total"]
        return [MemberProgress.model_validate({**item, "total": total}) for item in body["progress"]]

    def get_label_distribution(self, project_id: int, type: LabelKind) -> list[LabelDistribution]:  # noqa: A002
        """Return how often each member used each label type of that kind.

        The server sends ``{username: {label text: count}}`` for every member and every label
        type of the kind, zeros included. This returns one :class:`LabelDistribution` row per
        (member, label) pair, in the server's order.

        :raises InvalidArgumentError: ``type`` is not category, span or relation.
        """
        kind = check_label_kind(type)
        body = self._transport.get(f"/v1/projects/{project_id}/metrics/{kind}-distribution")
        return [
            LabelDistribution(username=username, label=label, count=count)
            for username, counts in body.items()
            for label, count in counts.items()
        ]
