"""The scanning policy shared by the guard, the callback handler and the agent middleware.

One place decides what a scan result means for a LangChain value: let it through, mask it, replace it, or
block it (raise). Scanning goes only through :class:`interlock.Scanner` (``scan``/``ascan``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import BaseMessage

from interlock.errors import ThreatDetected
from interlock.masking import MaskStrategy, Span
from interlock.models import MaskedData
from interlock.scanner import Scanner, ScanResult, scanner as make_scanner
from interlock.streaming import MASKABLE_SERVICES, ScanFailed
from langchain_interlock._text import Texts, mask_pieces

__all__ = ["Action", "Checker", "Outcome", "Side", "default_scanner", "tool_event"]

logger = logging.getLogger("langchain_interlock")

Action = Literal["raise", "replace", "mask"]
Fallback = Literal["raise", "replace"]
#: What is scanned: a prompt, a model response, or a tool call's input/output (sent as an AIRS tool event).
Side = Literal["prompt", "response", "tool_input", "tool_output"]

_default: Scanner | None = None
_default_lock = threading.Lock()


def default_scanner() -> Scanner:
    """The scanner components use when given none: one shared :func:`interlock.scanner`, created on first use.

    Sharing it means detectors are built once per process, however many guards are created.
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = make_scanner()
        return _default


_WIRE_SIDE = {"prompt": "prompt", "response": "response", "tool_input": "tool_event", "tool_output": "tool_event"}


def tool_event(
    text: str, side: Side, *, tool: str | None, server_name: str = "langchain", ecosystem: str = "langchain"
) -> dict[str, Any]:
    """The AIRS ``tool_event`` content for a tool call's input or output."""
    direction = "input" if side == "tool_input" else "output"
    meta = {"ecosystem": ecosystem, "method": "tools/call", "server_name": server_name, "tool_invoked": tool}
    return {"tool_event": {"metadata": {k: v for k, v in meta.items() if v}, direction: text}}


def _masked_data(result: ScanResult, side: Side) -> MaskedData | None:
    if side in ("prompt", "response"):
        return result.masked_data(side)
    td = result.response.tool_detected
    io = getattr(td, "input_detected" if side == "tool_input" else "output_detected", None) if td else None
    for entry in io.detection_entries if io else []:
        if isinstance(entry.masked_data, MaskedData):
            return entry.masked_data
    return None


def _spans(md: MaskedData | None) -> list[Span]:
    if md is None:
        return []
    return [(loc[0], loc[1], pd.pattern) for pd in md.pattern_detections for loc in pd.locations if len(loc) == 2]


@dataclass
class Outcome:
    """What to do with a scanned value.

    Attributes:
        value: the value to pass on (the original, or a masked copy); ``None`` when ``blocked``.
        blocked: the value must be replaced by the safe message (``replace`` action).
        result: the scan result (``None`` when the scan raised and ``fail_open`` let the value through).
        masked: the value was rewritten with masked text.
        failed_open: the scan failed and ``fail_open`` let the value through unscanned.
        error: why the value was blocked (set with ``blocked``).
        message: the safe message to answer with, when the step that blocked chose it (else the caller's).
    """

    value: Any = None
    blocked: bool = False
    result: ScanResult | None = None
    masked: bool = False
    failed_open: bool = False
    error: ThreatDetected | None = None
    message: str | None = None

    def marked(self) -> Any:
        """``value``, with :meth:`marker` in its ``response_metadata`` when it is a message masked/failed open."""
        value = self.value
        if (self.masked or self.failed_open) and isinstance(value, BaseMessage):
            meta = {**value.response_metadata, "interlock": self.marker()}
            return value.model_copy(update={"response_metadata": meta})
        return value

    def marker(self) -> dict[str, Any]:
        """A small JSON-able record of the decision, attached to output metadata where possible."""
        info: dict[str, Any] = {"action": "replaced" if self.blocked else "masked" if self.masked else "allowed"}
        if self.result is not None:
            info["scan_id"] = self.result.response.scan_id
            info["category"] = self.result.category
        if self.error is not None and self.error.side:
            info["side"] = self.error.side
        if self.failed_open:
            info["failed_open"] = True
        return info


