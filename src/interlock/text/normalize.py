"""Text normalisation that defeats cheap evasion, as *views* of a text with offset maps back to the original.

A detector matches its patterns against every :class:`View` that :func:`views` produces and reports findings
in the original text through :meth:`OffsetMap.to_original`. Views, in order:

* ``base`` — Unicode NFKC, with zero-width characters, bidi controls and Unicode tag characters removed
  (fullwidth ``ｉｇｎｏｒｅ`` becomes ``ignore``, ``ig\u200bnore`` becomes ``ignore``).
* ``fold`` — ``base`` with look-alike letters (Cyrillic, Greek, Armenian, Latin variants) folded to Latin,
  accents stripped (``é`` → ``e``) and combining marks (zalgo, strike-through) removed.
* ``leet`` — ``fold`` with leetspeak digits and symbols folded to letters (``1gn0r3`` → ``ignore``).
* ``collapsed`` — the last Latin view with spaced or punctuated letters joined (``i g n o r e``,
  ``ig-no-re``, ``i.g.n.o.r.e`` → ``ignore``).
* ``tags`` — Unicode tag characters (U+E0020..U+E007E) decoded to the ASCII they smuggle.
* ``base64`` / ``hex`` / ``url`` / ``rot13`` — embedded encoded segments decoded (bounded length, mostly
  printable results only).

Case folding is left to the matcher (case-insensitive patterns), which keeps offsets one-to-one. Every step is
linear in the text; views and decoded segments per text are capped (see :class:`Limits`).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import codecs
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import unquote_to_bytes

import re2

from interlock.text.confusables import CONFUSABLES

__all__ = ["HIDDEN_VIEWS", "Limits", "OffsetMap", "View", "fold_text", "views", "zero_width_in_words"]

#: Views whose text was hidden from a human reader (smuggled or encoded): matches there weigh more.
HIDDEN_VIEWS = frozenset({"tags", "base64", "hex", "url", "rot13"})

_INVISIBLE_RANGES = (
    (0xAD, 0xAD), (0x34F, 0x34F), (0x61C, 0x61C), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)  # fmt: skip
_COMBINING_RANGES = ((0x300, 0x36F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))


def _cls(ranges: Iterable[tuple[int, int]]) -> str:
    """Character-class body (RE2 and ``re`` syntax) for code-point ranges."""
    return "".join(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges)


def _py_cls(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


_INVISIBLE = _py_cls(_INVISIBLE_RANGES)
_COMBINING = _py_cls(_COMBINING_RANGES)
_COMBINING_RX = re2.compile(f"[{_cls(_COMBINING_RANGES)}]")
_TAG_RUN = re.compile("[\U000e0000-\U000e007f]+")
_TAG_ANY = re2.compile(r"[\x{e0000}-\x{e007f}]")
_ZW_IN_WORD = re.compile(r"[A-Za-z][\u200b-\u200d\u2060\ufeff\u00ad]+(?=[A-Za-z])")
_ZW_ANY = re2.compile(r"[\x{200b}-\x{200d}\x{2060}\x{feff}\x{ad}]")


@cache
def _nfkc_changing() -> tuple[tuple[int, int], ...]:
    """Code-point ranges NFKC maps to something containing letters or digits (computed once on first use)."""
    # The BMP plus the supplementary blocks with compatibility forms (math alphanumerics, enclosed letters).
    spans = ((0x80, 0xD800), (0xE000, 0x10000), (0x1D400, 0x1D800), (0x1F100, 0x1F200), (0x2F800, 0x2FA20))
    ranges: list[tuple[int, int]] = []
    for lo, hi in spans:
        for block in range(lo, hi, 256):
            top = min(block + 256, hi)
            if unicodedata.is_normalized("NFKC", "".join(map(chr, range(block, top)))):
                continue  # most blocks: nothing to do, checked in one C call
            for cp in range(block, top):
                ch = chr(cp)
                n = unicodedata.normalize("NFKC", ch)
                # Compatibility forms that only yield punctuation or spaces (NBSP, "…", ideographic spaces)
                # cannot spell a keyword; skipping them keeps typeset prose on the fast path. Full-width ASCII
                # punctuation (U+FF01-FF5E) is rewritten all the same: a full-width text spells "what＇s" with it.
                if n != ch and (any(c.isalnum() for c in n) or 0xFF01 <= cp <= 0xFF5E):
                    if ranges and ranges[-1][1] == cp - 1:
                        ranges[-1] = (ranges[-1][0], cp)
                    else:
                        ranges.append((cp, cp))
    return tuple(ranges)


@cache
def _base_rx() -> re2._Regexp:
    """Runs of characters the base view rewrites: invisibles, NFKC-changing characters, combining marks."""
    return re2.compile(f"[{_cls((*_INVISIBLE_RANGES, *_nfkc_changing(), *_COMBINING_RANGES))}]+")


def _base_view(text: str) -> View:
    """NFKC with invisibles removed, run by run (exact offsets) or, for texts dense with such runs, as one
    C-level pass (identity offsets when lengths agree, else block by block)."""
    if text.isascii():
        return View("base", text, OffsetMap.identity())
    spans = list(itertools.islice(_base_rx().finditer(text), _MAX_EXACT + 1))
    if not spans:
        return View("base", text, OffsetMap.identity())
    if len(spans) > _MAX_EXACT:
        whole = _fix_base(text)
        if len(whole) == len(text):
            return View("base", whole, OffsetMap.identity())
        t, m = _rewrite_blocks(text, _fix_base, None)
    else:
        t, m = _rewrite(text, _base_rx(), _fix_base, None, compose_left=True)
    return View("base", t, m)


_FOLD_MARKS = re.compile(f"[{_COMBINING}]+")
_MAX_EXACT = 24  # matches rewritten one by one before switching to block mode
_BLOCK = 256  # block size (characters) of block mode
_BLOB = re.compile(r"[A-Za-z0-9+/=_\-]{256,}")
_BLOB_RE2 = re2.compile(r"[A-Za-z0-9+/=_\-]{256}")


def _spaces(m: re.Match[str]) -> str:
    return " " * (m.end() - m.start())


@dataclass(frozen=True)
class Limits:
    """Caps that keep normalisation linear and memory-bounded.

    Attributes:
        max_decoded: most decoded segments (base64/hex/url) per text.
        min_encoded, max_encoded: length bounds of an encoded segment considered for decoding.
        min_printable: share of printable characters a decoded segment needs.
    """

    max_decoded: int = 8
    min_encoded: int = 16
    max_encoded: int = 8192
    min_printable: float = 0.9


@dataclass(frozen=True)
class _Seg:
    v0: int  # view start
    o0: int  # original start
    vlen: int
    olen: int


@dataclass
class OffsetMap:
    """Maps ``[start, end)`` spans of a view back to the text it was derived from (and on to the original).

    Segments are either linear (same length: one view char per original char) or coarse (a replaced run,
    whose view characters all map to the whole original run).
    """

    segs: list[_Seg] = field(default_factory=list)
    parent: OffsetMap | None = None
    _starts: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def identity(cls) -> OffsetMap:
        """The map of a view equal to its source text."""
        return cls()

    @classmethod
    def whole(cls, start: int, end: int, vlen: int, parent: OffsetMap | None = None) -> OffsetMap:
        """A map sending every view character to the source span ``[start, end)`` (decoded segments)."""
        return cls([_Seg(0, start, vlen, end - start)], parent, [0])

    def _seg(self, v: int) -> _Seg:
        k = bisect.bisect_right(self._starts, v) - 1
        return self.segs[min(max(k, 0), len(self.segs) - 1)]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a view span to the original text."""
        if self.segs:
            first = self._seg(start)
            lo = first.o0 + min(max(start - first.v0, 0), first.olen) if first.vlen == first.olen else first.o0
            if end > start:
                last = self._seg(end - 1)
                if last.vlen == last.olen:
                    hi = last.o0 + min(max(end - 1 - last.v0, 0) + 1, last.olen)
                else:
                    hi = last.o0 + last.olen
            else:
                hi = lo
            start, end = lo, max(lo, hi)
        if self.parent is not None:
            return self.parent.to_original(start, end)
        return start, end


