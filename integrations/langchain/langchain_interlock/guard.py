"""``InterlockGuard``: a Runnable that scans what goes into and comes out of another Runnable."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any, Literal
from uuid import UUID

from langchain_core.callbacks import AsyncCallbackManagerForChainRun, CallbackManagerForChainRun
from langchain_core.language_models import BaseChatModel, BaseLLM
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.runnables import Runnable, RunnableConfig, RunnableSerializable
from langchain_core.runnables.config import (
    ensure_config,
    get_async_callback_manager_for_config,
    get_callback_manager_for_config,
    patch_config,
    set_config_context,
)
from langchain_core.runnables.utils import coro_with_context
from pydantic import ConfigDict, Field, PrivateAttr

from interlock.errors import ThreatDetected
from interlock.masking import MaskStrategy
from interlock.scanner import Scanner
from interlock.streaming import StreamScanner
from langchain_interlock._core import Action, Checker, Fallback, Outcome, default_scanner
from langchain_interlock._text import extract, message_text, refusal

__all__ = ["InterlockGuard"]

Sides = Literal["both", "input", "output"]
_RunManager = CallbackManagerForChainRun | AsyncCallbackManagerForChainRun


class _BlockedRuns:
    """Prompts blocked by ``.input()`` steps (``replace``), keyed by the sequence run that contains the step.

    Bounded: a note nothing picks up (no Interlock step after the input step) is dropped once ``size`` newer
    notes exist. Run ids are unique, so one table serves every guard.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._notes: OrderedDict[UUID, Outcome] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, run: UUID | None, out: Outcome) -> None:
        if run is None:  # a step invoked on its own: nothing follows it
            return
        with self._lock:
            self._notes[run] = out
            while len(self._notes) > self.size:
                self._notes.popitem(last=False)

    def pop(self, run: UUID | None) -> Outcome | None:
        if run is None:
            return None
        with self._lock:
            return self._notes.pop(run, None)


_BLOCKED_UPSTREAM = _BlockedRuns()


