"""Evaluate the toxic-content detector on the shared data, per source, with held-out registers called out.

Usage: ``.venv/bin/python benchmarks/eval_toxicity.py [--data DIR] [--threshold T]``

Rows used to train the model (``scripts/train_toxicity.py``: the Davidson 80 % split, self-instruct and BIPIA
clean documents) are never scored here except where marked "(trained)". Deterministic: no randomness beyond the
seeded Davidson split shared with the trainer.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from train_toxicity import davidson_split  # noqa: E402

from interlock.datasets import read_jsonl, shared_data_dir  # noqa: E402
from interlock.detectors.toxic_content import ToxicContentDetector, ToxicContentOptions  # noqa: E402
from interlock.engine.base import ScanItem  # noqa: E402


def flagged(det: ToxicContentDetector, text: str) -> tuple[bool, list[str]]:
    r = det.detect(ScanItem(text=text, field="prompt", data_type="prompt"))
    return r.detected, r.categories.get("toxic_categories", [])


def rate_table(det: ToxicContentDetector, groups: dict[str, list[tuple[str, int]]]) -> None:
    print("| set | n | label | flagged | rate |")
    print("|---|---|---|---|---|")
    for name, rows in groups.items():
        for label in (1, 0):
            sub = [t for t, y in rows if y == label]
            if not sub:
                continue
            k = sum(flagged(det, t)[0] for t in sub)
            what = "recall" if label else "FPR"
            print(f"| {name} | {len(sub)} | {label} | {k} | {what} {k / len(sub):.3f} |")


def prf(det: ToxicContentDetector, rows: list[tuple[str, int]]) -> str:
    tp = fp = fn = 0
    for t, y in rows:
        p = flagged(det, t)[0]
        tp += p and y == 1
        fp += p and y == 0
        fn += (not p) and y == 1
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return f"P {prec:.3f} R {rec:.3f} F1 {f1:.3f}"


def latency(det: ToxicContentDetector) -> None:
    base = (
        "The quarterly report shows revenue grew 12% while costs fell. Please summarise the main risks, "
        "list the action items for the team, and draft a short reply to the customer who asked about delivery "
        "dates. Honestly this release was a damn mess but we fixed it. "
    )
    for kb in (1, 10):
        text = (base * (kb * 1024 // len(base) + 1))[: kb * 1024]
        item = ScanItem(text=text, field="prompt", data_type="prompt")
        det.detect(item)
        runs = []
        for _ in range(200 if kb == 1 else 30):
            t0 = time.perf_counter()
            det.detect(item)
            runs.append((time.perf_counter() - t0) * 1000)
        runs.sort()
        p95 = runs[int(len(runs) * 0.95) - 1]
        print(f"| {kb} KB | median {statistics.median(runs):.3f} ms | p95 {p95:.3f} ms |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=shared_data_dir())
    ap.add_argument("--threshold", type=float, default=None)
    args = ap.parse_args()
    opts = ToxicContentOptions() if args.threshold is None else ToxicContentOptions(threshold=args.threshold)
    det = ToxicContentDetector(opts)
    data = args.data
    print(f"threshold {det.options.threshold}, high {det.options.high_threshold}\n")

    _, test = davidson_split(data)
    dav = [(str(r["text"]), int(r["label"])) for r in test]
    print("## Davidson tweets, held-out 20 % (in-register)\n")
    print(prf(det, dav))
    by_cat: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for r in test:
        by_cat[f"davidson/{r['category']}"].append((str(r["text"]), int(r["label"])))
    rate_table(det, dict(sorted(by_cat.items())))

    print("\n## Held-out sources and registers (never trained on)\n")
    groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for r in read_jsonl(data / "toxicity_prompt_weak.jsonl.gz"):
        groups[f"rtp_weak/{r['category'].removeprefix('rtp_challenging_')}"].append((r["text"], 1))
    for r in read_jsonl(data / "harmful_response.jsonl.gz"):
        groups[f"harmful_response/{r['category']}"].append((r["text"], int(r["label"])))
    for r in read_jsonl(data / "harmful_request.jsonl.gz"):
        key = "xstest" if r["source"] == "benign_xstest" else r["category"]
        groups[f"harmful_request/{key}"].append((r["text"], int(r["label"])))
    trained_neg: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for r in read_jsonl(data / "prompt_attack.jsonl.gz"):
        if r["label"] != 0:
            continue
        cat = str(r["category"])
        if r["source"] == "benign_instructions" or cat.startswith("indirect_clean_"):
            trained_neg[f"prompt_attack/{r['source']} (trained)"].append((r["text"], 0))
        elif r["source"] != "benign_xstest":  # XSTest rows are scored above, from harmful_request
            groups[f"prompt_attack/{r['source']}/{cat}"].append((r["text"], 0))
    rate_table(det, dict(sorted(groups.items())))
    print("\n## Benign sources the model saw in training (sanity only)\n")
    rate_table(det, dict(trained_neg))

    print("\n## Latency (single thread, detect() on benign English)\n")
    latency(det)


if __name__ == "__main__":
    main()
