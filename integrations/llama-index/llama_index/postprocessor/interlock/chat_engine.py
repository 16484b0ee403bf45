"""``InterlockChatEngine``: the query-engine guarantees around any LlamaIndex chat engine."""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import weakref
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from llama_index.core.async_utils import asyncio_run
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole
from llama_index.core.chat_engine.types import (
    AGENT_CHAT_RESPONSE_TYPE,
    AgentChatResponse,
    BaseChatEngine,
    StreamingAgentChatResponse,
)
from llama_index.core.memory import BaseMemory
from sqlalchemy.ext.asyncio import AsyncEngine
from typing_extensions import Unpack

from interlock.scanner import Scanner

from ._guard import Verdict
from ._streams import EngineGuard, GuardOptions

__all__ = ["GuardedStreamingChatResponse", "InterlockChatEngine"]

logger = logging.getLogger("llama_index.postprocessor.interlock")

#: A change to a chat history: the new message list, or None to leave it as it is.
Edit = Callable[[list[ChatMessage]], "list[ChatMessage] | None"]


@dataclass
class GuardedStreamingChatResponse(StreamingAgentChatResponse):
    """A streaming chat response whose tokens were scanned; ``metadata["interlock"]`` is final once consumed."""

    metadata: dict[str, Any] = field(default_factory=dict)


