"""The embedded scan engine: runs a profile's detectors over the texts of one exchange.

Flow of :meth:`Engine.scan`:

1. :func:`items_for` turns the exchange (:class:`ExchangeInput`) into :class:`ScanItem` s, one per non-empty field
   (prompt, code_prompt, response, code_response, tool input, tool output), each tagged with its AIRS data type.
   A tool event with neither input nor output (an MCP call without arguments) is scanned by what it names: its
   server and tool names, as the tool input (:func:`tool_names_text`).
2. For every item and every detector the profile enables on that data type, a task is submitted to a shared
   thread pool, so detectors run concurrently. Each task has the profile's per-detector time budget, counted
   from when it starts; a task that overruns is reported as ``timeout``, one that raises as ``error``. Neither is
   ever reported as a clean result. The deadline is also handed to the worker thread (``engine/budget.py``) so a
   detector that loops over a long text stops once it has passed, instead of burning CPU nobody waits for.
3. The outcomes go back unsorted-by-time but in a stable order (item, then detector) as an :class:`EngineResult`;
   ``engine/verdict.py`` turns them into category/action and ``engine/to_wire.py`` into AIRS models.

The engine is synchronous CPU work; :meth:`Engine.ascan` offloads the same call to a worker thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait as wait_futures
from dataclasses import dataclass, field
from typing import Literal

from interlock.engine import budget as budgets, registry
from interlock.engine.base import DataType, Detector, DetectorResult, ScanItem, ToolInfo
from interlock.errors import InvalidRequestError
from interlock.profiles.model import DetectorPolicy, Profile

__all__ = [
    "Engine",
    "EngineResult",
    "ExchangeInput",
    "Outcome",
    "items_for",
    "tool_names_text",
    "TEXT_LIMIT",
    "CONTEXT_LIMIT",
    "WARM_TEXT",
]

log = logging.getLogger("interlock.engine")

#: Per-field limit on prompt/response/code text, in characters (the SDK's limit).
TEXT_LIMIT = 2 * 1024 * 1024
#: Limit on grounding context, in characters. The SDK allows 100 MiB; we bound memory per request far lower.
CONTEXT_LIMIT = 2 * 1024 * 1024

Status = Literal["ok", "error", "timeout"]


@dataclass(frozen=True)
class ExchangeInput:
    """The texts of one exchange, engine-side (the wire ``ScanContent`` is converted into this)."""

    prompt: str | None = None
    response: str | None = None
    code_prompt: str | None = None
    code_response: str | None = None
    context: str | None = None
    tool: ToolInfo | None = None
    tool_input: str | None = None
    tool_output: str | None = None


@dataclass
class Outcome:
    """One detector's run on one item (``policy``: the profile's policy for it, with per-data-pattern actions)."""

    detector: str
    item: ScanItem
    action: Literal["block", "allow"]
    status: Status = "ok"
    result: DetectorResult | None = None
    elapsed_ms: float = 0.0
    error: str | None = None
    policy: DetectorPolicy | None = None

    @property
    def detected(self) -> bool:
        """True when the detector ran and found a threat."""
        return self.status == "ok" and self.result is not None and self.result.detected


@dataclass
class EngineResult:
    """Everything the engine learned about one exchange."""

    profile: Profile
    items: list[ScanItem]
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed_ms: float = 0.0


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Replace lone UTF-16 surrogates (valid in JSON, invalid in UTF-8) by U+FFFD; length and offsets unchanged."""
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


