"""Interlock for LlamaIndex: scan retrieved nodes, queries, answers and chats.

* :class:`InterlockNodePostprocessor` — drops, masks or rejects retrieved nodes carrying indirect prompt
  injection, sensitive data or other threats, before they reach the LLM.
* :class:`InterlockQueryEngine` / :class:`InterlockChatEngine` — scan the user's input before retrieval and the
  answer (with its sources) after synthesis, streaming included.
"""

from llama_index.postprocessor.interlock._streams import DEFAULT_REFUSAL
from llama_index.postprocessor.interlock.base import InterlockNodePostprocessor
from llama_index.postprocessor.interlock.chat_engine import GuardedStreamingChatResponse, InterlockChatEngine
from llama_index.postprocessor.interlock.query_engine import InterlockQueryEngine

__all__ = [
    "DEFAULT_REFUSAL",
    "GuardedStreamingChatResponse",
    "InterlockChatEngine",
    "InterlockNodePostprocessor",
    "InterlockQueryEngine",
]
