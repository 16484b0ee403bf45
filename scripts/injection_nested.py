"""Nested leave-source-out instrument for prompt-injection detection, and the trainer of the ``ngram`` tier.

For every source of ``prompt_attack.jsonl.gz`` and ``prompt_attack_more.jsonl.gz`` (17 of them) the source is held
out and everything is fitted on the others:

* the naive baseline — ``TfidfVectorizer(analyzer="char", ngram_range=(3, 5))`` + ``TfidfVectorizer(ngram_range=
  (1, 2))`` (scikit-learn defaults otherwise) + ``LogisticRegression(max_iter=1000)``, unweighted, no generated
  data. Its vocabularies and IDF are fitted on the training rows only (computed from one count matrix: columns no
  training row has are dropped, exactly as a vectoriser fitted on the training rows would);
* the ``ngram`` model — hashed char 3-5 + word 1-2 TF-IDF (``interlock.detectors.prompt_injection.ngram``: the
  shipped featuriser itself), sublinear TF, IDF fitted on the training rows, logistic regression (SGD, log loss) with
  inverse-frequency weights per (source, label, language), plus generated attacks and hard negatives
  (``injection_synth.py``, ``injection_plain.py``: written from attack kinds, not from any source's rows, so the
  same for every fold). Its Platt calibration and its low/medium/high operating points come from an inner
  grouped 2-fold split of the *training* sources (out-of-source margins of the inner folds); the held-out
  source plays no part. Every normalised view of a text (``interlock.text.normalize.views``) is scored and the
  maximum kept, as at run time.

Large sources are subsampled for training in the fold loop (at most ``--cap`` rows per source × label, seeded);
every held-out row is scored. ``prompt_attack_eval_only.jsonl.gz`` is never trained on: it is scored by the
models fitted on all 17 sources. Pooled figures are over out-of-source scores only.

The shipped default (``signature`` + ``ngram`` tiers) is scored too: ``default`` = max(signature score, ngram
probability mapped onto the detector's scale so that the fold's medium operating point lands on the detector
threshold 0.7), exactly the detector's combination rule (``detector.combine``); its medium decision is
``default >= 0.7``. The signature tier is hand-written (no fitting), but its patterns were written by people who
had read some of these sources, so its figures are less clean than the models'. ``old_default`` is the former
default (signature + the ``trained`` tier, noisy-OR): the trained tier was fitted on every ``prompt_attack`` source,
so it is out of source only on the ``prompt_attack_more`` sources and the eval-only file, and reported there only.

With ``--ship`` (and only when the ngram model beats the baseline out of source in pooled ROC AUC, TPR at 1 % FPR
and on the eval-only file) the model fitted on all sources is written to the package, calibrated on the outer
folds' out-of-source margins and with operating points set on their benign scores.

Usage: ``OMP_NUM_THREADS=1 nice .venv/bin/python scripts/injection_nested.py [--ship]`` (~20 min on 2 busy cores;
needs the ``dev`` extra's scikit-learn). Writes ``docs/bench/injection_nested.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import platform
import random
import sys
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import roc_auc_score, roc_curve

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "src"))

import injection_plain  # noqa: E402
import injection_synth  # noqa: E402

from interlock.detectors.prompt_injection import ngram  # noqa: E402
from interlock.text.normalize import views  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
TRAIN_FILES = ("prompt_attack.jsonl.gz", "prompt_attack_more.jsonl.gz")
EVAL_FILE = "prompt_attack_eval_only.jsonl.gz"
SEED = 20261204
WIDTH = ngram.CHAR_BUCKETS + ngram.WORD_BUCKETS
#: Regularisation of the ngram model (fixed before any fold was scored; not tuned on the instrument).
C_NGRAM = 4.0
#: SGD epochs of the ngram model (logistic loss, L2 penalty 1 / (C n)).
EPOCHS = 12
#: Generated rows weigh this much relative to real groups of the same size.
SYNTH_FACTOR = 0.5
#: Groups smaller than this are weighted as if they had this many rows (a 2-row group must not weigh 0.5 each).
MIN_GROUP = 20
#: Benign rows that are ordinary user requests (the FPR bound of 0.5 % applies to them).
USER_SOURCES = {"arena_hard", "benign_instructions", "benign_xstest", "pi_piguard_notinject"}
USER_CATEGORIES = {"benign_question", "benign_user_question_table", "benign_user_question_email"}
#: sensitivity -> (max FPR over all benign rows, max FPR over ordinary user requests), source-balanced.
TARGETS = {"low": (0.005, 0.002), "medium": (0.015, 0.004), "high": (0.04, 0.01)}


def load(name: str) -> list[dict[str, Any]]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    for r in rows:
        r.setdefault("lang", "en")
    return rows


def generated(seed: int) -> list[dict[str, Any]]:
    """Generated training rows: the carrier/goal generator and the plain attacks / hard negatives."""
    out: list[dict[str, Any]] = []
    for r in injection_synth.generate(4000, seed):
        cat = str(r["category"])
        lang = cat.rsplit("_", 1)[-1]
        r["lang"] = lang if lang in injection_plain.LANGS or lang in ("it", "pt") else "en"
        out.append(r)
    out.extend(injection_plain.generate(3000, seed + 1))
    return out


def is_user(r: dict[str, Any]) -> bool:
    return r["label"] == 0 and (r["source"] in USER_SOURCES or r["category"] in USER_CATEGORIES)


# --- features -------------------------------------------------------------------------------------------------


def view_matrix(rows: list[dict[str, Any]]) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Hashed counts of every distinct normalised view of every row (first view = base), the owner row of each
    matrix row, and whether it is the base view."""
    indptr, indices, data, owner, base = [0], [], [], [], []
    for i, r in enumerate(rows):
        text = r["text"][: ngram.MAX_CHARS]
        seen: set[str] = set()
        for k, v in enumerate(views(text)):
            if v.text in seen or not v.text.strip():
                continue
            seen.add(v.text)
            chars, words = ngram.hashed_counts(v.text)
            cols = list(chars) + [ngram.CHAR_BUCKETS + b for b in words]
            indices.extend(cols)
            data.extend(list(chars.values()) + list(words.values()))
            indptr.append(len(indices))
            owner.append(i)
            base.append(k == 0)
    m = sp.csr_matrix(
        (np.asarray(data, np.float32), np.asarray(indices, np.int32), np.asarray(indptr, np.int64)),
        shape=(len(owner), WIDTH),
    )
    return m, np.asarray(owner), np.asarray(base)


