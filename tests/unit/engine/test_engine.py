"""Engine orchestration, verdicts and the wire bridge, exercised with fake detectors."""

from __future__ import annotations

import asyncio

import pytest
from fakes import BrokenDetector, SlowDetector, WordDetector

from interlock.engine import registry
from interlock.engine.engine import items_for
from interlock.errors import InvalidRequestError, ProfileError
from interlock.models import ScanContent
from interlock.profiles import Profile, ProfileStore
from interlock.scanner import LocalScanner, exchange_of
from tests.sdk_models import sdk_parse


@pytest.fixture(autouse=True)
def fake_registry(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(registry.BUILTIN, "dlp", "fakes:WordDetector")
    monkeypatch.setitem(registry.BUILTIN, "toxic_content", "fakes:SlowDetector")
    monkeypatch.setitem(registry.BUILTIN, "malicious_code", "fakes:BrokenDetector")
    registry.detector_class.cache_clear()
    yield
    registry.detector_class.cache_clear()


def scanner_with(**profile_kwargs) -> LocalScanner:
    return LocalScanner(ProfileStore([Profile(name="t", **profile_kwargs)]))


def test_detection_blocks_and_masks_exactly_the_span() -> None:
    s = scanner_with(detectors={"dlp": {"options": {"mask": True}}})
    r = s.scan({"prompt": "an evil plan", "response": "fine"}, profile="t")
    assert r.blocked and r.category == "malicious"
    wire = r.response.to_wire()
    assert wire["prompt_detected"] == {"dlp": True}
    assert wire["response_detected"] == {"dlp": False}
    assert wire["prompt_masked_data"] == {
        "data": "an XXXX plan",
        "pattern_detections": [{"pattern": "Word", "locations": [[3, 7]]}],
    }
    assert "response_masked_data" not in wire
    assert r.masked("prompt", "type") == "an <WORD> plan"
    assert [(f.field, f.start, f.end) for f in r.findings] == [("prompt", 3, 7)]
    sdk_parse("ScanResponse", wire)
    sdk_parse("ThreatScanReportObject", r.report.to_wire())


def test_allow_action_reports_but_does_not_block() -> None:
    s = scanner_with(detectors={"dlp": {"action": "allow"}})
    r = s.scan("evil", profile="t")
    assert r.category == "malicious" and r.action == "allow"
    (res,) = r.report.detection_results
    assert (res.detection_service, res.verdict, res.action) == ("dlp", "malicious", "allow")


def test_benign_exchange() -> None:
    s = scanner_with(detectors={"dlp": {}})
    r = s.scan({"prompt": "hello", "response": "hi"}, profile="t", tr_id="tx-1", session_id="s-1")
    w = r.response.to_wire()
    assert (w["category"], w["action"], w["tr_id"], w["session_id"]) == ("benign", "allow", "tx-1", "s-1")
    assert w["report_id"] == "R" + w["scan_id"]
    assert r.report.transaction_id == "tx-1" and r.report.req_id == 0


def test_timeout_fails_closed_and_is_never_benign() -> None:
    s = scanner_with(detector_timeout_ms=50, detectors={"toxic_content": {}})
    r = s.scan("nothing evil here", profile="t")
    w = r.response.to_wire()
    assert w["timeout"] is True and w["error"] is True
    assert w["category"] == "timeout" and w["action"] == "block"
    assert w["errors"] == [{"content_type": "prompt", "feature": "toxic_content", "status": "timeout"}]
    assert "toxic_content" not in w["prompt_detected"]  # a detector that did not finish has no flag
    sdk_parse("ScanResponse", w)


def test_error_fail_open_allows_but_reports() -> None:
    s = scanner_with(fail_mode="open", detectors={"malicious_code": {}, "dlp": {}})
    r = s.scan("harmless", profile="t")
    w = r.response.to_wire()
    assert w["error"] is True and w["timeout"] is False
    assert w["category"] == "error" and w["action"] == "allow"
    assert w["errors"] == [{"content_type": "prompt", "feature": "malicious_code", "status": "error"}]
    assert r.failed


def test_detection_wins_over_failure_in_category() -> None:
    s = scanner_with(detectors={"malicious_code": {}, "dlp": {}})
    assert s.scan("evil", profile="t").category == "malicious"


def test_data_type_selection() -> None:
    s = scanner_with(detectors={"dlp": {"on": ["response"]}})
    r = s.scan({"prompt": "evil", "response": "ok"}, profile="t")
    w = r.response.to_wire()
    assert w["prompt_detected"] == {} and w["response_detected"] == {"dlp": False}
    assert r.action == "allow"


def test_tool_event_scan_fills_tool_detected() -> None:
    s = scanner_with(detectors={"dlp": {"options": {"mask": True}}})
    te = {
        "metadata": {"ecosystem": "mcp", "method": "tools/call", "server_name": "fs", "tool_invoked": "read"},
        "input": '{"path": "a"}',
        "output": '{"text": "evil"}',
    }
    r = s.scan({"tool_event": te}, profile="t")
    w = r.response.to_wire()
    td = w["tool_detected"]
    assert td["verdict"] == "malicious"
    assert td["summary"]["detections"] == {"dlp": True}
    assert td["input_detected"]["detection_entries"][0]["detections"] == {"dlp": False}
    out = td["output_detected"]["detection_entries"][0]
    assert out["tool_invoked"] == "read" and out["masked_data"]["data"] == '{"text": "XXXX"}'
    sdk_parse("ScanResponse", w)
    report = r.report.to_wire()
    assert {d["metadata"]["direction"] for d in report["detection_results"]} == {"input", "output"}
    sdk_parse("ThreatScanReportObject", report)


MCP_CALL = {"ecosystem": "mcp", "method": "tools/call", "server_name": "fs", "tool_invoked": "read_file"}


def test_tool_event_with_only_metadata_scans_the_names() -> None:
    """LiteLLM sends an MCP tool call without arguments as a tool_event carrying only metadata."""
    s = scanner_with(detectors={"dlp": {"options": {"word": "evil"}}})
    items = items_for(exchange_of(ScanContent.model_validate({"tool_event": {"metadata": MCP_CALL}})))
    assert [(i.field, i.data_type, i.text) for i in items] == [
        ("tool_input", "tool_event", '{"server_name": "fs", "tool_invoked": "read_file"}')
    ]
    assert items[0].tool is not None and items[0].tool.tool_invoked == "read_file"
    ok = s.scan({"tool_event": {"metadata": MCP_CALL}}, profile="t")
    assert ok.action == "allow"
    w = ok.response.to_wire()
    assert w["tool_detected"]["metadata"] == MCP_CALL
    assert w["tool_detected"]["input_detected"]["detection_entries"][0]["detections"] == {"dlp": False}
    sdk_parse("ScanResponse", w)
    bad = s.scan({"tool_event": {"metadata": {**MCP_CALL, "tool_invoked": "evil_exec"}}}, profile="t")
    assert bad.blocked and bad.response.to_wire()["tool_detected"]["summary"]["detections"] == {"dlp": True}
    sdk_parse("ThreatScanReportObject", bad.report.to_wire())
    no_tool = {k: v for k, v in MCP_CALL.items() if k != "tool_invoked"}
    assert s.scan({"tool_event": {"metadata": {**no_tool, "server_name": "evil-srv"}}}, profile="t").blocked


def test_metadata_only_tool_event_reaches_the_agent_detector() -> None:
    s = scanner_with(detectors={"agent": {"options": {"use_injection_detector": False, "blocked_hosts": ["exfil.io"]}}})
    r = s.scan({"tool_event": {"metadata": {**MCP_CALL, "server_name": "mcp.exfil.io"}}}, profile="t")
    assert r.blocked and r.response.to_wire()["tool_detected"]["summary"]["threats"] == ["data exfiltration"]
    assert not s.scan({"tool_event": {"metadata": MCP_CALL}}, profile="t").blocked


def test_unknown_profile_and_unimplemented_detector_are_errors() -> None:
    s = scanner_with(detectors={"dlp": {}})
    with pytest.raises(ProfileError, match="unknown profile"):
        s.scan("x", profile="nope")
    from interlock.profiles.loader import check_profile

    with pytest.raises(ProfileError, match="not implemented"):
        check_profile(Profile(name="bad", detectors={"ungrounded_x": {}}))
    with pytest.raises(ProfileError, match="invalid options"):
        check_profile(Profile(name="bad", detectors={"dlp": {"options": {"nope": 1}}}))


def test_oversized_text_is_rejected_not_truncated() -> None:
    s = scanner_with(detectors={"dlp": {}})
    with pytest.raises(InvalidRequestError) as info:
        s.scan("a" * (2 * 1024 * 1024 + 1), profile="t")
    assert info.value.status_code == 413


def test_bad_content_is_invalid_request() -> None:
    s = scanner_with(detectors={"dlp": {}})
    with pytest.raises(InvalidRequestError):
        s.scan({"prompt": ""}, profile="t")
    with pytest.raises(InvalidRequestError):
        s.scan(123, profile="t")  # type: ignore[arg-type]


def test_async_and_batch_match_sync() -> None:
    s = scanner_with(detectors={"dlp": {}})
    texts = ["evil", "fine", "more evil"]
    sync = [r.action for r in s.scan_batch(texts, profile="t")]
    asyn = [r.action for r in asyncio.run(s.ascan_batch(texts, profile="t"))]
    assert sync == asyn == ["block", "allow", "block"]


def test_fakes_are_what_the_registry_builds() -> None:
    assert registry.detector_class("dlp") is WordDetector
    assert registry.detector_class("toxic_content") is SlowDetector
    assert registry.detector_class("malicious_code") is BrokenDetector
