"""A requests session that records what a test sent."""

from __future__ import annotations

import requests


class CountingSession(requests.Session):
    """A session that records every request's method and path."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str]] = []

    def request(self, method, url, *args, **kwargs):
        self.sent.append((method.upper(), url.split("/", 3)[-1]))
        return super().request(method, url, *args, **kwargs)