def items_for(exchange: ExchangeInput) -> list[ScanItem]:
    """Split an exchange into the items detectors scan (texts cleaned with :func:`clean_text`)."""
    items: list[ScanItem] = []
    ctx = exchange.context
    if ctx is not None and len(ctx) > CONTEXT_LIMIT:
        raise InvalidRequestError(f"context is {len(ctx)} characters; the limit is {CONTEXT_LIMIT}", status_code=413)
    ctx = clean_text(ctx) if ctx else ctx
    p = clean_text(exchange.prompt) if exchange.prompt else exchange.prompt  # cleaned once, shared below

    def add(text: str | None, field_name: str, data_type: DataType, *, cleaned: bool = False, **extra: object) -> None:
        if text:
            if len(text) > TEXT_LIMIT:
                raise InvalidRequestError(
                    f"{field_name} is {len(text)} characters; the limit is {TEXT_LIMIT}", status_code=413
                )
            text = text if cleaned else clean_text(text)
            items.append(ScanItem(text=text, field=field_name, data_type=data_type, **extra))  # type: ignore[arg-type]

    add(p, "prompt", "prompt", cleaned=True, context=ctx)
    add(exchange.code_prompt, "code_prompt", "prompt", context=ctx, is_code=True)
    add(exchange.response, "response", "response", prompt=p, context=ctx)
    add(exchange.code_response, "code_response", "response", prompt=p, context=ctx, is_code=True)
    if exchange.tool is not None:
        t = exchange.tool
        tool_input = exchange.tool_input
        if not tool_input and not exchange.tool_output:
            tool_input = tool_names_text(t)
        add(tool_input, "tool_input", "tool_event", tool=_direction(t, "input"), prompt=p)
        add(exchange.tool_output, "tool_output", "tool_event", tool=_direction(t, "output"), prompt=p)
    return items


def tool_names_text(tool: ToolInfo) -> str:
    """What a tool event without input or output gives to scan: its server and tool names, as a JSON object."""
    names = {"server_name": tool.server_name, "tool_invoked": tool.tool_invoked}
    return json.dumps({k: v for k, v in names.items() if v}, ensure_ascii=False)


def _direction(tool: ToolInfo, direction: Literal["input", "output"]) -> ToolInfo:
    return ToolInfo(tool.ecosystem, tool.method, tool.server_name, tool.tool_invoked, direction)


#: The sample :meth:`Engine.warm` scans: a URL, phone numbers, an e-mail address, SQL and code, so that the
#: detectors' lazily built state is built before the first real request.
WARM_TEXT = (
    "Hello, please summarise https://www.example.co.uk/docs/start?page=2 for our team. Call +1 415 555 2671 or "
    "020 7946 0958, or mail jane.doe@example.com. SELECT name FROM users WHERE id = 1;\n"
    "```python\ndef total(xs):\n    return sum(x * 2 for x in xs)\n```\n"
)


