"""The README's examples do what the README says (a new user's first minutes; issue #13 item 11)."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from pathlib import Path

import pytest

from interlock.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def _blocks(section: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", section, re.DOTALL)


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("PANW_AI_SEC_API_ENDPOINT", "PANW_AI_SEC_API_KEY", "PANW_AI_SEC_API_TOKEN", "INTERLOCK_PROFILES"):
        monkeypatch.delenv(var, raising=False)


def test_readme_dlp_cli_example_is_detected_and_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The piped `interlock scan --json` example must demonstrate DLP: flagged, blocked and masked."""
    (cli,) = _blocks(_section("Command line"), "bash")
    piped = [line for line in cli.splitlines() if re.match(r"echo .*\| interlock scan --json", line)]
    assert len(piped) == 1, "the README's DLP example: echo ... | interlock scan --json"
    command = piped[0].split("  #", 1)[0]
    echo, interlock_cmd = command.split("|", 1)
    text = shlex.split(echo)[1] + "\n"
    argv = shlex.split(interlock_cmd)[1:]
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(argv) == 1
    response = json.loads(capsys.readouterr().out)
    assert response["action"] == "block" and response["prompt_detected"]["dlp"] is True
    masked = response["prompt_masked_data"]
    assert masked["pattern_detections"] and masked["data"] != text and "X" * 8 in masked["data"]


def test_readme_quickstart_prints_what_its_comments_say() -> None:
    """Each `print(...)  # expected` line of the Quickstart prints the expected text (remote part excluded)."""
    (code,) = _blocks(_section("Quickstart"), "python")
    local = "\n".join(line for line in code.splitlines() if "remote" not in line.split("#", 1)[0])
    expected = [line.split("# ", 1)[1].split("  (", 1)[0].strip() for line in local.splitlines() if "print(" in line]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(local, "README.md:Quickstart", "exec"), {})  # noqa: S102 — the README's own example
    assert out.getvalue().splitlines() == expected