def features(rows: list[dict[str, Any]], n_scored: int, cache: Path | None) -> tuple[Any, ...]:
    """ngram view counts (with owners and base flags) and the baseline's count matrix (char block first, its
    width), optionally cached on disk (keyed on the row count and a CRC of every text)."""
    crc = 0
    for r in rows:
        crc = zlib.crc32(r["text"].encode(), crc)
    key = f"{len(rows)}-{crc:08x}"
    if cache is not None and (cache / f"inj_nested_{key}.npz").exists():
        z = np.load(cache / f"inj_nested_{key}.npz")
        counts = sp.csr_matrix((z["cd"], z["ci"], z["cp"]), shape=tuple(z["cs"]))
        bc = sp.csr_matrix((z["bd"], z["bi"], z["bp"]), shape=tuple(z["bs"]))
        return counts, z["owner"], z["base"], bc, int(z["nb"])
    t0 = time.time()
    counts, owner, is_base = view_matrix(rows)
    print(f"ngram features: {counts.shape[0]} views, {counts.nnz} nonzeros ({time.time() - t0:.0f}s)", flush=True)
    raw = [r["text"] for r in rows[:n_scored]]
    cv_char = CountVectorizer(analyzer="char", ngram_range=(3, 5), dtype=np.float32).fit(raw)
    cv_word = CountVectorizer(ngram_range=(1, 2), dtype=np.float32).fit(raw)
    bc = sp.hstack([cv_char.transform(raw), cv_word.transform(raw)], format="csr")
    nb = len(cv_char.vocabulary_)
    print(f"baseline features: {bc.shape[1]} columns ({time.time() - t0:.0f}s)", flush=True)
    if cache is not None:
        np.savez(
            cache / f"inj_nested_{key}.npz",
            cd=counts.data,
            ci=counts.indices,
            cp=counts.indptr,
            cs=np.array(counts.shape),
            owner=owner,
            base=is_base,
            bd=bc.data,
            bi=bc.indices,
            bp=bc.indptr,
            bs=np.array(bc.shape),
            nb=np.array(nb),
        )
    return counts, owner, is_base, bc, nb


def tfidf(counts: sp.csr_matrix, idf: np.ndarray, blocks: list[tuple[int, int]], sublinear: bool) -> sp.csr_matrix:
    """TF-IDF rows, each block L2-normalised on its own; columns with ``idf == 0`` are not features."""
    x = counts.astype(np.float64)  # a copy
    if sublinear:
        x.data = 1.0 + np.log(x.data)
    x.data *= idf[x.indices]
    rowid = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    sq = x.data * x.data
    scale = np.ones_like(x.data)
    for a, b in blocks:
        inb = (x.indices >= a) & (x.indices < b)
        norms = np.sqrt(np.bincount(rowid[inb], weights=sq[inb], minlength=x.shape[0]))
        norms[norms == 0] = 1.0
        scale[inb] = 1.0 / norms[rowid[inb]]
    x.data *= scale
    x.eliminate_zeros()
    return x


