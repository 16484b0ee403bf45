"""AIRS scan response models (sections 6.1-6.8 of the API description)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from interlock.models._base import Bool, Int, Str, Timestamp, WireModel
from interlock.models.request import ToolEventMetadata

__all__ = [
    "AsyncScanResponse",
    "ContentError",
    "DetectionDetails",
    "IODetected",
    "MaskedData",
    "PatternDetection",
    "PromptDetected",
    "ResponseDetected",
    "ScanIdResult",
    "ScanResponse",
    "ScanSummary",
    "ToolDetected",
    "ToolDetectionDetails",
    "ToolDetectionEntry",
    "ToolDetectionFlags",
    "TopicGuardrailsDetails",
    "ToxicContentDetails",
    "FEATURES",
    "PROMPT_FEATURES",
    "RESPONSE_FEATURES",
    "TOOL_FEATURES",
]

#: Every detection-service flag name the wire format knows (``*_detected`` keys and ``errors[].feature``).
FEATURES = (
    "url_cats",
    "dlp",
    "injection",
    "toxic_content",
    "malicious_code",
    "agent",
    "topic_violation",
    "db_security",
    "ungrounded",
)
PROMPT_FEATURES = frozenset(
    {"url_cats", "dlp", "injection", "toxic_content", "malicious_code", "agent", "topic_violation"}
)
RESPONSE_FEATURES = frozenset(
    {"url_cats", "dlp", "db_security", "toxic_content", "malicious_code", "agent", "ungrounded", "topic_violation"}
)
TOOL_FEATURES = frozenset(
    {"url_cats", "dlp", "injection", "toxic_content", "malicious_code", "agent", "topic_violation", "db_security"}
)

Feature = Literal[
    "dlp",
    "injection",
    "url_cats",
    "toxic_content",
    "malicious_code",
    "agent",
    "topic_violation",
    "db_security",
    "ungrounded",
    "source_code",
]


class PromptDetected(WireModel):
    """Flags for the prompt; a key is present only when its detector ran."""

    url_cats: Bool | None = None
    dlp: Bool | None = None
    injection: Bool | None = None
    toxic_content: Bool | None = None
    malicious_code: Bool | None = None
    agent: Bool | None = None
    topic_violation: Bool | None = None


class ResponseDetected(WireModel):
    """Flags for the response; a key is present only when its detector ran."""

    url_cats: Bool | None = None
    dlp: Bool | None = None
    db_security: Bool | None = None
    toxic_content: Bool | None = None
    malicious_code: Bool | None = None
    agent: Bool | None = None
    ungrounded: Bool | None = None
    topic_violation: Bool | None = None


class ToolDetectionFlags(WireModel):
    """Flags for a tool event; a key is present only when its detector ran."""

    url_cats: Bool | None = None
    dlp: Bool | None = None
    injection: Bool | None = None
    toxic_content: Bool | None = None
    malicious_code: Bool | None = None
    agent: Bool | None = None
    topic_violation: Bool | None = None
    db_security: Bool | None = None


class PatternDetection(WireModel):
    """A DLP data pattern and where it matched: ``[start, end)`` character offsets."""

    pattern: Str
    locations: list[list[Int]]


class MaskedData(WireModel):
    """The scanned text with sensitive spans overwritten by ``X`` (same length)."""

    data: Str | None = None
    pattern_detections: list[PatternDetection] = Field(default_factory=list)


class TopicGuardrailsDetails(WireModel):
    """Topics matched by topic guardrails."""

    allowed_topics: list[Str] | None = None
    blocked_topics: list[Str] | None = None


class ToxicContentDetails(WireModel):
    """Toxic categories found."""

    toxic_categories: list[Str] | None = None


class DetectionDetails(WireModel):
    """``prompt_detection_details`` / ``response_detection_details``."""

    topic_guardrails_details: TopicGuardrailsDetails | None = None
    toxic_content_details: ToxicContentDetails | None = None


class ToolDetectionDetails(WireModel):
    """Details of a tool detection entry."""

    topic_guardrails_details: TopicGuardrailsDetails | None = None


class ScanSummary(WireModel):
    """Summary of a tool-event scan."""

    detections: ToolDetectionFlags = Field(default_factory=ToolDetectionFlags)
    threats: list[Str] = Field(default_factory=list)


class ToolDetectionEntry(WireModel):
    """Detections for one tool (one per listed tool for ``tools/list``)."""

    tool_invoked: Str | None = None
    detections: ToolDetectionFlags | None = None
    threats: list[Str] | None = None
    details: ToolDetectionDetails | None = None
    masked_data: MaskedData | None = None


class IODetected(WireModel):
    """Detections on a tool event's input or output."""

    detection_entries: list[ToolDetectionEntry] = Field(default_factory=list)


class ToolDetected(WireModel):
    """Result of scanning a ``tool_event``."""

    verdict: Str | None = None
    metadata: ToolEventMetadata | None = None
    summary: ScanSummary | None = None
    input_detected: IODetected | None = None
    output_detected: IODetected | None = None


class ContentError(WireModel):
    """A detector that failed or timed out (every value is enum-validated by the SDK)."""

    content_type: Literal["prompt", "response"] | None = None
    feature: Feature | None = None
    status: Literal["error", "timeout"] | None = None


class ScanResponse(WireModel):
    """Response of a sync scan (also ``ScanIdResult.result``). Field order is the SDK's."""

    source: Str | None = None
    report_id: Str
    scan_id: Str
    tr_id: Str | None = None
    session_id: Str | None = None
    transaction_id: Str | None = None
    profile_id: Str | None = None
    profile_name: Str | None = None
    category: Str
    action: Str
    prompt_detected: PromptDetected | None = None
    response_detected: ResponseDetected | None = None
    prompt_masked_data: MaskedData | None = None
    response_masked_data: MaskedData | None = None
    prompt_detection_details: DetectionDetails | None = None
    response_detection_details: DetectionDetails | None = None
    tool_detected: ToolDetected | None = None
    created_at: Timestamp | None = None
    completed_at: Timestamp | None = None
    timeout: Bool = False
    error: Bool = False
    errors: list[ContentError] = Field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """True when the verdict's action is ``block``."""
        return self.action == "block"


class AsyncScanResponse(WireModel):
    """Response of ``POST /v1/scan/async/request``: one scan id for the whole batch."""

    received: Timestamp
    scan_id: Str
    report_id: Str | None = None
    source: Str | None = None


class ScanIdResult(WireModel):
    """One element of ``GET /v1/scan/results``."""

    source: Str | None = None
    req_id: Int | None = None
    status: Str | None = None
    scan_id: Str | None = None
    result: ScanResponse | None = None
