"""Scanning and verdict logic shared by the postprocessor and the guarded engines (framework-free).

Every scan goes through an :class:`interlock.Scanner`; this module only turns a :class:`~interlock.ScanResult`
(or a failed scan) into one of four actions and a JSON-ready record for LlamaIndex metadata.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from interlock.errors import ConfigError, InvalidRequestError, ThreatDetected
from interlock.masking import MaskStrategy
from interlock.scanner import ContentLike, Scanner, ScanResult, scanner
from interlock.streaming import ScanFailed, StreamScanner, maskable, masked_by_profile

__all__ = ["Action", "Guard", "Verdict"]

logger = logging.getLogger("llama_index.postprocessor.interlock")

#: Serialises the lazy creation of default scanners (building the local engine loads the detectors once).
SCANNER_LOCK = threading.Lock()

#: ``allow``: clean; ``alert``: detected but the profile does not block; ``mask``: sensitive data masked;
#: ``block``: must not pass.
Action = Literal["allow", "alert", "mask", "block"]


@dataclass(frozen=True)
class Verdict:
    """What to do with one scanned text.

    Attributes:
        action: see :data:`Action`.
        side: the content field judged (``prompt`` or ``response``).
        result: the scan result (None when the scan itself raised and ``fail_open`` let the text through).
        masked_text: the masked text when ``action == "mask"``.
        failed_open: the scan failed and the text passes only because ``fail_open`` is set.
        error: the exception type or failure category of a failed scan.
        cause: the exception a failed scan raised, if any.
    """

    action: Action
    side: str
    result: ScanResult | None = None
    masked_text: str | None = None
    failed_open: bool = False
    error: str | None = None
    cause: BaseException | None = field(default=None, repr=False, compare=False)

    @property
    def failed(self) -> bool:
        """The scan errored or timed out."""
        return self.error is not None

    def record(self) -> dict[str, Any]:
        """JSON-ready summary for ``metadata["interlock"]`` (never contains the scanned text)."""
        return record_of(self.action, [self.result] if self.result is not None else [], self.failed_open, self.error)

    def exception(self, what: str, side: str | None = None) -> ThreatDetected:
        """The exception to raise for a blocked verdict (:class:`ScanFailed` when the scan failed).

        ``side`` overrides the reported side (retrieved nodes are scanned as ``prompt`` but are ``context``).
        """
        r = self.result
        response = r.response if r is not None else None
        side = side or self.side
        if self.failed and not self.failed_open:  # fail-open verdicts block only on an actual detection
            exc = ScanFailed(
                f"{what}: scan failed ({self.error}); failing closed", response=response, side=side, result=r
            )
            exc.__cause__ = self.cause
            return exc
        services = ", ".join(sorted({s for v in (r.detected() if r else {}).values() for s in v})) or "threat"
        scan_id = r.response.scan_id if r is not None else "-"
        return ThreatDetected(
            f"{what} blocked by Interlock ({services}); scan_id={scan_id}", response=response, side=side, result=r
        )


def record_of(
    action: str, results: Sequence[ScanResult], failed_open: bool = False, error: str | None = None
) -> dict[str, Any]:
    """Merge one or more scan results (e.g. the windows of a stream) into a metadata record."""
    detected: dict[str, list[str]] = {}
    for r in results:
        for side, services in r.detected().items():
            merged = detected.setdefault(side, [])
            merged.extend(s for s in services if s not in merged)
    category = "benign"
    for r in results:
        if r.category != "benign":
            category = r.category
            break
    if error is not None and category == "benign":
        category = "error"
    rec: dict[str, Any] = {
        "action": action,
        "category": category,
        "detected": detected,
        "scan_id": results[-1].response.scan_id if results else None,
    }
    if len(results) > 1:
        rec["scan_ids"] = [r.response.scan_id for r in results]
    if failed_open:
        rec["fail_open"] = True
    if error is not None:
        rec["error"] = error
    return rec


def judge(
    result: ScanResult, side: str, *, mask: MaskStrategy | None, fail_open: bool, mask_blocked: bool = False
) -> Verdict:
    """Turn a scan result into a verdict for the text on ``side``.

    A failed scan (detector error or timeout) blocks unless ``fail_open``; with ``fail_open`` it passes, marked,
    unless something was detected anyway. What the profile masks (an allowed scan with masked data for ``side``)
    passes masked with ``mask`` (blocked when ``mask`` is None: the text is never passed on in the clear). A
    block whose only threats are sensitive data on ``side`` is masked instead when ``mask_blocked`` is set (and
    ``mask`` and masked data are there).
    """
    failed_open = False
    error = None
    detected = result.detected()
    if result.failed:
        error = result.category
        if not fail_open:
            logger.warning("interlock: %s scan failed (%s); failing closed", side, error)
            return Verdict("block", side, result, error=error)
        failed_open = True
        logger.warning("interlock: %s scan failed (%s); passing it because fail_open=True", side, error)
        threat = bool(detected)
    else:
        threat = result.blocked
    if not threat and masked_by_profile(result, side):
        text = result.masked(side, mask) if mask is not None else None
        if text is not None:
            return Verdict("mask", side, result, masked_text=text, failed_open=failed_open, error=error)
        return Verdict("block", side, result, failed_open=failed_open, error=error)
    if not threat:
        action: Action = "alert" if detected else "allow"
        return Verdict(action, side, result, failed_open=failed_open, error=error)
    others = set(detected) - {side}
    if mask is not None and mask_blocked and not others and maskable(result, side):
        text = result.masked(side, mask)
        if text is not None:
            return Verdict("mask", side, result, masked_text=text, failed_open=failed_open, error=error)
    return Verdict("block", side, result, failed_open=failed_open, error=error)


@dataclass
class Guard:
    """Scanner plus policy: scans content and returns verdicts; creates stream scanners.

    Args:
        scanner: the scanner; ``None`` means :func:`interlock.scanner` (created on first use).
        profile: profile name for every scan (``None``: the scanner's default).
        profile_id: profile id for every scan.
        mask: masking strategy for sensitive data the profile masks (and, with ``mask_blocked``, for what it
            blocks), or ``None`` to never rewrite text (what the profile masks is then blocked too).
        fail_open: let text through (marked, with a warning) when a scan errors or times out.
        scan_kwargs: extra :meth:`Scanner.scan` keywords (``tr_id``, ``session_id``, ``metadata``).
        mask_blocked: mask sensitive data the profile blocks instead of blocking it (when it is the only
            threat); the default follows the profile, like ``InterlockGuard(action="raise")``.
    """

    scanner: Scanner | None = None
    profile: str | None = None
    profile_id: str | None = None
    mask: MaskStrategy | None = "type"
    fail_open: bool = False
    scan_kwargs: Mapping[str, Any] = field(default_factory=dict)
    mask_blocked: bool = False

    def __post_init__(self) -> None:
        if self.mask not in (None, "x", "type", "hash"):
            raise ValueError(f"mask must be None, 'x', 'type' or 'hash', not {self.mask!r}")

    def get_scanner(self) -> Scanner:
        """The scanner (the default one is built lazily so importing never loads detectors)."""
        if self.scanner is None:
            with SCANNER_LOCK:
                if self.scanner is None:
                    self.scanner = scanner()
        return self.scanner

    def kwargs(self) -> dict[str, Any]:
        out = dict(self.scan_kwargs)
        if self.profile is not None:
            out["profile"] = self.profile
        if self.profile_id is not None:
            out["profile_id"] = self.profile_id
        return out

    def _failed(self, exc: Exception, side: str, n: int) -> list[Verdict]:
        """Verdicts for a scan call that raised: blocked (fail closed) or, with ``fail_open``, passed and marked."""
        if isinstance(exc, (ConfigError, ThreatDetected)):
            raise exc  # misconfiguration is never "fail open"
        error = type(exc).__name__
        if self.fail_open and not isinstance(exc, InvalidRequestError):
            logger.warning("interlock: %s scan raised %s; passing it because fail_open=True", side, error)
            return [Verdict("allow", side, None, failed_open=True, error=error, cause=exc)] * n
        logger.warning("interlock: %s scan raised %s; failing closed", side, error)
        return [Verdict("block", side, None, error=error, cause=exc)] * n

    def _judge(self, results: Sequence[ScanResult], side: str) -> list[Verdict]:
        return [
            judge(r, side, mask=self.mask, fail_open=self.fail_open, mask_blocked=self.mask_blocked) for r in results
        ]

    def scan_many(self, contents: Sequence[ContentLike], side: str) -> list[Verdict]:
        """Scan several contents in one batched call; one verdict per content, in order."""
        if not contents:
            return []
        try:
            results = self.get_scanner().scan_batch(contents, **self.kwargs())
        except Exception as exc:
            return self._failed(exc, side, len(contents))
        return self._judge(results, side)

    async def ascan_many(self, contents: Sequence[ContentLike], side: str) -> list[Verdict]:
        """Async :meth:`scan_many`."""
        if not contents:
            return []
        try:
            results = await self.get_scanner().ascan_batch(contents, **self.kwargs())
        except Exception as exc:
            return self._failed(exc, side, len(contents))
        return self._judge(results, side)

    def scan(self, content: ContentLike, side: str) -> Verdict:
        """Scan one content."""
        try:
            result = self.get_scanner().scan(content, **self.kwargs())
        except Exception as exc:
            return self._failed(exc, side, 1)[0]
        return self._judge([result], side)[0]

    async def ascan(self, content: ContentLike, side: str) -> Verdict:
        """Async :meth:`scan`."""
        try:
            result = await self.get_scanner().ascan(content, **self.kwargs())
        except Exception as exc:
            return self._failed(exc, side, 1)[0]
        return self._judge([result], side)[0]

    def stream(
        self,
        content: Mapping[str, Any],
        *,
        buffered: bool,
        window: int,
        overlap: int,
    ) -> StreamScanner:
        """A stream scanner for a streamed answer, sending ``content`` (prompt, context) with every window."""
        return StreamScanner(
            self.get_scanner(),
            "response",
            window=window,
            overlap=overlap,
            mode="buffered" if buffered else "incremental",
            mask=self.mask,
            mask_blocked=self.mask_blocked,
            fail_open=self.fail_open,
            content=content,
            **self.kwargs(),
        )
