"""Fixtures of the remote-client tests: a clean environment and canned AIRS bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parents[2] / "fixtures" / "airs"

ENDPOINT = "https://airs.test"
KEY = "test-api-key"
TOKEN = "test-oauth-token"  # noqa: S105
SCAN_ID = "3f2a9c1e-6b7d-4e2f-9a10-5c8d7e6f1a2b"
BATCH_ID = "1737a162-8c89-4a18-a84c-fd7f635d018f"


def canned(name: str) -> Any:
    """A JSON example of the AIRS spec from ``tests/fixtures/airs``."""
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ambient credentials, endpoint, profile or CA bundle leak into a test."""
    for name in (
        "PANW_AI_SEC_API_KEY",
        "PANW_AI_SEC_API_TOKEN",
        "PANW_AI_SEC_API_ENDPOINT",
        "INTERLOCK_PROFILE",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
