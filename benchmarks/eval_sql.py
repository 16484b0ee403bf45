"""Evaluate the ``db_security`` detector on ``sql.jsonl.gz`` and measure latency per KB.

The data is SQL-injection payloads (label 1, payloadbox lists) vs ordinary SELECT queries (label 0, Spider gold
queries), one source. That is not the same task as "dangerous statement", so three views are reported:

1. **tool argument** — each text is the value of a database tool's argument (``{"query": text}`` as a tool
   event input): every value is checked for injection shapes and classified if it parses. Prediction = the
   detector flags the exchange. Precision/recall/FPR per category.
2. **response** — each text is a model response (plain text): SQL is only looked for where it starts like a
   statement, so most bare payload fragments (``' or 1=1--``) are deliberately not found; reported to show what a
   response-side scan sees.
3. **statement classes** — on the benign SELECTs: how many are classified ``read`` and how many are flagged
   (the goal is none).

Usage: ``.venv/bin/python benchmarks/eval_sql.py [--data DIR]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

from interlock.datasets import read_jsonl, shared_data_dir
from interlock.detectors.db_security import DbSecurityDetector
from interlock.engine.base import ScanItem, ToolInfo

_TOOL = ToolInfo("mcp", "tools/call", "postgres", "run_query", "input")


def _item(text: str, view: str) -> ScanItem:
    if view == "tool":
        return ScanItem(text=json.dumps({"query": text}), field="tool_input", data_type="tool_event", tool=_TOOL)
    return ScanItem(text=text, field="response", data_type="response")


def _fmt(tp: int, fp: int, fn: int, tn: int) -> str:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    fpr = fp / (fp + tn) if fp + tn else float("nan")
    return f"P={p:.3f} R={r:.3f} FPR={fpr:.4f} (tp={tp} fp={fp} fn={fn} tn={tn})"


def evaluate(rows: list[dict[str, object]], view: str, det: DbSecurityDetector) -> None:
    total = [0, 0, 0, 0]
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    rules: Counter[str] = Counter()
    fps: list[str] = []
    for row in rows:
        text, label = str(row["text"]), int(row["label"])  # type: ignore[call-overload]
        res = det.detect(_item(text, view))
        for f in res.findings:
            rules.update(f.data.get("rules", []))
        idx = (0 if label else 1) if res.detected else (2 if label else 3)
        total[idx] += 1
        by_cat[str(row["category"])][idx] += 1
        if res.detected and not label and len(fps) < 5:
            fps.append(text[:120])
    print(f"\n## view: {view}\nall: {_fmt(*total)}")
    for cat, c in sorted(by_cat.items(), key=lambda kv: -sum(kv[1])):
        short = cat.replace("sqli_payload_intruder_", "")
        print(f"  {short[:58]:58s} {_fmt(*c)}")
    print("  rules fired:", dict(rules.most_common()))
    if fps:
        print("  false positives:", fps)


def classes(rows: list[dict[str, object]], det: DbSecurityDetector) -> None:
    kinds: Counter[str] = Counter()
    for row in rows:
        if int(row["label"]) == 0:  # type: ignore[call-overload]
            res = det.detect(_item(str(row["text"]), "response"))
            for e in res.detail["dbs_report"]:
                kinds[f"{e['sub_type']}:{e['verdict']}"] += 1
            if not res.detail["dbs_report"]:
                kinds["no SQL found"] += 1
    print("\n## statement classes on benign SELECTs (response view):", dict(kinds))


def latency(rows: list[dict[str, object]], det: DbSecurityDetector, seed: int) -> None:
    rng = random.Random(seed)
    prose = "The query below returns the rows you asked for; adjust the filters as needed.\n"
    docs = []
    for _ in range(40):
        picks = [str(r["text"]) for r in rng.sample(rows, 10)]
        docs.append("".join(f"{prose}```sql\n{p}\n```\n" for p in picks))
    plain = [prose * 120 for _ in range(10)]
    for name, texts in (("response with 10 SQL blocks (~2 KB)", docs), ("prose, no SQL (~9 KB)", plain)):
        per_kb = []
        for t in texts:
            t0 = time.process_time()
            det.detect(_item(t, "response"))
            per_kb.append((time.process_time() - t0) * 1000 / (len(t.encode()) / 1024))
        print(f"latency {name}: median {statistics.median(per_kb):.3f} CPU ms/KB, max {max(per_kb):.3f} CPU ms/KB")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rows = list(read_jsonl((args.data or shared_data_dir()) / "sql.jsonl.gz"))
    print(f"rows: {len(rows)} (positives {sum(int(r['label']) for r in rows)})")
    det = DbSecurityDetector()
    for view in ("tool", "response"):
        evaluate(rows, view, det)
    classes(rows, det)
    latency(rows, det, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
