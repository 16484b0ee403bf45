"""``InterlockMiddleware``: runtime security for LangChain 1.x agents (``create_agent(..., middleware=[...])``).

* ``before_model``: the latest user message, when it is new (the last message of the state).
* ``after_model``: the model's message — text and tool-call arguments.
* ``wrap_tool_call``: each tool call's input before the tool runs and its output after, as AIRS tool events
  (``ecosystem="langchain"``, ``method="tools/call"``, ``tool_invoked=<tool name>``). The output is the
  ``ToolMessage``, or every message a returned ``Command`` adds to the state (``update={"messages": [...]}``, or a
  list update), or all of these when the tool returns a list of them.

On a block, ``action="replace"`` (the default here) ends the run with a refusal ``AIMessage`` (``jump_to="end"``)
— for a tool, the tool is not run (or its whole output, ``Command`` included, is withheld) and the model gets an
error ``ToolMessage``;
``action="raise"`` raises :class:`interlock.ThreatDetected`; ``action="mask"`` rewrites the message, tool
arguments or tool output with sensitive data masked (other threats use ``mask_fallback``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from langchain.agents.middleware import AgentMiddleware, AgentState, hook_config
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage, convert_to_messages
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.runtime import Runtime
from langgraph.types import Command

from interlock.masking import MaskStrategy
from interlock.scanner import Scanner
from langchain_interlock._core import Action, Checker, Fallback, Outcome, default_scanner
from langchain_interlock._text import Texts, combine, extract

__all__ = ["InterlockMiddleware"]

ToolResult = ToolMessage | Command[Any]

#: The agent state key holding the conversation (``create_agent`` / ``ToolNode`` default).
MESSAGES_KEY = "messages"


class InterlockMiddleware(AgentMiddleware[AgentState[Any], Any, Any]):
    """Scans an agent's user input, model output and every tool call.

    Args:
        scanner: any :class:`interlock.Scanner`; default :func:`interlock.scanner`.
        action: ``"replace"`` (end the run with ``safe_message``), ``"raise"`` or ``"mask"``.
        mask_strategy / mask_fallback: see :class:`~langchain_interlock.InterlockGuard`.
        safe_message: the refusal the agent answers with; ``tool_message`` what the model is told instead of a
            blocked tool's result.
        fail_open: pass content when a scan errors or times out (logged; marked in message metadata); default
            fails closed.
        profile / session_id / app_name / app_user / ai_model: forwarded to every scan.
        server_name: ``tool_event.metadata.server_name`` for tool scans.
    """

    def __init__(
        self,
        scanner: Scanner | None = None,
        *,
        action: Action = "replace",
        mask_strategy: MaskStrategy = "type",
        mask_fallback: Fallback = "replace",
        safe_message: str = "Sorry, I can't help with that request.",
        tool_message: str = "The tool call was blocked by a security policy.",
        fail_open: bool = False,
        profile: str | None = None,
        session_id: str | None = None,
        app_name: str | None = "langchain-agent",
        app_user: str | None = None,
        ai_model: str | None = None,
        server_name: str = "langchain",
    ) -> None:
        super().__init__()
        self.scanner = scanner if scanner is not None else default_scanner()
        self.safe_message = safe_message
        self.tool_message = tool_message
        kwargs = {k: v for k, v in {"profile": profile, "session_id": session_id}.items() if v}
        self.checker = Checker(
            self.scanner,
            action=action,
            mask_strategy=mask_strategy,
            mask_fallback=mask_fallback,
            fail_open=fail_open,
            scan_kwargs=kwargs,
            metadata={"app_name": app_name, "app_user": app_user, "ai_model": ai_model},
            server_name=server_name,
        )

    # -- model hooks --------------------------------------------------------------------------------------------

    @hook_config(can_jump_to=["end"])
    def before_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Scan the latest user message (once: only while it is the newest message)."""
        msg = _last(state, HumanMessage)
        return None if msg is None else self._apply(msg, self.checker.check("prompt", extract(msg), msg))

    @hook_config(can_jump_to=["end"])
    async def abefore_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Async :meth:`before_model`."""
        msg = _last(state, HumanMessage)
        return None if msg is None else self._apply(msg, await self.checker.acheck("prompt", extract(msg), msg))

    @hook_config(can_jump_to=["end"])
    def after_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Scan the model's message: its text and its tool-call arguments."""
        msg = _last(state, AIMessage)
        return None if msg is None else self._apply(msg, self.checker.check("response", extract(msg), msg))

    @hook_config(can_jump_to=["end"])
    async def aafter_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Async :meth:`after_model`."""
        msg = _last(state, AIMessage)
        return None if msg is None else self._apply(msg, await self.checker.acheck("response", extract(msg), msg))

    def _apply(self, original: BaseMessage, out: Outcome) -> dict[str, Any] | None:
        if out.blocked:
            refusal = AIMessage(content=self.safe_message, response_metadata={"interlock": out.marker()})
            if isinstance(original, AIMessage):  # replace the model's message in place (same id)
                refusal.id = original.id
            return {"messages": [refusal], "jump_to": "end"}
        if out.masked or out.failed_open:
            return {"messages": [out.marked()]}
        return None

    # -- tools --------------------------------------------------------------------------------------------------

    def wrap_tool_call(self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], ToolResult]) -> ToolResult:
        """Scan the tool call's arguments, run the tool, scan its output."""
        name, args = _call(request)
        out = self.checker.check("tool_input", args, None, tool=name)
        request, blocked = self._tool_input(request, out)
        if blocked is not None:
            return blocked
        result = handler(request)
        texts = _result_texts(result)
        return self._tool_output(request, result, self.checker.check("tool_output", texts, result, tool=name))

    async def awrap_tool_call(
        self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], Awaitable[ToolResult]]
    ) -> ToolResult:
        """Async :meth:`wrap_tool_call`."""
        name, args = _call(request)
        out = await self.checker.acheck("tool_input", args, None, tool=name)
        request, blocked = self._tool_input(request, out)
        if blocked is not None:
            return blocked
        result = await handler(request)
        texts = _result_texts(result)
        return self._tool_output(request, result, await self.checker.acheck("tool_output", texts, result, tool=name))

    def _tool_input(self, request: ToolCallRequest, out: Outcome) -> tuple[ToolCallRequest, ToolMessage | None]:
        if out.blocked:
            return request, self._tool_refusal(request, out)
        if out.masked:
            call = request.tool_call.copy()
            call["args"] = out.value
            return request.override(tool_call=call), None
        return request, None

    def _tool_output(self, request: ToolCallRequest, result: ToolResult, out: Outcome) -> ToolResult:
        """The tool's result as the agent gets it: unchanged, masked (and marked), or a refusal ``ToolMessage``.

        A blocked ``Command`` is withheld as a whole (its state update and ``goto`` too), like a blocked
        ``ToolMessage``: nothing a flagged tool returned reaches the state.
        """
        if out.blocked:
            return self._tool_refusal(request, out)
        if out.masked or out.failed_open:
            marked: ToolResult = _mark(out.value, out.marker())
            return marked
        return result

    def _tool_refusal(self, request: ToolCallRequest, out: Outcome) -> ToolMessage:
        return ToolMessage(
            content=self.tool_message,
            tool_call_id=request.tool_call["id"] or "",
            name=request.tool_call.get("name"),
            status="error",
            response_metadata={"interlock": out.marker()},
        )


