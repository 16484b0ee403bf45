"""Evaluate any :class:`~interlock.scanner.Scanner` on labelled JSONL data.

Each row is ``{"text": str, "label": 0|1, "source"?: str, "category"?: str, "lang"?: str}``. Every text is scanned
(as a prompt by default), and the result is turned into a binary prediction (the chosen detector's flag, or the
exchange's category) and a score (the detector's score from the local engine; 0/1 for remote scanners, which
return no scores). Metrics — precision, recall, F1, false-positive rate, ROC AUC, TPR at 1% and 5% FPR — are
computed overall and by ``source``, ``category`` and language, with latency percentiles.

Example:
    >>> from interlock.evaluation import evaluate, load_examples  # doctest: +SKIP
    >>> report = evaluate(LocalScanner(), load_examples("prompt_attack.jsonl.gz"), detector="injection")
    >>> print(report.to_markdown())
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from interlock.datasets import read_jsonl, training_matches
from interlock.errors import InterlockError
from interlock.scanner import Scanner, ScanResult

__all__ = ["Example", "Prediction", "EvalReport", "evaluate", "load_examples", "metrics", "guess_language"]


@dataclass(frozen=True)
class Example:
    """One labelled text."""

    text: str
    label: int
    source: str = "unknown"
    category: str = "unknown"
    lang: str = "unknown"
    id: str = ""


@dataclass(frozen=True)
class Prediction:
    """The scanner's answer for one example."""

    example: Example
    flagged: bool
    score: float
    latency_ms: float
    error: str | None = None


# Cheap language guess: script first, then stop-word votes among Latin-script languages.
_STOPWORDS = {
    "en": {"the", "and", "you", "is", "to", "of", "that", "for", "with", "your", "are", "this", "what", "how"},
    "es": {"el", "la", "que", "de", "los", "las", "por", "para", "una", "con", "es", "tu", "todas", "como"},
    "fr": {"le", "la", "les", "des", "est", "vous", "que", "pour", "une", "dans", "et", "tes", "toutes", "ne"},
    "de": {"der", "die", "das", "und", "ist", "nicht", "ich", "du", "sie", "ein", "eine", "mit", "alle", "deine"},
    "it": {"il", "che", "di", "della", "per", "sono", "una", "non", "tutte", "le", "gli", "tue", "questo"},
    "pt": {"o", "que", "de", "não", "uma", "para", "com", "os", "as", "você", "todas", "seu", "sua", "é"},
}


def guess_language(text: str) -> str:
    """A rough language label (``en``, ``es``, ``ru``, ``zh``, ``ja``, ...) for breaking metrics down."""
    sample = text[:2000]
    counts: dict[str, int] = defaultdict(int)
    for ch in sample:
        o = ord(ch)
        if 0x0400 <= o <= 0x04FF:
            counts["ru"] += 1
        elif 0x3040 <= o <= 0x30FF:
            counts["ja"] += 3
        elif 0x4E00 <= o <= 0x9FFF:
            counts["zh"] += 1
        elif 0xAC00 <= o <= 0xD7AF:
            counts["ko"] += 1
        elif 0x0600 <= o <= 0x06FF:
            counts["ar"] += 1
        elif ch.isalpha() and o < 0x250:
            counts["latin"] += 1
    if not counts:
        return "unknown"
    script = max(counts, key=lambda k: counts[k])
    if script != "latin":
        return script
    words = [w.strip(".,;:!?¿¡\"'()").lower() for w in sample.split()]
    votes = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(votes, key=lambda k: votes[k])
    return best if votes[best] > 0 else "latin-other"


def load_examples(
    path: str | os.PathLike[str], *, limit: int | None = None, sample: int | None = None, seed: int = 0
) -> list[Example]:
    """Read labelled rows; ``sample`` draws a seeded random subset, ``limit`` keeps the first rows."""
    rows: list[Example] = []
    for n, row in enumerate(read_jsonl(path), 1):
        if "text" not in row or "label" not in row:
            raise ValueError(f"{path}: row {n} needs 'text' and 'label'")
        label = int(row["label"])
        if label not in (0, 1):
            raise ValueError(f"{path}: row {n}: label must be 0 or 1")
        text = str(row["text"])
        rows.append(
            Example(
                text=text,
                label=label,
                source=str(row.get("source", "unknown")),
                category=str(row.get("category", "unknown")),
                lang=str(row.get("lang") or row.get("language") or guess_language(text)),
                id=str(row.get("id", n)),
            )
        )
        if limit is not None and sample is None and len(rows) >= limit:
            break
    if sample is not None and sample < len(rows):
        rows = random.Random(seed).sample(rows, sample)  # noqa: S311 - reproducible sampling, not crypto
    return rows


def _roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    """Mann-Whitney AUC with tie correction; None when one class is missing."""
    pos = sum(labels)
    neg = len(labels) - pos
    if pos == 0 or neg == 0:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    rank_sum = sum(r for r, y in zip(ranks, labels, strict=True) if y == 1)
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