class InterlockChatEngine(BaseChatEngine):
    """Wraps any chat engine: scans each user message, and each answer together with its retrieved sources.

    Behaves like :class:`InterlockQueryEngine` (same arguments and metadata, keyed ``"message"`` and
    ``"response"``) for ``chat``, ``achat``, ``stream_chat`` and ``astream_chat``. The wrapped engine's memory is
    kept consistent with what the user actually received: a masked or refused answer replaces the raw one in
    the history, so a leaked secret is not replayed to the LLM on the next turn.

    Wrapped engines write a streamed answer to memory themselves, raw, whether or not anyone reads the stream.
    The history keeps only what the guarded stream released: when it ends or is closed; else when it is
    garbage-collected, or at the latest when the next ``chat``/``stream_chat`` (sync or async) or ``reset``
    starts (an unfinished stream is then closed: the next turn never sees unscanned text). ``chat_history``
    shows a pending stream's turn as released so far.

    Close the engine when done with it (``close``/``aclose``, or ``with``/``async with``): LlamaIndex's default
    chat memory keeps an aiosqlite connection whose worker thread, if the connection is only garbage-collected
    after the event loop that used it has closed, fails with "Event loop is closed".

    Example:
        >>> async with InterlockChatEngine(index.as_chat_engine(chat_mode="context")) as chat:  # doctest: +SKIP
        ...     reply = await chat.achat("What is the refund policy?")
    """

    def __init__(
        self, chat_engine: BaseChatEngine, scanner: Scanner | None = None, **options: Unpack[GuardOptions]
    ) -> None:
        self._engine = chat_engine
        self.policy = EngineGuard(scanner, **options)
        self._pending: _Turn | None = None
        self._lock = threading.RLock()  # one settlement at a time (a finalizer may settle from another thread)

    @property
    def chat_engine(self) -> BaseChatEngine:
        """The wrapped engine."""
        return self._engine

    def reset(self) -> None:
        self._settle()  # a pending stream's writer must not add its raw answer to the fresh memory
        self._engine.reset()

    # -- lifetime -------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Settle a pending stream, then release the wrapped memory's database connections."""
        self._settle()
        engine = self._memory_db_engine()
        if engine is not None:
            asyncio_run(engine.dispose())

    async def aclose(self) -> None:
        """Async :meth:`close`: run it on the event loop that used the engine, before that loop ends."""
        await self._asettle()
        engine = self._memory_db_engine()
        if engine is not None:
            await engine.dispose()

    def __enter__(self) -> InterlockChatEngine:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    async def __aenter__(self) -> InterlockChatEngine:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    def _memory_db_engine(self) -> AsyncEngine | None:
        """The SQLAlchemy async engine behind the wrapped memory's chat store, once it has opened one."""
        memory = getattr(self._engine, "_memory", None) or getattr(self._engine, "memory", None)
        store = getattr(memory, "sql_store", None)
        engine = getattr(store, "_async_engine", None)  # created lazily by the store on first use
        return engine if isinstance(engine, AsyncEngine) else None

    @property
    def chat_history(self) -> list[ChatMessage]:
        history = self._engine.chat_history
        turn = self._pending
        if turn is None or turn.settled:
            return history
        settled = _settled_history(history, turn)
        return history if settled is None else settled

    # -- non-streaming --------------------------------------------------------------------------------------

    def chat(self, message: str, chat_history: list[ChatMessage] | None = None) -> AGENT_CHAT_RESPONSE_TYPE:
        self._settle()
        verdict = self.policy.guard.scan({"prompt": message}, "prompt") if self.policy.scan_input else None
        if verdict is not None and verdict.action == "block":
            return self._refusal(verdict, "message")
        message = _masked(message, verdict)
        response = self._engine.chat(message, chat_history)
        if not self.policy.scan_output or not isinstance(response, AgentChatResponse) or not response.response:
            return _annotate(response, verdict, None)
        content = self.policy.answer_content(message, response.response, response.source_nodes)
        answer = self.policy.guard.scan(content, "response")
        final = self._final_text(response, answer)
        if final != response.response:
            self._rewrite_history(lambda messages: _replace_last_answer(messages, final))
        return self._respond(response, final, verdict, answer)

    async def achat(self, message: str, chat_history: list[ChatMessage] | None = None) -> AGENT_CHAT_RESPONSE_TYPE:
        await self._asettle()
        verdict = await self.policy.guard.ascan({"prompt": message}, "prompt") if self.policy.scan_input else None
        if verdict is not None and verdict.action == "block":
            return self._refusal(verdict, "message")
        message = _masked(message, verdict)
        response = await self._engine.achat(message, chat_history)
        if not self.policy.scan_output or not isinstance(response, AgentChatResponse) or not response.response:
            return _annotate(response, verdict, None)
        content = self.policy.answer_content(message, response.response, response.source_nodes)
        answer = await self.policy.guard.ascan(content, "response")
        final = self._final_text(response, answer)
        if final != response.response:
            await self._arewrite_history(lambda messages: _replace_last_answer(messages, final))
        return self._respond(response, final, verdict, answer)

    # -- streaming ------------------------------------------------------------------------------------------

    def stream_chat(self, message: str, chat_history: list[ChatMessage] | None = None) -> StreamingAgentChatResponse:
        self._settle()
        verdict = self.policy.guard.scan({"prompt": message}, "prompt") if self.policy.scan_input else None
        if verdict is not None and verdict.action == "block":
            return self._stream_refusal(verdict)
        message = _masked(message, verdict)
        inner = self._engine.stream_chat(message, chat_history)
        if not self.policy.scan_output:
            return inner
        record, out = self._guarded(inner, verdict)
        turn = _Turn(inner)
        tokens = self.policy.guard_tokens(
            inner.response_gen,
            self._stream_content(message, inner),
            record,
            lambda _text: self._finish(turn),
            released=turn.released,
        )
        turn.tokens = weakref.ref(tokens)  # weak: dropping the response closes (and so settles) the stream
        out.chat_stream = _as_chat_stream(tokens)
        self._track(turn, out)
        return out

    async def astream_chat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> StreamingAgentChatResponse:
        await self._asettle()
        verdict = await self.policy.guard.ascan({"prompt": message}, "prompt") if self.policy.scan_input else None
        if verdict is not None and verdict.action == "block":
            return self._stream_refusal(verdict)
        message = _masked(message, verdict)
        inner = await self._engine.astream_chat(message, chat_history)
        if not self.policy.scan_output:
            return inner
        record, out = self._guarded(inner, verdict)
        content = self._stream_content(message, inner)
        turn = _Turn(inner)

        async def done(_text: str) -> None:
            await self._afinish(turn)

        atokens = self.policy.aguard_tokens(inner.async_response_gen(), content, record, done, released=turn.released)
        turn.atokens = weakref.ref(atokens)
        out.achat_stream = _as_achat_stream(atokens)
        self._track(turn, out)
        return out

    # -- pending streamed turns -----------------------------------------------------------------------------

    def _track(self, turn: _Turn, out: GuardedStreamingChatResponse) -> None:
        self._pending = turn
        weakref.finalize(out, _collected, weakref.ref(self), turn)

    def _settle(self) -> None:
        """Settle the previous streamed turn, if still pending (closing its stream), before anything else."""
        turn = self._pending
        if turn is not None and not turn.settled:
            self._settle_turn(turn)

    async def _asettle(self) -> None:
        """Async :meth:`_settle`."""
        turn = self._pending
        if turn is None or turn.settled:
            return
        atokens = turn.atokens() if turn.atokens is not None else None
        if atokens is not None:
            try:
                await atokens.aclose()  # settles through the stream's cleanup
            except RuntimeError:  # being consumed by another task right now
                pass
        if turn.settled:
            return
        if turn.atokens is None:
            await asyncio.to_thread(self._settle_turn, turn)  # joins a writer thread: keep the loop free
            return
        task = turn.inner.awrite_response_to_history_task
        if task is not None and task is not asyncio.current_task():
            await asyncio.gather(task, return_exceptions=True)
        await self._afinish(turn)

    def _finish(self, turn: _Turn) -> None:
        """Make the memory hold what ``turn``'s stream released (its raw answer, once written, is replaced)."""
        with self._lock:
            if turn.settled:
                return
            writer = turn.inner.write_response_to_history_thread
            if writer is not None and writer is not threading.current_thread():
                writer.join()  # the raw answer is in memory once the wrapped engine's writer is done
            task = turn.inner.awrite_response_to_history_task
            if task is not None and not task.done():  # cannot wait for it here: stop it before it writes
                try:
                    task.get_loop().call_soon_threadsafe(task.cancel)
                except RuntimeError:  # its loop is closed: it will never write
                    pass
            turn.settled = True
            if self._pending is turn:
                self._pending = None
            self._rewrite_history(lambda messages: _settled_history(messages, turn))

    async def _afinish(self, turn: _Turn) -> None:
        """Async :meth:`_finish` (the stream's own cleanup has awaited the wrapped engine's writer)."""
        if turn.settled:
            return
        turn.settled = True
        if self._pending is turn:
            self._pending = None
        await self._arewrite_history(lambda messages: _settled_history(messages, turn))

    # -- helpers --------------------------------------------------------------------------------------------

    @staticmethod
    def _guarded(
        inner: StreamingAgentChatResponse, message: Verdict | None
    ) -> tuple[dict[str, Any], GuardedStreamingChatResponse]:
        """The record filled in when the stream ends, and the response that will carry the scanned stream."""
        record: dict[str, Any] = {"action": "pending"}
        metadata = {"interlock": {"response": record, **({"message": message.record()} if message else {})}}
        out = GuardedStreamingChatResponse(
            sources=inner.sources, source_nodes=inner.source_nodes, is_writing_to_memory=False, metadata=metadata
        )
        return record, out

    def _stream_content(self, message: str, inner: StreamingAgentChatResponse) -> dict[str, str]:
        content = self.policy.answer_content(message, "", inner.source_nodes)
        content.pop("response", None)
        return content

    def _final_text(self, response: AgentChatResponse, answer: Verdict) -> str:
        """What the user receives (and what the history keeps): the refusal, the masked or the raw answer."""
        if answer.action == "block":
            return self.policy.refusal
        if answer.action == "mask" and answer.masked_text is not None:
            return answer.masked_text
        return response.response

    def _respond(
        self, response: AgentChatResponse, final: str, query: Verdict | None, answer: Verdict
    ) -> AgentChatResponse:
        if answer.action == "block":
            self.policy.refuse_or_raise(answer, "answer")  # raises in "raise" mode (history already rewritten)
            return AgentChatResponse(response=final, metadata={"interlock": _records(query, answer)})
        response.response = final
        response.metadata = {**(response.metadata or {}), "interlock": _records(query, answer)}
        return response

    def _refusal(self, verdict: Verdict, what: str) -> AgentChatResponse:
        text = self.policy.refuse_or_raise(verdict, what)
        return AgentChatResponse(response=text, metadata={"interlock": {"message": verdict.record()}})

    def _stream_refusal(self, verdict: Verdict) -> StreamingAgentChatResponse:
        text = self.policy.refuse_or_raise(verdict, "message")
        return GuardedStreamingChatResponse(
            chat_stream=_as_chat_stream(iter([text])),
            achat_stream=_as_achat_stream(_aiter([text])),
            is_writing_to_memory=False,
            metadata={"interlock": {"message": verdict.record()}},
        )

    def _settle_turn(self, turn: _Turn) -> None:
        """Close ``turn``'s stream if unfinished, then settle it (the close already does when it had started)."""
        tokens = turn.tokens() if turn.tokens is not None else None
        if tokens is not None:
            try:
                tokens.close()  # its cleanup closes the wrapped stream (joining its writer) and settles
            except (ValueError, RuntimeError):  # being consumed in another thread right now
                pass
        self._finish(turn)

    def _memory(self) -> BaseMemory | None:
        for attr in ("_memory", "memory"):
            memory = getattr(self._engine, attr, None)
            if isinstance(memory, BaseMemory):
                return memory
        logger.warning("interlock: cannot reach the chat engine's memory; the raw answer stays in its history")
        return None

    def _rewrite_history(self, edit: Edit) -> None:
        """Apply ``edit`` to the wrapped engine's memory (``edit`` returns None when nothing changes)."""
        memory = self._memory()
        if memory is not None:
            messages = edit(memory.get_all())
            if messages is not None:
                memory.set(messages)

    async def _arewrite_history(self, edit: Edit) -> None:
        """Async :meth:`_rewrite_history`."""
        memory = self._memory()
        if memory is not None:
            messages = edit(await memory.aget_all())
            if messages is not None:
                await memory.aset(messages)


