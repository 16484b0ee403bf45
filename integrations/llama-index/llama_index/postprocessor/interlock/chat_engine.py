"""``InterlockChatEngine``: the query-engine guarantees around any LlamaIndex chat engine."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole
from llama_index.core.chat_engine.types import (
    AGENT_CHAT_RESPONSE_TYPE,
    AgentChatResponse,
    BaseChatEngine,
    StreamingAgentChatResponse,
)
from llama_index.core.memory import BaseMemory
from typing_extensions import Unpack

from interlock.scanner import Scanner

from ._guard import Verdict
from ._streams import EngineGuard, GuardOptions

__all__ = ["GuardedStreamingChatResponse", "InterlockChatEngine"]

logger = logging.getLogger("llama_index.postprocessor.interlock")


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

    Example:
        >>> chat = InterlockChatEngine(index.as_chat_engine(chat_mode="context"))  # doctest: +SKIP
    """

    def __init__(
        self, chat_engine: BaseChatEngine, scanner: Scanner | None = None, **options: Unpack[GuardOptions]
    ) -> None:
        self._engine = chat_engine
        self.policy = EngineGuard(scanner, **options)

    @property
    def chat_engine(self) -> BaseChatEngine:
        """The wrapped engine."""
        return self._engine

    def reset(self) -> None:
        self._engine.reset()

    @property
    def chat_history(self) -> list[ChatMessage]:
        return self._engine.chat_history

    # -- non-streaming --------------------------------------------------------------------------------------

    def chat(self, message: str, chat_history: list[ChatMessage] | None = None) -> AGENT_CHAT_RESPONSE_TYPE:
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
            self._rewrite_history(final)
        return self._respond(response, final, verdict, answer)

    async def achat(self, message: str, chat_history: list[ChatMessage] | None = None) -> AGENT_CHAT_RESPONSE_TYPE:
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
            await self._arewrite_history(final)
        return self._respond(response, final, verdict, answer)

    # -- streaming ------------------------------------------------------------------------------------------

    def stream_chat(self, message: str, chat_history: list[ChatMessage] | None = None) -> StreamingAgentChatResponse:
        verdict = self.policy.guard.scan({"prompt": message}, "prompt") if self.policy.scan_input else None
        if verdict is not None and verdict.action == "block":
            return self._stream_refusal(verdict)
        message = _masked(message, verdict)
        inner = self._engine.stream_chat(message, chat_history)
        if not self.policy.scan_output:
            return inner
        record, out = self._guarded(inner, verdict)
        tokens = self.policy.guard_tokens(
            inner.response_gen, self._stream_content(message, inner), record, self._rewrite_history
        )
        out.chat_stream = _as_chat_stream(tokens)
        return out

    async def astream_chat(
        self, message: str, chat_history: list[ChatMessage] | None = None
    ) -> StreamingAgentChatResponse:
        verdict = await self.policy.guard.ascan({"prompt": message}, "prompt") if self.policy.scan_input else None
        if verdict is not None and verdict.action == "block":
            return self._stream_refusal(verdict)
        message = _masked(message, verdict)
        inner = await self._engine.astream_chat(message, chat_history)
        if not self.policy.scan_output:
            return inner
        record, out = self._guarded(inner, verdict)
        content = self._stream_content(message, inner)
        out.achat_stream = _as_achat_stream(
            self.policy.aguard_tokens(inner.async_response_gen(), content, record, self._arewrite_history)
        )
        return out

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

    def _memory(self) -> BaseMemory | None:
        for attr in ("_memory", "memory"):
            memory = getattr(self._engine, attr, None)
            if isinstance(memory, BaseMemory):
                return memory
        logger.warning("interlock: cannot reach the chat engine's memory; the raw answer stays in its history")
        return None

    def _rewrite_history(self, text: str) -> None:
        memory = self._memory()
        if memory is not None:
            messages = _replace_last_answer(memory.get_all(), text)
            if messages is not None:
                memory.set(messages)

    async def _arewrite_history(self, text: str) -> None:
        memory = self._memory()
        if memory is not None:
            messages = _replace_last_answer(await memory.aget_all(), text)
            if messages is not None:
                await memory.aset(messages)


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