def _last(state: AgentState[Any], kind: type[BaseMessage]) -> BaseMessage | None:
    """The state's newest message when it is of ``kind``."""
    messages = state.get("messages") or []
    return messages[-1] if messages and isinstance(messages[-1], kind) else None


def _call(request: ToolCallRequest) -> tuple[str | None, Texts]:
    call = request.tool_call
    args = json.dumps(call.get("args", {}), ensure_ascii=False, sort_keys=True, default=str)
    return call.get("name"), Texts([args], lambda t: json.loads(t[0]))  # a mask that breaks the JSON blocks


def _command_texts(command: Command[Any]) -> Texts:
    """The messages a ``Command`` adds to the state, and how to rebuild the command with them rewritten."""
    update = command.update
    if isinstance(update, dict) and isinstance(update.get(MESSAGES_KEY), (list, tuple)):
        messages = extract(convert_to_messages(update[MESSAGES_KEY]))
        return Texts(messages.pieces, lambda t: replace(command, update={**update, MESSAGES_KEY: messages.rebuild(t)}))
    if isinstance(update, (list, tuple)):
        if update and all(isinstance(u, tuple) and len(u) == 2 and isinstance(u[0], str) for u in update):
            # (key, value) pairs: the messages are in the pairs keyed MESSAGES_KEY
            slots = [i for i, (k, v) in enumerate(update) if k == MESSAGES_KEY and isinstance(v, (list, tuple))]
            parts = [extract(convert_to_messages(update[i][1])) for i in slots]
            inner = combine(parts)

            def rebuild_pairs(t: list[str]) -> Command[Any]:
                pairs = list(update)
                for i, value in zip(slots, inner.rebuild(t), strict=True):
                    pairs[i] = (MESSAGES_KEY, value)
                return replace(command, update=pairs)

            return Texts(inner.pieces, rebuild_pairs)
        messages = extract(convert_to_messages(update))  # a message list (ToolNode called with a list)
        return Texts(messages.pieces, lambda t: replace(command, update=messages.rebuild(t)))
    return Texts([], lambda _: command)  # no messages (a state object update): nothing the model reads here


def _result_texts(result: Any) -> Texts:
    """The text a tool result puts in front of the model: a ``ToolMessage``, a ``Command``'s messages, a list."""
    if isinstance(result, Command):
        return _command_texts(result)
    if isinstance(result, (list, tuple)):
        return combine([_result_texts(r) for r in result])
    return extract(result)


def _mark(value: Any, marker: dict[str, Any]) -> Any:
    """``value`` with ``marker`` in the ``response_metadata`` of every tool message it holds."""
    if isinstance(value, ToolMessage):
        return value.model_copy(update={"response_metadata": {**value.response_metadata, "interlock": marker}})
    if isinstance(value, Command):
        update = value.update
        if isinstance(update, dict) and isinstance(update.get(MESSAGES_KEY), (list, tuple)):
            return replace(value, update={**update, MESSAGES_KEY: _mark(list(update[MESSAGES_KEY]), marker)})
        if isinstance(update, (list, tuple)) and all(isinstance(m, BaseMessage) for m in update):
            return replace(value, update=_mark(list(update), marker))
        return value
    if isinstance(value, list):
        return [_mark(v, marker) for v in value]
    return value
