"""Cooperative time budgets: a detector past its deadline stops working instead of burning CPU nobody waits for."""

from __future__ import annotations

import time

import pytest
from fakes import LoopingDetector

from interlock.detectors.prompt_injection.detector import PromptInjectionDetector
from interlock.engine import budget, registry
from interlock.engine.base import ScanItem
from interlock.profiles import Profile, ProfileStore
from interlock.scanner import LocalScanner


def test_check_raises_only_past_a_deadline_set_for_this_thread() -> None:
    budget.check()  # no deadline: never raises
    budget.set_deadline(time.perf_counter() + 60)
    budget.check()
    budget.set_deadline(time.perf_counter() - 1)
    try:
        with pytest.raises(budget.BudgetExceeded):
            budget.check()
    finally:
        budget.clear()
    budget.check()


def test_engine_times_out_and_the_detector_thread_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.BUILTIN, "toxic_content", "fakes:LoopingDetector")
    registry.detector_class.cache_clear()
    LoopingDetector.stopped.clear()
    try:
        s = LocalScanner(ProfileStore([Profile(name="t", detector_timeout_ms=50, detectors={"toxic_content": {}})]))
        r = s.scan("hello", profile="t")
        w = r.response.to_wire()
        assert w["timeout"] is True and w["action"] == "block"  # fails closed, as before
        assert LoopingDetector.stopped.wait(10)  # and the worker gave up instead of running its ~100 s loop
        assert LoopingDetector.steps < 10_000
    finally:
        registry.detector_class.cache_clear()


def test_injection_detector_stops_between_windows_when_out_of_time() -> None:
    det = PromptInjectionDetector()
    budget.set_deadline(time.perf_counter() - 1)
    try:
        with pytest.raises(budget.BudgetExceeded):
            det.detect(ScanItem(text="lorem ipsum dolor sit amet " * 2000, field="prompt", data_type="prompt"))
    finally:
        budget.clear()
