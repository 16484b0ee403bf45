"""Warming: ``Engine.warm`` / ``LocalScanner.warm`` / ``interlock.scanner(warm=True)`` build the detectors and their
lazy state before the first scan."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from fakes import register

from interlock.engine import registry
from interlock.engine.engine import Engine
from interlock.profiles import DetectorPolicy, Profile, ProfileStore
from interlock.scanner import LocalScanner


@pytest.fixture
def gated(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    lookup = register(
        monkeypatch, word="fakes:WordDetector", gated="fakes:GatedWarmDetector", source_code="fakes:BrokenDetector"
    )
    cls: Any = lookup("gated")
    cls.gate.set()
    cls.warm_calls = 0
    yield cls
    registry.detector_class.cache_clear()


def test_engine_warm_builds_every_detector_and_calls_warm_once(gated: Any) -> None:
    engine = Engine(max_workers=2)
    a = Profile(name="a", detectors={"gated": DetectorPolicy(), "word": DetectorPolicy()})
    b = Profile(name="b", detectors={"gated": DetectorPolicy()})
    other = Profile(name="c", detectors={"gated": DetectorPolicy(options={"word": "other"})})
    try:
        spent = engine.warm(a)
        assert set(spent) == {"gated", "word"} and all(ms >= 0 for ms in spent.values())
        engine.warm(b)
        assert engine.detector(a, "gated") is engine.detector(b, "gated")  # same options: one instance
        assert gated.warm_calls == 1
        engine.warm(other)
        assert engine.detector(other, "gated") is not engine.detector(a, "gated")
        assert gated.warm_calls == 2
    finally:
        engine.close()


def test_a_detector_failing_on_the_sample_is_logged_not_raised(gated: Any, caplog: pytest.LogCaptureFixture) -> None:
    scanner = LocalScanner(
        ProfileStore([Profile(name="default", detectors={"word": DetectorPolicy(), "source_code": DetectorPolicy()})])
    )
    with caplog.at_level(logging.WARNING, logger="interlock.engine"):
        spent = scanner.warm()
    scanner.close()
    assert set(spent) == {"default"} and set(spent["default"]) == {"word", "source_code"}
    assert "warm-up: detector source_code error" in caplog.text


def test_scanner_warm_loads_the_lazy_state_of_real_detectors() -> None:
    """In a fresh interpreter (lazy state is process-wide): before warming, tldextract's public-suffix trie and
    the DLP phone regions' metadata are not loaded; ``interlock.scanner(warm=True)`` loads both."""
    code = textwrap.dedent(
        """
        import json
        import interlock
        from interlock.detectors.url_filtering import canon
        from phonenumbers.phonemetadata import PhoneMetadata
        from interlock.detectors.dlp.detector import DEFAULT_PHONE_REGIONS

        def state():
            pending = [r for r in DEFAULT_PHONE_REGIONS if PhoneMetadata._region_available.get(r) is not None]
            return {"psl": canon._EXTRACT._extractor is not None, "regions_not_loaded": pending}

        before = state()
        s = interlock.scanner(warm=True)
        print(json.dumps({"before": before, "after": state(), "type": type(s).__name__}))
        """
    )
    env_free = {"PANW_AI_SEC_API_KEY": "", "PANW_AI_SEC_API_ENDPOINT": "", "PANW_AI_SEC_API_TOKEN": ""}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env_free, "OMP_NUM_THREADS": "1"},
        check=True,
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["type"] == "LocalScanner"
    assert got["before"]["psl"] is False and got["before"]["regions_not_loaded"]
    assert got["after"] == {"psl": True, "regions_not_loaded": []}
