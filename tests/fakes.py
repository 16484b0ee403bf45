"""Test-only detectors registered under throwaway names, to exercise the engine without real detectors."""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar

from interlock.engine import budget as budgets
from interlock.engine.base import DetectorOptions, DetectorResult, Finding, ScanItem


class WordOptions(DetectorOptions):
    word: str = "evil"
    mask: bool = False


class WordDetector:
    """Flags every occurrence of a word (stands in for a real detector)."""

    name: ClassVar[str] = "word"
    data_types: ClassVar[frozenset[str]] = frozenset({"prompt", "response", "tool_event"})
    Options = WordOptions

    def __init__(self, options: WordOptions) -> None:
        self.options = options

    def detect(self, item: ScanItem) -> DetectorResult:
        w = self.options.word
        findings = []
        start = item.text.find(w)
        while start >= 0:
            findings.append(Finding(self.name, "Word", start, start + len(w), mask=self.options.mask))
            start = item.text.find(w, start + len(w))
        return DetectorResult(detected=bool(findings), findings=findings, score=1.0 if findings else 0.0)


class SlowDetector(WordDetector):
    name: ClassVar[str] = "slow"

    def detect(self, item: ScanItem) -> DetectorResult:
        time.sleep(0.5)
        return super().detect(item)


class BrokenDetector(WordDetector):
    name: ClassVar[str] = "broken"

    def detect(self, item: ScanItem) -> DetectorResult:
        raise RuntimeError("boom")


class LoopingDetector(WordDetector):
    """Works in small steps, checking its time budget between them, as long-text detectors do."""

    name: ClassVar[str] = "looping"
    stopped = threading.Event()
    steps = 0

    def detect(self, item: ScanItem) -> DetectorResult:
        try:
            for _ in range(100_000):  # ~100 s of work if nothing stops it
                budgets.check()
                type(self).steps += 1
                time.sleep(0.001)
            return super().detect(item)
        finally:
            type(self).stopped.set()


class GatedWarmDetector(WordDetector):
    """A detector with lazy state: ``warm()`` blocks until ``gate`` is set and counts its calls."""

    name: ClassVar[str] = "gated"
    gate = threading.Event()
    warm_calls = 0

    def warm(self) -> None:
        type(self).warm_calls += 1
        if not type(self).gate.wait(30):
            raise TimeoutError("gate never opened")


class UnbuildableDetector(WordDetector):
    """Fails to build (a model artifact that cannot be loaded)."""

    name: ClassVar[str] = "unbuildable"

    def __init__(self, options: WordOptions) -> None:
        raise OSError("model artifact missing")


def register(monkeypatch: Any, **names: str) -> Any:
    """Register ``name="fakes:Class"`` detectors for one test and return a function that looks a class up as the
    registry loads it (module ``fakes``); the registry cache is cleared now (clear it again after the test)."""
    from interlock.engine import registry

    for name, target in names.items():
        monkeypatch.setitem(registry.BUILTIN, name, target)
    registry.detector_class.cache_clear()
    return registry.detector_class
