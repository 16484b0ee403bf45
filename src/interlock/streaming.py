"""Incremental scanning of a text stream (an LLM's streamed answer), framework-free.

:class:`StreamScanner` scans the stream over a sliding window so a secret or URL split across chunks is still
caught, while keeping the cost bounded: text is scanned once a window's worth of new text has accumulated, each
scan covers ``overlap`` held-back characters plus the new text, and the held-back characters are released only
after they were scanned together with the text that follows them. Any pattern of at most ``overlap`` characters
is therefore seen whole by some scan before any of it is released.

Example:
    >>> from interlock import LocalScanner
    >>> from interlock.streaming import StreamScanner
    >>> stream = StreamScanner(LocalScanner(), side="response", mask="x")
    >>> safe = "".join(stream.feed(chunk) for chunk in ["My card is 4111 11", "11 1111 1111, thanks"])
    >>> safe += stream.finish()

Public API: :class:`StreamScanner`, :class:`ScanFailed`, :func:`maskable`, :func:`masked_by_profile`,
:func:`masked_spans`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Literal

from interlock.errors import ThreatDetected
from interlock.masking import MaskStrategy, Span, mask_text, merge_spans
from interlock.scanner import Scanner, ScanResult

__all__ = ["MASKABLE_SERVICES", "ScanFailed", "StreamScanner", "maskable", "masked_by_profile", "masked_spans"]

logger = logging.getLogger("interlock.streaming")

Side = Literal["prompt", "response"]
Mode = Literal["incremental", "buffered"]

#: Services whose detections masking fully neutralises (sensitive data). Other threats cannot be masked.
MASKABLE_SERVICES = frozenset({"dlp"})


class ScanFailed(ThreatDetected):
    """A scan could not complete (detector error/timeout, transport failure) and the guard fails closed.

    A subclass of :class:`~interlock.errors.ThreatDetected`, so a single ``except ThreatDetected`` covers both
    "blocked because dangerous" and "blocked because it could not be checked". ``__cause__`` holds the
    underlying exception when there was one; ``result`` the failed :class:`~interlock.scanner.ScanResult`.
    """


def masked_spans(result: ScanResult, side: str) -> list[Span]:
    """The ``(start, end, pattern)`` spans masking covers on ``side`` (from the AIRS ``pattern_detections``)."""
    md = result.masked_data(side)
    if md is None:
        return []
    return [(loc[0], loc[1], pd.pattern) for pd in md.pattern_detections for loc in pd.locations if len(loc) == 2]


def masked_by_profile(result: ScanResult, side: str) -> bool:
    """True when the profile allows ``side`` only masked: action ``allow`` with masked data for it.

    That is what a DLP data pattern with the ``mask`` action produces (AIRS itself masks only blocked data);
    guards must then pass the masked text on, never the original.
    """
    return not result.blocked and result.masked_data(side) is not None


def maskable(result: ScanResult, side: str) -> bool:
    """True when masking ``side`` removes every threat found there (only sensitive-data detections, masked)."""
    services = set(result.detected().get(side, []))
    return bool(services) and services <= MASKABLE_SERVICES and result.masked_data(side) is not None


def _blocked_message(result: ScanResult, side: str) -> str:
    services = ", ".join(result.detected().get(side, [])) or result.category
    return f"{side} blocked by Interlock ({services}); scan_id={result.response.scan_id}"


class StreamScanner:
    """Scans a stream of text chunks and releases only text that has been scanned.

    Args:
        scanner: any :class:`~interlock.Scanner` (local engine, remote endpoint, AIRS).
        side: which content field the stream is: ``"response"`` (model output) or ``"prompt"``.
        window: characters per scan (held-back overlap plus new text); a scan runs once
            ``window - overlap`` new characters have accumulated.
        overlap: characters held back after each scan and rescanned with the next chunk; a threat of at most
            this many characters split across chunks is always caught before any of it is released.
        mode: ``"incremental"`` releases text as soon as it is scanned; ``"buffered"`` scans the same way but
            releases nothing until :meth:`finish` (no unscanned *and* no partially-judged text reaches the caller).
        mask: the masking strategy (``"x"``, ``"type"``, ``"hash"``) for sensitive data: data the profile masks
            (an allowed scan with masked data) is always released masked, and with ``mask_blocked`` data the
            profile blocks is masked instead of raising; threats masking cannot neutralise (e.g. prompt
            injection) still raise. ``None`` never rewrites text: a scan asking for masking raises too.
        mask_blocked: with ``mask`` set, release blocked sensitive data masked instead of raising.
        fail_open: when a scan errors or times out, release the text (with a logged warning and
            :attr:`failed_open` set) instead of raising :class:`ScanFailed`.
        content: extra content fields sent with every scan (e.g. ``{"prompt": user_prompt}`` for context).
        **scan_kwargs: passed to :meth:`Scanner.scan` (``profile``, ``tr_id``, ``session_id``, ``metadata``).

    Raises (from :meth:`feed`/:meth:`finish`):
        ThreatDetected: a scan blocked the text (``side`` and the ``ScanResponse`` attached).
        ScanFailed: a scan failed and ``fail_open`` is false.

    Attributes:
        results: every :class:`ScanResult` so far, in order.
        failed_open: true once a failed scan was let through because of ``fail_open``.
        masked: true once any released text was masked.
    """

    def __init__(
        self,
        scanner: Scanner,
        side: Side = "response",
        *,
        window: int = 512,
        overlap: int = 128,
        mode: Mode = "incremental",
        mask: MaskStrategy | None = None,
        mask_blocked: bool = True,
        fail_open: bool = False,
        content: Mapping[str, Any] | None = None,
        **scan_kwargs: Any,
    ) -> None:
        if side not in ("prompt", "response"):
            raise ValueError(f"side must be 'prompt' or 'response', not {side!r}")
        if mode not in ("incremental", "buffered"):
            raise ValueError(f"mode must be 'incremental' or 'buffered', not {mode!r}")
        if overlap < 0 or window <= overlap:
            raise ValueError("need 0 <= overlap < window")
        if mask not in (None, "x", "type", "hash"):
            raise ValueError(f"unknown mask strategy {mask!r}")
        self.scanner = scanner
        self.side: Side = side
        self.window = window
        self.overlap = overlap
        self.mode: Mode = mode
        self.mask: MaskStrategy | None = mask
        self.mask_blocked = mask_blocked
        self.fail_open = fail_open
        self.content = dict(content or {})
        self.content.pop(side, None)
        self.scan_kwargs = scan_kwargs
        self.results: list[ScanResult] = []
        self.failed_open = False
        self.masked = False
        self._held = ""  # scanned once, not yet released (rescanned with the next text)
        self._new = ""  # not yet scanned
        self._out: list[str] = []  # released text withheld in buffered mode
        self._done = False

    # -- sync -------------------------------------------------------------------------------------------------

    def feed(self, chunk: str) -> str:
        """Add a chunk; return the text now safe to release (possibly empty)."""
        self._take(chunk)
        out = []
        while (due := self._next_segment(final=False)) is not None:
            out.append(self._step(self._sync_scan(due[0]), *due))
        return self._emit("".join(out))

    def finish(self) -> str:
        """Scan whatever is left and return the rest of the safe text (all of it in buffered mode)."""
        self._finishing()
        out = []
        while (due := self._next_segment(final=True)) is not None:
            out.append(self._step(self._sync_scan(due[0]), *due))
        return self._close("".join(out))

    def _sync_scan(self, segment: str) -> ScanResult | None:
        try:
            return self.scanner.scan({**self.content, self.side: segment}, **self.scan_kwargs)
        except Exception as exc:  # transport failure, invalid request, ...: fail closed unless configured
            self._on_error(exc)
            return None

    # -- async ------------------------------------------------------------------------------------------------

    async def afeed(self, chunk: str) -> str:
        """Async :meth:`feed` (uses :meth:`Scanner.ascan`)."""
        self._take(chunk)
        out = []
        while (due := self._next_segment(final=False)) is not None:
            out.append(self._step(await self._async_scan(due[0]), *due))
        return self._emit("".join(out))

    async def afinish(self) -> str:
        """Async :meth:`finish`."""
        self._finishing()
        out = []
        while (due := self._next_segment(final=True)) is not None:
            out.append(self._step(await self._async_scan(due[0]), *due))
        return self._close("".join(out))

    async def _async_scan(self, segment: str) -> ScanResult | None:
        try:
            return await self.scanner.ascan({**self.content, self.side: segment}, **self.scan_kwargs)
        except Exception as exc:
            self._on_error(exc)
            return None

    # -- shared logic -----------------------------------------------------------------------------------------

    @property
    def pending(self) -> str:
        """Text received but not released yet (held back or not yet scanned)."""
        return self._held + self._new

    def _take(self, chunk: str) -> None:
        if self._done:
            raise RuntimeError("StreamScanner.feed() after finish()")
        if not isinstance(chunk, str):
            raise TypeError(f"chunk must be str, not {type(chunk).__name__}")
        self._new += chunk

    def _finishing(self) -> None:
        if self._done:
            raise RuntimeError("StreamScanner.finish() called twice")
        self._done = True

    def _next_segment(self, *, final: bool) -> tuple[str, bool] | None:
        """Pop the next segment due for scanning and whether it is the last one (released whole)."""
        if not final and len(self._new) < self.window - self.overlap:
            return None
        if final and not (self._held or self._new):
            return None
        take = max(self.window - len(self._held), self.window - self.overlap)
        segment = self._held + self._new[:take]
        self._new = self._new[take:]
        self._held = ""
        return segment, final and not self._new

    def _step(self, result: ScanResult | None, segment: str, last: bool) -> str:
        """Judge one scanned segment; return the part to release and hold back its tail."""
        cut = len(segment) if last else max(0, len(segment) - self.overlap)
        spans: list[Span] = []
        if result is not None:
            self.results.append(result)
            threat = result.blocked and (not result.failed or bool(result.detected()))
            if threat and (self.mask is None or not self.mask_blocked or not maskable(result, self.side)):
                raise ThreatDetected(
                    _blocked_message(result, self.side), response=result.response, side=self.side, result=result
                )
            if self.mask is None and masked_by_profile(result, self.side):
                raise ThreatDetected(
                    f"{self.side} must be masked (profile) but mask=None; scan_id={result.response.scan_id}",
                    response=result.response,
                    side=self.side,
                    result=result,
                )
            if result.failed and not threat:
                if not self.fail_open:
                    raise ScanFailed(
                        f"{self.side} scan failed ({result.category}); failing closed",
                        response=result.response,
                        side=self.side,
                        result=result,
                    )
                self._mark_failed_open(result.category)
            if self.mask is not None:
                spans = masked_spans(result, self.side)
                for start, end, _ in merge_spans(spans):  # disjoint: moving the cut creates no new crossing
                    if start < cut < end:  # never release part of a masked span: hold it back whole
                        cut = start if start > 0 else end
        if not last:
            self._held = segment[cut:]
        release = segment[:cut]
        clipped = [(s, min(e, cut), t) for s, e, t in spans if s < cut]
        if clipped:
            self.masked = True
            return mask_text(release, clipped, self.mask or "x")
        return release

    def _on_error(self, exc: Exception) -> None:
        if not self.fail_open:
            raise ScanFailed(f"{self.side} scan failed ({type(exc).__name__}); failing closed", side=self.side) from exc
        self._mark_failed_open(type(exc).__name__)

    def _mark_failed_open(self, why: str) -> None:
        self.failed_open = True
        logger.warning(
            "interlock: %s scan failed (%s); releasing unscanned text because fail_open=True", self.side, why
        )

    def _emit(self, text: str) -> str:
        if self.mode == "buffered":
            self._out.append(text)
            return ""
        return text

    def _close(self, text: str) -> str:
        if self.mode == "buffered":
            self._out.append(text)
            text, self._out = "".join(self._out), []
        return text
