"""Train, evaluate (leave-source-out) and export the trained prompt-injection tier.

    python scripts/train_injection.py                 # evaluate, write the artifact and the report
    python scripts/train_injection.py --eval-only     # leave-source-out numbers only
    python scripts/train_injection.py --char          # add character n-grams (slower, for comparison)

Deterministic: fixed seeds, single-threaded liblinear. Reads ``../shared/data`` (or ``$INTERLOCK_SHARED_DATA``).
Leave-source-out: each fold holds out a group of sources (positives and negatives), trains on the remaining
sources plus synthetic data and real benign documents with inserted payloads (``injection_carriers.py``), and scores
the held-out rows with the *shipped* inference code, so the reported numbers are what the product does on origins
it never saw. The shipped calibration (one Platt map per evidence family) and the sensitivity thresholds are fitted
on those pooled out-of-source scores. The carriers read this Python installation's stdlib and installed packages'
READMEs, so a different environment yields a slightly different (equally seeded) artifact.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from injection_carriers import ask_about, insert, real_documents  # noqa: E402
from injection_synth import generate, make_payload  # noqa: E402

from interlock.datasets import read_jsonl, record_training_data, shared_data_dir  # noqa: E402
from interlock.detectors.prompt_injection.trained import (  # noqa: E402
    FAMILIES,
    MIN_SENTENCE_TOKENS,
    WHOLE_TEXT_MAX,
    WINDOW_CHARS,
    InjectionModel,
    ScoredSpan,
    document_pieces,
    features,
    normalise,
    piece_features,
    tokens,
    windows,
)
from interlock.evaluation import Example, Prediction, metrics  # noqa: E402

ARTIFACT = ROOT / "src/interlock/detectors/prompt_injection/injection_model.json.gz"
HARD_NEGATIVES = ROOT / "tests/fixtures/injection_hard_negatives.jsonl"
#: the shared data files the final model learns from (recorded in interlock/training_data.json for `interlock eval`)
TRAINING_FILES = {
    "prompt_attack.jsonl.gz": "all rows; their documents also carry inserted payloads",
    "pii.jsonl.gz": "sentences as benign carrier documents (scripts/injection_carriers.py)",
}

#: Each fold holds out these sources entirely (their positives and negatives).
FOLDS = {
    "bipia (indirect, in documents)": {"pi_bipia"},
    "garak + xstest": {"pi_garak", "benign_xstest"},
    "pyrit + wildguard": {"pi_pyrit", "pi_piguard_notinject"},
    "gptfuzz + self-instruct": {"pi_gptfuzz", "benign_instructions"},
}
SEED = 7
#: FPR targets on unseen benign sources that define the sensitivity operating points.
SENSITIVITY_FPR = {"high": 0.01, "medium": 0.003, "low": 0.001}


def load_rows(data: Path) -> list[dict[str, Any]]:
    return [r for r in read_jsonl(data / "prompt_attack.jsonl.gz") if r.get("text")]


#: A training unit: the features the shipped inference computes for one scored part of a text, and its label.
Unit = tuple[list[str], int, float]  # features, label, sample weight
#: Sentences of a direct attack are positives with a lower weight: most carry the attack, some ("Thank you.") not.
DIRECT_PIECE_WEIGHT = 0.5
CHAR = False  # in-word character n-grams (``--char``)


def _payload_span(injected: str, clean: str) -> tuple[int, int] | None:
    """Where an instruction was inserted into a clean document (common prefix/suffix diff)."""
    p = 0
    limit = min(len(injected), len(clean))
    while p < limit and injected[p] == clean[p]:
        p += 1
    s = 0
    while s < limit - p and injected[-1 - s] == clean[-1 - s]:
        s += 1
    end = len(injected) - s
    return (p, end) if end - p >= 8 else None


def plain_unit(text: str, label: int, weight: float = 1.0) -> Unit:
    return features(tokens(normalise(text)), CHAR), label, weight


def document_units(
    text: str, label: int, span: tuple[int, int] | None = None, weight: float = 1.0, bare: bool = False
) -> list[Unit]:
    """The units inference scores in a document, labelled: the whole text (short enough), each sentence/line on
    its own and in its document context, and each window of a long text. With a payload ``span``, a part is a
    positive when the payload is most of it, benign when it does not touch it, and left out in between (a long
    benign table with one injected line is not a lesson about tables); without a span, everything gets
    ``label``. A ``bare`` payload (an ordinary request) is a positive only in context, never on its own."""

    def lab(a: int, b: int) -> int | None:
        if span is None:
            return label
        inter = min(b, span[1]) - max(a, span[0])
        if inter <= 0:
            return 0
        return 1 if inter >= 0.5 * min(b - a, span[1] - span[0] + 40) else None

    doc = document_pieces(text)
    units: list[Unit] = []
    if len(text) <= WHOLE_TEXT_MAX and (y := lab(0, len(text))) is not None and not (bare and y):
        units.append((features([t for ts in doc.tokens for t in ts], CHAR), y, weight))
    for (a, b), ts, c, k, x in zip(doc.spans, doc.tokens, doc.contexts, doc.kinds, doc.extras, strict=True):
        if len(ts) >= MIN_SENTENCE_TOKENS and c is not None and (y := lab(a, b)) is not None:
            units.append((piece_features(ts, c, k, CHAR, x), y, weight))
            if not (bare and y):
                units.append((features(ts, CHAR), y, weight))
    if len(text) > WINDOW_CHARS:
        for a, b in windows(text):
            if (y := lab(a, b)) is not None and not (bare and y):
                units.append(plain_unit(text[a:b], y, weight))
    return units


def units_from(rows: list[dict[str, Any]]) -> list[Unit]:
    """Turn labelled rows into training units that look like what inference scores."""
    clean = {r["id"].rsplit("/", 1)[0]: r["text"] for r in rows if r.get("category", "").startswith("indirect_clean")}
    units: list[Unit] = []
    for r in rows:
        text, label = r["text"], int(r["label"])
        if label == 1 and "payload_span" in r:
            a, b = r["payload_span"]
            if not r.get("bare"):  # a framed payload is an injection on its own too
                units.append(plain_unit(text[a:b], 1))
            units += document_units(text, 1, (a, b), bare=bool(r.get("bare")))
        elif label == 1 and r.get("source") == "pi_bipia":
            twin = clean.get(r["id"].rsplit("/", 1)[0])
            span = _payload_span(text, twin) if twin else None
            if span is not None:  # the bare goal alone is often a harmless request: only in context
                units += document_units(text, 1, span, bare=True)
        elif label == 1:  # a direct attack: the whole text, and its sentences as parts of an attack prompt
            units.append(plain_unit(text[:WHOLE_TEXT_MAX], 1))
            doc = document_pieces(text)
            units += [
                (features(ts, CHAR), 1, DIRECT_PIECE_WEIGHT) for ts in doc.tokens if len(ts) >= MIN_SENTENCE_TOKENS
            ]
        else:
            units += document_units(text, 0)
    return units


def augmented_rows(
    train_rows: list[dict[str, Any]], docs: list[tuple[str, str]], seed: int, n: int
) -> list[dict[str, Any]]:
    """Payloads inserted into real benign documents (positives with spans) and the same documents clean.

    Payloads are the synthetic generator's (framed goals, several languages) and *bare tasks*: the training
    fold's own short benign requests, which are positives only inside a document."""
    rng = random.Random(seed)
    tasks = [
        r["text"].strip()
        for r in train_rows
        if r["label"] == 0
        and 12 <= len(r["text"]) <= 160
        and "\n" not in r["text"].strip()
        and r["source"] != "synthetic"
    ]
    out: list[dict[str, Any]] = []
    for i in range(n):
        kind, doc = docs[rng.randrange(len(docs))]
        r = rng.random()
        if r < 0.35:
            out.append({"text": doc, "label": 0, "source": "carrier", "category": f"clean_{kind}", "id": f"c{i}"})
            continue
        if r < 0.5:  # the user's own request about the document: benign
            text, _ = ask_about(rng, kind, doc)
            out.append({"text": text, "label": 0, "source": "carrier", "category": f"asked_{kind}", "id": f"c{i}"})
            continue
        bare = bool(tasks) and rng.random() < 0.4
        if bare:
            payload = rng.choice(tasks)
        else:
            payload = make_payload(rng)[1]
        # An ordinary request *above* a document is how users write prompts ("<task>\n<input>"): bare tasks go
        # there less often than framed payloads, which are attacks wherever they stand.
        text, span = insert(rng, doc, payload, start=0.1 if bare else 0.3)
        out.append(
            {
                "text": text,
                "label": 1,
                "source": "carrier",
                "category": f"injected_{kind}",
                "id": f"c{i}",
                "payload_span": list(span),
                "bare": bare,
            }
        )
    return out