class _Builder:
    """Accumulates a rewritten text and its segments."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.segs: list[_Seg] = []
        self.vpos = 0

    def copy(self, o0: int, text: str) -> None:
        n = len(text)
        if not n:
            return
        last = self.segs[-1] if self.segs else None
        if last and last.vlen == last.olen and last.v0 + last.vlen == self.vpos and last.o0 + last.olen == o0:
            self.segs[-1] = _Seg(last.v0, last.o0, last.vlen + n, last.olen + n)
        else:
            self.segs.append(_Seg(self.vpos, o0, n, n))
        self.parts.append(text)
        self.vpos += n

    def replace(self, o0: int, olen: int, text: str) -> None:
        if len(text) == olen:
            self.copy(o0, text)
        elif text:
            self.segs.append(_Seg(self.vpos, o0, len(text), olen))
            self.parts.append(text)
            self.vpos += len(text)

    def build(self, parent: OffsetMap | None) -> tuple[str, OffsetMap]:
        return "".join(self.parts), OffsetMap(self.segs, parent, [s.v0 for s in self.segs])


def _rewrite(
    text: str,
    rx: re.Pattern[str] | re2._Regexp,
    fn: Callable[[str], str],
    parent: OffsetMap | None,
    whole: Callable[[str], str] | None = None,
    compose_left: bool = False,
) -> tuple[str, OffsetMap]:
    """Replace each match of ``rx`` by ``fn(match)``, keeping an exact offset map.

    When a text has more than ``_MAX_EXACT`` matches (zalgo, text full of invisible characters) and ``whole``
    is given, the text is instead rewritten block by block with ``whole`` (C-speed string functions): offsets
    are then exact to within a block, and the work stays linear with a small constant. ``compose_left`` adds the
    character before a run that starts with a combining mark, so NFKC can compose ``e`` + U+0301 into ``é``.
    """
    spans: list[tuple[int, int]] = []
    for m in rx.finditer(text):
        s, e = m.span()
        if compose_left and s > 0 and unicodedata.combining(text[s]):
            s -= 1
        spans.append((s, e))
        if whole is not None and len(spans) > _MAX_EXACT:
            return _rewrite_blocks(text, whole, parent)
    if not spans:
        return text, OffsetMap.identity() if parent is None else parent
    b = _Builder()
    last = 0
    for s, e in spans:
        b.copy(last, text[last:s])
        b.replace(s, e - s, fn(text[s:e]))
        last = e
    b.copy(last, text[last:])
    return b.build(parent)


def _rewrite_blocks(text: str, whole: Callable[[str], str], parent: OffsetMap | None) -> tuple[str, OffsetMap]:
    b = _Builder()
    for i in range(0, len(text), _BLOCK):
        chunk = text[i : i + _BLOCK]
        b.replace(i, len(chunk), whole(chunk))
    return b.build(parent)


_INVISIBLE_RX = re.compile(f"[{_INVISIBLE}]+")


_COMMON_INVISIBLE = tuple(
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_INVISIBLE_RE2 = re2.compile(f"[{_cls(_INVISIBLE_RANGES)}]")


def _fix_base(run: str) -> str:
    for ch in _COMMON_INVISIBLE:  # str.replace is far cheaper than a regex for the usual suspects
        if ch in run:
            run = run.replace(ch, "")
    if not run.isascii() and _INVISIBLE_RE2.search(run):
        run = _INVISIBLE_RX.sub("", run)
    return unicodedata.normalize("NFKC", run)


def _drop(_: str) -> str:
    return ""


def _drop_marks(text: str) -> str:
    return _FOLD_MARKS.sub("", text)


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord(k): v for k, v in CONFUSABLES.items()}
    for cp in range(0xC0, 0x250):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base.isascii() and base.isalpha():
            table.setdefault(cp, base)
    table.update({ord("ß"): "s", ord("ø"): "o", ord("Ø"): "O", ord("đ"): "d", ord("ł"): "l", ord("Ł"): "L"})
    return table


_FOLD = _fold_table()
# Fold only texts that mix scripts inside a word (look-alike next to a Latin letter) or put marks on Latin
# letters: pure Cyrillic, Greek or accented prose is left alone (its own-language patterns match it as is).
_CONF = _cls((ord(k), ord(k)) for k in sorted(CONFUSABLES))
_MARKS = _cls(_COMBINING_RANGES)
_NEEDS_FOLD = re2.compile(f"[A-Za-z][{_CONF}{_MARKS}]|[{_CONF}][A-Za-z]")

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "|": "l", "!": "i"}
)
_LEET_HINT = re2.compile(r"(?i)[a-z][013457@$|!]+[a-z]|\b[013457@$][a-z]{2}|[a-z]{2}[013457@$]\b")

# Letters split by separators: "i g n o r e", "i.g.n.o.r.e" (single-letter tokens) or "ig-no-re" (short
# fragments joined by punctuation, not spaces).
_SPLIT = re2.compile(
    r"(?i)\b[a-z](?:[ \t.\-_*/|,~+'`]{1,3}[a-z]\b){3,48}"
    r"|\b[a-z]{1,5}(?:[.\-_*/|~+'`·][a-z]{1,5}\b){2,16}"
)
_SEP = re.compile(r"[^A-Za-z]+")
_SEP_OR_MARK = re.compile(r"[^A-Za-z\0]+")
_WIDE = {n: re.compile(f"[^A-Za-z]{{{n + 1},}}") for n in (1, 2, 3)}


def _collapse(run: str) -> str:
    """Join letters split by separators; a separator wider than the narrowest one in the run keeps a space."""
    narrow = min(map(len, _SEP.findall(run)), default=0)
    if not narrow:
        return run
    marked = _WIDE[min(narrow, 3)].sub("\0", run)
    return _SEP_OR_MARK.sub("", marked).replace("\0", " ")


# Block mode (texts dense with split letters): single separators between single letters, and hyphens or dots
# inside words, are dropped in one C-level pass each.
_SINGLE_SEP = re.compile(r"(?<=(?<![A-Za-z])[A-Za-z])[ .\-_*/|,~+'`](?=[A-Za-z](?![A-Za-z]))")
_INWORD_SEP = re.compile(r"(?<=[A-Za-z])[.\-_*/|~+'`·](?=[A-Za-z])")


def _collapse_block(text: str) -> str:
    return _INWORD_SEP.sub("", _SINGLE_SEP.sub("", text))


# Letter spacing in any script ("I g n о r е", "1 g n 0 r e", "忽 略 之 前", "R é v è l e"): eight or more single
# characters in a row, each separated by 1-3 spaces or tabs. Undone on the base view *before* look-alike and
# leetspeak folding, which need adjacent letters to see anything.
_SPACED = re2.compile(r"\S(?:[ \t]{1,3}\S){7,}")
_WS = re.compile(r"[ \t]+")


def _despace(run: str) -> str:
    """Join characters split by spaces; a gap wider than the narrowest one in the run stays one space."""
    narrow = min(map(len, _WS.findall(run)), default=0)
    if not narrow:
        return run
    return re.sub(f"[ \t]{{{narrow + 1},}}", "\0", run).replace(" ", "").replace("\t", "").replace("\0", " ")


def _despace_block(text: str) -> str:
    return _SPACED.sub(lambda m: _despace(m.group()), text)


_ROT13_HINT = re2.compile(
    r"(?i)\b(?:gur|naq|lbh|lbhe|vtaber|vafgehpgvbaf?|cerivbhf|flfgrz|cebzcg|nyy|sbetrg|ehyrf|abj|cevag|erirny)\b"
)
_B64 = re2.compile(r"[A-Za-z0-9+/\-_]{16,}={0,2}")
_HEX = re2.compile(r"(?i)(?:\\x|0x)?[0-9a-f]{2}(?:[ :]?(?:\\x|0x)?[0-9a-f]{2}){7,}")
_URLENC = re2.compile(r"(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9.~_+\-]){0,64}(?:%[0-9A-Fa-f]{2}[A-Za-z0-9.~_+\-]{0,8}){3,}")
_HEX_STRIP = re.compile(r"(?i)\\x|0x|[ :]")


@dataclass(frozen=True)
class View:
    """One normalised rendering of a text.

    Attributes:
        name: ``base``, ``fold``, ``leet``, ``collapsed``, ``tags``, ``base64``, ``hex``, ``url`` or ``rot13``.
        text: the view's text.
        offsets: maps spans of ``text`` back to the original.
        latin: Latin-script views (patterns written for Latin-script languages apply).
    """

    name: str
    text: str
    offsets: OffsetMap
    latin: bool = True

    @property
    def hidden(self) -> bool:
        """True when this text was invisible or encoded in the original."""
        return self.name in HIDDEN_VIEWS

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of this view to the original text."""
        return self.offsets.to_original(start, end)


