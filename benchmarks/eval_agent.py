"""Evaluate the ``agent`` detector on the self-made MCP events in ``benchmarks/agent_cases.py``.

Usage: ``.venv/bin/python benchmarks/eval_agent.py [--no-injection-detector]``

No shared agent/tool data exists, so the cases are hand-written (and the rules were written alongside them):
read the numbers as a regression check, not as a field estimate. Prints precision/recall per event kind and
latency per KB. Deterministic.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict

from agent_cases import CASES, HELDOUT, call

from interlock.detectors.agent_security import AgentSecurityDetector, AgentSecurityOptions
from interlock.engine.base import ScanItem, ToolInfo


def item_for(kind: str, method: str, direction: str, payload: object) -> ScanItem:
    if kind == "text":
        return ScanItem(text=str(payload), field="prompt", data_type="prompt")
    tool = ToolInfo("mcp", method, "demo-server", None, direction)  # type: ignore[arg-type]
    field = "tool_input" if direction == "input" else "tool_output"
    return ScanItem(text=json.dumps(payload), field=field, data_type="tool_event", tool=tool)


def report(det: AgentSecurityDetector, cases: list[tuple[str, str, str, object, int]]) -> None:
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    misses = []
    for kind, method, direction, payload, label in cases:
        got = det.detect(item_for(kind, method, direction, payload)).detected
        c = per[kind]
        c[0] += got and label == 1
        c[1] += got and label == 0
        c[2] += (not got) and label == 1
        c[3] += (not got) and label == 0
        if got != bool(label):
            misses.append((kind, label, json.dumps(payload)[:110]))
    print("| kind | n | TP | FP | FN | TN | precision | recall |")
    print("|---|---|---|---|---|---|---|---|")
    tot = [0, 0, 0, 0]
    for kind, (tp, fp, fn, tn) in per.items():
        tot = [a + b for a, b in zip(tot, (tp, fp, fn, tn), strict=True)]
        print(
            f"| {kind} | {tp + fp + fn + tn} | {tp} | {fp} | {fn} | {tn} | "
            f"{tp / (tp + fp) if tp + fp else 0:.2f} | {tp / (tp + fn) if tp + fn else 0:.2f} |"
        )
    tp, fp, fn, tn = tot
    print(f"| all | {sum(tot)} | {tp} | {fp} | {fn} | {tn} | {tp / (tp + fp):.2f} | {tp / (tp + fn):.2f} |")
    for m in misses:
        print("miss:", m)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-injection-detector", action="store_true")
    args = ap.parse_args()
    det = AgentSecurityDetector(AgentSecurityOptions(use_injection_detector=not args.no_injection_detector))
    print(f"{len(CASES)} self-made cases; injection detector on tool outputs: {det._injection is not None}\n")
    for title, cases in (("cases written with the rules", CASES), ("held-out cases (rules frozen)", HELDOUT)):
        print(f"### {title}\n")
        report(det, cases)
    big_args = call("write_file", path="notes.md", content=("Meeting notes: budget, hiring, roadmap. " * 30)[:1000])
    for label, it in (
        ("tools/call input, 1 KB", item_for("call_input", "tools/call", "input", big_args)),
        (
            "tools/call output, 1 KB",
            item_for(
                "call_output",
                "tools/call",
                "output",
                {"result": ("Plain search result text about gardening. " * 25)[:1024]},
            ),
        ),
        ("prompt, 1 KB", item_for("text", "", "", ("Plan a three day trip to Lisbon with museums. " * 25)[:1024])),
    ):
        runs = []
        for _ in range(100):
            t0 = time.perf_counter()
            det.detect(it)
            runs.append((time.perf_counter() - t0) * 1000)
        print(f"latency {label}: median {statistics.median(runs):.3f} ms")


if __name__ == "__main__":
    main()