def benign_corpora(seed: int, per_kind: int = 1500) -> list[Unit]:
    """Benign documents from this Python installation: stdlib source (code, docstrings), the stdlib's e-mail test
    messages (if installed) and package READMEs in site-packages metadata. Windows, sampled with a seed."""
    rng = random.Random(seed)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    kinds = {
        "code": sorted(p for p in stdlib.glob("*.py"))[:400],
        "email": sorted((stdlib / "test/test_email/data").glob("msg_*.txt")),
        "readme": sorted(Path(sysconfig.get_paths()["purelib"]).glob("*.dist-info/METADATA")),
    }
    units: list[Unit] = []
    for files in kinds.values():
        pool: list[Unit] = []
        for f in files:
            try:
                text = f.read_text(encoding="utf-8", errors="replace")[:20000]
            except OSError:
                continue
            pool += [plain_unit(text[a:b], 0) for a, b in windows(text)]
        rng.shuffle(pool)
        units += pool[:per_kind]
    return units


def fit(units: list[Unit], char: bool, max_features: int, c: float) -> dict[str, Any]:
    """Fit TF-IDF + logistic regression and a Platt calibration; return the artifact dict."""
    y = np.array([u[1] for u in units])
    sw = np.array([u[2] for u in units])
    vec = TfidfVectorizer(
        analyzer=lambda feats: feats, sublinear_tf=True, min_df=3, max_features=max_features, dtype=np.float64
    )
    x = vec.fit_transform([u[0] for u in units])
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="liblinear", random_state=SEED)
    # Out-of-fold margins for Platt scaling, so calibration does not see its own training rows.
    oof = np.zeros(len(units))
    for tr, te in StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED).split(x, y):
        m = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="liblinear", random_state=SEED)
        m.fit(x[tr], y[tr], sample_weight=sw[tr])
        oof[te] = m.decision_function(x[te])
    platt = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000).fit(oof.reshape(-1, 1), y)
    clf.fit(x, y, sample_weight=sw)
    vocab = vec.get_feature_names_out().tolist()
    coef = clf.coef_[0]
    keep = [i for i, w in enumerate(coef) if abs(w) > 1e-4]  # drop features the model ignores
    return {
        "version": time.strftime("%Y-%m-%d"),
        "char_ngrams": char,
        "vocab": [vocab[i] for i in keep],
        "idf": [round(float(vec.idf_[i]), 5) for i in keep],
        "coef": [round(float(coef[i]), 5) for i in keep],
        "intercept": float(clf.intercept_[0]),
        "platt": [float(platt.coef_[0][0]), float(platt.intercept_[0])],
        "thresholds": {"high": 0.5, "medium": 0.5, "low": 0.5},
    }


