"""Every example of the AIRS spec round-trips through our models, and what we emit parses with the SDK."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from interlock.models import (
    AsyncScanObject,
    AsyncScanResponse,
    ScanIdResult,
    ScanRequest,
    ScanResponse,
    ThreatScanReport,
)
from tests.sdk_models import sdk_parse

FIXTURES = Path(__file__).parents[2] / "fixtures" / "airs"

CASES = [
    ("sync_request.json", ScanRequest, "ScanRequest"),
    ("sync_request_tool_event.json", ScanRequest, "ScanRequest"),
    ("sync_response_benign.json", ScanResponse, "ScanResponse"),
    ("sync_response_block_dlp.json", ScanResponse, "ScanResponse"),
    ("sync_response_partial_failure.json", ScanResponse, "ScanResponse"),
    ("async_request.json", list[AsyncScanObject], "AsyncScanObject"),
    ("async_response.json", AsyncScanResponse, "AsyncScanResponse"),
    ("scan_results.json", list[ScanIdResult], "ScanIdResult"),
    ("threat_reports.json", list[ThreatScanReport], "ThreatScanReportObject"),
]


def _dump(value: object) -> object:
    if isinstance(value, list):
        return [v.to_wire() for v in value]
    return value.to_wire()  # type: ignore[attr-defined]


def _normalise_ts(obj: object) -> object:
    """Timestamps re-serialise canonically ('...Z', microseconds); compare them as parsed instants."""
    from datetime import datetime

    if isinstance(obj, dict):
        return {k: _normalise_ts(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_normalise_ts(v) for v in obj]
    if isinstance(obj, str) and len(obj) >= 20 and obj[4] == "-" and obj.endswith("Z") and "T" in obj:
        return datetime.fromisoformat(obj.replace("Z", "+00:00"))
    return obj


@pytest.mark.parametrize(("name", "model", "sdk_kind"), CASES, ids=[c[0] for c in CASES])
def test_spec_example_round_trips(name: str, model: object, sdk_kind: str) -> None:
    raw = json.loads((FIXTURES / name).read_text())
    parsed = TypeAdapter(model).validate_python(raw)
    again = _dump(parsed)
    assert _normalise_ts(again) == _normalise_ts(raw)
    sdk_parse(sdk_kind, again)


def test_scan_response_always_has_timeout_error_errors() -> None:
    r = ScanResponse(report_id="R1", scan_id="1", category="benign", action="allow")
    wire = r.to_wire()
    assert wire["timeout"] is False and wire["error"] is False and wire["errors"] == []
    assert "prompt_detected" not in wire  # absent, never null


@pytest.mark.parametrize(
    "bad",
    [
        {"tr_id": 1234, "ai_profile": {"profile_name": "p"}, "contents": [{"prompt": "x"}]},
        {"ai_profile": {"profile_name": "p"}, "contents": []},
        {"ai_profile": {}, "contents": [{"prompt": "x"}]},
        {"ai_profile": {"profile_id": "not-a-uuid"}, "contents": [{"prompt": "x"}]},
        {"ai_profile": {"profile_name": "p" * 101}, "contents": [{"prompt": "x"}]},
        {"ai_profile": {"profile_name": "p"}, "contents": [{"prompt": ""}]},
        {"ai_profile": {"profile_name": "p"}, "contents": [{"context": "only context"}]},
        {"ai_profile": {"profile_name": "p"}, "contents": [{"prompt": True}]},
        {"ai_profile": {"profile_name": "p"}, "contents": [{"tool_event": {"metadata": {"ecosystem": "mcp"}}}]},
        {"ai_profile": {"profile_name": "p"}, "contents": [{"tool_event": {}}]},
        {"ai_profile": {"profile_name": "p"}, "contents": [{"tool_event": {"input": ""}}]},
    ],
)
def test_invalid_requests_are_rejected(bad: dict) -> None:
    with pytest.raises(ValidationError):
        ScanRequest.model_validate(bad)


def test_tool_event_null_is_absent() -> None:
    req = ScanRequest.model_validate(
        {"ai_profile": {"profile_name": "p"}, "contents": [{"prompt": "x", "tool_event": None}]}
    )
    assert req.contents[0].tool_event is None


def test_async_req_id_must_be_uint32() -> None:
    base = {"scan_req": {"ai_profile": {"profile_name": "p"}, "contents": [{"prompt": "x"}]}}
    with pytest.raises(ValidationError):
        AsyncScanObject.model_validate({"req_id": "1", **base})
    with pytest.raises(ValidationError):
        AsyncScanObject.model_validate({"req_id": 2**32, **base})
    assert AsyncScanObject.model_validate({"req_id": 7, **base}).req_id == 7


def test_topic_report_uses_camel_case_on_the_wire() -> None:
    from interlock.models import TopicGuardrailsReport

    t = TopicGuardrailsReport.model_validate({"blockedTopics": ["space"], "blocked_topic_list": "matched"})
    assert t.blocked_topics == ["space"]
    assert t.to_wire() == {"blocked_topic_list": "matched", "blockedTopics": ["space"]}