def _curve(labels: Sequence[int], scores: Sequence[float]) -> list[tuple[float, float, float]]:
    """(threshold, fpr, tpr) for every distinct score, highest threshold first."""
    pos = sum(labels)
    neg = len(labels) - pos
    pairs = sorted(zip(scores, labels, strict=True), key=lambda p: -p[0])
    out: list[tuple[float, float, float]] = []
    tp = fp = 0
    for i, (s, y) in enumerate(pairs):
        tp += y
        fp += 1 - y
        if i + 1 == len(pairs) or pairs[i + 1][0] != s:
            out.append((s, fp / neg if neg else 0.0, tp / pos if pos else 0.0))
    return out


def _tpr_at(curve: list[tuple[float, float, float]], max_fpr: float) -> float | None:
    if not curve:
        return None
    best = 0.0
    for _, fpr, tpr in curve:
        if fpr <= max_fpr:
            best = max(best, tpr)
    return best


def metrics(preds: Sequence[Prediction]) -> dict[str, Any]:
    """Binary and ranking metrics for a set of predictions (errors count as not flagged and are reported)."""
    labels = [p.example.label for p in preds]
    scores = [p.score for p in preds]
    tp = sum(1 for p in preds if p.flagged and p.example.label == 1)
    fp = sum(1 for p in preds if p.flagged and p.example.label == 0)
    fn = sum(1 for p in preds if not p.flagged and p.example.label == 1)
    tn = sum(1 for p in preds if not p.flagged and p.example.label == 0)

    def div(a: float, b: float) -> float | None:
        return a / b if b else None

    precision, recall = div(tp, tp + fp), div(tp, tp + fn)
    f1 = div(2 * precision * recall, precision + recall) if precision is not None and recall is not None else None
    curve = _curve(labels, scores) if 0 < sum(labels) < len(labels) else []
    return {
        "n": len(preds),
        "positives": tp + fn,
        "negatives": tn + fp,
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "errors": sum(1 for p in preds if p.error),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "fpr": div(fp, fp + tn),
        "roc_auc": _roc_auc(labels, scores),
        "tpr_at_1pct_fpr": _tpr_at(curve, 0.01),
        "tpr_at_5pct_fpr": _tpr_at(curve, 0.05),
    }


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[k]


