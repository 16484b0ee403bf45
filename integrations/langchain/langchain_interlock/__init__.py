"""Interlock for LangChain: scan prompts, responses, retrieved documents and tool calls.

* :class:`InterlockGuard` — a Runnable that guards another Runnable (or pipe steps ``guard.input()`` /
  ``guard.output()``): raise, replace or mask; streaming-aware.
* :class:`InterlockCallbackHandler` — blocks (raises) from LangChain callbacks: prompts, responses, tools,
  retrievers.
* :class:`InterlockMiddleware` — LangChain 1.x agent middleware (``create_agent(..., middleware=[...])``); needs
  the ``agents`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interlock.errors import ThreatDetected
from interlock.streaming import ScanFailed
from langchain_interlock.callbacks import InterlockCallbackHandler
from langchain_interlock.guard import InterlockGuard

if TYPE_CHECKING:  # pragma: no cover
    from langchain_interlock.middleware import InterlockMiddleware

__all__ = ["InterlockCallbackHandler", "InterlockGuard", "InterlockMiddleware", "ScanFailed", "ThreatDetected"]


def __getattr__(name: str) -> Any:
    # The middleware imports ``langchain`` (the ``agents`` extra): load it only when asked for.
    if name == "InterlockMiddleware":
        from langchain_interlock.middleware import InterlockMiddleware

        return InterlockMiddleware
    raise AttributeError(f"module 'langchain_interlock' has no attribute {name!r}")
