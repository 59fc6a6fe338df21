"""Fixtures shared by every test: paths to the checkout and to the shared datasets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """Return the folder with the reference datasets (``DOCCANO_SHARED_DIR`` or ``../shared``)."""
    return Path(os.environ.get("DOCCANO_SHARED_DIR", ROOT.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_dir() / "data"
    if not path.is_dir():
        pytest.fail(
            f"Dataset folder {path} is missing. Set DOCCANO_SHARED_DIR to the folder that contains data/."
        )
    return path


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    path = shared_dir() / "reference"
    if not path.is_dir():
        pytest.fail(f"Reference folder {path} is missing. Set DOCCANO_SHARED_DIR.")
    return path


# -- coverage of the documented client API against the real server ---------------------------
# These hooks live here because pytest calls pytest_sessionstart only in the top-level conftest.


def pytest_sessionstart(session):
    from tests.integration.call_coverage import CALL_RECORDER_KEY, CallRecorder, documented_calls

    reference = shared_dir() / "reference" / "client-api.json"
    if reference.exists():
        recorder = CallRecorder(documented_calls(reference))
        recorder.install()
        session.config.stash[CALL_RECORDER_KEY] = recorder


def pytest_sessionfinish(session, exitstatus):
    from tests.integration.call_coverage import CALL_RECORDER_KEY

    recorder = session.config.stash.get(CALL_RECORDER_KEY, None)
    if recorder is None:
        return
    recorder.uninstall()
    if not any(recorder.counts.values()):
        return
    missing = recorder.missing()
    total = len(recorder.names)
    line = f"documented client calls exercised against the real server: {total - len(missing)}/{total}"
    if missing:
        line += f"; never called: {', '.join(missing)}"
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        # The progress dots end without a newline, so start a fresh line first.
        reporter.write("\n")
        reporter.write_line(line)
    if missing and os.environ.get("DOCCANO_REQUIRE_ALL_CALLS") == "1" and session.exitstatus == 0:
        session.exitstatus = 1