def score(model: InjectionModel, rows: list[dict[str, Any]]) -> list[Prediction]:
    out = []
    for r in rows:
        t0 = time.perf_counter()
        s = model.score_text(r["text"]).score
        ms = (time.perf_counter() - t0) * 1000
        ex = Example(r["text"], int(r["label"]), r.get("source", "?"), r.get("category", "?"))
        out.append(Prediction(ex, s >= 0.5, s, ms))
    return out


def threshold_for(neg_scores: list[float], fpr: float) -> float:
    """Smallest threshold whose false-positive rate on ``neg_scores`` is at most ``fpr``."""
    ordered = sorted(neg_scores, reverse=True)
    k = int(math.floor(fpr * len(ordered)))
    # Full precision: calibrated probabilities crowd near 1, and the tier maps thresholds in logit space.
    return min(1 - 1e-9, (ordered[k] if k < len(ordered) else 0.0) * (1 + 1e-12))


def flagged_at(preds: list[Prediction], thr: float) -> list[Prediction]:
    return [Prediction(p.example, p.score >= thr, p.score, p.latency_ms) for p in preds]


def combined_detector_lines(
    fold_models: dict[str, tuple[InjectionModel, list[dict[str, Any]]]], thresholds: dict[str, float]
) -> list[str]:
    """Leave-source-out numbers of the whole detector (signature tier + this fold's trained tier), per sensitivity.

    The shipped detector is built with its trained tier swapped for the fold's model, so this is exactly what the
    product computes, on sources that model never saw.
    """
    from interlock.detectors.prompt_injection import trained as trained_mod
    from interlock.detectors.prompt_injection.detector import PromptInjectionDetector, PromptInjectionOptions
    from interlock.engine.base import ScanItem

    out = [
        "",
        "Whole detector (signature + trained tiers), leave-source-out, at each sensitivity:",
        "",
        "| held-out sources | sensitivity | recall | FPR | ROC AUC | signature tier alone: recall / FPR |",
        "|---|---|---|---|---|---|",
    ]
    original = trained_mod.load_model
    try:
        for name, (model, test) in fold_models.items():
            model.thresholds = thresholds
            trained_mod.load_model = lambda m=model: m  # type: ignore[assignment]
            for sens in ("low", "medium", "high"):
                both = PromptInjectionDetector(PromptInjectionOptions(sensitivity=sens, tiers=["signature", "trained"]))
                sig = PromptInjectionDetector(PromptInjectionOptions(sensitivity=sens, tiers=["signature"]))
                pb, ps = [], []
                for r in test:
                    ex = Example(r["text"], int(r["label"]), r["source"], r["category"])
                    item = ScanItem(text=r["text"], field="prompt", data_type="prompt")
                    rb, rs = both.detect(item), sig.detect(item)
                    pb.append(Prediction(ex, rb.detected, rb.score, 0.0))
                    ps.append(Prediction(ex, rs.detected, rs.score, 0.0))
                mb, ms = metrics(pb), metrics(ps)
                out.append(
                    f"| {name} | {sens} | {fmt(mb['recall'])} | {fmt(mb['fpr'])} | {fmt(mb['roc_auc'])} "
                    f"| {fmt(ms['recall'])} / {fmt(ms['fpr'])} |"
                )
                print(
                    f"  combined [{name}] {sens}: recall {fmt(mb['recall'])} fpr {fmt(mb['fpr'])} "
                    f"(signature {fmt(ms['recall'])}/{fmt(ms['fpr'])})",
                    file=sys.stderr,
                )
    finally:
        trained_mod.load_model = original  # type: ignore[assignment]
    return out