def fold_text(text: str) -> str:
    """Fold look-alikes and accents to ASCII and drop combining marks (length may change; no offsets)."""
    return _FOLD_MARKS.sub("", text.translate(_FOLD))


def _printable(s: str, need: float) -> bool:
    if not s:
        return False
    good = sum(1 for c in s if c.isprintable() or c in "\n\r\t")
    letters = sum(1 for c in s if c.isalpha() or c == " ")
    return good >= need * len(s) and letters >= 0.5 * len(s)


def _try_decode(kind: str, seg: str, lim: Limits) -> str | None:
    try:
        if kind == "base64":
            s = seg.rstrip("=")
            s = s + "=" * (-len(s) % 4)
            raw = base64.b64decode(s, altchars=b"-_" if ("-" in s or "_" in s) else None, validate=False)
        elif kind == "hex":
            raw = bytes.fromhex(_HEX_STRIP.sub("", seg))
        else:
            raw = unquote_to_bytes(seg)
        out = raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if len(out) < 6 or out == seg or not _printable(out, lim.min_printable):
        return None
    return out


def _decoded_views(base: View, lim: Limits) -> list[View]:
    out: list[View] = []
    text = base.text
    taken: list[tuple[int, int]] = []
    for kind, rx in (("hex", _HEX), ("base64", _B64), ("url", _URLENC)):
        if kind == "url" and "%" not in text:
            continue
        for m in rx.finditer(text):
            if len(out) >= lim.max_decoded:
                return out
            s, e = m.span()
            if not lim.min_encoded <= e - s <= lim.max_encoded or any(a <= s < b for a, b in taken):
                continue
            if kind == "base64" and m.group().isalpha() and m.group().islower():
                continue  # a plain long word
            decoded = _try_decode(kind, m.group(), lim)
            if decoded is None:
                continue
            taken.append((s, e))
            out.append(View(kind, decoded, OffsetMap.whole(s, e, len(decoded), base.offsets)))
    return out


