"""Evaluate the DLP detector on the shared labelled data.

1. ``pii.jsonl.gz`` (presidio-research synthetic sentences): **span-level** precision / recall / F1 per entity type
   and per source file, for the types we cover (card, SSN, IBAN, e-mail, phone, IP). A prediction is a true positive
   when type and half-open span are exactly equal (a lenient "overlap" score is reported too). Gold types we do not
   detect (names, addresses, dates, driver's licences ...) are listed as out of scope with their counts, not hidden;
   predictions of our other patterns (national ids, secrets) are counted as false positives unless they sit exactly
   on a gold span of any type.
2. ``secret.jsonl.gz`` (gitleaks rule examples, true and false positives): **row-level** precision / recall (label 1
   = real-format credential), with only the ``secret`` group and with every group, per category.

Every view is computed for each ``min_confidence`` so the default can be chosen on evidence, plus a multi-region
phone variant. Deterministic (no sampling, no training): the numbers only change when the detector changes.

Usage: ``.venv/bin/python benchmarks/eval_dlp.py [--data DIR] [--markdown]``
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    from benchmarks import dlp_cases
except ImportError:  # run as a script: benchmarks/ itself is on sys.path
    import dlp_cases  # type: ignore[no-redef]
from interlock.datasets import read_jsonl, shared_data_dir
from interlock.detectors.dlp import DlpDetector, DlpOptions
from interlock.engine.base import ScanItem

#: presidio-research type -> our entity name
TYPE_MAP: dict[str, str] = {
    "CREDIT_CARD": "Credit Card Number",
    "US_SSN": "National Id - US Social Security Number - SSN",
    "IBAN_CODE": "Bank - IBAN",
    "EMAIL_ADDRESS": "Email Address",
    "PHONE_NUMBER": "Phone Number",
    "IP_ADDRESS": "IP Address",
}
OTHER = "(other DLP patterns)"
MULTI_REGIONS = ["US", "GB", "DE", "FR", "IN", "CA", "AU"]


@dataclass
class Counts:
    """True/false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class PiiResult:
    """Span-level results on pii.jsonl.gz."""

    exact: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    overlap: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_source: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    out_of_scope: Counter[str] = field(default_factory=Counter)
    rows: Counts = field(default_factory=Counts)  # row level: label 1 = structured PII present
    tn_rows: int = 0

    def total(self, kind: str = "exact") -> Counts:
        table = self.exact if kind == "exact" else self.overlap
        out = Counts()
        for c in table.values():
            out.tp, out.fp, out.fn = out.tp + c.tp, out.fp + c.fp, out.fn + c.fn
        return out


def _item(text: str) -> ScanItem:
    return ScanItem(text=text, field="prompt", data_type="prompt")


def eval_pii(rows: list[dict[str, Any]], det: DlpDetector) -> PiiResult:
    """Span-level scores per entity and per source file."""
    res = PiiResult()
    for row in rows:
        text = str(row["text"])
        gold_all = {(int(s["start"]), int(s["end"])) for s in row.get("spans", [])}
        gold = {(TYPE_MAP[s["type"]], int(s["start"]), int(s["end"])) for s in row["spans"] if s["type"] in TYPE_MAP}
        res.out_of_scope.update(s["type"] for s in row["spans"] if s["type"] not in TYPE_MAP)
        found = det.detect(_item(text)).findings
        pred = set()
        for f in found:
            entity = f.entity if f.entity in TYPE_MAP.values() else OTHER
            if entity == OTHER and (f.start, f.end) in gold_all:
                continue  # one of our patterns on a gold span of an out-of-scope type: not counted either way
            pred.add((entity, f.start, f.end))
        src = f"{row['source']}/{row.get('file', '')}"
        for g in gold:
            hit = g in pred
            res.exact[g[0]].tp += hit
            res.exact[g[0]].fn += not hit
            res.by_source[src].tp += hit
            res.by_source[src].fn += not hit
            near = any(p[0] == g[0] and p[1] < g[2] and g[1] < p[2] for p in pred)
            res.overlap[g[0]].tp += near
            res.overlap[g[0]].fn += not near
        for p in pred - gold:
            res.exact[p[0]].fp += 1
            res.by_source[src].fp += 1
            if not any(g[0] == p[0] and p[1] < g[2] and g[1] < p[2] for g in gold):
                res.overlap[p[0]].fp += 1
        flagged, positive = bool(pred), bool(gold)
        res.rows.tp += flagged and positive
        res.rows.fp += flagged and not positive
        res.rows.fn += positive and not flagged
        res.tn_rows += not flagged and not positive
    return res


