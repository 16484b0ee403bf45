"""Lexical topic similarity: TF-IDF cosine over content-word stems, word bigrams and character n-grams.

Every topic reference text (a topic's description and each example phrase) becomes one sparse, L2-normalised
vector at detector init, held in an inverted index; a scanned window is vectorised the same way and scored
against all references at once by walking only the postings of its own features (cost linear in the window).
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Container, Sequence
from functools import lru_cache

__all__ = ["LexicalIndex", "content_tokens", "vectorise"]

_STOP = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours yourself yourselves tell please give want
    need know like get make let us also any anything something thing things really much many may might must
    shall i'm i've i'd you're can't don't it's what's""".split()
)
#: Tokens longer than this are not cached.
_CACHE_LEN = 32
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "es", "ed", "ly", "s")


class _Chars(dict[int, str]):
    """``str.translate`` table: letters/digits/apostrophes kept, everything else -> space."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        out = ch if ch.isalnum() or ch == "'" else " "
        self[cp] = out
        return out


_CHARS = _Chars()


def _stem(tok: str) -> str:
    # Cache only word-sized tokens: the cache must not hold arbitrary long strings from untrusted text.
    return _stem_cached(tok) if len(tok) <= _CACHE_LEN else _stem_uncached(tok)


@lru_cache(maxsize=1 << 16)
def _stem_cached(tok: str) -> str:
    return _stem_uncached(tok)


def _stem_uncached(tok: str) -> str:
    for suf in _SUFFIXES:
        if tok.endswith(suf) and len(tok) - len(suf) >= 3:
            tok = tok[: -len(suf)]
            if suf in ("ies", "ied"):
                tok += "y"
            break
    return tok


def content_tokens(text: str) -> list[str]:
    """Lowercased, NFKC-normalised, stop-word-free, lightly stemmed word tokens."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_CHARS)
    # Tokens are cut at 40 characters: longer "words" (hashes, base64) are not vocabulary and would only add n-grams.
    return [_stem(t[:40]) for t in (w.strip("'") for w in text.split()) if len(t) > 1 and t not in _STOP]


def _token_features(tok: str) -> tuple[str, ...]:
    """The word feature and character 3-5-gram features of one token (cached when word-sized)."""
    return _token_features_cached(tok) if len(tok) <= _CACHE_LEN else _token_features_uncached(tok)


@lru_cache(maxsize=1 << 16)
def _token_features_cached(tok: str) -> tuple[str, ...]:
    return _token_features_uncached(tok)


def _token_features_uncached(tok: str) -> tuple[str, ...]:
    padded = f" {tok} "
    grams = ["c:" + padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)]
    return ("w:" + tok, *grams)


def _raw_features(toks: Sequence[str]) -> Counter[str]:
    feats: Counter[str] = Counter()
    for t in toks:
        feats.update(_token_features(t))
    for a, b in zip(toks, toks[1:], strict=False):
        feats[f"b:{a} {b}"] += 1
    return feats


#: Relative weight of each feature family (whole words and bigrams count more than character n-grams).
_FAMILY = {"w": 3.0, "b": 3.0, "c": 1.0}


def vectorise(
    toks: Sequence[str], idf: dict[str, float], default_idf: float, keep: Container[str] | None = None
) -> dict[str, float]:
    """Sublinear-TF x IDF x family weight, L2-normalised. Features unknown to ``idf`` get ``default_idf``.

    ``keep`` limits the returned features (the norm still counts all of them): scoring only needs features that
    some reference has.
    """
    vec = {f: (1.0 + math.log(n)) * idf.get(f, default_idf) * _FAMILY[f[0]] for f, n in _raw_features(toks).items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    if not norm:
        return {}
    return {f: v / norm for f, v in vec.items() if keep is None or f in keep}


class LexicalIndex:
    """Reference texts grouped by label, vectorised once; :meth:`scores` gives the best cosine per label.

    Args:
        references: ``(label, text)`` pairs, e.g. ``("Investment advice", "which stocks should I buy")``.
    """

    def __init__(self, references: Sequence[tuple[str, str]]) -> None:
        docs = [(label, content_tokens(text)) for label, text in references]
        df: Counter[str] = Counter()
        for _, toks in docs:
            df.update(set(_raw_features(toks)))
        n = len(docs) + 1
        self._idf = {f: math.log(n / (1 + c)) + 1.0 for f, c in df.items()}
        self._default_idf = math.log(n) + 1.0
        self._labels = [label for label, _ in docs]
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, (_, toks) in enumerate(docs):
            for f, w in vectorise(toks, self._idf, self._default_idf).items():
                self._postings[f].append((i, w))

    def scores(self, toks: Sequence[str]) -> dict[str, float]:
        """Best cosine similarity of ``toks`` to each label's references (labels with no overlap are absent)."""
        dots: dict[int, float] = defaultdict(float)
        for f, w in vectorise(toks, self._idf, self._default_idf, self._postings).items():
            for i, rw in self._postings[f]:
                dots[i] += w * rw
        best: dict[str, float] = {}
        for i, d in dots.items():
            label = self._labels[i]
            if d > best.get(label, 0.0):
                best[label] = d
        return best
