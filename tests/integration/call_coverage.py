"""Record which documented client calls the integration tests sent to the real server.

``make test`` sets ``DOCCANO_REQUIRE_ALL_CALLS=1``. The session then fails when any call of
the documented client API was never exercised, so coverage of the API is measured, not assumed.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from pathlib import Path

import pytest

from doccano_provider.client import DoccanoClient

CALL_RECORDER_KEY = pytest.StashKey["CallRecorder"]()


def documented_calls(reference_json: Path) -> dict[str, bool]:
    """Map each documented client method (not the constructor) to whether it yields."""
    spec = json.loads(reference_json.read_text())
    return {entry["name"]: bool(entry.get("yields")) for entry in spec if entry["name"] != "__init__"}


class CallRecorder:
    """Wrap the documented methods of :class:`DoccanoClient` and count the calls that returned.

    Only calls made while ``active`` is set count: the integration tests set it, so mocked
    unit tests never mark a call covered. A call that raised is not counted either.
    """

    def __init__(self, calls: dict[str, bool]) -> None:
        self.calls = calls
        self.names = sorted(calls)
        self.counts: Counter[str] = Counter()
        self.active = False
        self._originals: dict[str, object] = {}

    def install(self) -> None:
        for name in self.names:
            original = getattr(DoccanoClient, name, None)
            if original is None:
                continue
            self._originals[name] = original
            setattr(DoccanoClient, name, self._wrap(name, original))

    def uninstall(self) -> None:
        for name, original in self._originals.items():
            setattr(DoccanoClient, name, original)

    def _wrap(self, name, original):
        counts = self.counts
        recorder = self

        if self.calls[name]:
            # A generator counts once it has been read to the end.

            @functools.wraps(original)
            def generator_wrapper(*args, **kwargs):
                yield from original(*args, **kwargs)
                if recorder.active:
                    counts[name] += 1

            return generator_wrapper

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            result = original(*args, **kwargs)
            if recorder.active:
                counts[name] += 1
            return result

        return wrapper

    def missing(self) -> list[str]:
        return [name for name in self.names if self.counts[name] == 0]
