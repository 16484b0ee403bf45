"""Shared helper of the DLP tests: scan a text and return (entity, matched text) pairs."""

from __future__ import annotations

from interlock.detectors.dlp import DlpDetector
from interlock.engine.base import ScanItem


def scan(det: DlpDetector, text: str) -> list[tuple[str, str]]:
    """Findings of ``det`` on ``text`` as (entity, the exact text of the span)."""
    r = det.detect(ScanItem(text=text, field="prompt", data_type="prompt"))
    return [(f.entity, text[f.start : f.end]) for f in r.findings]
