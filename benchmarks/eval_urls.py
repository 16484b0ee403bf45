"""Evaluate the ``url_cats`` detector on ``malicious_url.jsonl.gz`` (per source), and measure latency per KB.

Each row's text (one URL, with or without scheme) is scanned as a prompt; the detector canonicalises it.
Prediction = the detector blocks (default options: block on high risk or a blocked category). Reported per
source and, for the held-out evaluation, per training fold:

* ``url_iscx_phishtank`` / ``test`` fold: registrable domains the lexical model never saw (see
  ``scripts/train_url_model.py``) -> precision, recall, FPR;
* ``url_iscx_phishtank`` / ``train`` fold: rows the model was trained on (reported for completeness only);
* ``url_citizenlab_benign``: never used for training or tuning; all benign -> FPR only.

Each configuration is run with and without the lexical model (``use_model``) and at two operating points
(block = high risk; flag = medium risk or worse).

Usage: ``.venv/bin/python benchmarks/eval_urls.py [--data DIR] [--limit N] [--seed 0]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path

from interlock.datasets import read_jsonl, shared_data_dir
from interlock.detectors.url_filtering import UrlFilteringDetector, UrlFilteringOptions
from interlock.detectors.url_filtering.canon import canonicalize
from interlock.detectors.url_filtering.model import training_fold
from interlock.engine.base import ScanItem


def _metrics(tp: int, fp: int, fn: int, tn: int) -> str:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    fpr = fp / (fp + tn) if fp + tn else float("nan")
    return f"P={p:.3f} R={r:.3f} FPR={fpr:.4f} (tp={tp} fp={fp} fn={fn} tn={tn})"


def evaluate(rows: list[dict[str, object]], use_model: bool) -> None:
    det = UrlFilteringDetector(UrlFilteringOptions(use_model=use_model))
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0, 0])
    no_url = 0
    for row in rows:
        text = str(row["text"]).strip()
        url = canonicalize(text)
        fold = training_fold(url.registered_domain) if url is not None and url.host else "test"
        group = (str(row["source"]), fold if row["source"] == "url_iscx_phishtank" else "all")
        res = det.detect(ScanItem(text=text, field="prompt", data_type="prompt"))
        if not res.findings:
            no_url += 1
        block = res.detected
        flag = any(f.data.get("risk_level") in ("medium", "high") for f in res.findings)
        label = int(row["label"])  # type: ignore[call-overload]
        c = counts[group]
        for off, pred in ((0, block), (4, flag)):
            if pred and label:
                c[off] += 1
            elif pred:
                c[off + 1] += 1
            elif label:
                c[off + 2] += 1
            else:
                c[off + 3] += 1
    print(f"\n## use_model={use_model}  (rows with no URL extracted: {no_url})")
    for (source, fold), c in sorted(counts.items()):
        print(f"{source:24s} {fold:5s} block: {_metrics(*c[:4])}")
        print(f"{'':24s} {'':5s} flag:  {_metrics(*c[4:])}")


def latency(rows: list[dict[str, object]], seed: int) -> None:
    """Median CPU ms per KB (process time: the machine is shared) on prose with embedded URLs and on plain prose."""
    rng = random.Random(seed)
    det = UrlFilteringDetector()
    filler = "The quarterly report covers revenue, hiring and the roadmap for next year. " * 3
    docs = []
    for _ in range(50):
        urls = [str(r["text"]) for r in rng.sample(rows, 20)]
        docs.append(" ".join(f"{filler} see {u} ." for u in urls))
    plain = [filler * 40 for _ in range(20)]
    for name, texts in (("prose + 20 URLs (~5 KB)", docs), ("prose, no URLs (~9 KB)", plain)):
        per_kb = []
        for t in texts:
            t0 = time.process_time()
            det.detect(ScanItem(text=t, field="prompt", data_type="prompt"))
            per_kb.append((time.process_time() - t0) * 1000 / (len(t.encode()) / 1024))
        print(f"latency {name}: median {statistics.median(per_kb):.3f} CPU ms/KB, max {max(per_kb):.3f} CPU ms/KB")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=0, help="evaluate a seeded sample of N rows (0 = all)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rows = list(read_jsonl((args.data or shared_data_dir()) / "malicious_url.jsonl.gz"))
    if args.limit:
        rows = random.Random(args.seed).sample(rows, min(args.limit, len(rows)))
    print(f"rows: {len(rows)}")
    for use_model in (False, True):
        evaluate(rows, use_model)
    latency(rows, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
