"""Input checks, answer checks and guarded token streams shared by the guarded query and chat engines."""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping, Sequence
from typing import Any, Literal, TypedDict

from llama_index.core.schema import MetadataMode, NodeWithScore
from typing_extensions import Unpack

from interlock.errors import ThreatDetected
from interlock.masking import MaskStrategy
from interlock.scanner import Scanner
from interlock.streaming import ScanFailed, StreamScanner

from ._guard import Guard, Verdict, record_of

__all__ = ["DEFAULT_REFUSAL", "EngineGuard", "GuardOptions", "OnBlock", "sources_text"]

OnBlock = Literal["refuse", "raise"]

#: Answer returned instead of blocked content when ``on_threat="refuse"``.
DEFAULT_REFUSAL = "I can't help with that request: it was blocked by a security policy."

#: Called with the text the user finally received (used to keep chat memory consistent with it).
Done = Callable[[str], None]
ADone = Callable[[str], Awaitable[None]]


def sources_text(nodes: Sequence[NodeWithScore]) -> str | None:
    """The retrieved context sent as AIRS ``context`` with an answer (None when there is none)."""
    texts = [n.node.get_content(metadata_mode=MetadataMode.NONE) for n in nodes]
    joined = "\n\n".join(t for t in texts if t.strip())
    return joined or None


class GuardOptions(TypedDict, total=False):
    """Keyword options of :class:`EngineGuard` (and of the guarded engines, which forward them)."""

    on_threat: OnBlock
    mask: MaskStrategy | None
    mask_blocked: bool
    refusal: str
    scan_input: bool
    scan_output: bool
    buffered: bool
    window: int
    overlap: int
    profile: str | None
    profile_id: str | None
    fail_open: bool
    scan_kwargs: Mapping[str, Any] | None


