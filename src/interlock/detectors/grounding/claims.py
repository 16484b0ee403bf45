"""Sentence splitting, claim filtering and the lexical facts compared between a response and its context."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import re2

from interlock.detectors.topic_guardrails.lexical import content_tokens

__all__ = ["Sentence", "is_claim", "sentences"]

# Sentence end: . ! ? (optionally closing quote/bracket) followed by whitespace, or a line break. Decimal points
# ("3.5") and abbreviations followed by a lowercase word are not ends.
_SPLIT = re2.compile(r"(?:[.!?][\"')\]]*\s+(?:[^a-z0-9\s]|[A-Z]))|\n\s*\n|\n(?:[-*•]|\d+[.)])\s")
_NUMBER = re2.compile(r"(?:[$€£]\s?)?\d[\d,]*(?:\.\d+)?\s?(?:%|percent|million|billion|thousand|k\b|m\b|bn\b)?")
_NEGATION = frozenset(
    {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "non", "instead"}
)
_NEGATION_PHRASES = ("rather than", "instead of")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")  # simple char classes only: linear
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}

#: Openers of sentences that make no factual claim about the context.
_NON_CLAIM_START = (
    "hello", "hi ", "hi,", "hey", "sure", "certainly", "of course", "great question", "good question", "thanks",
    "thank you", "you're welcome", "i hope", "hope this", "let me know", "feel free", "please let", "i'm not sure",
    "i am not sure", "i don't know", "i do not know", "i think", "i believe", "i'm happy", "i am happy", "happy to",
    "here is", "here are", "here's", "in summary", "to summarize", "to summarise", "okay", "ok,", "absolutely",
    "as an ai", "i can help", "i'd be glad", "i would be glad", "is there anything", "anything else",
)  # fmt: skip
_HEDGES = ("might", "may be", "possibly", "perhaps", "probably", "it seems", "it appears", "not sure", "unclear")


@dataclass(frozen=True)
class Sentence:
    """One sentence and its comparable facts.

    Attributes:
        text: the sentence.
        start: its offset in the source text.
        tokens: stop-word-free, stemmed content tokens.
        numbers: normalised numbers ("1,200" -> "1200", "3 million" -> "3000000", "5%" -> "5%").
        negated: it contains a negation word.
        entities: content-token stems of capitalised words that are not at the sentence start (names, places,
            products).
    """

    text: str
    start: int
    tokens: frozenset[str]
    numbers: frozenset[str]
    negated: bool
    entities: frozenset[str]


def _number(raw: str) -> str:
    raw = raw.strip().lower().lstrip("$€£ ").strip()
    pct = raw.endswith(("%", "percent"))
    raw = raw.removesuffix("percent").rstrip("% ")
    scale = 1.0
    for word, mult in _SCALE.items():
        if raw.endswith(word):
            raw, scale = raw[: -len(word)].strip(), mult
            break
    try:
        value = float(raw.replace(",", "")) * scale
    except ValueError:
        return raw
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text + ("%" if pct else "")


def analyse(text: str, start: int = 0) -> Sentence:
    """The comparable facts of one sentence."""
    norm = unicodedata.normalize("NFKC", text)
    words = _WORD.findall(norm)
    lower = [w.lower() for w in words]
    negated = any(w in _NEGATION or w.endswith("n't") for w in lower) or any(
        p in norm.lower() for p in _NEGATION_PHRASES
    )
    caps = " ".join(w for i, w in enumerate(words) if i > 0 and w[:1].isupper() and len(w) > 1)
    entities = frozenset(content_tokens(caps)) if caps else frozenset()
    numbers = frozenset(_number(m) for m in _NUMBER.findall(norm))
    return Sentence(text, start, frozenset(content_tokens(norm)), numbers, negated, entities)


def sentences(text: str) -> list[Sentence]:
    """Split ``text`` into analysed sentences (offsets kept)."""
    out: list[Sentence] = []
    pos = 0
    for m in _SPLIT.finditer(text):
        end = m.start() + 1
        chunk = text[pos:end]
        if chunk.strip():
            out.append(analyse(chunk.strip(), pos + len(chunk) - len(chunk.lstrip())))
        pos = m.end() - (1 if not m.group().endswith((" ", "\n", "\t")) else 0)
    tail = text[pos:]
    if tail.strip():
        out.append(analyse(tail.strip(), pos + len(tail) - len(tail.lstrip())))
    return out


def is_claim(s: Sentence) -> bool:
    """True for a sentence that asserts something checkable: not a question, greeting, courtesy or hedge."""
    t = s.text.strip().lower()
    if t.endswith("?") or len(s.tokens) < (1 if s.negated or s.numbers else 2):
        return False
    if t.startswith(_NON_CLAIM_START):
        return False
    return not (any(h in t for h in _HEDGES) and not s.numbers)