_TAG_DECODE = {cp: (chr(cp - 0xE0000) if 0xE0020 <= cp <= 0xE007E else None) for cp in range(0xE0000, 0xE0080)}


def _tag_view(text: str) -> View | None:
    b = _Builder()
    for m in _TAG_RUN.finditer(text):
        s, e = m.span()
        if s and text[s - 1] == "\U0001f3f4":
            continue  # emoji subdivision flags (England, Scotland, Wales) are tag sequences
        b.replace(s, e - s, m.group().translate(_TAG_DECODE))
        b.replace(e, 0, "\n")
    decoded, offsets = b.build(None)
    return View("tags", decoded, offsets) if decoded.strip() else None


def views(text: str, limits: Limits | None = None) -> list[View]:
    """All views of ``text`` worth scanning (duplicates dropped), ``base`` first."""
    lim = limits or Limits()
    base = _base_view(text)
    decode_from = base
    if _BLOB_RE2.search(base.text):
        # Long encoded blobs (data URLs, keys) are scanned through their decoded view only: matching prose
        # patterns over kilobytes of random characters is slow for any automaton and finds nothing.
        base = View("base", _BLOB.sub(_spaces, base.text), base.offsets)
    out = [base]
    seen = {base.text}
    latin = base
    if _SPACED.search(base.text):
        t, m = _rewrite(base.text, _SPACED, _despace, base.offsets, whole=_despace_block)
        latin = View("collapsed", t, m)
        out.append(latin)
        seen.add(t)
    if not base.text.isascii() and (_NEEDS_FOLD.search(base.text) or _NEEDS_FOLD.search(text)):
        # Marks first (zalgo text is often plain ASCII without them), then the 1:1 look-alike table.
        t, m = _rewrite(base.text, _FOLD_MARKS, _drop, base.offsets, whole=_drop_marks)
        if not t.isascii():
            t = t.translate(_FOLD)
        latin = View("fold", t, m)
        if t not in seen:
            out.append(latin)
            seen.add(t)
    if _LEET_HINT.search(latin.text):
        leet = View("leet", latin.text.translate(_LEET), latin.offsets)
        if leet.text not in seen:
            out.append(leet)
            seen.add(leet.text)
            latin = leet
    t, m = _rewrite(latin.text, _SPLIT, _collapse, latin.offsets, whole=_collapse_block)
    if t not in seen:
        out.append(View("collapsed", t, m))
        seen.add(t)
    if len(_ROT13_HINT.findall(latin.text)) >= 2:
        out.append(View("rot13", codecs.encode(latin.text, "rot13"), latin.offsets))
    if not text.isascii() and _TAG_ANY.search(text):
        tv = _tag_view(text)
        if tv is not None:
            out.append(tv)
    out.extend(_decoded_views(decode_from, lim))
    return out


def zero_width_in_words(text: str, limit: int = 16) -> int:
    """How many times (up to ``limit``) invisible characters split a Latin word (an evasion tell)."""
    if text.isascii() or _ZW_ANY.search(text) is None:
        return 0
    return sum(1 for _ in itertools.islice(_ZW_IN_WORD.finditer(text), limit))