@dataclass(eq=False)
class _Turn:
    """A streamed answer whose raw text the wrapped engine writes to memory; settled once, with what was released.

    Attributes:
        inner: the wrapped engine's streaming response (its ``response`` is the raw answer once written).
        released: what the guarded stream has given the user so far.
        tokens / atokens: the guarded token generator (closed to settle an abandoned stream).
        settled: the memory holds ``released`` instead of the raw answer.
    """

    inner: StreamingAgentChatResponse
    released: list[str] = field(default_factory=list)
    tokens: weakref.ref[Generator[str, None, None]] | None = None
    atokens: weakref.ref[AsyncGenerator[str, None]] | None = None
    settled: bool = False


def _settled_history(messages: list[ChatMessage], turn: _Turn) -> list[ChatMessage] | None:
    """``messages`` with ``turn``'s raw answer replaced by what was released, or removed if nothing was.

    The raw answer is found by its text (the wrapped engine stores it stripped), not by position: memories may
    trim old messages. None when the raw answer is not (yet) in ``messages`` or nothing changes.
    """
    raw = (turn.inner.response or "").strip()
    text = "".join(turn.released).strip()
    if not raw or raw == text:
        return None
    for i in range(len(messages) - 1, -1, -1):
        msg = messages[i]
        if msg.role == MessageRole.ASSISTANT and (msg.content or "").strip() == raw:
            out = list(messages)
            if text:
                out[i] = ChatMessage(role=MessageRole.ASSISTANT, content=text)
            else:
                del out[i]  # nothing reached the user: the turn keeps only the user's message
            return out
    return None


