"""Train the lexical URL model and write ``src/interlock/detectors/url_filtering/url_model.json``.

Seeded and deterministic. Data: ``malicious_url.jsonl.gz`` read in place.

* Training rows: source ``url_iscx_phishtank`` (PhishTank phishing vs ISCX-2016 benign), only the registrable
  domains that :func:`~interlock.detectors.url_filtering.model.training_fold` puts in ``train`` (a fixed hash of
  the domain, so all URLs of one site are on the same side).
* Never used here: the ``test`` half of ``url_iscx_phishtank`` and the whole ``url_citizenlab_benign`` source;
  ``benchmarks/eval_urls.py`` reports on those.

Every URL is canonicalised first (scheme, ``www.`` and trailing slash stripped by the features) because the lists
differ in format. Model: scikit-learn logistic regression (balanced classes, L2, C=1) on the 22 lexical
features of :func:`~interlock.detectors.url_filtering.model.features`, every registrable domain weighted
equally (the benign list repeats a few big sites thousands of times). The threshold at which the model adds a
risk signal is the probability that keeps the domain-weighted training false-positive rate at ``--fpr`` (1 %).

Usage: ``.venv/bin/python scripts/train_url_model.py [--data DIR] [--fpr 0.01]``
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from interlock.datasets import read_jsonl, record_training_data, shared_data_dir
from interlock.detectors.url_filtering.canon import canonicalize
from interlock.detectors.url_filtering.model import FEATURES, MODEL_PATH, features, training_fold

SEED = 7
#: the shared data the model learns from (recorded in interlock/training_data.json for `interlock eval`)
TRAINING_FILES = {"malicious_url.jsonl.gz": "source url_iscx_phishtank, rows with training_fold == 'train'"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--fpr", type=float, default=0.01)
    args = ap.parse_args()
    data = args.data or shared_data_dir()
    xs: list[list[float]] = []
    ys: list[int] = []
    domains: list[str] = []
    for row in read_jsonl(data / "malicious_url.jsonl.gz"):
        if row["source"] != "url_iscx_phishtank":
            continue
        url = canonicalize(row["text"].strip())
        if url is None or not url.host or training_fold(url.registered_domain) != "train":
            continue
        xs.append(features(url))
        ys.append(int(row["label"]))
        domains.append(url.registered_domain)
    x = np.asarray(xs)
    y = np.asarray(ys)
    # every registrable domain weighs the same (ISCX benign repeats a few big sites thousands of times);
    # then classes are balanced on those weights
    per_domain = Counter(zip(domains, ys, strict=True))
    w = np.asarray([1.0 / per_domain[(d, lab)] for d, lab in zip(domains, ys, strict=True)])
    for lab in (0, 1):
        w[y == lab] /= w[y == lab].sum()
    clf = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED)
    clf.fit(x, y, sample_weight=w * len(y))
    p = clf.predict_proba(x)[:, 1]
    neg = np.argsort(p[y == 0])
    cum = np.cumsum(w[y == 0][neg]) / w[y == 0].sum()
    threshold = float(p[y == 0][neg][np.searchsorted(cum, 1.0 - args.fpr)])
    tpr = float(w[y == 1][p[y == 1] >= threshold].sum() / w[y == 1].sum())
    artifact = {
        "features": list(FEATURES),
        "weights": [round(float(w), 6) for w in clf.coef_[0]],
        "bias": round(float(clf.intercept_[0]), 6),
        "threshold": round(threshold, 6),
        "max_weight": 0.45,
        "provenance": {
            "script": "scripts/train_url_model.py",
            "data": "malicious_url.jsonl.gz, source url_iscx_phishtank, training_fold == 'train'",
            "rows": len(ys),
            "positives": int(y.sum()),
            "train_fpr_target": args.fpr,
            "train_domain_weighted_tpr_at_threshold": round(tpr, 4),
            "seed": SEED,
        },
    }
    args.out.write_text(json.dumps(artifact, indent=1) + "\n", encoding="utf-8")
    if args.out == MODEL_PATH:
        record_training_data("url", MODEL_PATH, TRAINING_FILES, data, detector="url_cats")
    print(f"wrote {args.out}: {len(ys)} rows ({int(y.sum())} phishing), threshold {threshold:.4f}, train TPR {tpr:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
