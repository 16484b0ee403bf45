"""Interlock: runtime security for LLM applications, wire-compatible with the AIRS scan API.

Example:
    >>> import interlock
    >>> result = interlock.scanner().scan("What is the capital of France?")
    >>> result.action
    'allow'
"""

from __future__ import annotations

import logging

from interlock._version import __version__
from interlock.errors import *  # noqa: F403
from interlock.errors import __all__ as _errors_all
from interlock.masking import mask_text
from interlock.scanner import ContentLike, LocalScanner, Scanner, ScanResult, scanner

logging.getLogger("interlock").addHandler(logging.NullHandler())


def __getattr__(name: str) -> object:
    # The remote client imports httpx; load it only when asked for.
    if name in ("RemoteScanner",):
        from interlock import client

        return getattr(client, name)
    raise AttributeError(f"module 'interlock' has no attribute {name!r}")


__all__ = sorted(
    [
        *_errors_all,
        "ContentLike",
        "LocalScanner",
        "RemoteScanner",
        "ScanResult",
        "Scanner",
        "__version__",
        "mask_text",
        "scanner",
    ]
)
