"""Text normalisation and features shared by the toxicity trainer and the runtime scorer.

The trainer (``scripts/train_toxicity.py``) and :class:`~.model.ToxicityModel` both call :func:`tokens` and
:func:`features`, so the shipped weights always see exactly the features they were trained on.

Features are word-level only (unigrams and bigrams of normalised tokens): a sub-word feature would fire on
"Scunthorpe" or "assassin". Normalisation undoes the cheap obfuscations ("f*ck", "sh!t", "fuuuck") and strips
Twitter artefacts (``RT``, ``@mentions``, URLs, HTML entities) so the model learns words, not the register of
the tweets it was trained on.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import re2

__all__ = ["features", "literal_senses", "mask_mentions", "split_chunks", "tokens"]

_URL = re2.compile(r"(?i)\b(?:https?://|www\.)\S+")
_MENTION = re2.compile(r"@\w+")
_ENTITY = re2.compile(r"&#?\w+;")
# A letter repeated three or more times. Backreferences need stdlib ``re``; it runs on one short token at a time.
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")
_LEET = str.maketrans({"@": "a", "$": "s", "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "!": "i"})
#: Tokens that carry no meaning outside Twitter.
_DROP = frozenset({"rt", "amp", "http", "https"})
#: Word-boundary obfuscations where a star stands for a vowel ("f*ck", "sh*t", "b*tch").
_STARRED = {"f*ck": "fuck", "f**k": "fuck", "sh*t": "shit", "b*tch": "bitch", "a**": "ass", "c*nt": "cunt"}
_IN_WORD = "@$*!'"
# A short quoted span ("retard", 'bitch', “slur”) and words that make a quote a mention of a word, not a use of it.
_QUOTED = re2.compile(r"[\"“'‘]([^\"”'’\n]{1,30})[\"”'’]")
_MENTION_CUE = re2.compile(
    r"(?i)\b(?:words?|terms?|slurs?|swear(?:word)?s?|expletives?|profanity|means?|meaning|definitions?|define[ds]?"
    r"|spell(?:ed|ing)?|pronounc\w*|etymology|origin|translat\w*|synonyms?|offensive|derogatory)\b"
)


class _TokenChars(dict[int, str]):
    """``str.translate`` table: token characters (letters, digits, in-word obfuscation marks) kept, others -> space."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        out = ch if ch.isalnum() or ch in _IN_WORD else " "
        self[cp] = out
        return out


_TOKEN_CHARS = _TokenChars()


def _norm_token(tok: str) -> str:
    """One raw token, de-obfuscated (cached when word-sized: vocabulary is Zipfian, most tokens repeat)."""
    return _norm_token_cached(tok) if len(tok) <= 32 else _norm_token_uncached(tok)


@lru_cache(maxsize=1 << 16)
def _norm_token_cached(tok: str) -> str:
    return _norm_token_uncached(tok)


def _norm_token_uncached(tok: str) -> str:
    tok = tok.strip("'!*")
    if not tok:
        return ""
    if tok in _STARRED:
        return _STARRED[tok]
    if not tok.isalpha():
        if any(c.isalpha() for c in tok) and any(c in "@$013457!" for c in tok):
            tok = tok.translate(_LEET)
        tok = tok.replace("*", "")
    if tok.endswith("'s"):
        tok = tok[:-2]
    # Three repeats imply at least two duplicate characters: skip the regex for most tokens.
    return _REPEAT.sub(r"\1", tok) if len(set(tok)) < len(tok) - 1 else tok


def _clean(text: str) -> str:
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFKC", text).lower()
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _MENTION.sub(" ", text)
    if "&" in text:
        text = _ENTITY.sub(" ", text)
    return text


def _tokenise(clean: str) -> list[str]:
    out = []
    for raw in clean.translate(_TOKEN_CHARS).split():
        tok = _norm_token(raw)
        if tok and tok not in _DROP:
            out.append(tok)
    return out


