"""The hashed n-gram tier of the prompt-injection detector (tier name ``ngram``, the default).

A logistic regression over TF-IDF weights of hashed character 3-5-grams and word 1-2-grams, trained by
``scripts/injection_nested.py`` on both shared prompt-attack files (weighted so that no source, label and language
group dominates) plus generated attacks and hard negatives (``scripts/injection_plain.py``), and chosen on a nested
leave-source-out instrument (``docs/bench/injection_nested.md``; model card in ``docs/detection.md``).

Inference needs only the standard library: the artifact ``injection_ngram.bin.gz`` beside this file holds a JSON
header (hash layout, intercept, calibration, operating points, card) and two quantised arrays, the IDF and the
coefficient of every hash bucket. A text's features are hashed with CRC-32 (stable across processes and
platforms), so no vocabulary ships. Every normalised view of a window (spacing, leetspeak, rot13/base64 decoded,
tag characters, NFKC/full-width) is scored and the highest probability wins.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import struct
import unicodedata
import zlib
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "ARTIFACT",
    "CHAR_BUCKETS",
    "WORD_BUCKETS",
    "NgramModel",
    "NgramTier",
    "hashed_counts",
    "load_ngram_model",
    "normalise",
    "read_artifact",
    "write_artifact",
]

ARTIFACT = "injection_ngram.bin.gz"
#: hash buckets of the character block and of the word block (each block is L2-normalised on its own)
CHAR_BUCKETS = 1 << 20
WORD_BUCKETS = 1 << 18
#: the longest text scored as one piece (the detector hands over windows of 4 Ki characters)
MAX_CHARS = 4096
_MAGIC = b"ILNG1\n"

_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\U000e0000-\U000e007f]")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
# Linear: one greedy run of one character class per match.
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """NFKC, invisible characters dropped, lower case, digit runs as ``0``, whitespace runs as one space."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text[:MAX_CHARS])).lower()
    return _SPACE.sub(" ", _DIGITS.sub("0", text)).strip()


def hashed_counts(text: str) -> tuple[Counter[int], Counter[int]]:
    """Counts of the hashed character 3-5-grams (over `` text ``) and word 1-2-grams of a text.

    Character n-grams are CRC-32s of UTF-32 slices (one code point = 4 bytes, so a slice is a whole n-gram in any
    script); words and bigrams are CRC-32s of their UTF-8 bytes with their own seeds.
    """
    t = normalise(text)
    if not t:
        return Counter(), Counter()
    data = f" {t} ".encode("utf-32-le")
    n = len(data)
    crc = zlib.crc32
    cm = CHAR_BUCKETS - 1
    chars: Counter[int] = Counter()
    for k, seed in ((12, 3), (16, 4), (20, 5)):  # 3, 4 and 5 code points
        chars.update([crc(data[i : i + k], seed) & cm for i in range(0, n - k + 4, 4)])
    words = _WORD.findall(t)
    wm = WORD_BUCKETS - 1
    wc: Counter[int] = Counter([crc(w.encode(), 1) & wm for w in words])
    wc.update([crc(f"{a} {b}".encode(), 2) & wm for a, b in zip(words, words[1:], strict=False)])
    return chars, wc


def write_artifact(path: Path, header: dict[str, Any], idf: Sequence[float], coef: Sequence[float]) -> None:
    """Write an artifact: magic, header length, JSON header, then IDF (uint16, /1000) and coefficients (int16,
    scaled by ``header["coef_scale"]``), one value per bucket, char block then word block, gzip-compressed."""
    size = CHAR_BUCKETS + WORD_BUCKETS
    if len(idf) != size or len(coef) != size:
        raise ValueError(f"expected {size} values per array")
    top = max((abs(c) for c in coef), default=0.0) or 1.0
    scale = top / 32767.0
    head = json.dumps({**header, "coef_scale": scale, "buckets": [CHAR_BUCKETS, WORD_BUCKETS]}).encode()
    qi = array("H", (min(65535, round(v * 1000.0)) for v in idf))
    qc = array("h", (round(c / scale) for c in coef))
    for a in (qi, qc):
        if struct.pack("=H", 1) != struct.pack("<H", 1):  # pragma: no cover - big-endian hosts
            a.byteswap()
    blob = _MAGIC + struct.pack("<I", len(head)) + head + qi.tobytes() + qc.tobytes()
    path.write_bytes(gzip.compress(blob, compresslevel=9, mtime=0))