class EngineGuard:
    """Policy of a guarded engine: what is scanned, how blocks surface, and how streams are scanned.

    Args:
        scanner: the scanner; ``None`` means :func:`interlock.scanner` (created on first use).
        on_threat: ``"refuse"`` answers with ``refusal`` (a stream stops with it); ``"raise"`` raises
            :class:`interlock.ThreatDetected`.
        mask: strategy (``"x"``, ``"type"``, ``"hash"``) for sensitive data the profile masks (e.g. a user's
            contact details in a prompt under ``default``), or ``None`` to block that too.
        mask_blocked: also mask sensitive data the profile blocks (when it is the only threat) instead of
            refusing; off by default, so a block is a block, as with ``InterlockGuard``.
        refusal: the refusal text.
        scan_input: scan the user's query/message before it reaches the wrapped engine.
        scan_output: scan the answer (with the query and the retrieved context).
        buffered: streams release nothing until the whole answer is scanned (no unscanned token ever leaves).
        window: characters per streaming scan.
        overlap: characters rescanned across windows (threats split across chunks up to this length are caught).
        profile: profile name; ``profile_id``: profile id.
        fail_open: let content through (marked ``fail_open`` in metadata, with a warning) when a scan fails.
        scan_kwargs: extra :meth:`interlock.Scanner.scan` keywords (``tr_id``, ``session_id``, ``metadata``).
    """

    def __init__(self, scanner: Scanner | None = None, **options: Unpack[GuardOptions]) -> None:
        on_threat = options.get("on_threat", "refuse")
        window = options.get("window", 512)
        overlap = options.get("overlap", 128)
        unknown = set(options) - set(GuardOptions.__annotations__)
        if unknown:
            raise TypeError(f"unexpected option(s): {', '.join(sorted(unknown))}")
        if on_threat not in ("refuse", "raise"):
            raise ValueError(f"on_threat must be 'refuse' or 'raise', not {on_threat!r}")
        if overlap < 0 or window <= overlap:
            raise ValueError("need 0 <= overlap < window")
        self.guard = Guard(
            scanner,
            options.get("profile"),
            options.get("profile_id"),
            options.get("mask", "type"),
            options.get("fail_open", False),
            dict(options.get("scan_kwargs") or {}),
            options.get("mask_blocked", False),
        )
        self.on_threat: OnBlock = on_threat
        self.refusal = options.get("refusal", DEFAULT_REFUSAL)
        self.scan_input = options.get("scan_input", True)
        self.scan_output = options.get("scan_output", True)
        self.buffered = options.get("buffered", False)
        self.window = window
        self.overlap = overlap

    # -- verdicts -------------------------------------------------------------------------------------------

    def refuse_or_raise(self, verdict: Verdict, what: str) -> str:
        """Raise for a blocked verdict in ``raise`` mode; otherwise return the refusal text."""
        if self.on_threat == "raise":
            raise verdict.exception(what)
        return self.refusal

    def answer_content(self, prompt: str, answer: str, nodes: Sequence[NodeWithScore]) -> dict[str, str]:
        """The exchange scanned for an answer: ``prompt``, ``response`` and the sources as ``context``."""
        content = {"prompt": prompt, "response": answer}
        context = sources_text(nodes)
        if context is not None:
            content["context"] = context
        return content

    # -- streams --------------------------------------------------------------------------------------------

    def _stream(self, content: Mapping[str, Any]) -> StreamScanner:
        return self.guard.stream(content, buffered=self.buffered, window=self.window, overlap=self.overlap)

    @staticmethod
    def _final_record(stream: StreamScanner, record: dict[str, Any], exc: ThreatDetected | None) -> None:
        results = stream.results
        if exc is not None:
            action = "block"
        elif stream.masked:
            action = "mask"
        else:
            action = "alert" if any(r.detected() for r in results) else "allow"
        error = None
        if isinstance(exc, ScanFailed):
            error = exc.result.category if exc.result is not None else type(exc.__cause__ or exc).__name__
        record.clear()
        record.update(record_of(action, results, stream.failed_open, error))

    def guard_tokens(
        self,
        tokens: Iterator[str],
        content: Mapping[str, Any],
        record: dict[str, Any],
        on_done: Done | None = None,
        released: list[str] | None = None,
    ) -> Generator[str, None, None]:
        """Yield only scanned (and, if configured, masked) text of ``tokens``; fill ``record`` at the end.

        ``released`` (if given) receives each piece as it is yielded, so a caller can tell what the user got
        even from a stream that is never finished; ``on_done`` gets it all when the stream ends or is closed.
        """
        stream = self._stream(content)
        released = [] if released is None else released
        try:
            try:
                for token in tokens:
                    out = stream.feed(token or "")
                    if out:
                        released.append(out)
                        yield out
                out = stream.finish()
                if out:
                    released.append(out)
                    yield out
            except ThreatDetected as exc:
                yield self._stopped(stream, record, exc, released)
            else:
                self._final_record(stream, record, None)
        finally:
            close = getattr(tokens, "close", None)
            if close is not None:
                close()
            if on_done is not None:
                on_done("".join(released))

    async def aguard_tokens(
        self,
        tokens: AsyncIterator[str],
        content: Mapping[str, Any],
        record: dict[str, Any],
        on_done: ADone | None = None,
        released: list[str] | None = None,
    ) -> AsyncGenerator[str, None]:
        """Async :meth:`guard_tokens`."""
        stream = self._stream(content)
        released = [] if released is None else released
        try:
            try:
                async for token in tokens:
                    out = await stream.afeed(token or "")
                    if out:
                        released.append(out)
                        yield out
                out = await stream.afinish()
                if out:
                    released.append(out)
                    yield out
            except ThreatDetected as exc:
                yield self._stopped(stream, record, exc, released)
            else:
                self._final_record(stream, record, None)
        finally:
            aclose = getattr(tokens, "aclose", None)
            if aclose is not None:
                result = aclose()
                if inspect.isawaitable(result):
                    await result
            if on_done is not None:
                await on_done("".join(released))

    def _stopped(self, stream: StreamScanner, record: dict[str, Any], exc: ThreatDetected, released: list[str]) -> str:
        """Record a stopped stream; re-raise in ``raise`` mode, else return (and keep) the refusal to append."""
        self._final_record(stream, record, exc)
        if self.on_threat == "raise":
            raise exc
        text = ("\n\n" if any(released) else "") + self.refusal  # on its own line after released text
        released.append(text)
        return text
