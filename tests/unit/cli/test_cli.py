"""The CLI's exit codes gate pipelines: 0 allowed, 1 blocked, 2 usage/input error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from interlock.cli.main import main
from interlock.engine import registry


@pytest.fixture
def profile_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(registry.BUILTIN, "dlp", "fakes:WordDetector")
    registry.detector_class.cache_clear()
    monkeypatch.setattr("interlock.profiles.loader._builtin", list)
    for var in ("PANW_AI_SEC_API_ENDPOINT", "PANW_AI_SEC_API_KEY", "PANW_AI_SEC_API_TOKEN", "INTERLOCK_PROFILES"):
        monkeypatch.delenv(var, raising=False)
    f = tmp_path / "p.yaml"
    f.write_text("name: default\ndetectors: {dlp: {options: {mask: true}}}\n")
    yield str(f)
    registry.detector_class.cache_clear()


def test_scan_exit_codes(profile_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "all good", "--profiles-file", profile_file]) == 0
    assert main(["scan", "an evil plan", "--profiles-file", profile_file]) == 1
    out = capsys.readouterr().out
    assert "BLOCK" in out and "****" in out and "evil" not in out  # masked findings never printed in clear


def test_scan_json(profile_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--response", "evil", "--json", "--profiles-file", profile_file, "hello"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["response"]["response_masked_data"]["data"] == "XXXX"
    assert data["report"]["report_id"] == data["response"]["report_id"]


def test_scan_file_and_errors(profile_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "in.txt"
    f.write_text("evil inside")
    assert main(["scan", "--file", str(f), "--profiles-file", profile_file]) == 1
    assert main(["scan", "--file", str(tmp_path / "missing.txt"), "--profiles-file", profile_file]) == 2
    assert main(["scan", "x", "--profile", "nope", "--profiles-file", profile_file]) == 2
    assert main(["scan", "--bogus-flag"]) == 2
    assert "unknown profile" in capsys.readouterr().err


def test_profiles_listing(profile_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "--json", "--profiles-file", profile_file]) == 0
    assert json.loads(capsys.readouterr().out)[0]["name"] == "default"


def test_no_command_is_usage_error() -> None:
    assert main([]) == 2


def test_demo_gets_every_curated_case_right_on_the_embedded_engine(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make demo` is the README's first command: every curated case must get its expected verdict offline."""
    for var in ("PANW_AI_SEC_API_ENDPOINT", "PANW_AI_SEC_API_KEY", "PANW_AI_SEC_API_TOKEN", "INTERLOCK_PROFILES"):
        monkeypatch.delenv(var, raising=False)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    ok, shown = map(int, re.search(r"(\d+)/(\d+) cases got the expected verdict", out).groups())  # type: ignore[union-attr]
    assert ok == shown >= 15