@dataclass
class EvalReport:
    """Metrics overall and broken down, plus latency; serialisable to JSON and Markdown, plottable."""

    dataset: str
    detector: str | None
    side: str
    overall: dict[str, Any]
    by_source: dict[str, dict[str, Any]]
    by_category: dict[str, dict[str, Any]]
    by_language: dict[str, dict[str, Any]]
    latency_ms: dict[str, float | None]
    predictions: list[Prediction] = field(default_factory=list, repr=False)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Everything but the per-row predictions."""
        d = asdict(self)
        d.pop("predictions")
        return d

    def to_json(self) -> str:
        """The report as indented JSON."""
        return json.dumps(self.to_dict(), indent=2)

    def to_markdown(self) -> str:
        """The report as Markdown tables."""
        lines = [f"## Evaluation: `{self.dataset}` (detector: {self.detector or 'any'}, side: {self.side})", ""]
        lines += [f"> **Warning:** {w}\n" for w in self.warnings]
        lines += _md_table({"overall": self.overall})
        lat = self.latency_ms
        lines += [
            "",
            f"Latency per scan: p50 {_fmt(lat['p50'])} ms, p90 {_fmt(lat['p90'])} ms, "
            f"p99 {_fmt(lat['p99'])} ms, mean {_fmt(lat['mean'])} ms",
            "",
        ]
        for title, group in (
            ("source", self.by_source),
            ("category", self.by_category),
            ("language", self.by_language),
        ):
            lines += [f"### By {title}", ""] + _md_table(group) + [""]
        return "\n".join(lines)

    def plot(self, out_dir: str | os.PathLike[str]) -> list[Path]:
        """Write ``roc.png`` and ``pr.png`` (needs matplotlib: ``pip install 'interlock[eval]'``)."""
        try:  # the object-oriented API: no pyplot, so the caller's backend (e.g. a notebook's inline one) is untouched
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError("plots need matplotlib: pip install 'interlock[eval]'") from None
        labels = [p.example.label for p in self.predictions]
        scores = [p.score for p in self.predictions]
        curve = _curve(labels, scores)
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        fig = Figure(figsize=(5, 5))
        ax = fig.subplots()
        ax.plot([0.0] + [c[1] for c in curve], [0.0] + [c[2] for c in curve])
        ax.plot([0, 1], [0, 1], linestyle=":", color="grey")
        ax.set(
            xlabel="false-positive rate",
            ylabel="true-positive rate",
            title=f"ROC (AUC {_fmt(self.overall['roc_auc'])})",
        )
        paths.append(out / "roc.png")
        fig.savefig(paths[-1], dpi=100, bbox_inches="tight")
        pos = sum(labels)
        fig = Figure(figsize=(5, 5))
        ax = fig.subplots()
        prec, rec = [], []
        for _thr, fpr, tpr in curve:
            tp = tpr * pos
            fp = fpr * (len(labels) - pos)
            if tp + fp:
                prec.append(tp / (tp + fp))
                rec.append(tpr)
        ax.plot(rec, prec)
        ax.set(xlabel="recall", ylabel="precision", title="Precision-recall", ylim=(0, 1.02))
        paths.append(out / "pr.png")
        fig.savefig(paths[-1], dpi=100, bbox_inches="tight")
        return paths


def training_data_warnings(path: str | os.PathLike[str], detector: str | None = None) -> list[str]:
    """Warnings when ``path``'s content is the training data of a shipped model (of ``detector``, or any).

    Metrics measured on a model's own training rows say how well it memorised them, not how it does on new text.
    """
    matches = [m for m in training_matches(path) if detector is None or m["detector"] == detector]
    return [
        f"{Path(path).name} is the training file {m['file']} of the shipped {m['model']} model "
        f"(rows used: {m['rows']}): these metrics are optimistic, not a measure of quality on new text. Evaluate on "
        "held-out data instead, e.g. prompt_attack_eval_only.jsonl.gz (never trained on), or see the "
        "leave-source-out figures in docs/benchmarks.md."
        for m in matches
    ]


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _md_table(groups: dict[str, dict[str, Any]]) -> list[str]:
    cols = ["n", "positives", "negatives", "precision", "recall", "f1", "fpr", "roc_auc", "tpr_at_1pct_fpr", "errors"]
    lines = ["| group | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, m in groups.items():
        lines.append(f"| {name} | " + " | ".join(_fmt(m.get(c)) for c in cols) + " |")
    return lines


def _judge(result: ScanResult, detector: str | None, side: str) -> tuple[bool, float]:
    if detector is None:
        flagged = result.category == "malicious"
        score = max(result.scores.values(), default=1.0 if flagged else 0.0)
        return flagged, score
    flagged = detector in result.detected().get(side, []) or (
        side == "prompt" and detector in result.detected().get("tool_event", [])
    )
    return flagged, result.scores.get(detector, 1.0 if flagged else 0.0)


def evaluate(
    scanner: Scanner,
    examples: Sequence[Example],
    *,
    detector: str | None = None,
    side: str = "prompt",
    profile: str | None = None,
    workers: int = 1,
    dataset: str = "",
    progress: Callable[[int], None] | None = None,
) -> EvalReport:
    """Scan every example and compute metrics.

    Args:
        detector: judge by this detector's flag and score (e.g. ``"injection"``); None uses the exchange's category.
        side: send each text as ``prompt`` or ``response``.
        workers: concurrent scans (useful for remote scanners).
        progress: called with the number of examples finished so far, after each one.
    """
    if side not in ("prompt", "response"):
        raise ValueError("side must be 'prompt' or 'response'")

    def one(ex: Example) -> Prediction:
        t0 = time.perf_counter()
        try:
            result = scanner.scan({side: ex.text}, profile=profile)
        except InterlockError as exc:
            return Prediction(ex, False, 0.0, (time.perf_counter() - t0) * 1000, error=type(exc).__name__)
        flagged, score = _judge(result, detector, side)
        err = result.category if result.failed else None
        return Prediction(ex, flagged, score, (time.perf_counter() - t0) * 1000, error=err)

    preds: list[Prediction] = []
    todo: Iterable[Prediction]
    if workers > 1:
        pool = ThreadPoolExecutor(max_workers=workers)
        todo = pool.map(one, [ex for ex in examples if ex.text])
    else:
        pool = None
        todo = (one(ex) for ex in examples if ex.text)
    try:
        for p in todo:
            preds.append(p)
            if progress is not None:
                progress(len(preds))
    finally:
        if pool is not None:
            pool.shutdown()

    def grouped(key: Callable[[Example], str]) -> dict[str, dict[str, Any]]:
        groups: dict[str, list[Prediction]] = defaultdict(list)
        for p in preds:
            groups[key(p.example)].append(p)
        return {k: metrics(v) for k, v in sorted(groups.items())}

    lat = [p.latency_ms for p in preds]
    return EvalReport(
        dataset=dataset,
        detector=detector,
        side=side,
        overall=metrics(preds),
        by_source=grouped(lambda e: e.source),
        by_category=grouped(lambda e: e.category),
        by_language=grouped(lambda e: e.lang),
        latency_ms={
            "p50": _percentile(lat, 50),
            "p90": _percentile(lat, 90),
            "p99": _percentile(lat, 99),
            "mean": sum(lat) / len(lat) if lat else None,
        },
        predictions=preds,
    )
