"""``InterlockCallbackHandler``: scan what flows through LangChain callbacks and block by raising.

Callbacks observe; they cannot rewrite what a model, tool or retriever sees or returns. This handler can only
*block* (raise :class:`interlock.ThreatDetected` — LangChain re-raises it because ``raise_error`` is true). To
mask sensitive data or answer with a safe message instead, use :class:`~langchain_interlock.InterlockGuard` or
:class:`~langchain_interlock.InterlockMiddleware`.

Note that ``on_llm_end`` runs after a streamed answer has been delivered token by token: with streaming,
guard the output with ``InterlockGuard`` to stop tokens before they reach the user.

Blocking is quiet. LangChain's callback manager (``langchain_core.callbacks.manager.handle_event`` and its async
twin) logs ``"Error in <handler>.<event> callback: <repr>"`` at WARNING for *every* exception a handler raises,
before re-raising it when ``raise_error`` is true; it has no switch for expected exceptions. A block is the
intended outcome and the caller gets the exception, so :class:`_QuietBlocks`, a filter on that logger, drops
exactly the lines about the ``ThreatDetected`` exceptions this handler raised (matched by handler class name and
the exception's ``repr``). Any other exception from a handler, and other handlers' lines, are still logged.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.documents import Document
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from interlock.errors import ThreatDetected
from interlock.masking import MaskStrategy
from interlock.scanner import Scanner
from langchain_interlock._core import Checker, Side, default_scanner
from langchain_interlock._text import Texts, extract, join

__all__ = ["InterlockCallbackHandler"]

#: the logger and message LangChain's callback manager uses for an exception raised by a handler
_MANAGER_LOGGER = "langchain_core.callbacks.manager"
_MANAGER_MESSAGE = "Error in %s.%s callback: %s"


class _QuietBlocks(logging.Filter):
    """Drops the callback manager's warning about a block an :class:`InterlockCallbackHandler` raised on purpose."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        # (handler class name, repr of the exception) of raised blocks whose warning has not been seen yet; bounded
        # because a handler called directly (not through a callback manager) raises without a warning following
        self._expected: deque[tuple[str, str]] = deque(maxlen=256)

    def expect(self, handler: object, exc: BaseException) -> None:
        with self._lock:
            self._expected.append((type(handler).__name__, repr(exc)))

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.msg != _MANAGER_MESSAGE or not isinstance(args, tuple) or len(args) != 3:
            return True
        key = (str(args[0]), str(args[2]))
        with self._lock:
            if key in self._expected:
                self._expected.remove(key)
                return False
        return True


_QUIET = _QuietBlocks()
logging.getLogger(_MANAGER_LOGGER).addFilter(_QUIET)


class InterlockCallbackHandler(BaseCallbackHandler):
    """Scans prompts, responses, tool inputs/outputs and retrieved documents; raises on a threat.

    * ``on_chat_model_start`` / ``on_llm_start``: the prompt (every non-AI message; AI messages were scanned
      as responses when they were produced).
    * ``on_llm_end``: each generation's text and tool-call arguments, as ``response``.
    * ``on_tool_start`` / ``on_tool_end``: the tool's input and output as AIRS tool events
      (``ecosystem="langchain"``, ``method="tools/call"``, ``tool_invoked=<tool name>``).
    * ``on_retriever_end``: the retrieved documents' text, as ``prompt`` (indirect prompt injection).

    Args:
        scanner: any :class:`interlock.Scanner`; default :func:`interlock.scanner`.
        fail_open: let content through (with a logged warning) when a scan errors or times out; default is to
            raise :class:`interlock.streaming.ScanFailed`.
        profile / session_id: forwarded to every scan. app_name / app_user go into the scan metadata.
        server_name: ``tool_event.metadata.server_name`` for tool scans.
        scan_prompts, scan_responses, scan_tools, scan_retrievers: switch each hook off.
    """

    raise_error: bool = True

    def __init__(
        self,
        scanner: Scanner | None = None,
        *,
        fail_open: bool = False,
        profile: str | None = None,
        session_id: str | None = None,
        app_name: str | None = "langchain",
        app_user: str | None = None,
        server_name: str = "langchain",
        scan_prompts: bool = True,
        scan_responses: bool = True,
        scan_tools: bool = True,
        scan_retrievers: bool = True,
        mask_strategy: MaskStrategy = "x",
    ) -> None:
        self.scanner = scanner if scanner is not None else default_scanner()
        kwargs = {k: v for k, v in {"profile": profile, "session_id": session_id}.items() if v}
        self.checker = Checker(
            self.scanner,
            action="raise",
            mask_strategy=mask_strategy,
            fail_open=fail_open,
            scan_kwargs=kwargs,
            metadata={"app_name": app_name, "app_user": app_user},
            server_name=server_name,
        )
        self.scan_prompts = scan_prompts
        self.scan_responses = scan_responses
        self.scan_tools = scan_tools
        self.scan_retrievers = scan_retrievers
        self._models: dict[UUID, str | None] = {}
        self._tools: dict[UUID, str | None] = {}

    def _scan(self, side: Side, texts: Texts, run_id: UUID, **kw: Any) -> None:
        try:
            self.checker.check(side, texts, None, tr_id=str(run_id), **kw)
        except ThreatDetected as exc:  # the intended outcome: raised to the caller without a logged "Error in ..."
            _QUIET.expect(self, exc)
            raise

    # -- models -------------------------------------------------------------------------------------------------

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        prompts = [[m for m in conversation if not isinstance(m, AIMessage)] for conversation in messages]
        self._prompts(prompts, run_id, metadata)

    def on_llm_start(
        self,
        serialized: dict[str, Any],
        prompts: list[str],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._prompts(prompts, run_id, metadata)

    def _prompts(self, prompts: Sequence[Any], run_id: UUID, metadata: dict[str, Any] | None) -> None:
        model = (metadata or {}).get("ls_model_name")
        self._models[run_id] = model
        if self.scan_prompts:
            for prompt in prompts:
                self._scan("prompt", extract(prompt), run_id, ai_model=model)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        model = self._models.pop(run_id, None)
        if not self.scan_responses:
            return
        for generations in response.generations:
            for gen in generations:
                texts = extract(gen.message) if isinstance(gen, ChatGeneration) else extract(gen.text)
                self._scan("response", texts, run_id, ai_model=model)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._models.pop(run_id, None)

    # -- tools --------------------------------------------------------------------------------------------------

    def on_tool_start(
        self,
        serialized: dict[str, Any],
        input_str: str,
        *,
        run_id: UUID,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = (serialized or {}).get("name") or kwargs.get("name")
        self._tools[run_id] = name
        if self.scan_tools:
            text = json.dumps(inputs, ensure_ascii=False, default=str) if inputs else input_str
            self._scan("tool_input", extract(text), run_id, tool=name)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        name = self._tools.pop(run_id, None)
        if self.scan_tools:
            self._scan("tool_output", _tool_output(output), run_id, tool=name)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._tools.pop(run_id, None)

    # -- retrievers ---------------------------------------------------------------------------------------------

    def on_retriever_end(self, documents: Sequence[Document], *, run_id: UUID, **kwargs: Any) -> None:
        if self.scan_retrievers and documents:
            self._scan("prompt", extract(list(documents)), run_id)


def _tool_output(output: Any) -> Texts:
    if isinstance(output, (str, BaseMessage, Document, list, dict)):
        try:
            return extract(output)
        except TypeError:
            pass
    text = join([str(output)]) if output is not None else ""
    return Texts([text], lambda t: t[0])