def tokens(text: str) -> list[str]:
    """Normalised word tokens of ``text`` (lowercase, NFKC, de-obfuscated, Twitter artefacts removed)."""
    return _tokenise(_clean(text))


def features(toks: list[str]) -> set[str]:
    """Binary features of a token list: ``w:<token>`` unigrams and ``b:<a> <b>`` bigrams."""
    feats = {"w:" + t for t in toks}
    feats.update(f"b:{a} {b}" for a, b in zip(toks, toks[1:], strict=False))
    return feats


#: Words with a literal, non-offensive sense, and the context words that select it ("my dog is a bitch").
_LITERAL_SENSES: dict[str, tuple[str, frozenset[str]]] = {
    "bitch": ("female_dog", frozenset(
        "dog dogs puppy puppies litter breed breeder kennel whelp whelped sire stud spayed".split())),
    "bitches": ("female_dogs", frozenset("dog dogs puppy puppies litter breed breeder kennel".split())),
    "cock": ("rooster", frozenset("hen hens chicken chickens crowed crow crows farm poultry rooster coop".split())),
    "pussy": ("cat", frozenset("cat cats kitten kittens willow meow purr purred boots".split())),
    "ass": ("donkey", frozenset("donkey donkeys mule mules foal burro".split())),
}  # fmt: skip
#: A word right after one of these is aimed at someone ("you bitch", "stupid bitch"): never read literally.
_AIMED = frozenset("you u ur your yo stupid dumb fucking fuckin fat ugly little silly lazy crazy dirty this".split())


def literal_senses(toks: list[str]) -> list[str]:
    """Replace an ambiguous word by a neutral token when its chunk has words of the literal sense.

    Not when the word is aimed at someone ("you bitch"), so appending "dog" to an insult does not launder it.
    """
    present = set(toks)
    ambiguous = present.intersection(_LITERAL_SENSES)
    if not ambiguous:
        return toks
    swap = {w: _LITERAL_SENSES[w][0] for w in ambiguous if present & _LITERAL_SENSES[w][1]}
    if not swap:
        return toks
    return [swap[t] if t in swap and (i == 0 or toks[i - 1] not in _AIMED) else t for i, t in enumerate(toks)]


def _sentences(clean: str) -> list[str]:
    """Split at line breaks and at ``.``/``!``/``?``/``;`` followed by a space (not inside "sh!t" or "3.5").

    Plain string operations: far cheaper than a regex split through the RE2 wrapper.
    """
    for mark in (". ", "! ", "? ", "; "):
        if mark in clean:
            clean = clean.replace(mark, mark[0] + "\n")
    return clean.split("\n")


def mask_mentions(text: str) -> str:
    """Blank quoted words that are being talked about, not used ("the word "retard" is a slur").

    A quoted span of at most 30 characters is a mention when a metalinguistic cue ("word", "term", "slur",
    "means", "offensive"...) occurs within 60 characters of it. Scare quotes without a cue stay as they are.
    """
    if not any(q in text for q in "\"“'‘"):
        return text
    spans = []
    for m in _QUOTED.finditer(text):
        window = text[max(0, m.start() - 60) : m.end() + 60]
        if _MENTION_CUE.search(window.replace(m.group(0), " ")):
            spans.append((m.start(1), m.end(1)))
    for start, end in reversed(spans):
        text = text[:start] + "quoted_term" + text[end:]
    return text


def split_chunks(text: str, max_tokens: int = 48) -> list[list[str]]:
    """Split text into sentence-sized token chunks (long sentences cut into ``max_tokens`` windows).

    The model was trained on tweets; scoring a long document sentence by sentence keeps one toxic sentence from
    being diluted by a page of benign text, and a page of mildly-weighted words from adding up to a false alarm.
    """
    chunks: list[list[str]] = []
    for sentence in _sentences(_clean(text)):
        toks = literal_senses(_tokenise(sentence))
        for i in range(0, len(toks), max_tokens):
            chunks.append(toks[i : i + max_tokens])
    return chunks