def fit_idf(counts: sp.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """Smoothed IDF (scikit-learn's formula) of the training rows; 0 for columns none of them has."""
    sub = counts[rows]
    df = np.bincount(sub.indices, minlength=counts.shape[1]).astype(np.float64)
    n = len(rows)
    return np.where(df > 0, np.log((1.0 + n) / (1.0 + df)) + 1.0, 0.0)


# --- the ngram model -------------------------------------------------------------------------------------------


def weights(rows: list[dict[str, Any]], idx: np.ndarray) -> np.ndarray:
    """Inverse-frequency weights per (source, label, language); labels balanced; generated rows down-weighted."""
    groups = Counter((rows[i]["source"], rows[i]["label"], rows[i]["lang"]) for i in idx)
    w = np.array([1.0 / max(groups[(rows[i]["source"], rows[i]["label"], rows[i]["lang"])], MIN_GROUP) for i in idx])
    synth = np.array([rows[i]["source"] in ("synthetic", "plain_synthetic") for i in idx])
    w[synth] *= SYNTH_FACTOR
    y = np.array([rows[i]["label"] for i in idx])
    for label in (0, 1):
        m = y == label
        w[m] *= (len(idx) / 2) / w[m].sum()
    return w


class NgramFit:
    """One fitted ngram model: IDF, coefficients, intercept."""

    def __init__(self, counts: sp.csr_matrix, base_of: np.ndarray, rows: list[dict[str, Any]], idx: np.ndarray):
        mrows = base_of[idx]
        self.idf = fit_idf(counts, mrows)
        x = tfidf(counts[mrows], self.idf, BLOCKS, sublinear=True)
        y = np.array([rows[i]["label"] for i in idx])
        clf = SGDClassifier(
            loss="log_loss", alpha=1.0 / (C_NGRAM * len(idx)), max_iter=EPOCHS, tol=None, random_state=SEED
        )
        t0 = time.time()
        clf.fit(x, y, sample_weight=weights(rows, idx))
        if VERBOSE:
            print(f"  ngram fit {x.shape} {x.nnz} nnz: {time.time() - t0:.1f}s", flush=True)
        self.coef = clf.coef_.ravel()
        self.intercept = float(clf.intercept_[0])

    def margins(self, counts: sp.csr_matrix, owner: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Max margin over the views of each row in ``idx``."""
        sel = np.flatnonzero(np.isin(owner, idx))
        m = tfidf(counts[sel], self.idf, BLOCKS, sublinear=True) @ self.coef + self.intercept
        best: dict[int, float] = {}
        for o, v in zip(owner[sel], m, strict=True):
            best[o] = max(best.get(o, -math.inf), float(v))
        return np.array([best[i] for i in idx])


VERBOSE = True
#: inner grouped folds (over the training sources) for calibration and operating points
INNER = 2
BLOCKS = [(0, ngram.CHAR_BUCKETS), (ngram.CHAR_BUCKETS, WIDTH)]


def platt(margins: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling (class-balanced) fitted on out-of-source margins."""
    lr = LogisticRegression(C=1e4, class_weight="balanced", max_iter=1000)
    lr.fit(margins.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def balanced_threshold(scores: np.ndarray, sources: list[str], fpr: float) -> float:
    """The lowest threshold whose FPR, averaged over sources (each source weighs the same), is at most ``fpr``."""
    by: dict[str, list[float]] = defaultdict(list)
    for s, v in zip(sources, scores, strict=True):
        by[s].append(float(v))
    if not by:
        return 0.5
    cands = np.unique(scores)[::-1]

    def mean_fpr(t: float) -> float:
        return float(np.mean([np.mean(np.asarray(v) >= t) for v in by.values()]))

    lo, hi = 0, len(cands) - 1  # binary search over candidate thresholds (FPR grows as t falls)
    best = float(cands[0]) + 1e-9
    while lo <= hi:
        mid = (lo + hi) // 2
        if mean_fpr(float(cands[mid])) <= fpr:
            best = float(cands[mid])
            lo = mid + 1
        else:
            hi = mid - 1
    return best


def operating_points(probs: np.ndarray, rows: list[dict[str, Any]], idx: np.ndarray) -> dict[str, float]:
    """low/medium/high probability thresholds from out-of-source benign scores (see :data:`TARGETS`)."""
    neg = [k for k, i in enumerate(idx) if rows[i]["label"] == 0]
    user = [k for k in neg if is_user(rows[idx[k]])]
    out = {}
    for name, (all_fpr, user_fpr) in TARGETS.items():
        t_all = balanced_threshold(probs[neg], [rows[idx[k]]["source"] for k in neg], all_fpr)
        t_user = balanced_threshold(probs[user], [rows[idx[k]]["source"] for k in user], user_fpr) if user else 0
        out[name] = max(t_all, t_user)
    return out


# --- metrics ---------------------------------------------------------------------------------------------------


def tpr_at(y: np.ndarray, s: np.ndarray, fpr: float = 0.01) -> float:
    if len(set(y.tolist())) < 2:
        return float("nan")
    f, t, _ = roc_curve(y, s)
    return float(t[f <= fpr].max())


def auc(y: np.ndarray, s: np.ndarray) -> float:
    return float(roc_auc_score(y, s)) if len(set(y.tolist())) == 2 else float("nan")


def fmt(v: float) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cap", type=int, default=800, help="training rows per source x label in the fold loop")
    ap.add_argument("--ship", action="store_true", help="write the package artifact if the model wins")
    ap.add_argument("--cache", default="", help="directory to cache feature matrices in (e.g. /tmp)")
    ap.add_argument("--resume", action="store_true", help="reuse finished folds saved in --cache")
    ap.add_argument("--smoke", action="store_true", help="with --only: run the whole path, report to /tmp")
    ap.add_argument("--only", default="", help="comma-separated held-out sources (quick runs; no report)")
    args = ap.parse_args()
    t0 = time.time()
    real = [r for f in TRAIN_FILES for r in load(f)]
    MORE_FILE_SOURCES.update(r["source"] for r in load(TRAIN_FILES[1]))
    MORE_FILE_SOURCES.difference_update(r["source"] for r in load(TRAIN_FILES[0]))
    evalo = load(EVAL_FILE)
    gen = generated(7)
    rows = real + evalo + gen
    n_real, n_eval = len(real), len(evalo)
    real_idx = np.arange(n_real)
    eval_idx = np.arange(n_real, n_real + n_eval)
    gen_idx = np.arange(n_real + n_eval, len(rows))
    sources = sorted({r["source"] for r in real})
    y_all = np.array([r["label"] for r in rows])
    print(f"{len(real)} real rows, {len(evalo)} eval-only, {len(gen)} generated; {len(sources)} sources", flush=True)

    counts, owner, is_base, bc, nb = features(rows, n_real + n_eval, Path(args.cache) if args.cache else None)
    base_of = np.flatnonzero(is_base)  # base_of[i] = matrix row of row i's base view
    assert len(base_of) == len(rows)
    bblocks = [(0, nb), (nb, bc.shape[1])]
    print(f"baseline features: {bc.shape[1]} columns ({time.time() - t0:.0f}s)", flush=True)

    def capped(idx: list[int], held: str) -> np.ndarray:
        """At most ``--cap`` rows per source x label, sampled with a seed of their own per held-out source (so
        a fold's rows do not depend on which folds ran before it)."""
        rng = random.Random(f"{SEED}-{held}")
        by: dict[tuple[str, int], list[int]] = defaultdict(list)
        for i in idx:
            by[(rows[i]["source"], rows[i]["label"])].append(i)
        out: list[int] = []
        for key in sorted(by):
            g = by[key]
            out.extend(g if len(g) <= args.cap else rng.sample(g, args.cap))
        return np.array(sorted(out))

    def baseline_fit(tr: np.ndarray) -> tuple[np.ndarray, LogisticRegression]:
        idf = fit_idf(bc, tr)
        clf = LogisticRegression(max_iter=1000, random_state=SEED)
        t1 = time.time()
        x = tfidf(bc[tr], idf, bblocks, sublinear=False)
        clf.fit(x, y_all[tr])
        if VERBOSE:
            print(f"  baseline fit {x.shape}: {time.time() - t1:.1f}s, {clf.n_iter_} iterations", flush=True)
        return idf, clf

    def baseline_score(model: tuple[np.ndarray, LogisticRegression], idx: np.ndarray) -> np.ndarray:
        idf, clf = model
        return clf.decision_function(tfidf(bc[idx], idf, bblocks, sublinear=False))

    def ngram_with_ops(tr_real: np.ndarray, tr_gen: np.ndarray) -> tuple[NgramFit, tuple[float, float], dict]:
        """Fit on real + generated rows; calibration and operating points from an inner grouped 2-fold split
        of the training sources."""
        srcs = sorted({rows[i]["source"] for i in tr_real})
        r2 = random.Random(SEED + len(srcs))
        r2.shuffle(srcs)
        oos_idx, oos_m = [], []
        for k in range(INNER):
            held = set(srcs[k::INNER])
            inner_tr = np.array([i for i in tr_real if rows[i]["source"] not in held])
            inner_te = np.array([i for i in tr_real if rows[i]["source"] in held])
            fit = NgramFit(counts, base_of, rows, np.concatenate([inner_tr, tr_gen]))
            oos_idx.append(inner_te)
            oos_m.append(fit.margins(counts, owner, inner_te))
        oi, om = np.concatenate(oos_idx), np.concatenate(oos_m)
        cal = platt(om, y_all[oi])
        ops = operating_points(sigmoid(cal[0] * om + cal[1]), rows, oi)
        return NgramFit(counts, base_of, rows, np.concatenate([tr_real, tr_gen])), cal, ops

    held_sources = [s for s in args.only.split(",") if s] or sources
    res: dict[int, dict[str, Any]] = {}
    fold_info: dict[str, Any] = {}
    ckpt = Path(args.cache) / "inj_nested_folds.json" if args.cache and not args.smoke else None
    if args.resume and ckpt is not None and ckpt.exists():
        saved = json.loads(ckpt.read_text())
        res, fold_info = {int(k): v for k, v in saved["res"].items()}, saved["folds"]
    for s in held_sources:
        if s in fold_info:
            continue
        t1 = time.time()
        te = np.array([i for i in real_idx if rows[i]["source"] == s])
        tr = capped([i for i in real_idx if rows[i]["source"] != s], s)
        base_model = baseline_fit(tr)
        b = baseline_score(base_model, te)
        fit, cal, ops = ngram_with_ops(tr, gen_idx)
        m = fit.margins(counts, owner, te)
        p = sigmoid(cal[0] * m + cal[1])
        for k, i in enumerate(te):
            res[int(i)] = {
                "baseline": float(b[k]),
                "ngram": float(p[k]),
                "margin": float(m[k]),
                "ops": ops,
            }
        fold_info[s] = {"train_rows": len(tr), "seconds": round(time.time() - t1), "ops": ops, "platt": cal}
        print(f"fold {s}: {len(te)} held out, {len(tr)} train, {time.time() - t1:.0f}s; ops {ops}", flush=True)
        if ckpt is not None:
            ckpt.write_text(json.dumps({"res": res, "folds": fold_info}))
    if args.only and not args.smoke:
        idx = np.array(sorted(res))
        y = y_all[idx]
        for key in ("baseline", "ngram"):
            sc = np.array([res[i][key] for i in idx])
            print(key, "AUC", fmt(auc(y, sc)), "TPR@1%", fmt(tpr_at(y, sc)))
        return 0

    sig, old = detector_scores(rows, n_real + n_eval, Path(args.cache) if args.cache else None)
    for i, r in res.items():
        r["signature"] = sig[i]
        r["default"] = default_score(sig[i], r["ngram"], r["ops"]["medium"])
        r["old_default"] = old[i]

    # Models on all 17 sources: the eval-only file, the shipped artifact.
    tr_all = capped(list(real_idx), "")
    base_all = baseline_fit(tr_all)
    b_eval = baseline_score(base_all, eval_idx)
    final = NgramFit(counts, base_of, rows, np.concatenate([tr_all, gen_idx]))
    # Final calibration and operating points: the outer folds' out-of-source margins (nested for every source).
    oos_i = np.array(sorted(res))
    oos_m = np.array([res[i]["margin"] for i in oos_i])
    final_cal = platt(oos_m, y_all[oos_i])
    final_ops = operating_points(sigmoid(final_cal[0] * oos_m + final_cal[1]), rows, oos_i)
    p_eval = sigmoid(final_cal[0] * final.margins(counts, owner, eval_idx) + final_cal[1])

    # Held-out generated set (different seed, same templates: optimistic; reported as in-template figures).
    extra_eval = {
        "signature": np.array([sig[i] for i in eval_idx]),
        "default": np.array(
            [default_score(sig[i], p, final_ops["medium"]) for i, p in zip(eval_idx, p_eval, strict=True)]
        ),
        "old_default": np.array([old[i] for i in eval_idx]),
    }
    report = build_report(rows, res, real_idx, eval_idx, b_eval, p_eval, final_ops, fold_info, args, t0, extra_eval)
    holdout_gen = generated(99)
    hg_counts, hg_owner, _ = view_matrix(holdout_gen)
    hg = sigmoid(final_cal[0] * final.margins(hg_counts, hg_owner, np.arange(len(holdout_gen))) + final_cal[1])
    report["generated_holdout"] = in_template(holdout_gen, hg, final_ops)

    out = Path("/tmp/injection_nested_smoke.json") if args.smoke else ROOT / "docs" / "bench" / "injection_nested.json"
    wins = report["verdict"]["ngram_beats_baseline"]
    if args.ship and wins and not args.smoke:
        header = {
            "version": f"ngram-{time.strftime('%Y%m%d')}",
            "intercept": final.intercept,
            "platt": list(final_cal),
            "thresholds": final_ops,
            "card": {
                "trained_on": list(TRAIN_FILES) + ["injection_synth.py (4000, seed 7)", "injection_plain.py (3000)"],
                "rows_per_source_label_cap": args.cap,
                "C": C_NGRAM,
                "nested_pooled": report["pooled"],
            },
        }
        path = ROOT / "src" / "interlock" / "detectors" / "prompt_injection" / ngram.ARTIFACT
        ngram.write_artifact(path, header, final.idf.tolist(), final.coef.tolist())
        check = ngram.load_artifact(path)
        sample = list(eval_idx[:20])
        want = final.margins(counts, owner, np.array(sample))
        got = [max(check.margin(v.text) for v in views(rows[i]["text"][: ngram.MAX_CHARS])) for i in sample]
        report["artifact"] = {"bytes": path.stat().st_size, "max_margin_diff": float(np.max(np.abs(want - got)))}
        print(f"wrote {path} ({path.stat().st_size} bytes)", flush=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    out.with_suffix(".md").write_text(markdown(report))
    print(json.dumps(report["pooled"], indent=1), f"{time.time() - t0:.0f}s", flush=True)
    return 0


DETECTOR_THRESHOLD = 0.7  # the detector's medium threshold (detector.THRESHOLDS["medium"])


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def default_score(signature: float, p_ngram: float, op_medium: float) -> float:
    """The default detector's score: max(rule score, ngram probability on the detector's scale)."""
    shifted = _logit(p_ngram) + _logit(DETECTOR_THRESHOLD) - _logit(op_medium)
    return max(signature, 1.0 / (1.0 + math.exp(-shifted)))


def detector_scores(rows: list[dict[str, Any]], n: int, cache: Path | None) -> tuple[list[float], list[float]]:
    """Signature-only detector scores and former-default (signature + trained, noisy-OR) scores of rows[:n]."""
    from interlock.detectors.prompt_injection import PromptInjectionDetector, PromptInjectionOptions
    from interlock.engine.base import ScanItem

    pkg = ROOT / "src" / "interlock" / "detectors" / "prompt_injection"
    code = b"".join((pkg / f).read_bytes() for f in ("signatures.py", "tiers.py", "detector.py", "trained.py"))
    key = zlib.crc32("".join(r["text"][:200] for r in rows[:n]).encode() + code) ^ n
    path = cache / f"inj_detector_scores_{key:08x}.json" if cache else None
    if path is not None and path.exists():
        saved = json.loads(path.read_text())
        return saved["sig"], saved["old"]
    t0 = time.time()
    sig_det = PromptInjectionDetector(PromptInjectionOptions(tiers=["signature"], deep_scan_chars=0))
    trn_det = PromptInjectionDetector(PromptInjectionOptions(tiers=["trained"]))

    def score(det: PromptInjectionDetector, text: str) -> float:
        return float(det.detect(ScanItem(text=text, field="prompt", data_type="prompt")).score)

    sig = [score(sig_det, r["text"]) for r in rows[:n]]
    trn = [score(trn_det, r["text"]) for r in rows[:n]]
    old = [1.0 - (1.0 - a) * (1.0 - b) for a, b in zip(sig, trn, strict=True)]
    print(f"detector scores of {n} rows: {time.time() - t0:.0f}s", flush=True)
    if path is not None:
        path.write_text(json.dumps({"sig": sig, "old": old}))
    return sig, old


def in_template(rows: list[dict[str, Any]], probs: np.ndarray, ops: dict[str, float]) -> dict[str, Any]:
    by: dict[str, list[float]] = defaultdict(list)
    for r, p in zip(rows, probs, strict=True):
        kind = "attacks" if r["label"] == 1 else str(r["category"])
        by[f"{r['source']}:{kind}"].append(float(p))
    return {k: {"n": len(v), "flagged_medium": float(np.mean(np.asarray(v) >= ops["medium"]))} for k, v in by.items()}


SYSTEMS = ("baseline", "ngram", "signature", "default")
MORE_FILE_SOURCES: set[str] = set()  # filled in main(): the sources of prompt_attack_more (old_default out of source)


def build_report(rows, res, real_idx, eval_idx, b_eval, p_eval, final_ops, fold_info, args, t0, extra_eval):  # noqa: ANN001, PLR0913
    idx = np.array(sorted(res))
    y = np.array([rows[i]["label"] for i in idx])
    sc = {k: np.array([res[i][k] for i in idx]) for k in SYSTEMS}
    src = [rows[i]["source"] for i in idx]
    # Per-source 1%-FPR thresholds set on the *other* sources' benign out-of-source scores (same rule for every
    # system), and the ngram model's own nested operating points.
    dec: dict[str, np.ndarray] = {}
    for k in sc:
        d = np.zeros(len(idx), bool)
        for s in set(src):
            mine = np.array([x == s for x in src])
            other_neg = (~mine) & (y == 0)
            t = balanced_threshold(sc[k][other_neg], [src[j] for j in np.flatnonzero(other_neg)], 0.01)
            d[mine] = sc[k][mine] >= t
        dec[k] = d
    ops_dec = {
        name: np.array([res[i]["ngram"] >= res[i]["ops"][name] for i in idx]) for name in ("low", "medium", "high")
    }
    ops_dec["default"] = sc["default"] >= DETECTOR_THRESHOLD

    def group_table(key_of) -> list[dict[str, Any]]:  # noqa: ANN001
        groups: dict[str, list[int]] = defaultdict(list)
        for j, i in enumerate(idx):
            groups[key_of(rows[i])].append(j)
        out = []
        for g in sorted(groups):
            js = np.array(groups[g])
            yy = y[js]
            row = {"group": g, "n": len(js), "pos": int(yy.sum())}
            for k in sc:
                row[f"auc_{k}"] = auc(yy, sc[k][js])
                row[f"flag1_{k}"] = float(dec[k][js].mean())
            for name, d in ops_dec.items():
                row[f"flag_{name}"] = float(d[js].mean())
            out.append(row)
        return out

    pooled = {}
    w = np.zeros(len(idx))
    cnt = Counter(zip(src, y.tolist(), strict=True))
    for j in range(len(idx)):
        w[j] = 1.0 / cnt[(src[j], int(y[j]))]
    for k in sc:
        pooled[k] = {
            "auc": auc(y, sc[k]),
            "tpr_at_1pct_fpr": tpr_at(y, sc[k]),
            "auc_source_balanced": float(roc_auc_score(y, sc[k], sample_weight=w)),
        }
    user = np.array([is_user(rows[i]) for i in idx])
    more = np.array([s in MORE_FILE_SOURCES for s in src])
    old = np.array([res[i]["old_default"] for i in idx])
    pooled["more_sources"] = {
        k: {"auc": auc(y[more], v[more]), "tpr_at_1pct_fpr": tpr_at(y[more], v[more])}
        for k, v in {**sc, "old_default": old}.items()
    }
    pooled["more_sources"]["n"] = int(more.sum())
    for name, d in ops_dec.items():
        pooled[f"ngram_{name}" if name != "default" else "default_medium"] = {
            "tpr": float(d[y == 1].mean()),
            "fpr": float(d[y == 0].mean()),
            "fpr_user_requests": float(d[user].mean()),
            "fpr_source_balanced": float(
                np.mean([d[[x == s for x in src] & (y == 0)].mean() for s in set(np.array(src)[y == 0])])
            ),
        }
    ey = np.array([rows[i]["label"] for i in eval_idx])
    # Eval-only: thresholds at 1 % FPR on the pooled out-of-source benign scores of each system.
    t_b = balanced_threshold(sc["baseline"][y == 0], list(np.array(src)[y == 0]), 0.01)
    t_n = balanced_threshold(sc["ngram"][y == 0], list(np.array(src)[y == 0]), 0.01)
    ecat = [
        rows[i]["category"].split("_")[1] if rows[i]["source"] == "easyjailbreak" else rows[i]["source"]
        for i in eval_idx
    ]
    eval_rep = {
        "n": len(eval_idx),
        "pos": int(ey.sum()),
        "auc_baseline": auc(ey, b_eval),
        "auc_ngram": auc(ey, p_eval),
        "tpr1_baseline": float((b_eval[ey == 1] >= t_b).mean()),
        "tpr1_ngram": float((p_eval[ey == 1] >= t_n).mean()),
        "tpr_ngram_medium": float((p_eval[ey == 1] >= final_ops["medium"]).mean()),
        **{f"auc_{k}": auc(ey, v) for k, v in extra_eval.items()},
        **{
            f"tpr_{k}_medium": float((v[ey == 1] >= DETECTOR_THRESHOLD).mean())
            for k, v in extra_eval.items()
            if k != "signature"
        },
        "by_kind": {
            c: {
                "n": int(sum(1 for x in ecat if x == c)),
                "tpr1_baseline": float(np.mean([b_eval[j] >= t_b for j, x in enumerate(ecat) if x == c and ey[j]])),
                "tpr1_ngram": float(np.mean([p_eval[j] >= t_n for j, x in enumerate(ecat) if x == c and ey[j]])),
            }
            for c in sorted(set(ecat))
            if any(ey[j] for j, x in enumerate(ecat) if x == c)
        },
    }
    verdict = {
        "ngram_beats_baseline": bool(
            pooled["ngram"]["auc"] > pooled["baseline"]["auc"]
            and pooled["ngram"]["tpr_at_1pct_fpr"] > pooled["baseline"]["tpr_at_1pct_fpr"]
            and eval_rep["tpr1_ngram"] >= eval_rep["tpr1_baseline"]
        )
    }
    return {
        "command": "OMP_NUM_THREADS=1 nice .venv/bin/python scripts/injection_nested.py"
        + (" --ship" if args.ship else ""),
        "cap": args.cap,
        "seconds": round(time.time() - t0),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "pooled": pooled,
        "verdict": verdict,
        "eval_only": eval_rep,
        "final_operating_points": final_ops,
        "folds": fold_info,
        "by_source": group_table(lambda r: r["source"]),
        "by_category": group_table(lambda r: f"{r['source']}:{r['category']}"),
        "by_language": group_table(lambda r: r["lang"]),
    }


def markdown(rep: dict[str, Any]) -> str:
    p = rep["pooled"]
    lines = [
        "# Prompt injection: nested leave-source-out instrument",
        "",
        f"Command: `{rep['command']}` ({rep['seconds']} s, {rep['machine']}, 2 cores shared). Written by "
        "`scripts/injection_nested.py`; method in its docstring. Every figure is out of source: for each of the 17 "
        "sources of `prompt_attack` + `prompt_attack_more`, the models, the ngram model's calibration and its "
        f"operating points were fitted without it (training rows capped at {rep['cap']} per source × label, seeded; "
        "every held-out row scored). `baseline` = TF-IDF char 3-5 + word 1-2 + LR (scikit-learn defaults, "
        "unweighted, real rows only); `ngram` = the shipped tier's model (hashed n-grams, weighted, generated "
        "attacks and hard negatives, max over normalised views).",
        "",
        "## Pooled (out-of-source scores of all 27,282 rows)",
        "",
        "| system | ROC AUC | TPR at 1% FPR | AUC, sources weighted equally |",
        "|---|---|---|---|",
    ]
    for k in SYSTEMS:
        lines.append(
            f"| {k} | {fmt(p[k]['auc'])} | {fmt(p[k]['tpr_at_1pct_fpr'])} | {fmt(p[k]['auc_source_balanced'])} |"
        )
    d = p["default_medium"]
    m = p["more_sources"]
    lines += [
        "",
        "`signature` = the rule tier alone; `default` = the shipped default profile's score, max(signature, ngram on "
        "the detector's scale). At its medium threshold (0.7) the default flags TPR "
        f"{fmt(d['tpr'])} at FPR {fmt(d['fpr'])} (sources weighted equally {fmt(d['fpr_source_balanced'])}; "
        f"ordinary user requests {fmt(d['fpr_user_requests'])}).",
        "",
        f"### The {len(MORE_FILE_SOURCES) or 10} `prompt_attack_more` sources ({m['n']} rows), where the former "
        "default is out of source too",
        "",
        "| system | ROC AUC | TPR at 1% FPR |",
        "|---|---|---|",
        *(f"| {k} | {fmt(m[k]['auc'])} | {fmt(m[k]['tpr_at_1pct_fpr'])} |" for k in (*SYSTEMS, "old_default")),
    ]
    lines += [
        "",
        "Operating points of the ngram model (thresholds set per fold on inner out-of-source benign scores):",
        "",
        "| sensitivity | TPR | FPR | FPR, sources weighted equally | FPR on ordinary user requests |",
        "|---|---|---|---|---|",
    ]
    for name in ("low", "medium", "high"):
        q = p[f"ngram_{name}"]
        lines.append(
            f"| {name}{' (default)' if name == 'medium' else ''} | {fmt(q['tpr'])} | {fmt(q['fpr'])} | "
            f"{fmt(q['fpr_source_balanced'])} | {fmt(q['fpr_user_requests'])} |"
        )
    e = rep["eval_only"]
    lines += [
        "",
        f"Verdict: ngram beats the baseline out of source: **{rep['verdict']['ngram_beats_baseline']}**.",
        "",
        f"## `prompt_attack_eval_only` (never trained on; {e['n']} rows, {e['pos']} attacks; models fitted on all "
        "17 sources)",
        "",
        "TPR at each system's 1 %-FPR threshold on the pooled out-of-source benign scores (only 4 benign rows, "
        "so AUC is indicative only):",
        "",
        "| system | ROC AUC | TPR at 1% FPR threshold |",
        "|---|---|---|",
        f"| baseline | {fmt(e['auc_baseline'])} | {fmt(e['tpr1_baseline'])} |",
        f"| ngram | {fmt(e['auc_ngram'])} | {fmt(e['tpr1_ngram'])} |",
        "",
        f"ngram at its shipped medium threshold: TPR {fmt(e['tpr_ngram_medium'])}; the default profile "
        f"(signature + ngram) TPR {fmt(e['tpr_default_medium'])} (AUC {fmt(e['auc_default'])}); the former default "
        f"(signature + trained) TPR {fmt(e['tpr_old_default_medium'])} (AUC {fmt(e['auc_old_default'])}).",
        "",
        "| eval-only kind | n | baseline TPR | ngram TPR |",
        "|---|---|---|---|",
    ]
    for c, v in e["by_kind"].items():
        lines.append(f"| {c} | {v['n']} | {fmt(v['tpr1_baseline'])} | {fmt(v['tpr1_ngram'])} |")
    for title, key in (("source", "by_source"), ("language", "by_language"), ("source:category", "by_category")):
        lines += [
            "",
            f"## By {title}",
            "",
            "AUC where the group has both labels; `flag@1%` = share flagged at a 1 %-FPR threshold set on the other "
            "sources' benign out-of-source scores (TPR for attacks, FPR for benign); `medium` = the ngram model's "
            "nested medium operating point; `default` = the default profile's decision (signature + ngram at 0.7).",
            "",
            "| group | n | attacks | AUC baseline | AUC ngram | AUC default | flag@1% baseline | flag@1% ngram | "
            "flag medium | flag default |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for g in rep[key]:
            lines.append(
                f"| {g['group']} | {g['n']} | {g['pos']} | {fmt(g['auc_baseline'])} | {fmt(g['auc_ngram'])} | "
                f"{fmt(g['auc_default'])} | {fmt(g['flag1_baseline'])} | {fmt(g['flag1_ngram'])} | "
                f"{fmt(g['flag_medium'])} | {fmt(g['flag_default'])} |"
            )
    gh = rep.get("generated_holdout", {})
    if gh:
        lines += [
            "",
            "## Generated hold-out (new seed, same templates as training: in-template, optimistic)",
            "",
            "| part | n | flagged at medium |",
            "|---|---|---|",
        ]
        lines += [f"| {k} | {v['n']} | {fmt(v['flagged_medium'])} |" for k, v in sorted(gh.items())]
    if "artifact" in rep:
        a = rep["artifact"]
        lines += [
            "",
            f"Artifact: {a['bytes']} bytes; max |margin(runtime) - margin(train)| {a['max_margin_diff']:.4f}.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
