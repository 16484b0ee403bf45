"""Shared fixtures: the labelled data folder (``../shared/data``), skipped with a reason when absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """``$INTERLOCK_SHARED_DATA`` or ``<repo>/../shared/data``."""
    env = os.environ.get("INTERLOCK_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "README.md").exists():
        pytest.skip(f"labelled data not found at {path} (set INTERLOCK_SHARED_DATA); CI always has it")
    return path
