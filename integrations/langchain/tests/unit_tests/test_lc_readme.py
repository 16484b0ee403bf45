"""The integration README's agent example runs as written and prints what its comments say (issue #13 item 15)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_readme_agent_example_runs_and_blocks_the_poisoned_tool_output() -> None:
    section = README.split("### A complete agent, offline\n", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    expected = [line.split("# ", 1)[1].split(":", 1)[0].strip() for line in code.splitlines() if "print(" in line]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "integrations/langchain/README.md", "exec"), {"__name__": "readme"})  # noqa: S102
    assert out.getvalue().splitlines() == expected == ["error", "I could not get a trustworthy search result."]
