"""The detector contract: what a detector receives, what it returns, and the protocol it implements.

A detector is one module under ``interlock.detectors`` holding one class that satisfies :class:`Detector`:

* ``name`` — the AIRS flag name it reports under (``"injection"``, ``"dlp"``, ``"url_cats"`` ...). It is also the
  key used in profiles and in the registry.
* ``data_types`` — the AIRS data types it can scan (``prompt``, ``response``, ``tool_event``).
* ``Options`` — a pydantic model of its profile settings (validated when the profile loads, so a typo is a
  clear :class:`~interlock.errors.ProfileError`, never a silently ignored setting).
* ``__init__(options)`` builds everything expensive once (compiled patterns, models);
* ``detect(item) -> DetectorResult`` is pure CPU work, thread-safe, and linear in the size of ``item.text``.

The engine never knows what a detector does; the wire layer (``engine/to_wire.py``) only reads the
:class:`DetectorResult`. Adding a detector touches no other detector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

__all__ = [
    "DataType",
    "Detector",
    "DetectorOptions",
    "DetectorResult",
    "Finding",
    "ScanItem",
    "ToolInfo",
]

DataType = Literal["prompt", "response", "tool_event"]
Confidence = Literal["high", "medium", "low"]


class DetectorOptions(BaseModel):
    """Base of each detector's profile options. Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class ToolInfo:
    """The tool event a text belongs to (when ``data_type == "tool_event"``)."""

    ecosystem: str
    method: str
    server_name: str
    tool_invoked: str | None = None
    direction: Literal["input", "output"] = "input"


@dataclass(frozen=True)
class ScanItem:
    """One text handed to a detector.

    Attributes:
        text: the text to scan.
        field: where it came from: ``prompt``, ``response``, ``code_prompt``, ``code_response``,
            ``tool_input`` or ``tool_output``.
        data_type: the AIRS data type the result is reported under.
        prompt: the prompt of the same exchange (for response-side detectors), if any.
        context: grounding context sent with the request, if any.
        tool: the tool event, for tool inputs and outputs.
        is_code: true for ``code_prompt``/``code_response``: the whole text is code.
    """

    text: str
    field: str
    data_type: DataType
    prompt: str | None = None
    context: str | None = None
    tool: ToolInfo | None = None
    is_code: bool = False


@dataclass(frozen=True)
class Finding:
    """One thing a detector found, as a half-open ``[start, end)`` span of ``ScanItem.text``.

    Attributes:
        detector: the detector's ``name``.
        entity: what was found: a rule, data-pattern or category name (``"instruction_override"``,
            ``"Credit Card Number"``).
        start, end: character offsets into the scanned text (``end`` exclusive).
        score: 0..1, how sure the detector is.
        confidence: ``high``/``medium``/``low`` (AIRS confidence buckets).
        mask: the span holds sensitive data that masking should overwrite.
        explanation: a short human-readable reason; never contains the matched secret.
        data: extra structured facts for reports (categories, pattern ids, ...); never raw secrets.
        field: filled in by the engine: which content field the text came from.
    """

    detector: str
    entity: str
    start: int
    end: int
    score: float = 1.0
    confidence: Confidence = "high"
    mask: bool = False
    explanation: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    field: str = ""


@dataclass
class DetectorResult:
    """What a detector returns for one :class:`ScanItem`.

    Attributes:
        detected: true when the detector judges the text a threat (the engine then applies the profile's action).
        findings: the evidence, spans included. URL filtering also lists benign URLs here.
        score: the detector's overall score for the text, 0..1.
        detail: the AIRS ``result_detail`` payload for this service, as plain JSON-ready data keyed like the
            wire (``{"urlf_report": [...]}``); validated against the wire models in ``to_wire``.
        categories: detail categories for ``*_detection_details`` (toxic categories, matched topics) and
            tool-event threat names.
    """

    detected: bool
    findings: list[Finding] = field(default_factory=list)
    score: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)
    categories: dict[str, list[str]] = field(default_factory=dict)


@runtime_checkable
class Detector(Protocol):
    """The one protocol every detector implements.

    A detector whose first ``detect`` would build lazy state (a library's tables, a trie) may also define
    ``warm() -> None`` that builds it; :meth:`~interlock.engine.engine.Engine.warm` calls it when present (it is
    not part of the protocol, so detectors without lazy state need nothing).
    """

    name: ClassVar[str]
    data_types: ClassVar[frozenset[str]]
    Options: ClassVar[type[DetectorOptions]]

    def detect(self, item: ScanItem) -> DetectorResult:
        """Scan one text. Must be thread-safe, linear-time, and must not mutate shared state."""
        ...
