"""Evaluate the ``malicious_code`` detector on the self-made cases in ``benchmarks/code_cases.py``; latency per KB.

No shared labelled code data exists. ``CASES`` were written alongside the rules (development set: expect
optimistic numbers); ``HELDOUT`` was written after the rules were frozen and is reported as measured.

Usage: ``.venv/bin/python benchmarks/eval_code.py``
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from code_cases import CASES, HELDOUT  # noqa: E402

from interlock.detectors.malicious_code import MaliciousCodeDetector  # noqa: E402
from interlock.engine.base import ScanItem, ToolInfo  # noqa: E402

_TOOL = ToolInfo("mcp", "tools/call", "shell", "run_command", "input")
_TYPES = {"response": "response", "code_response": "response", "prompt": "prompt", "tool_input": "tool_event"}


def item(case: dict[str, Any]) -> ScanItem:
    """The ScanItem a case stands for."""
    field = case["field"]
    data_type = _TYPES[field]
    return ScanItem(
        text=case["text"],
        field=field,
        data_type=data_type,  # type: ignore[arg-type]
        is_code=field.startswith("code_"),
        tool=_TOOL if data_type == "tool_event" else None,
    )


def evaluate(name: str, cases: list[dict[str, Any]], det: MaliciousCodeDetector) -> None:
    tp = fp = fn = tn = 0
    per_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for case in cases:
        pred = det.detect(item(case)).detected
        label = bool(case["label"])
        tp += pred and label
        fp += pred and not label
        fn += label and not pred
        tn += not label and not pred
        per_cat[case["category"]][0] += pred == label
        per_cat[case["category"]][1] += 1
        if pred != label:
            misses.append(f"{'FN' if label else 'FP'} {case['category']}: {case['text'][:70]!r}")
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    print(f"\n## {name}: {len(cases)} cases ({tp + fn} malicious, {fp + tn} benign)")
    print(f"precision {p:.3f}  recall {r:.3f}  FPR {fp / (fp + tn):.3f}  (tp={tp} fp={fp} fn={fn} tn={tn})")
    print("per category (correct/total):", {k: f"{v[0]}/{v[1]}" for k, v in sorted(per_cat.items())})
    for m in misses:
        print("  ", m)


def latency(det: MaliciousCodeDetector, seed: int = 0) -> None:
    rng = random.Random(seed)
    pool = [c["text"] for c in CASES + HELDOUT]
    prose = "This section explains the deployment steps for the service and what each command does.\n"
    docs = ["".join(prose + rng.choice(pool) for _ in range(10)) for _ in range(40)]
    big_py = "import os\n\n" + "def f{i}(x):\n    return os.path.join(str(x), 'a')\n\n" * 2000
    for name, texts, field in (
        ("responses with 10 code blocks (~3 KB)", docs, "response"),
        ("prose only (~9 KB)", [prose * 100] * 10, "response"),
        ("Python file (~90 KB, code_response)", [big_py] * 3, "code_response"),
    ):
        per_kb = []
        for t in texts:
            t0 = time.process_time()
            det.detect(ScanItem(text=t, field=field, data_type="response", is_code=field == "code_response"))
            per_kb.append((time.process_time() - t0) * 1000 / (len(t.encode()) / 1024))
        print(f"latency {name}: median {statistics.median(per_kb):.3f} CPU ms/KB, max {max(per_kb):.3f} CPU ms/KB")


def main() -> int:
    det = MaliciousCodeDetector()
    evaluate("development cases (written with the rules)", CASES, det)
    evaluate("held-out cases (written after the rules were frozen)", HELDOUT, det)
    latency(det)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