Margins = dict[str, ScoredSpan]


def fit_calibration(items: list[tuple[Margins, int]]) -> dict[str, list[float]]:
    """One Platt map per evidence family, fitted on the parts of that family (texts without one are left out)."""
    out: dict[str, list[float]] = {}
    for fam in FAMILIES:
        xs = [m[fam].margin for m, _ in items if fam in m]
        ys = [y for m, y in items if fam in m]
        if len(xs) < 20 or len(set(ys)) < 2:
            continue
        cal = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000).fit(np.array(xs).reshape(-1, 1), ys)
        out[fam] = [float(cal.coef_[0][0]), float(cal.intercept_[0])]
    return out


def calibrated(m: Margins, calibration: dict[str, list[float]]) -> float:
    """The text probability :meth:`InjectionModel.score_text` computes, under ``calibration``."""
    best = 0.0
    for fam, s in m.items():
        a, b = calibration.get(fam, calibration.get("plain", [1.0, 0.0]))
        z = a * s.margin + b
        best = max(best, 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0)
    return best


def nested_calibration_lines(labelled: dict[str, list[tuple[Margins, int]]]) -> list[str]:
    """Operating points a source never seen *by the calibration either* would get: for each fold, calibrate and set
    the thresholds on the other folds' out-of-source margins only."""
    if len(labelled) < 2:
        return []
    out = [
        "",
        "Stricter check of the operating points: calibration and thresholds fitted on the *other* folds only "
        "(recall / FPR of the trained tier on the held-out sources):",
        "",
        "| held-out sources | " + " | ".join(SENSITIVITY_FPR) + " |",
        "|---|" + "---|" * len(SENSITIVITY_FPR),
    ]
    for name, items in labelled.items():
        others = [x for n, xs in labelled.items() if n != name for x in xs]
        cal = fit_calibration(others)
        neg = [calibrated(m, cal) for m, y in others if y == 0]
        cells = []
        for fpr in SENSITIVITY_FPR.values():
            thr = threshold_for(neg, fpr)
            pos_s = [calibrated(m, cal) >= thr for m, y in items if y == 1]
            neg_s = [calibrated(m, cal) >= thr for m, y in items if y == 0]
            cells.append(f"{sum(pos_s) / max(1, len(pos_s)):.3f} / {sum(neg_s) / max(1, len(neg_s)):.3f}")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


