"""DLP detector behaviour: confidence and keywords, options, AIRS report shape, the engine/wire path."""

from __future__ import annotations

import re
from typing import Any

import pytest

from interlock.detectors.dlp import DlpDetector, DlpOptions
from interlock.detectors.dlp.patterns import BUILTIN_PATTERNS, pattern_id
from interlock.engine import registry
from interlock.engine.base import ScanItem, ToolInfo
from interlock.errors import ProfileError
from interlock.models import ScanRequest
from interlock.profiles import Profile, ProfileStore
from interlock.scanner import LocalScanner
from tests.sdk_models import sdk, sdk_parse

SSN = "National Id - US Social Security Number - SSN"
CARD = "Credit Card Number"


def detect(text: str, **options: Any) -> Any:
    return DlpDetector(DlpOptions(**options)).detect(ScanItem(text=text, field="prompt", data_type="prompt"))


def scanner(**options: Any) -> LocalScanner:
    profile = Profile(name="dlp-only", detectors={"dlp": {"action": "block", "options": options}})
    return LocalScanner(ProfileStore([profile]))


# -- confidence ------------------------------------------------------------------------------------------------


def test_keyword_raises_confidence() -> None:
    (plain,) = detect("ref 4111 1111 1111 1111").findings
    (near,) = detect("my visa card 4111 1111 1111 1111").findings
    assert (plain.confidence, near.confidence) == ("medium", "high")
    assert near.score > plain.score


def test_multilingual_keyword() -> None:
    (f,) = detect("Kreditkarte: 4111111111111111").findings
    assert f.confidence == "high"


def test_digit_only_ids_need_a_keyword_at_default_confidence() -> None:
    assert detect("ref 536904399").findings == []
    assert [f.entity for f in detect("ref 536904399", min_confidence="low").findings].count(SSN) == 1
    (f,) = [f for f in detect("SSN 536904399").findings if f.entity == SSN]
    assert f.confidence == "high"


def test_min_confidence_high_drops_unkeyworded() -> None:
    assert detect("ref 4111 1111 1111 1111", min_confidence="high").findings == []
    assert detect("card 4111 1111 1111 1111", min_confidence="high").detected


# -- options ---------------------------------------------------------------------------------------------------


def test_allow_list_and_allow_regex() -> None:
    text = "mail ops@corp.example and bob@corp.example, card 4111111111111111"
    r = detect(text, allow_list=["ops@corp.example"], allow_regex=[r"4111[0-9]{12}"])
    assert [text[f.start : f.end] for f in r.findings] == ["bob@corp.example"]


def test_groups_and_pattern_selection() -> None:
    text = "card 4111111111111111 mail a@b.example key AKIA2OGYBAH6STMMNXNN"
    assert {f.entity for f in detect(text, groups=["secret"]).findings} == {"Secret - AWS Access Key ID"}
    assert {f.entity for f in detect(text, patterns=["email"]).findings} == {"Email Address"}
    assert CARD not in {f.entity for f in detect(text, disabled_patterns=["credit_card"]).findings}


def test_phone_regions() -> None:
    text = "ring 020 7946 0958 today"
    assert detect(text, phone_regions=["US"]).findings == []
    assert [text[f.start : f.end] for f in detect(text).findings] == ["020 7946 0958"]  # GB: a default region
    (f,) = detect(text, phone_regions=["GB"]).findings
    assert (f.entity, text[f.start : f.end]) == ("Phone Number", "020 7946 0958")


def test_ip_skip_private() -> None:
    text = "hosts 10.0.0.5 and 8.8.4.4"
    assert len(detect(text).findings) == 2
    assert [text[f.start : f.end] for f in detect(text, ip_skip_private=True).findings] == ["8.8.4.4"]


def test_custom_pattern_with_keywords() -> None:
    opts = {"custom_patterns": [{"name": "Employee Id", "regex": r"\bEMP-[0-9]{6}\b", "keywords": ["employee"]}]}
    assert detect("badge EMP-123456", min_confidence="high", **opts).findings == []
    (f,) = detect("employee EMP-123456", min_confidence="high", **opts).findings
    assert (f.entity, f.confidence) == ("Employee Id", "high")


def test_custom_pattern_value_group() -> None:
    opts = {"custom_patterns": [{"name": "Case", "regex": r"case #(?P<v>[0-9]{5})", "confidence": "medium"}]}
    text = "see case #12345 now"
    (f,) = detect(text, **opts).findings
    assert text[f.start : f.end] == "12345"


@pytest.mark.parametrize(
    "options",
    [
        {"min_confidence": "extreme"},
        {"groups": ["nope"]},
        {"patterns": ["credit_cardz"]},
        {"phone_regions": ["XX"]},
        {"custom_patterns": [{"name": "bad", "regex": "(?<=x)y"}]},
        {"allow_regex": ["(unclosed"]},
        {"dlp_profile_id": "abc"},
        {"unknown_option": 1},
    ],
)
def test_bad_options_are_profile_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ProfileError):
        registry.validate_options("dlp", options)


# -- findings and report ---------------------------------------------------------------------------------------


def test_findings_mask_and_never_carry_the_value() -> None:
    text = "ssn 536-90-4399 key AKIA2OGYBAH6STMMNXNN"
    r = detect(text)
    assert r.detected and r.findings
    for f in r.findings:
        value = text[f.start : f.end]
        assert f.mask and f.detector == "dlp"
        assert value not in repr(f.data) and value not in (f.explanation or "")
        assert value not in repr(r.detail)


