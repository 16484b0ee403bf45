"""Evaluate the ``url_cats`` detector on ``malicious_url.jsonl.gz`` and measure its cost per URL.

Each row's URL is sent the way a user would, ``"Please check this link for me: <URL>"``, as a prompt, with the
default options (the ``code-and-urls`` profile's). Only registrable domains in the ``test`` fold of
:func:`~interlock.detectors.url_filtering.model.training_fold` are used: the shipped model never saw them
(``scripts/train_url_model.py`` fits, calibrates and sets thresholds on the ``train`` fold only). Reported per
source, both per row and with one URL per registrable domain (a few big sites repeat thousands of times):

* block rate (= recall on phishing, FPR on benign) with the rules only and with rules + model;
* ROC AUC and TPR at 1 % FPR of the detector's score (the highest URL risk in the text), pooled;
* the same for each distinct host sent bare (what a domain blocklist holds), rules + model.

Cost: CPU microseconds per URL for ``detect()`` on one-URL prompts (canonicalisation, rules, model), with and
without the model, and CPU ms/KB on prose with 20 URLs.

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

PROMPT = "Please check this link for me: {}"


def auc_and_tpr(pos: list[float], neg: list[float]) -> tuple[float, float]:
    """ROC AUC (ties count half) and TPR at 1 % FPR."""
    neg_sorted = sorted(neg)
    lo = hi = 0
    wins = 0.0
    for p in sorted(pos):
        while lo < len(neg_sorted) and neg_sorted[lo] < p:
            lo += 1
        hi = max(hi, lo)
        while hi < len(neg_sorted) and neg_sorted[hi] <= p:
            hi += 1
        wins += lo + (hi - lo) / 2
    thr = neg_sorted[min(len(neg_sorted) - 1, int(0.99 * len(neg_sorted)))]
    return wins / (len(pos) * len(neg)), sum(p > thr for p in pos) / len(pos)


def test_rows(rows: list[dict[str, object]]) -> list[tuple[str, str, int, str]]:
    """``(text, source, label, registrable domain)`` of the test-fold rows."""
    out = []
    for row in rows:
        text = str(row["text"]).strip()
        url = canonicalize(text)
        if url is None or not url.host or training_fold(url.registered_domain) != "test":
            continue
        out.append((text, str(row["source"]), int(row["label"]), url.registered_domain))  # type: ignore[call-overload]
    return out


def evaluate(rows: list[tuple[str, str, int, str]]) -> None:
    dets = {"rules": UrlFilteringDetector(UrlFilteringOptions(use_model=False)), "rules+model": UrlFilteringDetector()}
    for name, det in dets.items():
        blocks: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
        blocks_dom: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
        seen: set[tuple[str, int]] = set()
        scores: dict[int, list[float]] = {0: [], 1: []}
        scores_dom: dict[int, list[float]] = {0: [], 1: []}
        for text, source, label, domain in rows:
            res = det.detect(ScanItem(text=PROMPT.format(text), field="prompt", data_type="prompt"))
            group = ("phishtank" if label else source.replace("url_", ""), label)
            blocks[group][0] += int(res.detected)
            blocks[group][1] += 1
            scores[label].append(res.score)
            if (domain, label) not in seen:
                seen.add((domain, label))
                blocks_dom[group][0] += int(res.detected)
                blocks_dom[group][1] += 1
                scores_dom[label].append(res.score)
        print(f"\n## {name}")
        for group in sorted(blocks):
            b, n = blocks[group]
            bd, nd = blocks_dom[group]
            what = "recall" if group[1] else "FPR"
            print(f"{group[0]:22s} {what:6s} per row {b / n:.4f} ({b}/{n})   one per domain {bd / nd:.4f} ({bd}/{nd})")
        for label_set, tag in ((scores, "per row"), (scores_dom, "one per domain")):
            auc, tpr = auc_and_tpr(label_set[1], label_set[0])
            print(f"pooled {tag:15s} AUC {auc:.4f}  TPR@1%FPR {tpr:.3f}")


def host_only(rows: list[tuple[str, str, int, str]]) -> None:
    """The domain-blocklist view: each test-fold host once, sent bare (``Please check this link for me: host``)."""
    det = UrlFilteringDetector()
    seen: set[tuple[str, int]] = set()
    scores: dict[int, list[float]] = {0: [], 1: []}
    blocked = {0: 0, 1: 0}
    for text, _source, label, _domain in rows:
        url = canonicalize(text)
        if url is None or (url.host, label) in seen:
            continue
        seen.add((url.host, label))
        res = det.detect(ScanItem(text=PROMPT.format(url.host), field="prompt", data_type="prompt"))
        scores[label].append(res.score)
        blocked[label] += int(res.detected)
    auc, tpr = auc_and_tpr(scores[1], scores[0])
    print(
        f"\n## host only (distinct hosts: {len(scores[1])} phishing, {len(scores[0])} benign)\n"
        f"recall {blocked[1] / len(scores[1]):.4f}  FPR {blocked[0] / len(scores[0]):.4f}  AUC {auc:.4f}  "
        f"TPR@1%FPR {tpr:.3f}"
    )


def latency(rows: list[tuple[str, str, int, str]], seed: int) -> None:
    """CPU cost (process time: the machine is shared)."""
    rng = random.Random(seed)
    sample = rng.sample(rows, min(2000, len(rows)))
    for name, opts in (("rules only", UrlFilteringOptions(use_model=False)), ("rules + model", UrlFilteringOptions())):
        det = UrlFilteringDetector(opts)
        per_url = []
        for text, *_ in sample:
            item = ScanItem(text=PROMPT.format(text + f"?n={rng.random()}"), field="prompt", data_type="prompt")
            t0 = time.process_time()
            det.detect(item)
            per_url.append((time.process_time() - t0) * 1e6)
        per_url.sort()
        print(
            f"latency {name}: median {statistics.median(per_url):.0f} CPU us/URL, "
            f"p95 {per_url[int(0.95 * len(per_url))]:.0f} us"
        )
    det = UrlFilteringDetector()
    filler = "The quarterly report covers revenue, hiring and the roadmap for next year. " * 3
    docs = [" ".join(f"{filler} see {t} ." for t, *_ in rng.sample(rows, 20)) for _ in range(50)]
    per_kb = []
    for t in docs:
        t0 = time.process_time()
        det.detect(ScanItem(text=t, field="prompt", data_type="prompt"))
        per_kb.append((time.process_time() - t0) * 1000 / (len(t.encode()) / 1024))
    print(f"latency prose + 20 URLs (~5 KB): median {statistics.median(per_kb):.3f} CPU ms/KB, max {max(per_kb):.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=0, help="evaluate a seeded sample of N test rows (0 = all)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rows = test_rows(list(read_jsonl((args.data or shared_data_dir()) / "malicious_url.jsonl.gz")))
    if args.limit:
        rows = random.Random(args.seed).sample(rows, min(args.limit, len(rows)))
    print(f"test-fold rows: {len(rows)} ({sum(r[2] for r in rows)} phishing)")
    evaluate(rows)
    host_only(rows)
    latency(rows, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
