"""``interlock.scanner()`` picks the backend from the SDK's environment variables; the core stays httpx-free."""

from __future__ import annotations

import subprocess
import sys

import pytest

import interlock
from interlock.client import RemoteScanner
from interlock.profiles.loader import ProfileStore
from interlock.profiles.model import Profile

from .conftest import KEY, TOKEN

STORE = ProfileStore([Profile(name="default", detectors={})])


def test_remote_when_endpoint_and_key_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANW_AI_SEC_API_ENDPOINT", "https://airs.example.com/")
    monkeypatch.setenv("PANW_AI_SEC_API_KEY", KEY)
    with interlock.scanner(profiles=STORE, profile="p", fetch_report=True) as s:
        assert isinstance(s, RemoteScanner)
        assert s.endpoint == "https://airs.example.com" and s.config.api_key == KEY and s.fetch_report
    assert interlock.RemoteScanner is RemoteScanner


def test_remote_with_token_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANW_AI_SEC_API_TOKEN", TOKEN)
    s = interlock.scanner(endpoint="http://127.0.0.1:8080", profiles=STORE)
    assert isinstance(s, RemoteScanner) and s.config.api_token == TOKEN and s.config.api_key is None


@pytest.mark.parametrize("env", [{}, {"PANW_AI_SEC_API_KEY": KEY}, {"PANW_AI_SEC_API_ENDPOINT": "https://a.example"}])
def test_local_otherwise(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with interlock.scanner(profiles=STORE) as s:
        assert isinstance(s, interlock.LocalScanner)


def test_import_interlock_does_not_import_httpx() -> None:
    code = (
        "import sys, interlock\n"
        "assert 'httpx' not in sys.modules, 'httpx imported by the core'\n"
        "interlock.RemoteScanner\n"
        "assert 'httpx' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
