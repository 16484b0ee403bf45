"""Shared fixtures for the LangChain integration tests (helpers live in ``lc_support``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from interlock.scanner import LocalScanner  # noqa: E402


@pytest.fixture(scope="session")
def scanner() -> Iterator[LocalScanner]:
    """The real local engine with the default profile (prompt injection + DLP, blocking, fail closed)."""
    with LocalScanner() as s:
        yield s  # type: ignore[misc]