def _collected(ref: weakref.ref[InterlockChatEngine], turn: _Turn) -> None:
    """Finalizer of a guarded streaming response: settle its turn if nobody finished or closed its stream."""
    engine = ref()
    if engine is None or turn.settled:
        return
    task = turn.inner.awrite_response_to_history_task
    if task is not None:  # async: settle on its loop (async memories) once the wrapped engine's writer is done
        loop = task.get_loop()

        def settle(_: object = None) -> None:
            if not loop.is_closed():
                asyncio.run_coroutine_threadsafe(engine._afinish(turn), loop)

        if task.done():
            settle()
        else:
            loop.call_soon_threadsafe(task.add_done_callback, settle)
        return
    tokens = turn.tokens() if turn.tokens is not None else None
    if tokens is not None and inspect.getgeneratorstate(tokens) == inspect.GEN_SUSPENDED:
        return  # a started stream settles itself when it is closed, which its collection is about to do
    # never started: the writer thread may still be generating; do not block the collector
    threading.Thread(target=engine._settle_turn, args=(turn,), daemon=True, name="interlock-settle").start()


def _replace_last_answer(messages: list[ChatMessage], text: str) -> list[ChatMessage] | None:
    """The history with its last assistant message replaced by ``text`` (None when nothing changes)."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].role == MessageRole.ASSISTANT:
            if (messages[i].content or "").strip() == text.strip():
                return None
            out = list(messages)
            out[i] = ChatMessage(role=MessageRole.ASSISTANT, content=text)
            return out
    return None


def _masked(message: str, verdict: Verdict | None) -> str:
    if verdict is not None and verdict.action == "mask" and verdict.masked_text is not None:
        return verdict.masked_text
    return message


def _records(message: Verdict | None, answer: Verdict | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if message is not None:
        out["message"] = message.record()
    if answer is not None:
        out["response"] = answer.record()
    return out


def _annotate(
    response: AGENT_CHAT_RESPONSE_TYPE, message: Verdict | None, answer: Verdict | None
) -> AGENT_CHAT_RESPONSE_TYPE:
    records = _records(message, answer)
    if records and isinstance(response, AgentChatResponse):
        response.metadata = {**(response.metadata or {}), "interlock": records}
    return response


def _as_chat_stream(tokens: Any) -> Any:
    text = ""
    for token in tokens:
        text += token
        yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=token)


async def _as_achat_stream(tokens: Any) -> Any:
    text = ""
    async for token in tokens:
        text += token
        yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=token)


async def _aiter(items: list[str]) -> Any:
    for item in items:
        yield item