def read_artifact(blob: bytes) -> tuple[dict[str, Any], array[int], array[int]]:
    """Parse an artifact written by :func:`write_artifact` (header, quantised IDF, quantised coefficients)."""
    raw = gzip.decompress(blob)
    if not raw.startswith(_MAGIC):
        raise ValueError("not an injection n-gram artifact")
    pos = len(_MAGIC)
    (hlen,) = struct.unpack_from("<I", raw, pos)
    pos += 4
    header = json.loads(raw[pos : pos + hlen])
    pos += hlen
    size = sum(header["buckets"])
    qi, qc = array("H"), array("h")
    qi.frombytes(raw[pos : pos + 2 * size])
    qc.frombytes(raw[pos + 2 * size : pos + 4 * size])
    if struct.pack("=H", 1) != struct.pack("<H", 1):  # pragma: no cover - big-endian hosts
        qi.byteswap()
        qc.byteswap()
    if header["buckets"] != [CHAR_BUCKETS, WORD_BUCKETS] or len(qi) != size or len(qc) != size:
        raise ValueError("artifact hash layout does not match this version")
    return header, qi, qc


@dataclass(frozen=True)
class Scored:
    """A view's calibrated probability and raw margin."""

    probability: float
    margin: float


class NgramModel:
    """The calibrated linear model of an artifact."""

    def __init__(self, header: dict[str, Any], idf: array[int], coef: array[int]) -> None:
        self.header = header
        self.version: str = header["version"]
        self.intercept: float = float(header["intercept"])
        self.platt: tuple[float, float] = (float(header["platt"][0]), float(header["platt"][1]))
        #: sensitivity name -> probability threshold (nested out-of-source operating points, see the card)
        self.thresholds: dict[str, float] = {k: float(v) for k, v in header["thresholds"].items()}
        self.card: dict[str, Any] = header.get("card", {})
        self._idf = idf
        self._coef = coef
        self._scale = float(header["coef_scale"])

    def _block(self, counts: Counter[int], offset: int) -> float:
        idf, coef = self._idf, self._coef
        dot = norm = 0.0
        for b, c in counts.items():
            i = idf[b + offset]
            if not i:
                continue  # a bucket no training text had: not part of the model's vocabulary
            v = (1.0 + math.log(c)) * i if c > 1 else float(i)
            norm += v * v
            dot += v * coef[b + offset]
        return dot / math.sqrt(norm) if norm else 0.0

    def margin(self, text: str) -> float:
        """The raw linear score of a text (its first :data:`MAX_CHARS` characters)."""
        chars, words = hashed_counts(text)
        # IDF is stored x1000 and the coefficients x1/scale; the block norms cancel the IDF scale.
        return (self._block(chars, 0) + self._block(words, CHAR_BUCKETS)) * self._scale + self.intercept

    def probability(self, margin: float) -> float:
        """Platt-calibrated probability of a margin."""
        z = self.platt[0] * margin + self.platt[1]
        return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0

    def score(self, text: str) -> Scored:
        m = self.margin(text)
        return Scored(self.probability(m), m)


def load_artifact(path: Path) -> NgramModel:
    """Load an artifact file (scripts and tests; the tier uses :func:`load_ngram_model`)."""
    return NgramModel(*read_artifact(path.read_bytes()))


@cache
def load_ngram_model() -> NgramModel:
    """Load the bundled model once (about 0.05 s)."""
    blob = (resources.files("interlock.detectors.prompt_injection") / ARTIFACT).read_bytes()
    return NgramModel(*read_artifact(blob))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


class NgramTier:
    """The n-gram model as a scoring tier: the best probability over all views of a window.

    Like the ``trained`` tier, the probability is re-expressed on the detector's scale so that the model's
    operating point for the chosen sensitivity lands on the detector's threshold (in logit space).

    Options: ``sensitivity`` (``low``/``medium``/``high``) and ``detector_threshold``.
    """

    name = "ngram"
    costly = True

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        opts = options or {}
        self.model = load_ngram_model()
        sensitivity = str(opts.get("sensitivity", "medium"))
        self.model_threshold = self.model.thresholds.get(sensitivity, 0.5)
        self.detector_threshold = float(opts.get("detector_threshold", 0.7))
        self._shift = _logit(self.detector_threshold) - _logit(self.model_threshold)

    def rescale(self, p: float) -> float:
        """Map a model probability onto the detector's score scale."""
        return 1.0 / (1.0 + math.exp(-(_logit(p) + self._shift)))

    def score(self, views: Any) -> Any:
        """Score every view of one window; the evidence is the best view (the whole window)."""
        from interlock.detectors.prompt_injection.tiers import Evidence, TierScore

        best_p, best_view = 0.0, None
        for view in views:
            if not view.text.strip():
                continue
            p = self.model.score(view.text).probability
            if p > best_p or best_view is None:
                best_p, best_view = p, view
        if best_view is None or best_p <= 0.0:
            return TierScore(0.0)
        w = self.rescale(best_p)
        start, end = best_view.to_original(0, min(len(best_view.text), MAX_CHARS))
        return TierScore(w, [Evidence("ngram", "ngram.model", start, end, w, best_view.name)])
