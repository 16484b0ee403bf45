"""Pulling scannable text out of LangChain values, and putting (masked) text back in.

:func:`extract` turns a value into ``Texts``: the list of text pieces to scan plus a ``rebuild`` function that
returns a copy of the value with each piece replaced, so masking keeps every type intact (a ``ChatPromptValue``
stays a ``ChatPromptValue``, an ``AIMessage`` keeps its tool calls, a ``Document`` its metadata).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.documents import Document
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.prompt_values import ChatPromptValue, PromptValue, StringPromptValue

from interlock.masking import Span, mask_text

__all__ = ["SEPARATOR", "Texts", "combine", "extract", "join", "mask_pieces", "message_text", "refusal"]

#: Placed between pieces when they are scanned as one text.
SEPARATOR = "\n\n"

Rebuild = Callable[[list[str]], Any]


@dataclass(frozen=True)
class Texts:
    """Text pieces found in a value and how to rebuild the value from replacement pieces."""

    pieces: list[str]
    rebuild: Rebuild

    @property
    def text(self) -> str:
        """The pieces joined for scanning."""
        return join(self.pieces)


def join(pieces: Sequence[str]) -> str:
    """Join non-empty pieces with :data:`SEPARATOR`."""
    return SEPARATOR.join(p for p in pieces if p)


def mask_pieces(pieces: Sequence[str], spans: Sequence[Span], strategy: Any) -> list[str]:
    """Apply spans over the :func:`join` of ``pieces`` to each piece (spans are clipped at piece borders)."""
    out: list[str] = []
    offset = 0
    for piece in pieces:
        if not piece:
            out.append(piece)
            continue
        end = offset + len(piece)
        local = [(max(s, offset) - offset, min(e, end) - offset, t) for s, e, t in spans if s < end and e > offset]
        out.append(mask_text(piece, local, strategy) if local else piece)
        offset = end + len(SEPARATOR)
    return out


def message_text(message: BaseMessage) -> str:
    """The text content of a message (text blocks only)."""
    return str(message.text)


def _constant(value: Any) -> Texts:
    return Texts([], lambda _: value)


def _content(content: Any) -> tuple[list[str], Callable[[list[str]], Any]]:
    if isinstance(content, str):
        return [content], lambda t: t[0]
    slots: list[int] = []
    pieces: list[str] = []
    for i, block in enumerate(content):
        if isinstance(block, str):
            slots.append(i)
            pieces.append(block)
        elif isinstance(block, Mapping) and block.get("type") == "text" and isinstance(block.get("text"), str):
            slots.append(i)
            pieces.append(block["text"])

    def rebuild(texts: list[str]) -> Any:
        new = list(content)
        for slot, text in zip(slots, texts, strict=True):
            block = new[slot]
            new[slot] = text if isinstance(block, str) else {**block, "text": text}
        return new

    return pieces, rebuild


def _message(message: BaseMessage) -> Texts:
    pieces, rebuild_content = _content(message.content)
    n = len(pieces)
    calls = list(message.tool_calls) if isinstance(message, AIMessage) else []
    pieces += [json.dumps(call["args"], ensure_ascii=False, sort_keys=True) for call in calls]

    def rebuild(texts: list[str]) -> BaseMessage:
        update: dict[str, Any] = {"content": rebuild_content(texts[:n])}
        if calls:
            update["tool_calls"] = [
                {**call, "args": json.loads(args)} for call, args in zip(calls, texts[n:], strict=True)
            ]  # json.loads fails on a mask that broke the JSON: the caller then blocks instead
        return message.model_copy(update=update)

    return Texts(pieces, rebuild)


def _sequence(items: Sequence[Any], key: str | None) -> Texts:
    return combine([extract(item, key=key) for item in items])


def combine(parts: Sequence[Texts]) -> Texts:
    """One ``Texts`` for several values: all their pieces; ``rebuild`` returns the list of rebuilt values."""
    sizes = [len(p.pieces) for p in parts]

    def rebuild(texts: list[str]) -> list[Any]:
        out, pos = [], 0
        for part, size in zip(parts, sizes, strict=True):
            out.append(part.rebuild(texts[pos : pos + size]))
            pos += size
        return out

    return Texts([piece for p in parts for piece in p.pieces], rebuild)


def extract(value: Any, *, key: str | None = None) -> Texts:
    """Find the text to scan in a LangChain value.

    Supports ``str``, prompt values, messages (content blocks and AI tool-call arguments included), lists of
    messages or documents, ``Document`` and dicts. For a dict, ``key`` selects one entry; without it every value
    holding text is scanned (numbers, booleans and ``None`` are skipped).

    Raises:
        TypeError: the value holds no text this adapter knows how to scan (fail closed rather than skip it).
    """
    if isinstance(value, str):
        return Texts([value], lambda t: t[0])
    if isinstance(value, BaseMessage):
        return _message(value)
    if isinstance(value, StringPromptValue):
        return Texts([value.text], lambda t: StringPromptValue(text=t[0]))
    if isinstance(value, ChatPromptValue):
        inner = _sequence(value.messages, None)
        return Texts(inner.pieces, lambda t: ChatPromptValue(messages=inner.rebuild(t)))
    if isinstance(value, PromptValue):
        return Texts([value.to_string()], lambda t: StringPromptValue(text=t[0]))
    if isinstance(value, Document):
        return Texts([value.page_content], lambda t: value.model_copy(update={"page_content": t[0]}))
    if isinstance(value, Mapping):
        if key is not None:
            if key not in value:
                raise TypeError(f"input_key/output_key {key!r} not found in the dict (keys: {sorted(value)[:10]})")
            inner = extract(value[key])
            return Texts(inner.pieces, lambda t: {**value, key: inner.rebuild(t)})
        keys = [k for k, v in value.items() if not (v is None or isinstance(v, (bool, int, float)))]
        inner = _sequence([value[k] for k in keys], None)
        return Texts(inner.pieces, lambda t: {**value, **dict(zip(keys, inner.rebuild(t), strict=True))})
    if isinstance(value, (list, tuple)):
        if all(v is None or isinstance(v, (bool, int, float)) for v in value):
            return _constant(value)
        return _sequence(value, key)
    if value is None or isinstance(value, (bool, int, float)):
        return _constant(value)
    raise TypeError(
        f"interlock cannot find text to scan in a {type(value).__name__}; pass str, messages, prompt values, "
        "documents or dicts (set input_key/output_key to pick a dict entry)"
    )


def refusal(value: Any, text: str, *, key: str | None = None, meta: Mapping[str, Any] | None = None) -> Any:
    """``value`` with every text :func:`extract` would scan replaced by ``text`` (the shape is kept).

    A blocked prompt becomes this before it goes on down a pipe, so the next step gets the type it expects
    and none of the blocked text. A conversation (``ChatPromptValue`` or a message list) becomes a single user
    message, which any chat model accepts (no dangling tool messages, no empty turns); ``meta`` is put into
    message ``response_metadata["interlock"]``.
    """
    marker = {"interlock": dict(meta)} if meta else {}
    if isinstance(value, str):
        return text
    if isinstance(value, BaseMessage):
        update: dict[str, Any] = {"content": text, "response_metadata": {**value.response_metadata, **marker}}
        if isinstance(value, AIMessage):
            update.update(tool_calls=[], invalid_tool_calls=[])
        return value.model_copy(update=update)
    if isinstance(value, ChatPromptValue):
        return ChatPromptValue(messages=[HumanMessage(content=text, response_metadata=marker)])
    if isinstance(value, PromptValue):
        return StringPromptValue(text=text)
    if isinstance(value, Document):
        return value.model_copy(update={"page_content": text})
    if isinstance(value, Mapping):
        if key is not None:
            return {**value, key: refusal(value[key], text, meta=meta)}
        return {k: v if _constant_like(v) else refusal(v, text, meta=meta) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, BaseMessage) for v in value):
            return [HumanMessage(content=text, response_metadata=marker)]
        return [v if _constant_like(v) else refusal(v, text, key=key, meta=meta) for v in value]
    if _constant_like(value):
        return value
    raise TypeError(f"interlock cannot build a refusal shaped like a {type(value).__name__}")


def _constant_like(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float))