@dataclass
class Checker:
    """Scans text pieces and applies the configured action.

    Args:
        scanner: where scans go.
        action: ``raise`` (raise :class:`interlock.ThreatDetected`), ``replace`` (caller substitutes a safe
            message) or ``mask`` (sensitive data masked with ``mask_strategy``; other threats use
            ``mask_fallback``).
        fail_open: when the scan errors/times out, let the value through (logged, marked) instead of blocking.
        scan_kwargs: ``profile``/``profile_id``/``session_id`` forwarded to every scan.
        metadata: AIRS ``metadata`` (``app_name``, ``app_user``, ``ai_model``) sent with every scan.
        server_name: ``tool_event.metadata.server_name`` of tool scans.
    """

    scanner: Scanner
    action: Action = "raise"
    mask_strategy: MaskStrategy = "type"
    mask_fallback: Fallback = "raise"
    fail_open: bool = False
    scan_kwargs: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    server_name: str = "langchain"

    def request(
        self, side: Side, text: str, *, tool: str | None = None, tr_id: str | None = None, **extra_meta: Any
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The content and keyword arguments of one scan."""
        content: dict[str, Any] = (
            tool_event(text, side, tool=tool, server_name=self.server_name)
            if side in ("tool_input", "tool_output")
            else {side: text}
        )
        meta = {k: v for k, v in {**self.metadata, **extra_meta}.items() if v}
        kwargs: dict[str, Any] = {**self.scan_kwargs, "tr_id": tr_id}
        if meta:
            kwargs["metadata"] = meta
        return content, kwargs

    def check(self, side: Side, texts: Texts, value: Any, *, tool: str | None = None, **kw: Any) -> Outcome:
        """Scan ``value`` (whose text is ``texts``) and decide; raises when the decision is to block by raising."""
        if not texts.text:
            return Outcome(value=value)
        content, kwargs = self.request(side, texts.text, tool=tool, **kw)
        try:
            result = self.scanner.scan(content, **kwargs)
        except Exception as exc:
            return self.on_error(side, value, exc)
        return self.decide(side, texts, value, result)

    async def acheck(self, side: Side, texts: Texts, value: Any, *, tool: str | None = None, **kw: Any) -> Outcome:
        """Async :meth:`check` (uses :meth:`Scanner.ascan`)."""
        if not texts.text:
            return Outcome(value=value)
        content, kwargs = self.request(side, texts.text, tool=tool, **kw)
        try:
            result = await self.scanner.ascan(content, **kwargs)
        except Exception as exc:
            return self.on_error(side, value, exc)
        return self.decide(side, texts, value, result)

    def on_error(self, side: Side, value: Any, exc: Exception) -> Outcome:
        """A scan raised: fail closed (block) unless ``fail_open``."""
        if self.fail_open:
            logger.warning("interlock: %s scan failed (%s); passing it unscanned (fail_open=True)", side, exc)
            return Outcome(value=value, failed_open=True)
        error = ScanFailed(f"{side} scan failed ({type(exc).__name__}); failing closed", side=_WIRE_SIDE[side])
        error.__cause__ = exc
        return self.block(side, error)

    def decide(self, side: Side, texts: Texts, value: Any, result: ScanResult) -> Outcome:
        """Turn a scan result into an :class:`Outcome` (or raise)."""
        wire_side = _WIRE_SIDE[side]
        detected = result.detected()
        threat = result.blocked and (not result.failed or bool(detected))
        failed_open = not threat and result.failed
        if failed_open:
            if not self.fail_open:
                msg = f"{side} scan failed ({result.category}); failing closed; scan_id={result.response.scan_id}"
                error = ScanFailed(msg, response=result.response, side=wire_side, result=result)
                return self.block(side, error, result)
            logger.warning("interlock: %s scan %s; passing it (fail_open=True)", side, result.category)
        # the profile's masking (an allowed scan with masked data) applies whatever the action; action="mask"
        # also masks what the profile blocks when sensitive data is the only threat
        md = _masked_data(result, side) if self.action == "mask" or not result.blocked else None
        if threat:
            services = set(detected.get(wire_side, []))
            if md is None or not services or not services <= MASKABLE_SERVICES or set(detected) - {wire_side}:
                names = ", ".join(sorted({s for v in detected.values() for s in v})) or result.category
                msg = f"{side} blocked by Interlock ({names}); scan_id={result.response.scan_id}"
                return self.block(side, ThreatDetected(msg, response=result.response, side=wire_side, result=result))
        if md is not None:
            masked = self.masked(texts, result, side, md)
            if masked is None:
                msg = f"{side} could not be masked safely; scan_id={result.response.scan_id}"
                return self.block(side, ThreatDetected(msg, response=result.response, side=wire_side, result=result))
            return Outcome(value=masked, result=result, masked=True, failed_open=failed_open)
        return Outcome(value=value, result=result, failed_open=failed_open)

    def masked(self, texts: Texts, result: ScanResult, side: Side, md: MaskedData) -> Any | None:
        """``value`` rebuilt with masked text, or ``None`` when the mask cannot be applied."""
        try:
            if len(texts.pieces) == 1 and side in ("prompt", "response"):
                text = result.masked(side, self.mask_strategy)
                if text is not None:
                    return texts.rebuild([text])
            spans = _spans(md)
            if not spans:
                return None
            return texts.rebuild(mask_pieces(texts.pieces, spans, self.mask_strategy))
        except (ValueError, TypeError):  # e.g. masked tool-call arguments no longer parse as JSON
            return None

    def block(self, side: Side, error: ThreatDetected, result: ScanResult | None = None) -> Outcome:
        """Apply the blocking action: raise ``error`` or ask the caller to replace the value."""
        how = self.mask_fallback if self.action == "mask" else self.action
        if how == "replace":
            logger.info("interlock: %s replaced: %s", side, error)
            return Outcome(blocked=True, result=error.result if error.result is not None else result, error=error)
        raise error