class Engine:
    """Runs profiles' detectors. Build one and share it: detectors are built once per (profile, detector).

    Args:
        max_workers: size of the shared detector thread pool.

    Example:
        >>> from interlock.profiles import ProfileStore
        >>> engine = Engine()
        >>> result = engine.scan(ExchangeInput(prompt="hello"), ProfileStore.default().get())
        >>> [o.status for o in result.outcomes]
        ['ok', 'ok']
    """

    def __init__(self, max_workers: int = 16) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="interlock-detector")
        self._detectors: dict[tuple[str, str], Detector] = {}
        self._warmed: set[int] = set()  # ids of detectors in _detectors whose warm() hook ran
        self._lock = threading.Lock()

    def detector(self, profile: Profile, name: str) -> Detector:
        """The detector instance for ``name`` configured as ``profile`` says (built on first use).

        Profiles that configure a detector identically share one instance (a detector is built from its name and
        options only), so several profiles cost one model load each.
        """
        policy = profile.detectors[name]
        key = (name, repr(sorted(policy.options.items())))
        found = self._detectors.get(key)
        if found is None:
            with self._lock:
                found = self._detectors.get(key)
                if found is None:
                    found = registry.build_detector(name, policy.options)
                    self._detectors[key] = found
        return found

    def warm(self, profile: Profile) -> dict[str, float]:
        """Make the profile's first real scan as fast as the next ones; return milliseconds spent per detector.

        Builds every detector of ``profile`` (model artifacts, compiled patterns), calls the optional ``warm()``
        hook of those with lazy state (see :class:`~interlock.engine.base.Detector`), then scans one sample
        exchange with every data type so the code paths' own first-use costs are paid here. A detector that
        fails or times out on the sample is logged, not raised: the profile still works, only its first scan is
        slower.
        """
        spent: dict[str, float] = {}
        for name in profile.detectors:
            t0 = time.perf_counter()
            detector = self.detector(profile, name)
            hook = getattr(detector, "warm", None)
            if callable(hook) and id(detector) not in self._warmed:  # instances are shared: warm each once
                hook()
                self._warmed.add(id(detector))
            spent[name] = _ms(t0)
        tool = ToolInfo(ecosystem="mcp", method="tools/call", server_name="files", tool_invoked="read_file")
        sample = ExchangeInput(
            prompt=WARM_TEXT,
            response=WARM_TEXT,
            context=WARM_TEXT,
            tool=tool,
            tool_input='{"path": "notes.txt"}',
            tool_output=WARM_TEXT,
        )
        for run in self.scan(sample, profile).outcomes:
            spent[run.detector] = spent.get(run.detector, 0.0) + run.elapsed_ms
            if run.status != "ok":
                log.warning("warm-up: detector %s %s on the sample %s", run.detector, run.status, run.item.field)
        return {name: round(ms, 1) for name, ms in spent.items()}

    def plan(self, items: Iterable[ScanItem], profile: Profile) -> list[Outcome]:
        """The (detector, item) runs a profile asks for, not yet run."""
        detectors = {name: self.detector(profile, name) for name in profile.detectors}
        runs: list[Outcome] = []
        for item in items:
            for name, policy in profile.detectors.items():
                detector = detectors[name]
                types = policy.on if policy.on is not None else detector.data_types
                if item.data_type in types and item.data_type in detector.data_types:
                    runs.append(Outcome(detector=name, item=item, action=policy.action, policy=policy))
        return runs

    def scan(self, exchange: ExchangeInput, profile: Profile) -> EngineResult:
        """Scan one exchange with one profile."""
        t0 = time.perf_counter()
        items = items_for(exchange)
        runs = self.plan(items, profile)
        budget = profile.detector_timeout_ms / 1000.0
        started: list[float | None] = [None] * len(runs)
        detectors = {name: self.detector(profile, name) for name in {run.detector for run in runs}}
        futures: list[Future[DetectorResult]] = []
        for i, run in enumerate(runs):
            futures.append(self._pool.submit(self._run, i, started, runs, detectors[run.detector], budget))
        self._collect(runs, futures, started, budget)
        return EngineResult(profile=profile, items=items, outcomes=runs, elapsed_ms=_ms(t0))

    async def ascan(self, exchange: ExchangeInput, profile: Profile) -> EngineResult:
        """Async :meth:`scan`: the same work, offloaded to a thread so the event loop stays free."""
        return await asyncio.to_thread(self.scan, exchange, profile)

    @staticmethod
    def _run(
        i: int, started: list[float | None], runs: list[Outcome], detector: Detector, budget: float
    ) -> DetectorResult:
        t = started[i] = time.perf_counter()
        budgets.set_deadline(t + budget)  # detectors that loop call budgets.check() and stop once it has passed
        try:
            return detector.detect(runs[i].item)
        finally:
            budgets.clear()
            runs[i].elapsed_ms = (time.perf_counter() - t) * 1000

    @staticmethod
    def _collect(
        runs: list[Outcome], futures: list[Future[DetectorResult]], started: list[float | None], budget: float
    ) -> None:
        """Wait for every run; a run that has been going longer than ``budget`` becomes a timeout.

        A run still queued (the pool is saturated) gets up to ten budgets of queueing before it times out too.
        """
        t_submit = time.perf_counter()
        pending = set(range(len(futures)))
        while pending:
            now = time.perf_counter()
            deadlines = []
            for i in list(pending):
                s = started[i]
                deadline = (s + budget) if s is not None else (t_submit + 10 * budget)
                if futures[i].done():
                    pending.discard(i)
                elif now >= deadline:
                    runs[i].status = "timeout"
                    runs[i].elapsed_ms = (now - (s or now)) * 1000
                    futures[i].cancel()
                    log.warning("detector %s timed out on %s", runs[i].detector, runs[i].item.field)
                    pending.discard(i)
                else:
                    deadlines.append(deadline)
            if pending:
                wait_futures([futures[i] for i in pending], timeout=max(0.0, min(deadlines) - now))
        for i, fut in enumerate(futures):
            run = runs[i]
            if run.status == "timeout":
                continue
            try:
                run.result = fut.result()
            except budgets.BudgetExceeded:  # stopped itself at its deadline just before we noticed
                run.status = "timeout"
                log.warning("detector %s timed out on %s", run.detector, run.item.field)
            except Exception as exc:  # a failing detector must never look clean
                run.status = "error"
                run.error = type(exc).__name__
                log.error("detector %s failed on %s: %s", run.detector, run.item.field, type(exc).__name__)

    def close(self) -> None:
        """Release the worker threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000