def test_offsets_are_character_offsets_in_unicode_text() -> None:
    text = "日本語のテキスト 🙂 ssn 536-90-4399 末尾 📞 (415) 555-2671"
    r = detect(text)
    assert {text[f.start : f.end] for f in r.findings} == {"536-90-4399", "(415) 555-2671"}


def test_lone_surrogates_do_not_crash() -> None:
    text = "\ud800 card 4111111111111111 \udfff"
    (f,) = detect(text).findings
    assert text[f.start : f.end] == "4111111111111111"


def test_report_shape() -> None:
    text = "My SSN is 536-90-4399 and my card 4111 1111 1111 1111"
    r = detect(text, dlp_profile_name="PII", dlp_profile_id="11995025", dlp_profile_version=3)
    rep = r.detail["dlp_report"]
    assert re.fullmatch(r"[0-9A-F]{64}", rep["dlp_report_id"])
    assert (rep["dlp_profile_name"], rep["dlp_profile_id"], rep["dlp_profile_version"]) == ("PII", "11995025", 3)
    assert rep["data_pattern_rule1_verdict"] == "MATCHED"
    by_name = {e["name"]: e for e in rep["data_pattern_detection_offsets"]}
    ssn = by_name[SSN]
    assert re.fullmatch(r"[0-9a-f]{24}", ssn["data_pattern_id"]) and ssn["version"] == 1
    span = [text.index("536"), text.index("536") + 11]
    assert ssn["high_confidence_detections"] == [span] and ssn["low_confidence_detections"] == [span]
    assert by_name[CARD]["high_confidence_detections"] == [[34, 53]]
    sdk.DlpReportObject.from_dict(rep)
    # the report id is random, never derived from the text
    assert detect(text).detail["dlp_report"]["dlp_report_id"] != rep["dlp_report_id"]


def test_report_when_nothing_matches() -> None:
    r = detect("nothing to see here")
    assert not r.detected and r.score == 0.0
    rep = r.detail["dlp_report"]
    assert rep["data_pattern_rule1_verdict"] == "NOT_MATCHED" and rep["data_pattern_detection_offsets"] == []


def test_pattern_ids_are_stable_and_unique() -> None:
    ids = [p.id for p in BUILTIN_PATTERNS]
    assert len(ids) == len(set(ids))
    assert BUILTIN_PATTERNS[0].id == pattern_id(BUILTIN_PATTERNS[0].name)


def test_match_limit_masks_everything() -> None:
    text = "a@b.co " * 50
    r = detect(text, max_findings=10)
    (f,) = r.findings
    assert (f.entity, f.start, f.end, f.mask) == ("Sensitive Data - Match Limit Exceeded", 0, len(text), True)
    assert len(detect(text).findings) == 50


def test_empty_text() -> None:
    r = detect("")
    assert not r.detected and r.detail["dlp_report"]["data_pattern_rule1_verdict"] == "NOT_MATCHED"


# -- through the engine and the wire ---------------------------------------------------------------------------


def test_local_scanner_masks_and_reports_and_sdk_parses() -> None:
    s = scanner(dlp_profile_id="11995025")
    prompt = "Ignore that. My SSN is 536-90-4399, card 4111-1111-1111-1111."
    req = ScanRequest.model_validate(
        {"ai_profile": {"profile_name": "dlp-only"}, "contents": [{"prompt": prompt, "response": "ok, noted"}]}
    )
    result = s.run(req)
    wire = result.response.to_wire()
    assert wire["category"] == "malicious" and wire["action"] == "block"
    assert wire["prompt_detected"] == {"dlp": True} and wire["response_detected"] == {"dlp": False}
    masked = wire["prompt_masked_data"]["data"]
    assert len(masked) == len(prompt) and "536-90-4399" not in masked and "4111" not in masked
    assert masked.startswith("Ignore that. My SSN is XXXXXXXXXXX, card XXXXXXXXXXXXXXXXXXX.")
    patterns = {p["pattern"] for p in wire["prompt_masked_data"]["pattern_detections"]}
    assert patterns == {SSN, CARD}
    sdk_parse("ScanResponse", wire)
    report = result.report.to_wire()
    parsed = sdk_parse("ThreatScanReportObject", report)
    dlp_results = [d for d in parsed.detection_results if d.detection_service == "dlp"]
    assert {d.data_type for d in dlp_results} == {"prompt", "response"}
    prompt_dlp = next(d for d in dlp_results if d.data_type == "prompt")
    rep = prompt_dlp.result_detail.dlp_report
    assert rep.dlp_profile_id == "11995025" and rep.data_pattern_rule1_verdict == "MATCHED"
    assert {o.name for o in rep.data_pattern_detection_offsets} == {SSN, CARD}


def test_tool_event_output_is_scanned() -> None:
    s = scanner()
    r = s.scan(
        {
            "tool_event": {
                "metadata": {"ecosystem": "mcp", "method": "tools/call", "server_name": "db", "tool_invoked": "q"},
                "output": "row: alice@example.com, 536-90-4399",
            }
        },
        profile="dlp-only",
    )
    assert r.blocked
    w = r.response.to_wire()
    assert w["tool_detected"]["summary"]["detections"]["dlp"] is True
    sdk_parse("ScanResponse", w)


def test_registry_builds_the_detector() -> None:
    det = registry.build_detector("dlp", {"min_confidence": "high"})
    assert isinstance(det, DlpDetector) and det.name == "dlp"
    assert det.data_types == frozenset({"prompt", "response", "tool_event"})
    item = ScanItem(
        text="AKIA2OGYBAH6STMMNXNN",
        field="tool_input",
        data_type="tool_event",
        tool=ToolInfo("mcp", "tools/call", "s"),
    )
    assert det.detect(item).detected
