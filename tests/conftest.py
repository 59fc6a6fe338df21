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