def fmt(v: Any) -> str:
    return "–" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-only", action="store_true")
    ap.add_argument("--char", action="store_true", help="add in-word char 3-5-grams (about 4x slower inference)")
    ap.add_argument("--max-features", type=int, default=60000)
    ap.add_argument("--C", type=float, default=4.0)
    ap.add_argument("--synthetic", type=int, default=6000, help="synthetic rows added to every training set")
    ap.add_argument("--augmented", type=int, default=4000, help="real documents, half with an inserted payload")
    ap.add_argument("--folds", nargs="*", help="only these fold names (substring match)")
    ap.add_argument("--report", default=str(ROOT / "docs/bench/injection_trained.md"))
    args = ap.parse_args()
    random.seed(SEED)
    np.random.seed(SEED)
    data = shared_data_dir()
    if not (data / "prompt_attack.jsonl.gz").exists():
        print(f"labelled data not found in {data}", file=sys.stderr)
        return 2
    rows = load_rows(data)
    synth = list(generate(args.synthetic, SEED))
    corpora = benign_corpora(SEED)
    print(f"benign corpus windows: {len(corpora)}", file=sys.stderr)
    char = args.char
    global CHAR
    CHAR = char
    docs = real_documents(SEED, data)
    print(f"real carrier documents: {len(docs)}", file=sys.stderr)
    hard = [r for r in read_jsonl(HARD_NEGATIVES)] if HARD_NEGATIVES.exists() else []

    lines = ["# Trained prompt-injection tier: leave-source-out evaluation", ""]
    lines += [
        f"Command: `python scripts/train_injection.py{' --char' if char else ''}` "
        f"(features: word 1-2-grams{' + char 3-5-grams' if char else ''}, max {args.max_features}, "
        f"C={args.C}, synthetic rows {args.synthetic}, seed {SEED}). Machine: 2-core x86_64, no GPU, "
        "Python 3.11. Scores are the shipped inference (window max, Platt-calibrated).",
        "",
    ]
    lines += [
        "| held-out sources | n (pos/neg) | ROC AUC | TPR @1% FPR | TPR @5% FPR | recall @0.5 | FPR @0.5 "
        "| p50 ms/text |",
        "|---|---|---|---|---|---|---|---|",
    ]
    fold_models: dict[str, tuple[InjectionModel, list[dict[str, Any]]]] = {}
    fold_margins: dict[str, list[Margins]] = {}
    for name, held in FOLDS.items():
        if args.folds and not any(f in name for f in args.folds):
            continue
        train_rows = [r for r in rows if r["source"] not in held]
        train_rows += augmented_rows(train_rows, docs, SEED, args.augmented)
        train = units_from(train_rows + synth) + corpora
        test = [r for r in rows if r["source"] in held]
        t0 = time.perf_counter()
        model = InjectionModel(fit(train, char, args.max_features, args.C))
        fold_models[name] = (model, test)
        print(f"[{name}] fit {time.perf_counter() - t0:.0f}s", file=sys.stderr)
        fold_margins[name] = [model.margins(r["text"]) for r in test]
    # Calibrate on out-of-source margins, one map per evidence family: in-source (out-of-fold) margins are nearly
    # separable and give a slope so steep that unseen benign texts saturate at probability 1, and a margin means
    # something different for a whole prompt than for one line of a table.
    labelled = {
        name: list(zip(fold_margins[name], [int(r["label"]) for r in fold_models[name][1]], strict=True))
        for name in fold_models
    }
    calibration = fit_calibration([x for xs in labelled.values() for x in xs])
    nested = nested_calibration_lines(labelled)
    pooled_neg: list[float] = []
    pooled: list[Prediction] = []
    for name, (model, test) in fold_models.items():
        model.family_platt = {k: (v[0], v[1]) for k, v in calibration.items()}
        preds = score(model, test)
        pooled += preds
        pooled_neg += [p.score for p in preds if p.example.label == 0]
        m = metrics(preds)
        lat = sorted(p.latency_ms for p in preds)[len(preds) // 2]
        lines.append(
            f"| {name} | {m['positives']}/{m['negatives']} | {fmt(m['roc_auc'])} | {fmt(m['tpr_at_1pct_fpr'])} "
            f"| {fmt(m['tpr_at_5pct_fpr'])} | {fmt(m['recall'])} | {fmt(m['fpr'])} | {lat:.2f} |"
        )
        by_cat: dict[str, list[Prediction]] = {}
        for p in preds:
            by_cat.setdefault(p.example.category, []).append(p)
        print(
            f"[{name}] AUC {fmt(m['roc_auc'])} TPR@1% {fmt(m['tpr_at_1pct_fpr'])} "
            f"recall {fmt(m['recall'])} FPR {fmt(m['fpr'])}",
            file=sys.stderr,
        )
        for cat, ps in sorted(by_cat.items()):
            mc = metrics(ps)
            print(f"    {cat}: n={mc['n']} recall={fmt(mc['recall'])} fpr={fmt(mc['fpr'])}", file=sys.stderr)
    thresholds = {k: threshold_for(pooled_neg, f) for k, f in SENSITIVITY_FPR.items()} if pooled_neg else {}
    if pooled:
        m = metrics(pooled)
        lines.append(
            f"| **pooled out-of-source** | {m['positives']}/{m['negatives']} | {fmt(m['roc_auc'])} | "
            f"{fmt(m['tpr_at_1pct_fpr'])} | {fmt(m['tpr_at_5pct_fpr'])} | {fmt(m['recall'])} | {fmt(m['fpr'])} | |"
        )
        lines += [
            "",
            "Operating points (thresholds set on the pooled out-of-source benign scores):",
            "",
            "| sensitivity | threshold | out-of-source recall | out-of-source FPR |",
            "|---|---|---|---|",
        ]
        for k, thr in thresholds.items():
            mk = metrics(flagged_at(pooled, thr))
            lines.append(f"| {k} | {thr:.6f} | {fmt(mk['recall'])} | {fmt(mk['fpr'])} |")
    lines += nested
    if fold_models and thresholds:
        lines += combined_detector_lines(fold_models, thresholds)
    if args.eval_only:
        print("\n".join(lines))
        return 0
    t0 = time.perf_counter()
    all_rows = rows + augmented_rows(rows, docs, SEED, args.augmented)
    artifact = fit(units_from(all_rows + synth) + corpora, char, args.max_features, args.C)
    artifact["thresholds"] = thresholds or artifact["thresholds"]
    if calibration:  # the out-of-source calibration the thresholds were set with
        artifact["family_platt"] = calibration
        artifact["platt"] = calibration.get("plain", artifact["platt"])
    artifact["card"] = {
        "trained_on": "prompt_attack.jsonl.gz (all sources) + synthetic rows from scripts/injection_synth.py + "
        "benign windows of this Python installation's stdlib code, e-mail test messages and package READMEs",
        "units": "whole short texts, payload sentences (diffed against clean twins) and ~400-char windows",
        "features": "word 1-2-grams + in-word char 3-5-grams on normalised text (NFKC, lower case, placeholders)",
        "model": f"logistic regression (liblinear, C={args.C}, balanced) on TF-IDF (sublinear TF, L2), "
        "Platt-calibrated on leave-source-out margins",
        "sensitivity_fpr_targets": SENSITIVITY_FPR,
        "seed": SEED,
    }
    model = InjectionModel(artifact)
    if hard:
        hp = score(model, [{**r, "label": 0} for r in hard])
        for k, thr in thresholds.items():
            rate = sum(p.score >= thr for p in hp) / len(hp)
            lines.append(
                f"\nFalse-positive rate of the final model on the hard-negative set "
                f"(`tests/fixtures/injection_hard_negatives.jsonl`, n={len(hp)}) at {k}: {rate:.3f}"
            )
    ARTIFACT.write_bytes(gzip.compress(json.dumps(artifact, separators=(",", ":")).encode(), mtime=0))
    record_training_data("injection", ARTIFACT, TRAINING_FILES, data, detector="injection")
    lines.append(
        f"\nFinal model: {len(artifact['vocab'])} features, artifact {ARTIFACT.stat().st_size // 1024} KiB, "
        f"trained in {time.perf_counter() - t0:.0f} s."
    )
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