def eval_secrets(rows: list[dict[str, Any]], det: DlpDetector) -> tuple[Counts, dict[str, Counts]]:
    """Row-level precision/recall: a row is predicted positive when any finding is reported."""
    total: Counts = Counts()
    by_cat: dict[str, Counts] = defaultdict(Counts)
    for row in rows:
        label = int(row["label"])
        flagged = det.detect(_item(str(row["text"]))).detected
        cat = str(row["category"]).replace("non_secret_fp_", "").replace("secret_", "")
        for c in (total, by_cat[cat]):
            c.tp += flagged and label == 1
            c.fp += flagged and label == 0
            c.fn += (not flagged) and label == 1
    return total, by_cat


#: hand-written secret test vectors (secrets vs look-alikes, seeded fake values): see docs/detectors/secrets.md
SECRET_VECTORS = Path(__file__).resolve().parent.parent / "tests/unit/detectors/fixtures/secret_vectors.jsonl"


@dataclass
class VectorResult:
    """Row-level results on the secret test vectors, overall and per family; ``misses`` are the rows got wrong."""

    total: Counts = field(default_factory=Counts)
    tn: int = 0
    by_family: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fpr(self) -> float:
        return self.total.fp / (self.total.fp + self.tn) if self.total.fp + self.tn else float("nan")


def eval_secret_vectors(det: DlpDetector, path: Path = SECRET_VECTORS) -> VectorResult:
    """Row-level recall / false-positive rate on the secret test vectors (any finding = flagged)."""
    res = VectorResult()
    for row in read_jsonl(path):
        label = int(row["label"])
        flagged = det.detect(_item(str(row["text"]))).detected
        for c in (res.total, res.by_family[str(row["family"])]):
            c.tp += flagged and label == 1
            c.fp += flagged and label == 0
            c.fn += (not flagged) and label == 1
        res.tn += (not flagged) and label == 0
        if flagged != bool(label):
            res.misses.append(row)
    return res


def eval_types(det: DlpDetector, rows: list[dlp_cases.Case] | None = None) -> dict[str, Counts]:
    """Span-level counts per entity on the template sentences of ``benchmarks/dlp_cases.py`` (exact type and span;
    any finding on a look-alike sentence, or off its gold span, is a false positive of its entity)."""
    out: dict[str, Counts] = defaultdict(Counts)
    for case in rows if rows is not None else dlp_cases.cases():
        pred = {(f.entity, f.start, f.end) for f in det.detect(_item(case.text)).findings}
        gold = set(case.spans)
        for g in gold:
            out[g[0]].tp += g in pred
            out[g[0]].fn += g not in pred
        for p in pred - gold:
            out[p[0]].fp += 1
    return out


