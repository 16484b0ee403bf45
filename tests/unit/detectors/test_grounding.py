"""Contextual grounding: supported vs unsupported claims, mismatches, non-claims, limits, wire shape."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from interlock.detectors.grounding import MAX_CONTEXT, MAX_PROMPT, MAX_RESPONSE, GroundingDetector, GroundingOptions
from interlock.detectors.grounding.claims import is_claim, sentences
from interlock.engine.base import ScanItem
from interlock.errors import DetectorError
from tests.sdk_models import sdk
from tests.unit.detectors.airs_wire import local_scanner, result_detail, scan_wire

CONTEXT = (
    "Acme Corp opened its first factory in Dayton, Ohio in 1998. The factory employs 1,200 people and produces "
    "electric bicycles. In 2021 the company reported revenue of $3.5 million. Acme does not sell directly to "
    "consumers; it sells through retail partners. The CEO is Maria Lopez, who joined the company in 2015."
)


@pytest.fixture(scope="module")
def det() -> GroundingDetector:
    return GroundingDetector(GroundingOptions())


def run(det: GroundingDetector, response: str, context: str | None = CONTEXT, prompt: str | None = None) -> bool:
    item = ScanItem(text=response, field="response", data_type="response", context=context, prompt=prompt)
    return det.detect(item).detected


@pytest.mark.parametrize(
    "response",
    [
        "Acme opened its first factory in Dayton, Ohio, in 1998.",
        "The factory has 1,200 employees and makes electric bicycles.",
        "Hi! Acme sells through retail partners rather than directly to consumers. Anything else I can help with?",
        "Revenue in 2021 was 3.5 million dollars, and Maria Lopez, the CEO, joined in 2015.",
        "Is there anything else you would like to know?",
    ],
)
def test_grounded(det: GroundingDetector, response: str) -> None:
    assert not run(det, response)


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        ("The factory employs 1,500 people.", "number_mismatch"),
        ("In 2021 the company reported revenue of $3.5 billion.", "number_mismatch"),
        ("Acme sells its bikes directly to consumers.", "negation_mismatch"),
        ("The CEO of Acme is John Smith.", "unsupported"),
        ("Acme was founded in Germany and now builds electric cars for the army.", "unsupported"),
    ],
)
def test_ungrounded(det: GroundingDetector, response: str, reason: str) -> None:
    item = ScanItem(text=response, field="response", data_type="response", context=CONTEXT)
    result = det.detect(item)
    assert result.detected
    assert [f.entity for f in result.findings] == [reason]
    assert result.detail["cg_report"]["category"] == "ungrounded"
    f = result.findings[0]
    assert response[f.start : f.end].rstrip(".") in response


def test_share_threshold(det: GroundingDetector) -> None:
    mostly = (
        "Acme opened its first factory in Dayton in 1998. The factory employs 1,200 people. "
        "It produces electric bicycles. Revenue in 2021 was $3.5 million. The CEO also owns a football club."
    )
    item = ScanItem(text=mostly, field="response", data_type="response", context=CONTEXT)
    result = det.detect(item)
    assert [mostly[f.start : f.end] for f in result.findings] == ["The CEO also owns a football club."]
    assert not result.detected  # 1 of 5 claims unsupported: 0.2 is not above the default threshold 0.2
    assert result.detail["cg_report"]["category"] == "grounded"
    strict = GroundingDetector(GroundingOptions(threshold=0.1))
    assert run(strict, mostly)


def test_no_context_is_not_applicable(det: GroundingDetector) -> None:
    result = det.detect(ScanItem(text="The sky is green.", field="response", data_type="response"))
    assert not result.detected
    assert result.detail["cg_report"]["category"] == "not_applicable"


@pytest.mark.parametrize(
    ("field", "limit"),
    [("context", MAX_CONTEXT), ("prompt", MAX_PROMPT), ("response", MAX_RESPONSE)],
)
def test_over_the_airs_limits_is_an_error(det: GroundingDetector, field: str, limit: int) -> None:
    texts = {"context": CONTEXT, "prompt": "q", "response": "Acme opened in 1998."}
    texts[field] = "word " * (limit // 5 + 1)
    with pytest.raises(DetectorError, match=field):
        run(det, texts["response"], texts["context"], texts["prompt"])


def test_sentences_and_claims() -> None:
    parts = sentences("Hello! It opened in 1998 in Ohio. It did not close. Is that right? I hope this helps.")
    assert [s.text for s in parts] == [
        "Hello!",
        "It opened in 1998 in Ohio.",
        "It did not close.",
        "Is that right?",
        "I hope this helps.",
    ]
    assert [is_claim(s) for s in parts] == [False, True, True, False, False]
    assert parts[1].numbers == {"1998"} and "ohio" in parts[1].entities and parts[2].negated
    assert sentences("It costs $3.5 million, up 5%.")[0].numbers == {"3500000", "5%"}


def test_wire_output_and_error_outcome() -> None:
    scanner = local_scanner("ungrounded")
    try:
        result, response, report = scan_wire(
            scanner,
            {"prompt": "How many people work there?", "response": "It employs 1,500 people.", "context": CONTEXT},
        )
        assert result.blocked and response["response_detected"]["ungrounded"] is True
        cg = result_detail(report, "response")["cg_report"]
        assert cg["status"] == "completed" and cg["category"] == "ungrounded"
        parsed = sdk.ThreatScanReportObject.from_dict(report)
        assert parsed.detection_results[0].result_detail.cg_report.category == "ungrounded"

        _, response, report = scan_wire(
            scanner, {"prompt": "q?", "response": "It employs 1,200 people.", "context": CONTEXT}
        )
        assert response["category"] == "benign" and response["response_detected"]["ungrounded"] is False

        _, response, _ = scan_wire(scanner, {"prompt": "q?", "response": "Fine.", "context": "x " * 60_000})
        assert response["error"] is True
        assert response["errors"] == [{"content_type": "response", "feature": "ungrounded", "status": "error"}]
        assert response["category"] != "benign" or response["action"] == "block"
    finally:
        scanner.close()


def test_content_safety_builtin_profile() -> None:
    from interlock.profiles import ProfileStore
    from interlock.scanner import LocalScanner

    store = ProfileStore.default()
    profile = store.get("content-safety")
    assert list(profile.detectors) == ["injection", "dlp", "toxic_content", "ungrounded", "agent"]
    scanner = LocalScanner(store)
    try:
        content = {"prompt": "How many people work there?", "response": "It employs 1,500 people.", "context": CONTEXT}
        result = scanner.scan(content, profile="content-safety")
        assert result.blocked and result.response.response_detected.ungrounded is True
        ok = scanner.scan({**content, "response": "It employs 1,200 people."}, profile="content-safety")
        assert ok.response.response_detected.ungrounded is False
    finally:
        scanner.close()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.text(max_size=600))
def test_never_crashes_and_findings_are_sentences(response: str, context: str) -> None:
    item = ScanItem(text=response, field="response", data_type="response", context=context)
    r = GroundingDetector().detect(item)
    assert r.detail["cg_report"]["category"] in ("grounded", "ungrounded", "not_applicable")
    assert all(0 <= f.start < f.end <= len(response) for f in r.findings)
