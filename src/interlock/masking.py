"""Masking of sensitive spans.

Three strategies:

* ``"x"`` — AIRS semantics: each character of a detected span becomes ``X``; the text keeps its length, so
  offsets in ``pattern_detections`` stay valid. (The service has been seen to overwrite one extra trailing
  character; we mask exactly the reported half-open span, which is what its offsets say.)
* ``"type"`` — each span becomes ``<TYPE>`` (for example ``<CREDIT_CARD_NUMBER>``), readable for an LLM.
* ``"hash"`` — each span becomes ``<TYPE:8 hex>``, a keyed-free stable SHA-256 prefix, so the same value maps to
  the same token across a conversation without revealing it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import Literal

__all__ = ["MaskStrategy", "Span", "mask_text", "merge_spans", "type_token"]

MaskStrategy = Literal["x", "type", "hash"]
#: (start, end, type name)
Span = tuple[int, int, str]

_NON_WORD = re.compile(r"[^A-Za-z0-9]+")


def type_token(name: str) -> str:
    """``"Credit Card Number"`` -> ``"CREDIT_CARD_NUMBER"``."""
    return _NON_WORD.sub("_", name).strip("_").upper() or "SENSITIVE"


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sort spans and merge overlapping ones (the first type seen for a merged span wins)."""
    out: list[Span] = []
    for start, end, name in sorted(spans, key=lambda s: (s[0], -s[1])):
        if end <= start:
            continue
        if out and start < out[-1][1]:
            prev = out[-1]
            out[-1] = (prev[0], max(prev[1], end), prev[2])
        else:
            out.append((start, end, name))
    return out


def mask_text(text: str, spans: Sequence[Span], strategy: MaskStrategy = "x") -> str:
    """Return ``text`` with every span masked by ``strategy``; spans outside the text are clipped."""
    n = len(text)
    merged = merge_spans((max(0, s), min(n, e), t) for s, e, t in spans)
    if not merged:
        return text
    parts: list[str] = []
    pos = 0
    for start, end, name in merged:
        parts.append(text[pos:start])
        value = text[start:end]
        if strategy == "x":
            parts.append("X" * len(value))
        elif strategy == "type":
            parts.append(f"<{type_token(name)}>")
        elif strategy == "hash":
            digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            parts.append(f"<{type_token(name)}:{digest}>")
        else:
            raise ValueError(f"unknown mask strategy {strategy!r}")
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