def _num(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"  # NaN: no positives predicted / none to find


def _row(name: str, c: Counts) -> str:
    f1 = c.f1 if c.tp else float("nan")
    return f"| {name} | {_num(c.precision)} | {_num(c.recall)} | {_num(f1)} | {c.tp} | {c.fp} | {c.fn} |"


_HEAD = "| | precision | recall | F1 | TP | FP | FN |\n|---|---|---|---|---|---|---|"


def report(data: Path) -> str:
    """Run every view and return the results as Markdown."""
    pii = list(read_jsonl(data / "pii.jsonl.gz"))
    secrets = list(read_jsonl(data / "secret.jsonl.gz"))
    pii_groups: list[Any] = ["financial", "national_id", "contact", "network"]
    out: list[str] = []

    out.append("### PII spans by `min_confidence` (pii.jsonl.gz, exact span match, PII groups)\n")
    out.append(_HEAD)
    for conf in ("low", "medium", "high"):
        r = eval_pii(pii, DlpDetector(DlpOptions(groups=pii_groups, min_confidence=conf)))
        out.append(_row(f"min_confidence={conf}", r.total()))
    r = eval_pii(pii, DlpDetector(DlpOptions(groups=pii_groups, phone_regions=MULTI_REGIONS)))
    out.append(_row(f"medium, phone_regions={','.join(MULTI_REGIONS)}", r.total()))

    default = eval_pii(pii, DlpDetector(DlpOptions()))
    out.append("\n### PII per entity type (default options: every group, `min_confidence=medium`, phone region US)\n")
    out.append(_HEAD.replace("| |", "| entity |", 1))
    for name in sorted(default.exact):
        out.append(_row(name, default.exact[name]))
    out.append(_row("**all (exact span)**", default.total()))
    out.append(_row("all (any overlap, same type)", default.total("overlap")))
    out.append("\nPer source file (exact span):\n")
    out.append(_HEAD.replace("| |", "| source |", 1))
    for name in sorted(default.by_source):
        out.append(_row(name, default.by_source[name]))
    rows = default.rows
    out.append(
        f"\nRow level (a row with any in-scope gold span is positive): precision {rows.precision:.3f}, recall "
        f"{rows.recall:.3f} (TP {rows.tp}, FP {rows.fp}, FN {rows.fn}, TN {default.tn_rows})."
    )
    oos = ", ".join(f"{k} {v}" for k, v in default.out_of_scope.most_common())
    out.append(f"\nOut of scope (gold spans of types this detector does not cover, not scored): {oos}.")

    out.append("\n### Per type on template sentences (benchmarks/dlp_cases.py, exact span and type)\n")
    out.append(_HEAD.replace("| |", "| entity |", 1))
    for label, opts in (("", DlpOptions()), (" (phone_regions=[US])", DlpOptions(phone_regions=["US"]))):
        for name, c in sorted(eval_types(DlpDetector(opts)).items()):
            if label and name != "Phone Number":
                continue
            out.append(_row(name + label, c))

    out.append("\n### Secret test vectors (tests/unit/detectors/fixtures/secret_vectors.jsonl)\n")
    out.append("| configuration | recall | FPR | TP | FN | FP | TN |\n|---|---|---|---|---|---|---|")
    for label, opts in (("secret group", DlpOptions(groups=["secret"])), ("default options", DlpOptions())):
        v = eval_secret_vectors(DlpDetector(opts))
        t = v.total
        out.append(f"| {label} | {_num(t.recall)} | {_num(v.fpr)} | {t.tp} | {t.fn} | {t.fp} | {v.tn} |")

    out.append("\n### Secrets, row level (secret.jsonl.gz)\n")
    out.append(_HEAD.replace("| |", "| configuration |", 1))
    for conf in ("low", "medium", "high"):
        total, _ = eval_secrets(secrets, DlpDetector(DlpOptions(groups=["secret"], min_confidence=conf)))
        out.append(_row(f"secret group, min_confidence={conf}", total))
    total_all, by_cat = eval_secrets(secrets, DlpDetector(DlpOptions()))
    out.append(_row("default options (every group)", total_all))
    out.append("\nPer gitleaks rule (default options; rows of a rule hold its true and false positive examples):\n")
    out.append(_HEAD.replace("| |", "| rule |", 1))
    for name in sorted(by_cat, key=lambda k: -(by_cat[k].tp + by_cat[k].fn + by_cat[k].fp)):
        out.append(_row(name, by_cat[name]))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    args = parser.parse_args()
    print(report(args.data))


if __name__ == "__main__":
    main()