class InterlockGuard(RunnableSerializable[Any, Any]):
    """Guards a Runnable: scans its input before it runs and its output after (streamed output incrementally).

    Use it around a model or chain (``InterlockGuard(llm)``), or as separate LCEL steps:
    ``prompt | guard.input() | llm | guard.output() | parser``.

    Args:
        runnable: the Runnable to guard; ``None`` for a guard used only through :meth:`input`/:meth:`output`.
        scanner: any :class:`interlock.Scanner`; default :func:`interlock.scanner` (local engine, or a remote
            endpoint when ``PANW_AI_SEC_API_*`` variables are set).
        action: on a threat, ``"raise"`` :class:`interlock.ThreatDetected` (its ``side`` says ``prompt`` or
            ``response``, ``response`` holds the AIRS ``ScanResponse``); ``"replace"`` the model's answer with
            ``safe_message`` (the model is not called when the prompt is blocked; the output keeps its type:
            ``AIMessage`` for chat models, ``str`` otherwise); ``"mask"`` pass sensitive data on masked
            (``mask_strategy`` ``"x"``/``"type"``/``"hash"``) and continue. Threats masking cannot neutralise
            (injection, malicious URLs, ...) then use ``mask_fallback`` (``"raise"`` or ``"replace"``).
            Whatever the action, what the profile itself masks (a DLP data pattern with the ``mask`` action, e.g.
            a user's contact details in a prompt under ``default``: allowed, masked data returned) is passed on
            masked with ``mask_strategy``, never in the clear.
        input_key / output_key: for dict inputs/outputs, the entry to scan (default: every text entry).
        buffered: streaming releases nothing until the whole output is scanned (default: release text as soon
            as it has been scanned, holding back ``overlap`` characters so split secrets are still caught).
        fail_open: when a scan errors or times out, pass the content (logged; marked in message metadata)
            instead of blocking — the default fails closed (:class:`interlock.streaming.ScanFailed`).
        profile / session_id: forwarded to every scan; app_name / app_user / ai_model go into its metadata
            (``ai_model`` defaults to the guarded model's name); ``tr_id`` is the guard's run id.

    With ``action="replace"``, a blocked :meth:`input` step passes ``safe_message`` on in the shape of its input
    (a ``ChatPromptValue`` or message list becomes one user message): the model never sees the blocked text, and
    the Interlock :meth:`output` step after it in the same sequence answers ``safe_message`` (marked
    ``{"action": "replaced", "side": "prompt"}``) instead of the model's reply. A pipe cannot skip a step, so
    the model is still called (on the refusal); wrap it (``InterlockGuard(llm, action="replace")``) to skip it.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    runnable: Runnable[Any, Any] | None = None
    scanner: Scanner = Field(default_factory=default_scanner, exclude=True)
    action: Action = "raise"
    mask_strategy: MaskStrategy = "type"
    mask_fallback: Fallback = "raise"
    safe_message: str = "Sorry, I can't help with that request."
    sides: Sides = "both"
    input_key: str | None = None
    output_key: str | None = None
    buffered: bool = False
    window: int = Field(default=512, gt=1)
    overlap: int = Field(default=128, ge=0)
    fail_open: bool = False
    profile: str | None = None
    session_id: str | None = None
    app_name: str | None = "langchain"
    app_user: str | None = None
    ai_model: str | None = None

    _checker: Checker = PrivateAttr()

    def __init__(self, runnable: Runnable[Any, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(runnable=runnable, **kwargs)

    def model_post_init(self, context: Any, /) -> None:
        if self.overlap >= self.window:
            raise ValueError("overlap must be smaller than window")
        model = self.ai_model or _model_name(self.runnable)
        scan_kwargs = {k: v for k, v in {"profile": self.profile, "session_id": self.session_id}.items() if v}
        self._checker = Checker(
            self.scanner,
            action=self.action,
            mask_strategy=self.mask_strategy,
            mask_fallback=self.mask_fallback,
            fail_open=self.fail_open,
            scan_kwargs=scan_kwargs,
            metadata={"app_name": self.app_name, "app_user": self.app_user, "ai_model": model},
        )

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return False

    # -- LCEL steps ---------------------------------------------------------------------------------------------

    def input(self) -> InterlockGuard:
        """A pipe step that scans the value flowing through it as a prompt and passes it on (masked if so)."""
        return self._step("input")

    def output(self) -> InterlockGuard:
        """A pipe step that scans the value flowing through it as a model response (streams incrementally)."""
        return self._step("output")

    def _step(self, sides: Sides) -> InterlockGuard:
        fields = {k: getattr(self, k) for k in type(self).model_fields if k not in ("runnable", "sides", "name")}
        return InterlockGuard(None, sides=sides, name=f"{self.get_name()}.{sides}", **fields)

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        return super().get_name(suffix, name=name or self.name or "InterlockGuard")

    # -- invoke -------------------------------------------------------------------------------------------------

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        # The guard's own traced run, like ``Runnable._call_with_config`` minus its per-call signature inspection.
        config = ensure_config(config)
        run_manager = get_callback_manager_for_config(config).on_chain_start(
            None, input, name=config.get("run_name") or self.get_name(), run_id=config.pop("run_id", None)
        )
        try:
            child = patch_config(config, callbacks=run_manager.get_child())
            with set_config_context(child) as context:
                output = context.run(self._invoke, input, run_manager, child)
        except BaseException as e:
            run_manager.on_chain_error(e)
            raise
        run_manager.on_chain_end(output)
        return output

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        config = ensure_config(config)
        run_manager = await get_async_callback_manager_for_config(config).on_chain_start(
            None, input, name=config.get("run_name") or self.get_name(), run_id=config.pop("run_id", None)
        )
        try:
            child = patch_config(config, callbacks=run_manager.get_child())
            with set_config_context(child) as context:
                output = await coro_with_context(self._ainvoke(input, run_manager, child), context)
        except BaseException as e:
            await run_manager.on_chain_error(e)
            raise
        await run_manager.on_chain_end(output)
        return output

    def _invoke(self, value: Any, run_manager: CallbackManagerForChainRun, child: RunnableConfig) -> Any:
        tr_id = str(run_manager.run_id)
        self._check_config()
        upstream = self._upstream_block(run_manager)
        if upstream is not None:
            return self._replacement(value if self.runnable is None else None, upstream)
        if self.sides != "output":
            out = self._checker.check("prompt", extract(value, key=self.input_key), value, tr_id=tr_id)
            if out.blocked:
                return self._blocked_input(value, out, run_manager)
            value = out.value
        if self.runnable is not None:
            value = self.runnable.invoke(value, child)
        if self.sides != "input":
            out = self._checker.check("response", extract(value, key=self.output_key), value, tr_id=tr_id)
            value = self._replacement(value, out) if out.blocked else out.marked()
        return value

    async def _ainvoke(self, value: Any, run_manager: AsyncCallbackManagerForChainRun, child: RunnableConfig) -> Any:
        tr_id = str(run_manager.run_id)
        self._check_config()
        upstream = self._upstream_block(run_manager)
        if upstream is not None:
            return self._replacement(value if self.runnable is None else None, upstream)
        if self.sides != "output":
            out = await self._checker.acheck("prompt", extract(value, key=self.input_key), value, tr_id=tr_id)
            if out.blocked:
                return self._blocked_input(value, out, run_manager)
            value = out.value
        if self.runnable is not None:
            value = await self.runnable.ainvoke(value, child)
        if self.sides != "input":
            out = await self._checker.acheck("response", extract(value, key=self.output_key), value, tr_id=tr_id)
            value = self._replacement(value, out) if out.blocked else out.marked()
        return value

    # -- streaming ----------------------------------------------------------------------------------------------

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        yield from self.transform(iter([input]), config, **kwargs)

    async def astream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> AsyncIterator[Any]:
        async def one() -> AsyncIterator[Any]:
            yield input

        async for chunk in self.atransform(one(), config, **kwargs):
            yield chunk

    def transform(self, input: Iterator[Any], config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        yield from self._transform_stream_with_config(input, self._transform, config, **kwargs)

    async def atransform(
        self, input: AsyncIterator[Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        async for chunk in self._atransform_stream_with_config(input, self._atransform, config, **kwargs):
            yield chunk

    def _transform(
        self, chunks: Iterator[Any], run_manager: CallbackManagerForChainRun, config: RunnableConfig
    ) -> Iterator[Any]:
        tr_id = str(run_manager.run_id)
        self._check_config()
        upstream = self._upstream_block(run_manager)
        if upstream is not None:  # the model already ran on the refusal; its chunks are dropped
            first = next(chunks, None) if self.runnable is None else None
            yield self._replacement(first, upstream, chunk=True)
            return
        source: Iterator[Any] = chunks
        if self.sides != "output":
            value = _merge(chunks)
            out = self._checker.check("prompt", extract(value, key=self.input_key), value, tr_id=tr_id)
            if out.blocked:
                yield self._blocked_input(value, out, run_manager)
                return
            source = iter([out.value])
        if self.runnable is not None:
            child = patch_config(config, callbacks=run_manager.get_child())
            source = self.runnable.stream(_merge(source), child)
        if self.sides == "input":
            yield from source
            return
        scan = _OutputStream(self, tr_id)
        try:
            for chunk in source:
                yield from scan.feed(chunk, scan.stream.feed(scan.text_of(chunk)))
            rest = scan.stream.finish()
            others = scan.others_value()
            final = None
            if others is not None:
                final = self._checker.check("response", extract(others, key=self.output_key), others, tr_id=tr_id)
            yield from scan.end(rest, self._tool_calls(scan, tr_id), final)
        except ThreatDetected as exc:
            yield self._stream_blocked(scan, exc)

    async def _atransform(
        self, chunks: AsyncIterator[Any], run_manager: AsyncCallbackManagerForChainRun, config: RunnableConfig
    ) -> AsyncIterator[Any]:
        tr_id = str(run_manager.run_id)
        self._check_config()
        upstream = self._upstream_block(run_manager)
        if upstream is not None:
            first = await anext(aiter(chunks), None) if self.runnable is None else None
            yield self._replacement(first, upstream, chunk=True)
            return
        value: Any = None
        if self.sides != "output":
            value = await _amerge(chunks)
            out = await self._checker.acheck("prompt", extract(value, key=self.input_key), value, tr_id=tr_id)
            if out.blocked:
                yield self._blocked_input(value, out, run_manager)
                return
            value = out.value
        source: AsyncIterator[Any] = chunks if self.sides == "output" else _aone(value)
        if self.runnable is not None:
            child = patch_config(config, callbacks=run_manager.get_child())
            source = self.runnable.astream(await _amerge(source), child)
        if self.sides == "input":
            async for chunk in source:
                yield chunk
            return
        scan = _OutputStream(self, tr_id)
        try:
            async for chunk in source:
                for out_chunk in scan.feed(chunk, await scan.stream.afeed(scan.text_of(chunk))):
                    yield out_chunk
            rest = await scan.stream.afinish()
            others = scan.others_value()
            final = None
            if others is not None:
                final = await self._checker.acheck(
                    "response", extract(others, key=self.output_key), others, tr_id=tr_id
                )
            calls = await self._atool_calls(scan, tr_id)
            for out_chunk in scan.end(rest, calls, final):
                yield out_chunk
        except ThreatDetected as exc:
            yield self._stream_blocked(scan, exc)

    def _tool_calls(self, scan: _OutputStream, tr_id: str) -> Outcome | None:
        msg = scan.tool_message()
        return None if msg is None else self._checker.check("response", extract(msg), msg, tr_id=tr_id)

    async def _atool_calls(self, scan: _OutputStream, tr_id: str) -> Outcome | None:
        msg = scan.tool_message()
        return None if msg is None else await self._checker.acheck("response", extract(msg), msg, tr_id=tr_id)

    # -- blocking -----------------------------------------------------------------------------------------------

    def _check_config(self) -> None:
        if self.runnable is None and self.sides == "both":
            raise ValueError("InterlockGuard has no runnable: wrap one (InterlockGuard(llm)) or use .input()/.output()")

    def _blocked_input(self, value: Any, out: Outcome, run_manager: _RunManager) -> Any:
        """What a blocked prompt becomes with ``replace``: the refusal answer, or (pipe step) a refusal input.

        A pipe step cannot skip the steps after it, so it passes on ``safe_message`` in the shape of its input
        (the model sees nothing of the blocked text) and leaves a note for the Interlock output step (or guarded
        runnable) that follows in the same sequence run: that step then answers ``safe_message`` instead of
        whatever the model said to the refusal.
        """
        if self.runnable is not None:
            return self._replacement(None, out)
        out = replace(out, message=self.safe_message)
        _BLOCKED_UPSTREAM.put(run_manager.parent_run_id, out)
        return refusal(value, self.safe_message, key=self.input_key, meta=out.marker())

    def _upstream_block(self, run_manager: _RunManager) -> Outcome | None:
        """The blocked prompt an ``.input()`` step earlier in the same sequence run left for this step."""
        if self.sides == "input":
            return None
        return _BLOCKED_UPSTREAM.pop(run_manager.parent_run_id)

    def _stream_blocked(self, scan: _OutputStream, exc: ThreatDetected) -> Any:
        how = self.mask_fallback if self.action == "mask" else self.action
        if how != "replace":
            raise exc
        return self._replacement(scan.sample, Outcome(blocked=True, result=exc.result, error=exc), chunk=True)

    def _replacement(self, original: Any, out: Outcome, *, chunk: bool = False) -> Any:
        """The safe message, shaped like ``original`` (or like the guarded runnable's output)."""
        meta = {"interlock": out.marker()}
        message = out.message or self.safe_message
        if isinstance(original, dict) and self.output_key in original:
            return {**original, self.output_key: self._replacement(original[self.output_key], out, chunk=chunk)}
        if original is None:
            as_message = isinstance(self.runnable, BaseChatModel) or (
                not isinstance(self.runnable, BaseLLM) and _outputs_message(self.runnable)
            )
        else:
            as_message = isinstance(original, BaseMessage)
        if not as_message:
            return message
        if chunk or isinstance(original, AIMessageChunk):
            return AIMessageChunk(content=message, response_metadata=meta)
        return AIMessage(content=message, response_metadata=meta)


class _OutputStream:
    """Per-stream state: the stream scanner, held-back tool-call chunks and non-text chunks."""

    def __init__(self, guard: InterlockGuard, tr_id: str) -> None:
        _, kwargs = guard._checker.request("response", "", tr_id=tr_id)
        self.guard = guard
        self.stream = StreamScanner(
            guard.scanner,
            "response",
            window=guard.window,
            overlap=guard.overlap,
            mode="buffered" if guard.buffered else "incremental",
            mask=guard.mask_strategy,
            mask_blocked=guard.action == "mask",
            fail_open=guard.fail_open,
            **kwargs,
        )
        self.sample: Any = None  # the first chunk, to shape replacements
        self.tool_chunks: AIMessageChunk | None = None
        self.others: list[Any] = []
        self.last_id: str | None = None

    def text_of(self, chunk: Any) -> str:
        if self.sample is None:
            self.sample = chunk
        if isinstance(chunk, str):
            return chunk
        if isinstance(chunk, AIMessageChunk):
            return message_text(chunk)
        self.others.append(chunk)
        return ""

    def feed(self, chunk: Any, released: str) -> Iterator[Any]:
        if isinstance(chunk, str):
            if released:
                yield released
        elif isinstance(chunk, AIMessageChunk):
            if chunk.tool_call_chunks:
                held = AIMessageChunk(content="", id=chunk.id, tool_call_chunks=chunk.tool_call_chunks)
                self.tool_chunks = held if self.tool_chunks is None else self.tool_chunks + held
            self.last_id = chunk.id or self.last_id
            if released or (not self.guard.buffered and (chunk.usage_metadata or chunk.response_metadata)):
                yield AIMessageChunk(
                    content=released,
                    id=chunk.id,
                    response_metadata=chunk.response_metadata,
                    usage_metadata=chunk.usage_metadata,
                )

    def tool_message(self) -> AIMessage | None:
        if self.tool_chunks is None or not self.tool_chunks.tool_calls:
            return None
        return AIMessage(content="", tool_calls=self.tool_chunks.tool_calls)

    def others_value(self) -> Any:
        return _merge(iter(self.others)) if self.others else None

    def end(self, rest: str, calls: Outcome | None, others: Outcome | None) -> Iterator[Any]:
        """The final chunk(s): remaining text, scanned tool calls, scanned non-text output."""
        guard = self.guard
        if calls is not None and calls.blocked:
            yield guard._replacement(self.sample, calls, chunk=True)
            return
        if others is not None:
            yield guard._replacement(others.value, others) if others.blocked else others.marked()
            return
        if isinstance(self.sample, str) or self.sample is None:
            if rest:
                yield rest
            return
        info: dict[str, Any] = {}
        if self.stream.masked or (calls is not None and calls.masked):
            info["action"] = "masked"
        if self.stream.failed_open or (calls is not None and calls.failed_open):
            info["failed_open"] = True
        tool_call_chunks = []
        if calls is not None:
            msg = calls.value
            tool_call_chunks = [
                {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i}
                for i, c in enumerate(msg.tool_calls)
            ]
        if rest or tool_call_chunks or info:
            yield AIMessageChunk(
                content=rest,
                id=self.last_id,
                tool_call_chunks=tool_call_chunks,
                response_metadata={"interlock": info} if info else {},
            )


def _model_name(runnable: Any) -> str | None:
    for attr in ("model_name", "model", "model_id"):
        value = getattr(runnable, attr, None)
        if isinstance(value, str) and value:
            return value
    return None


def _outputs_message(runnable: Any) -> bool:
    try:
        out = runnable.OutputType
        return isinstance(out, type) and issubclass(out, BaseMessage)
    except Exception:  # OutputType may be a typing construct or fail to infer
        return False


def _merge(chunks: Iterator[Any]) -> Any:
    final: Any = None
    for chunk in chunks:
        if final is None:
            final = chunk
        else:
            try:
                final = final + chunk
            except TypeError:
                final = chunk
    return final


async def _amerge(chunks: AsyncIterator[Any]) -> Any:
    return _merge(iter([c async for c in chunks]))


async def _aone(value: Any) -> AsyncIterator[Any]:
    yield value
