"""The one bridge from engine results to AIRS wire models.

* :func:`scan_response` builds the ``ScanResponse``: verdict, per-data-type flags (a key only for a detector
  that ran on that data type), masked data, detection details, ``tool_detected`` and ``errors``.
* :func:`threat_report` builds the ``ThreatScanReport``: one detection result per (data type, service) — per
  (direction, service) for tool events — with each detector's ``result_detail``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from interlock.engine.base import Finding
from interlock.engine.engine import EngineResult, Outcome
from interlock.engine.verdict import decide, finding_action, outcome_action
from interlock.masking import mask_text
from interlock.models import (
    ContentError,
    DetectionDetails,
    DetectionResult,
    DSResultMetadata,
    IODetected,
    MaskedData,
    PatternDetection,
    PromptDetected,
    ResponseDetected,
    ResultDetail,
    ScanResponse,
    ScanSummary,
    ThreatScanReport,
    ToolDetected,
    ToolDetectionEntry,
    ToolDetectionFlags,
    ToolEventMetadata,
    TopicGuardrailsDetails,
    ToxicContentDetails,
)
from interlock.models.report import SERVICE_NAMES

__all__ = ["SOURCE", "scan_response", "threat_report"]

SOURCE = "AI-Runtime-API"

#: errors[].content_type only admits prompt/response: tool input counts as prompt, tool output as response.
_ERROR_CONTENT_TYPE = {"prompt": "prompt", "response": "response", "tool_input": "prompt", "tool_output": "response"}


def _flags(outcomes: list[Outcome]) -> dict[str, bool]:
    flags: dict[str, bool] = {}
    for o in outcomes:
        if o.status == "ok":
            flags[o.detector] = flags.get(o.detector, False) or o.detected
    return flags


def _masked(text: str | None, findings: list[Finding]) -> MaskedData | None:
    spans = [f for f in findings if f.mask]
    if not text or not spans:
        return None
    by_pattern: dict[str, list[list[int]]] = defaultdict(list)
    for f in spans:
        loc = [f.start, f.end]
        if loc not in by_pattern[f.entity]:
            by_pattern[f.entity].append(loc)
    return MaskedData(
        data=mask_text(text, [(f.start, f.end, f.entity) for f in spans], "x"),
        pattern_detections=[PatternDetection(pattern=k, locations=sorted(v)) for k, v in by_pattern.items()],
    )


def _details(outcomes: list[Outcome]) -> DetectionDetails | None:
    cats: dict[str, list[str]] = defaultdict(list)
    for o in outcomes:
        if o.detected and o.result is not None:
            for key, values in o.result.categories.items():
                cats[key].extend(v for v in values if v not in cats[key])
    topics = None
    if cats.get("allowed_topics") or cats.get("blocked_topics"):
        topics = TopicGuardrailsDetails(
            allowed_topics=cats.get("allowed_topics") or None, blocked_topics=cats.get("blocked_topics") or None
        )
    toxic = ToxicContentDetails(toxic_categories=cats["toxic_categories"]) if cats.get("toxic_categories") else None
    if topics is None and toxic is None:
        return None
    return DetectionDetails(topic_guardrails_details=topics, toxic_content_details=toxic)


def _findings(outcomes: list[Outcome], field: str) -> list[Finding]:
    """The findings of ``field`` that masking covers: sensitive spans whose action is ``block`` or ``mask``."""
    return [
        f
        for o in outcomes
        if o.status == "ok" and o.result is not None and o.item.field == field
        for f in o.result.findings
        if f.mask and finding_action(o, f) != "report"
    ]


def _threats(outcomes: list[Outcome]) -> list[str]:
    out: list[str] = []
    for o in outcomes:
        if o.detected and o.result is not None:
            for t in o.result.categories.get("threats", []) or [o.detector]:
                if t not in out:
                    out.append(t)
    return out


def _tool_detected(result: EngineResult, texts: dict[str, str | None]) -> ToolDetected | None:
    tool_runs = [o for o in result.outcomes if o.item.data_type == "tool_event"]
    if not tool_runs:
        return None
    tool = tool_runs[0].item.tool
    assert tool is not None  # noqa: S101 - tool_event items always carry their tool
    io: dict[str, IODetected] = {}
    for direction, field in (("input", "tool_input"), ("output", "tool_output")):
        runs = [o for o in tool_runs if o.item.field == field]
        if not runs:
            continue
        masked = _masked(texts.get(field), _findings(runs, field)) if result.profile.masking else None
        entry = ToolDetectionEntry(
            tool_invoked=tool.tool_invoked,
            detections=ToolDetectionFlags(**_flags(runs)),
            threats=_threats(runs),
            masked_data=masked,
        )
        io[direction] = IODetected(detection_entries=[entry])
    detected = any(o.detected for o in tool_runs)
    return ToolDetected(
        verdict="malicious" if detected else "benign",
        metadata=ToolEventMetadata(
            ecosystem=tool.ecosystem, method=tool.method, server_name=tool.server_name, tool_invoked=tool.tool_invoked
        ),
        summary=ScanSummary(detections=ToolDetectionFlags(**_flags(tool_runs)), threats=_threats(tool_runs)),
        input_detected=io.get("input"),
        output_detected=io.get("output"),
    )


def scan_response(
    result: EngineResult,
    *,
    scan_id: str,
    texts: dict[str, str | None],
    created_at: datetime,
    completed_at: datetime,
    tr_id: str | None = None,
    session_id: str | None = None,
    transaction_id: str | None = None,
) -> ScanResponse:
    """Build the AIRS ``ScanResponse`` for an engine result.

    Args:
        texts: the scanned texts by field name (``prompt``, ``response``, ``tool_input``, ``tool_output``),
            used for masking.
    """
    verdict = decide(result)
    by_type: dict[str, list[Outcome]] = defaultdict(list)
    for o in result.outcomes:
        by_type[o.item.data_type].append(o)
    prompt_runs, response_runs = by_type.get("prompt", []), by_type.get("response", [])
    masking = result.profile.masking
    errors = [
        ContentError(
            content_type=_ERROR_CONTENT_TYPE.get(o.item.field, o.item.data_type),
            feature=o.detector,
            status=o.status,
        )
        for o in result.outcomes
        if o.status != "ok"
    ]
    return ScanResponse(
        source=SOURCE,
        report_id="R" + scan_id,
        scan_id=scan_id,
        tr_id=tr_id,
        session_id=session_id,
        transaction_id=transaction_id,
        profile_id=result.profile.id,
        profile_name=result.profile.name,
        category=verdict.category,
        action=verdict.action,
        prompt_detected=PromptDetected(**_flags(prompt_runs)),
        response_detected=ResponseDetected(**_flags(response_runs)),
        prompt_masked_data=_masked(texts.get("prompt"), _findings(prompt_runs, "prompt")) if masking else None,
        response_masked_data=_masked(texts.get("response"), _findings(response_runs, "response")) if masking else None,
        prompt_detection_details=_details(prompt_runs),
        response_detection_details=_details(response_runs),
        tool_detected=_tool_detected(result, texts),
        created_at=created_at,
        completed_at=completed_at,
        timeout=verdict.timeout,
        error=verdict.error,
        errors=errors,
    )


def _merge_detail(target: dict[str, Any], detail: dict[str, Any]) -> None:
    for key, value in detail.items():
        if key not in target:
            target[key] = value
        elif isinstance(value, list) and isinstance(target[key], list):
            target[key] = target[key] + value


def threat_report(
    result: EngineResult,
    *,
    scan_id: str,
    req_id: int = 0,
    tr_id: str | None = None,
    session_id: str | None = None,
) -> ThreatScanReport:
    """Build the AIRS ``ThreatScanReport`` for an engine result (one entry per data type and service)."""
    groups: dict[tuple[str, str, str | None], list[Outcome]] = defaultdict(list)
    for o in result.outcomes:
        direction = o.item.tool.direction if o.item.tool is not None else None
        groups[(o.item.data_type, o.detector, direction)].append(o)
    results: list[DetectionResult] = []
    fail_mode = result.profile.fail_mode
    for (data_type, detector, way), runs in groups.items():
        detected = any(o.detected for o in runs)
        detail: dict[str, Any] = {}
        for o in runs:
            if o.status == "ok" and o.result is not None:
                _merge_detail(detail, o.result.detail)
        tool = runs[0].item.tool
        failed = [o for o in runs if o.status != "ok"]
        results.append(
            DetectionResult(
                data_type=data_type,
                detection_service=SERVICE_NAMES.get(detector, detector),
                verdict="malicious" if detected else (failed[0].status if failed else "benign"),
                action="block" if any(outcome_action(o, fail_mode) == "block" for o in runs) else "allow",
                metadata=DSResultMetadata(
                    ecosystem=tool.ecosystem,
                    method=tool.method,
                    server_name=tool.server_name,
                    tool_invoked=tool.tool_invoked,
                    direction=way,
                )
                if tool is not None
                else None,
                result_detail=ResultDetail.model_validate(detail),
            )
        )
    return ThreatScanReport(
        source=SOURCE,
        report_id="R" + scan_id,
        scan_id=scan_id,
        req_id=req_id,
        transaction_id=tr_id,
        session_id=session_id,
        detection_results=results,
    )
