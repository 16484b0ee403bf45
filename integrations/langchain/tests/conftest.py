"""Shared fixtures for the LangChain integration tests (helpers live in ``lc_support``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from lc_support import offline_scanner  # noqa: E402

from interlock.scanner import LocalScanner  # noqa: E402


@pytest.fixture
def scanner() -> Iterator[LocalScanner]:
    """A local scanner with injection and DLP detection, blocking on both."""
    with offline_scanner() as s:
        yield s
