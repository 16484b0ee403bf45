"""AIRS threat report models (sections 6.9-6.11 of the API description)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from interlock.models._base import Bool, Int, Str, WireModel

__all__ = [
    "AgentPattern",
    "AgentReport",
    "CgReport",
    "CodeAnalysis",
    "CommandInjectionEntry",
    "DbsEntry",
    "DetectionResult",
    "DlpPatternDetection",
    "DlpReport",
    "DlpSnippetMeta",
    "DlpSnippets",
    "DSResultMetadata",
    "McReport",
    "MalwareScriptReport",
    "PiReport",
    "ResultDetail",
    "SourceCodeReport",
    "TcReport",
    "ThreatScanReport",
    "TopicGuardrailsReport",
    "TruncationInfo",
    "UrlfEntry",
    "SERVICE_NAMES",
]

#: Flag name (``*_detected``) -> report ``detection_service`` short name.
SERVICE_NAMES: dict[str, str] = {
    "url_cats": "uf",
    "dlp": "dlp",
    "injection": "pi",
    "toxic_content": "tc",
    "malicious_code": "malicious_code",
    "agent": "agent_security",
    "topic_violation": "topic_guardrails",
    "db_security": "dbs",
    "ungrounded": "contextual_grounding",
}

Snippets = list[Str]


class UrlfEntry(WireModel):
    """One URL found and how it was categorised."""

    url: Str | None = None
    risk_level: Str | None = None
    action: Str | None = None
    categories: list[Str] | None = None


class DlpPatternDetection(WireModel):
    """Offsets of one DLP data pattern, by confidence."""

    data_pattern_id: Str | None = None
    version: Int | None = None
    name: Str | None = None
    high_confidence_detections: list[list[Int]] | None = None
    medium_confidence_detections: list[list[Int]] | None = None
    low_confidence_detections: list[list[Int]] | None = None


class DlpReport(WireModel):
    """DLP report: profile and per-pattern offsets."""

    dlp_report_id: Str | None = None
    dlp_profile_name: Str | None = None
    dlp_profile_id: Str | None = None
    dlp_profile_version: Int | None = None
    data_pattern_rule1_verdict: Str | None = None
    data_pattern_rule2_verdict: Str | None = None
    data_pattern_detection_offsets: list[DlpPatternDetection] | None = None


class DlpSnippetMeta(WireModel):
    """Metadata of DLP snippets."""

    data_pattern: Str
    confidence_level: Literal["low", "medium", "high"]
    data_pattern_type: Str | None = None
    occurrence: Int


class DlpSnippets(WireModel):
    """DLP snippets (at most 10, each at most 1000 characters)."""

    meta: DlpSnippetMeta
    snippets: Snippets = Field(max_length=10)


class PiReport(WireModel):
    """Prompt-injection report."""

    verdict: Str | None = None


class DbsEntry(WireModel):
    """One database statement class found."""

    sub_type: Str | None = None
    verdict: Str | None = None
    action: Str | None = None


class TcReport(WireModel):
    """Toxic-content report."""

    confidence: Str | None = None
    verdict: Str | None = None
    toxic_categories: list[Str] | None = None


class CodeAnalysis(WireModel):
    """One code block's language and hash."""

    file_type: Str | None = None
    code_sha256: Str | None = None


class MalwareScriptReport(WireModel):
    """Verdict of the malware-script analysis."""

    verdict: Str | None = None


class CommandInjectionEntry(WireModel):
    """A code block analysed for command injection."""

    code_block: Str | None = None
    verdict: Str | None = None


class TruncationInfo(WireModel):
    """How a long payload was truncated before analysis."""

    payload_truncated: Bool | None = None
    original_payload_length: Int | None = None
    truncated_payload_length: Int | None = None
    truncation_mode: Literal["tail", "head", "both"] | None = None


class McReport(WireModel):
    """Malicious-code report."""

    all_code_blocks: list[Str] | None = None
    code_analysis_by_type: list[CodeAnalysis] | None = None
    verdict: Str | None = None
    malware_script_report: MalwareScriptReport | None = None
    command_injection_report: list[CommandInjectionEntry] | None = None
    truncation_info: TruncationInfo | None = None


class AgentPattern(WireModel):
    """One agent-threat pattern and its verdict."""

    category_type: Str | None = None
    verdict: Str | None = None


class AgentReport(WireModel):
    """Agent-security report."""

    model_verdict: Str | None = None
    agent_framework: Str | None = None
    agent_patterns: list[AgentPattern] | None = None


class TopicGuardrailsReport(WireModel):
    """Topic-guardrails report (camelCase topic lists on the wire)."""

    allowed_topic_list: Str | None = None
    blocked_topic_list: Str | None = None
    allowed_topics: list[Str] | None = Field(default=None, alias="allowedTopics")
    blocked_topics: list[Str] | None = Field(default=None, alias="blockedTopics")


class CgReport(WireModel):
    """Contextual-grounding report."""

    status: Str | None = None
    explanation: Str | None = None
    category: Str | None = None


class SourceCodeReport(WireModel):
    """Source-code report (SDK only)."""

    verdict: Str | None = None
    confidence_score: float | None = None
    code_present: Bool | None = None
    category: Str | None = None


class ResultDetail(WireModel):
    """``result_detail``: normally only the reporting service's key is present."""

    urlf_report: list[UrlfEntry] | None = None
    dlp_report: DlpReport | None = None
    dlp_snippets: DlpSnippets | None = None
    pi_report: PiReport | None = None
    pi_snippets: Snippets | None = Field(default=None, max_length=10)
    dbs_report: list[DbsEntry] | None = None
    dbs_snippets: Snippets | None = Field(default=None, max_length=10)
    tc_report: TcReport | None = None
    tc_snippets: Snippets | None = Field(default=None, max_length=10)
    mc_report: McReport | None = None
    agent_report: AgentReport | None = None
    topic_guardrails_report: TopicGuardrailsReport | None = None
    cg_report: CgReport | None = None
    source_code_report: SourceCodeReport | None = None
    source_code_snippets: Snippets | None = Field(default=None, max_length=10)


class DSResultMetadata(WireModel):
    """Tool-event metadata of a detection result."""

    ecosystem: Str | None = None
    method: Str | None = None
    server_name: Str | None = None
    tool_invoked: Str | None = None
    direction: Literal["input", "output"] | None = None


class DetectionResult(WireModel):
    """One ``(data_type, detection_service)`` result in a threat report."""

    data_type: Str | None = None
    detection_service: Str | None = None
    verdict: Str | None = None
    action: Str | None = None
    metadata: DSResultMetadata | None = None
    result_detail: ResultDetail | None = None


class ThreatScanReport(WireModel):
    """One element of ``GET /v1/scan/reports`` (SDK: ``ThreatScanReportObject``)."""

    source: Str | None = None
    report_id: Str | None = None
    scan_id: Str | None = None
    req_id: Int | None = None
    transaction_id: Str | None = None
    session_id: Str | None = None
    detection_results: list[DetectionResult] | None = None
