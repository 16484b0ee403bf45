"""The notebooks are committed executed, with pictures where they help (issue #13 item 14).

`make test` also executes them (`--nbmake notebooks`), so the committed outputs are what the code produces.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def _code_cells(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]


def _images(path: Path) -> int:
    return sum("image/png" in o.get("data", {}) for c in _code_cells(path) for o in c["outputs"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_executed_in_order_without_errors(path: Path) -> None:
    cells = _code_cells(path)
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1)), "run all cells once, in order"
    assert all(o["output_type"] != "error" for c in cells for o in c["outputs"])
    assert sum(bool(c["outputs"]) for c in cells) >= len(cells) // 2, "most cells show something"


def test_measuring_notebook_shows_roc_pr_and_verdicts_per_detector() -> None:
    path = next(p for p in NOTEBOOKS if p.name == "measuring_interlock.ipynb")
    assert _images(path) >= 3  # ROC and PR from `interlock eval --plots`, and the verdicts-per-detector chart
    source = "".join("".join(c["source"]) for c in _code_cells(path))
    assert '"--plots"' in source and "Verdicts per detector" in source


def test_langchain_notebook_blocks_quietly() -> None:
    path = next(p for p in NOTEBOOKS if p.name == "langchain_guard.ipynb")
    text = json.dumps([c["outputs"] for c in _code_cells(path)])
    assert "blocked:" in text and "Error in InterlockCallbackHandler" not in text
