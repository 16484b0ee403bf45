"""Train the toxic-content model and write ``src/interlock/detectors/toxic_content/toxicity_model.json.gz``.

Seeded and deterministic: re-running on the same data writes the same file.

Training data (all read in place from the shared data folder):

* ``toxicity.jsonl.gz`` (Davidson tweets): a seeded 80 % split; the other 20 % is the in-register test set.
* Out-of-register benign text, so the model does not learn "anything that is not a tweet about birds is toxic":
  ``prompt_attack.jsonl.gz`` rows of source ``benign_instructions`` (self-instruct) and the BIPIA clean documents
  (categories ``indirect_clean_*``).

Everything else (harmful_request, harmful_response, toxicity_prompt_weak, XSTest, WildGuard benign, BIPIA user
questions) is never seen here and is what ``benchmarks/eval_toxicity.py`` reports on.

Model: logistic regression (scikit-learn, training time only) on L2-normalised binary word uni/bigram features
(:mod:`interlock.detectors.toxic_content.features`; the norm counts every feature of the text, as the runtime
scorer does), vocabulary = features in >= 3 training rows; weights with
``|w| < 0.02`` are pruned. The runtime scorer re-implements the dot product in pure Python.

Usage: ``.venv/bin/python scripts/train_toxicity.py [--data DIR] [--out PATH]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from interlock.datasets import read_jsonl, record_training_data, shared_data_dir
from interlock.detectors.toxic_content.features import features, tokens

SEED = 13
MIN_DF = 3
C = 4.0
PRUNE = 0.02
OUT = Path(__file__).resolve().parents[1] / "src/interlock/detectors/toxic_content/toxicity_model.json.gz"
#: the shared data files the model learns from (recorded in interlock/training_data.json for `interlock eval`)
TRAINING_FILES = {
    "toxicity.jsonl.gz": "the seeded 80 % training split",
    "prompt_attack.jsonl.gz": "benign rows of source benign_instructions and categories indirect_clean_*, as label 0",
}


def davidson_split(data: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The seeded 80/20 split of the Davidson tweets (shared with the benchmark)."""
    rows = sorted(read_jsonl(data / "toxicity.jsonl.gz"), key=lambda r: str(r["id"]))
    rng = random.Random(SEED)
    rng.shuffle(rows)
    cut = int(len(rows) * 0.8)
    return rows[:cut], rows[cut:]


def training_rows(data: Path) -> list[tuple[str, int]]:
    """(text, label) rows the model is trained on."""
    train, _ = davidson_split(data)
    rows = [(str(r["text"]), int(r["label"])) for r in train]
    for r in read_jsonl(data / "prompt_attack.jsonl.gz"):
        if r["source"] == "benign_instructions" or str(r["category"]).startswith("indirect_clean_"):
            rows.append((str(r["text"]), 0))
    return rows


def vectorise(feats: list[set[str]], vocab: dict[str, int]) -> csr_matrix:
    indptr, indices, values = [0], [], []
    for fs in feats:
        idx = sorted(vocab[f] for f in fs if f in vocab)
        w = 1.0 / math.sqrt(len(fs)) if fs else 0.0  # all features, in vocabulary or not: as at runtime
        indices.extend(idx)
        values.extend([w] * len(idx))
        indptr.append(len(indices))
    return csr_matrix((np.array(values), np.array(indices), np.array(indptr)), shape=(len(feats), len(vocab)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=shared_data_dir())
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    rows = training_rows(args.data)
    feats = [features(tokens(t)) for t, _ in rows]
    y = np.array([label for _, label in rows])
    df = Counter(f for fs in feats for f in fs)
    vocab = {f: i for i, f in enumerate(sorted(f for f, n in df.items() if n >= MIN_DF))}
    x = vectorise(feats, vocab)
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=2000, random_state=SEED)
    clf.fit(x, y)
    coef = clf.coef_[0]
    names = sorted(vocab, key=vocab.__getitem__)
    weights = {n: round(float(w), 4) for n, w in zip(names, coef, strict=True) if abs(w) >= PRUNE}
    model = {
        "format": "interlock-toxicity-v1",
        "features": "binary word uni+bigrams, L2-normalised (interlock.detectors.toxic_content.features)",
        "bias": round(float(clf.intercept_[0]), 4),
        "weights": dict(sorted(weights.items())),
        "trained_on": {"rows": len(rows), "positives": int(y.sum()), "seed": SEED, "C": C, "min_df": MIN_DF},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(args.out, "wb", mtime=0) as fh:
        fh.write(json.dumps(model, sort_keys=True, separators=(",", ":")).encode())
    if args.out == OUT:
        record_training_data("toxic_content", OUT, TRAINING_FILES, args.data, detector="toxic_content")
    print(f"{len(rows)} rows ({int(y.sum())} toxic), vocab {len(vocab)}, kept {len(weights)} weights -> {args.out}")
    top = sorted(weights.items(), key=lambda kv: kv[1])
    print("most benign:", [k for k, _ in top[:15]])
    print("most toxic:", [k for k, _ in top[-25:]])


if __name__ == "__main__":
    main()
