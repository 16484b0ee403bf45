"""DLP quality floors on the shared labelled data (slightly under the measured numbers in docs/bench/dlp.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.eval_dlp import eval_pii, eval_secrets
from interlock.datasets import read_jsonl
from interlock.detectors.dlp import DlpDetector, DlpOptions

pytestmark = pytest.mark.data

#: entity -> (precision floor, recall floor), measured 1.000 / (0.975 cards, 1.000 others, 0.765 phones with the
#: default candidate regions; 0.155 with the former US-only default)
PII_FLOORS = {
    "Credit Card Number": (0.98, 0.95),
    "National Id - US Social Security Number - SSN": (0.98, 0.97),
    "Bank - IBAN": (0.98, 0.97),
    "Email Address": (0.98, 0.97),
    "IP Address": (0.98, 0.95),
    "Phone Number": (0.98, 0.74),
}


def test_pii_span_floors(shared_data: Path) -> None:
    res = eval_pii(list(read_jsonl(shared_data / "pii.jsonl.gz")), DlpDetector(DlpOptions()))
    for entity, (p_floor, r_floor) in PII_FLOORS.items():
        c = res.exact[entity]
        assert c.precision >= p_floor, (entity, c)
        assert c.recall >= r_floor, (entity, c)
    total = res.total()
    assert total.precision >= 0.98 and total.recall >= 0.90  # measured 1.000 / 0.923
    assert res.rows.fp == 0  # no sentence without structured PII is flagged (measured 0 of 2,641)


def test_secret_row_floors(shared_data: Path) -> None:
    total, _ = eval_secrets(list(read_jsonl(shared_data / "secret.jsonl.gz")), DlpDetector(DlpOptions()))
    assert total.precision >= 0.92 and total.recall >= 0.84  # measured 0.938 / 0.861
