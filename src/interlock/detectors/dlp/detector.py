"""The DLP (sensitive data) detector: validated data patterns, proximity keywords, AIRS ``dlp_report``.

How a scan works (linear in the text):

1. The text is encoded once to UTF-8 bytes; every pattern's re2 candidate regex (compiled once per detector) runs
   over those bytes. Cheap pre-filters skip a pattern whose literal (``AKIA``, ``@``, ``xox``; all found in one
   ``re2.Set`` pass) or digits are not in the text, and a digit-only id (ABA, BSN, SIN, TFN...) when none of its
   keywords is: keyword occurrences are indexed once per text, so each candidate's proximity check is a binary
   search.
2. Each candidate is validated (Luhn + issuer range, SSN structure, mod-97, python-stdnum checksums, entropy and
   placeholder rejection for credentials, ``phonenumbers`` validity for phones, ``ipaddress`` for IPs).
3. A proximity keyword (``card``, ``SSN``, ``IBAN``, ``tel`` ... several languages) in a small window raises the
   confidence; findings below ``min_confidence`` are dropped. A "weak" pattern (phone, generic ``key=value``
   credential) overlapping a stronger finding is dropped.
4. Byte offsets are mapped back to character offsets in one pass; findings carry ``mask=True`` and never the value.
"""

from __future__ import annotations

import hashlib
import re  # only on short, bounded strings (candidate values); the text itself is only searched with re2
import uuid
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Literal

import phonenumbers
import re2
from phonenumbers import Leniency, PhoneNumberMatcher
from pydantic import Field, field_validator, model_validator

from interlock.detectors.dlp.patterns import (
    BUILTIN_PATTERNS,
    GROUPS,
    PHONE_KEYWORDS,
    Confidence,
    GroupName,
    Pattern,
    pattern_id,
)
from interlock.engine.base import DetectorOptions, DetectorResult, Finding, ScanItem

__all__ = ["CustomPattern", "DEFAULT_PHONE_REGIONS", "DlpDetector", "DlpOptions", "OVERFLOW_ENTITY", "PHONE_ENTITY"]

#: candidate regions of national-format phone numbers: North America, the large European numbering plans, India,
#: Brazil, Mexico, Japan, Australia (the regions our users and evaluation data come from)
DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("US", "CA", "GB", "DE", "FR", "ES", "IT", "NL", "IN", "BR", "MX", "JP", "AU")

PHONE_ENTITY = "Phone Number"
#: reported (over the whole text) when a text holds more than ``max_findings`` matches
OVERFLOW_ENTITY = "Sensitive Data - Match Limit Exceeded"
_PHONE_NAME = "phone"
#: entities whose value contains digit runs other patterns may read on their own (dropped inside these)
_CONTAINERS = frozenset({"Bank - IBAN"})
_LEVEL: dict[str, int] = {"low": 1, "medium": 2, "high": 3}
_NAME_OF_LEVEL: dict[int, Confidence] = {1: "low", 2: "medium", 3: "high"}
_SCORE: dict[str, float] = {"low": 0.4, "medium": 0.75, "high": 0.95}
_BEFORE, _AFTER = 64, 32
_CONT_BYTES = bytes(range(0x80, 0xC0))
_NOT_DIGIT_BYTES = bytes(b for b in range(256) if not 0x30 <= b <= 0x39)
_DIGIT = re2.compile(rb"[0-9]")
_PHONE_CANDIDATE = re2.compile(
    rb"(?:^|[^0-9A-Za-z_+])(?P<v>\+?\(?[0-9][0-9 \t().\-/]{5,60}[0-9](?:[ \t]?(?:x|ext\.?|#)[ \t]?[0-9]{1,6})?)"
)
#: words right before a digit group that make it an order/invoice/reference number, not a phone (several languages)
_PHONE_ANTI = (
    r"(?:^|[^a-z])(?:order|invoice|inv|ref|reference|tracking|ticket|case|serial|policy|customer|client|account|"
    r"acct|batch|sku|isbn|issn|no\.|nr\.|id|bestell|rechnung|auftrag|kunden|vertrag|commande|facture|référence|"
    r"contrat|pedido|factura|referencia|ordine|fattura|riferimento|bestelling|factuur|klant|protocolo|nº|n°|#|"
    r"ssn|social security|tax|tin|itin|nino|insurance|bsn|cpf|cnpj|dni|nie|passport|licen[cs]e|iban|routing|"
    r"post ?code|postal|zip|plz|cep|code postal|código postal|cap|postcode|build|version|release)"
    r"[^0-9]{0,24}$"
)
_ANTI_WINDOW = 40
#: dates and times phonenumbers may accept as numbers ("2015-12-22 04" is a valid NJ number)
_DATE_LIKE = re.compile(r"^(?:[0-9]{4}[\-/.][0-9]{1,2}[\-/.][0-9]{1,2}|[0-9]{1,2}[\-/.][0-9]{1,2}[\-/.][0-9]{4})")


def _compile(regex: str | bytes) -> Any:
    """Compile with re2, without re2 logging parse errors to stderr (a bad profile regex is a clear error)."""
    opts = re2.Options()
    opts.log_errors = False
    return re2.compile(regex, opts)


def _keyword_re(keywords: tuple[str, ...]) -> Any:
    """Keywords at a word start, searched in a lower-cased byte window (non-ASCII keywords match as written)."""
    if not keywords:
        return None
    alts = "|".join(re2.escape(k.lower()) for k in sorted(keywords, key=len, reverse=True))
    return _compile(f"(?:^|[^a-z0-9])(?:{alts})".encode())


def _anti_re(keywords: tuple[str, ...]) -> Any:
    if not keywords:
        return None
    alts = "|".join(re2.escape(k.lower()) for k in keywords)
    return _compile(f"(?:^|[^a-z0-9])(?:{alts})[ \t:=.#]*$".encode())


class CustomPattern(DetectorOptions):
    """A profile-defined data pattern (re2 syntax; the named group ``v``, if present, is the sensitive value).

    Attributes:
        name: the entity name reported (``"Employee Id"``).
        regex: re2 regex.
        keywords: proximity keywords (case-insensitive for ASCII letters); with ``keywords`` set, a match without
            one gets ``confidence`` lowered by one.
        confidence: confidence of a match (with a keyword when keywords are given).
    """

    name: str = Field(min_length=1, max_length=100)
    regex: str = Field(min_length=1, max_length=2000)
    keywords: list[str] = Field(default_factory=list)
    confidence: Literal["high", "medium", "low"] = "high"

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            _compile(value)
        except re2.error:
            raise ValueError(f"regex {value!r} is not valid re2 syntax") from None
        return value


class DlpOptions(DetectorOptions):
    """Profile options of the DLP detector.

    Attributes:
        groups: pattern groups to run (``financial``, ``national_id``, ``contact``, ``network``, ``secret``).
        patterns: if set, only these pattern names run (names from :data:`BUILTIN_PATTERNS` or ``"phone"``).
        disabled_patterns: pattern names never run.
        min_confidence: lowest confidence that counts as a detection (``medium`` measured best, see docs).
        allow_list: exact values never flagged (e.g. a company's public support number).
        allow_regex: re2 regexes; a value fully matching one is never flagged.
        custom_patterns: extra data patterns.
        phone_regions: candidate regions for national-format phone numbers (default: the regions of
            :data:`DEFAULT_PHONE_REGIONS`); international ``+``/``00`` numbers are always recognised. A
            national-format number of a non-North-American region counts when it starts with the trunk prefix
            ``0`` or a phone keyword is near; North-American numbers must be grouped like one (3-3-4 ...).
        ip_skip_private: drop private, loopback, link-local and reserved IP addresses entirely.
        max_findings: bound on the work per text: past this many matches the scan stops and the whole text is
            reported (and masked) as one ``Sensitive Data - Match Limit Exceeded`` finding.
        dlp_profile_name / dlp_profile_id / dlp_profile_version: reported in the AIRS ``dlp_report``.
    """

    groups: list[GroupName] = Field(default_factory=lambda: list(GROUPS))
    patterns: list[str] | None = None
    disabled_patterns: list[str] = Field(default_factory=list)
    min_confidence: Literal["high", "medium", "low"] = "medium"
    allow_list: list[str] = Field(default_factory=list)
    allow_regex: list[str] = Field(default_factory=list)
    custom_patterns: list[CustomPattern] = Field(default_factory=list)
    phone_regions: list[str] = Field(default_factory=lambda: list(DEFAULT_PHONE_REGIONS), min_length=1)
    ip_skip_private: bool = False
    max_findings: int = Field(default=10_000, ge=1, le=1_000_000)
    dlp_profile_name: str = "Interlock Sensitive Data"
    dlp_profile_id: str = Field(default="10000001", pattern=r"^[0-9]{1,20}$")
    dlp_profile_version: int = Field(default=1, ge=0, le=2**31 - 1)

    @field_validator("phone_regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        supported = phonenumbers.SUPPORTED_REGIONS
        bad = [r for r in value if r.upper() not in supported]
        if bad:
            raise ValueError(f"unknown phone region(s) {bad}; use ISO 3166 alpha-2 codes such as 'US', 'GB'")
        return [r.upper() for r in value]

    @field_validator("allow_regex")
    @classmethod
    def _allow_compiles(cls, value: list[str]) -> list[str]:
        for rx in value:
            try:
                _compile(rx)
            except re2.error:
                raise ValueError(f"allow_regex {rx!r} is not valid re2 syntax") from None
        return value

    @model_validator(mode="after")
    def _known_names(self) -> DlpOptions:
        known = {p.name for p in BUILTIN_PATTERNS} | {_PHONE_NAME}
        unknown = sorted({*(self.patterns or []), *self.disabled_patterns} - known)
        if unknown:
            raise ValueError(f"unknown DLP pattern name(s) {unknown}; known: {sorted(known)}")
        return self


@dataclass
class _Hit:
    pattern: Pattern
    start: int  # byte offsets; _findings maps them to characters
    end: int
    level: int
    keyword: bool


class _Bytes:
    """The scanned text as UTF-8 bytes, with helpers to decode values and map offsets back to characters."""

    def __init__(self, text: str) -> None:
        self.ascii = text.isascii()
        self.data = text.encode("ascii") if self.ascii else text.encode("utf-8", "surrogatepass")
        self._lower: bytes | None = None
        self._keyword_pos: dict[int, list[int]] = {}

    @property
    def lower(self) -> bytes:
        if self._lower is None:
            self._lower = self.data.lower()
        return self._lower

    def value(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8", "replace")

    def _keywords(self, rx: Any) -> list[int]:
        pos = self._keyword_pos.get(id(rx))
        if pos is None:
            pos = self._keyword_pos[id(rx)] = [m.start() for m in rx.finditer(self.lower)]
        return pos

    def has_keyword(self, rx: Any) -> bool:
        """Any keyword of ``rx`` anywhere in the text."""
        return bool(self._keywords(rx))

    def near_keyword(self, rx: Any, start: int, end: int) -> bool:
        """A keyword of ``rx`` starts within the proximity window of ``[start, end)``.

        The keyword occurrences are found once per text and regex (one linear pass), then each candidate is a
        binary search: cheap even with hundreds of thousands of candidates.
        """
        pos = self._keywords(rx)
        i = bisect_left(pos, start - _BEFORE)
        return i < len(pos) and pos[i] <= end + _AFTER

    def before(self, start: int, n: int) -> bytes:
        return self.lower[max(0, start - n) : start]

    def char_offsets(self, offsets: set[int]) -> dict[int, int]:
        """Byte offset -> character offset for every offset given, in one pass over the text."""
        if self.ascii:
            return {o: o for o in offsets}
        out: dict[int, int] = {}
        pos = chars = 0
        for off in sorted(offsets):
            chars += len(self.data[pos:off].translate(None, _CONT_BYTES))
            out[off] = chars
            pos = off
        return out


@dataclass(frozen=True)
class _Compiled:
    pattern: Pattern
    regex: Any
    literals: tuple[bytes, ...]
    keywords: Any
    anti: Any
    groups: tuple[int, ...]


class _LiteralIndex:
    """Which pre-filter literals occur in a text, for every pattern at once: one ``re2.Set`` pass over the bytes
    (case-sensitive literals) and one over the lower-cased bytes, instead of one substring search per literal
    (~300 literals over ~110 patterns)."""

    def __init__(self, compiled: list[_Compiled]) -> None:
        tables: tuple[dict[bytes, int], dict[bytes, int]] = ({}, {})  # case-sensitive, lower-cased
        self.ids: list[frozenset[int]] = []
        for comp in compiled:
            table, offset = (tables[1], 1 << 20) if comp.pattern.ci else (tables[0], 0)
            self.ids.append(frozenset(offset + table.setdefault(lit, len(table)) for lit in comp.literals))
        self._sets = tuple(_literal_set(t) for t in tables)

    def present(self, buf: _Bytes) -> set[int]:
        """Ids of the literals found (lower-cased ones offset by 2**20)."""
        found: set[int] = set()
        if self._sets[0] is not None:
            found.update(self._sets[0].Match(buf.data) or ())
        if self._sets[1] is not None:
            found.update((1 << 20) + i for i in self._sets[1].Match(buf.lower) or ())
        return found


def _literal_set(table: dict[bytes, int]) -> Any:
    if not table:
        return None
    opts = re2.Options()
    opts.log_errors = False
    rset = re2.Set.SearchSet(opts)
    for lit, _ in sorted(table.items(), key=lambda kv: kv[1]):
        rset.Add(re2.escape(lit))
    rset.Compile()
    return rset


class DlpDetector:
    """Sensitive-data detector (AIRS ``dlp``)."""

    name: ClassVar[str] = "dlp"
    data_types: ClassVar[frozenset[str]] = frozenset({"prompt", "response", "tool_event"})
    Options: ClassVar[type[DlpOptions]] = DlpOptions

    def __init__(self, options: DlpOptions | None = None) -> None:
        self.options = opts = options or DlpOptions()
        self._min = _LEVEL[opts.min_confidence]
        selected = [
            p
            for p in BUILTIN_PATTERNS
            if p.group in opts.groups
            and (opts.patterns is None or p.name in opts.patterns)
            and p.name not in opts.disabled_patterns
        ]
        selected += [
            Pattern(
                name=f"custom:{c.name}",
                entity=c.name,
                group="custom",
                regex=c.regex,
                base=_NAME_OF_LEVEL[max(1, _LEVEL[c.confidence] - 1)] if c.keywords else c.confidence,
                boost=c.confidence,
                keywords=tuple(k.lower() for k in c.keywords),
            )
            for c in opts.custom_patterns
        ]
        self._phones = (
            "contact" in opts.groups
            and (opts.patterns is None or _PHONE_NAME in opts.patterns)
            and _PHONE_NAME not in opts.disabled_patterns
        )
        cache: dict[str, Any] = {}
        self._compiled: list[_Compiled] = []
        for p in selected:
            if max(_LEVEL[p.boost], _LEVEL[p.top or p.base]) < self._min:
                continue  # can never reach min_confidence
            rx = cache.get(p.regex)
            if rx is None:
                rx = cache[p.regex] = _compile(p.regex.encode())
            lits = tuple(lit.lower().encode() if p.ci else lit.encode() for lit in p.literals)
            groups = tuple(rx.groupindex[g] for g in (b"v", b"v2") if g in rx.groupindex)
            self._compiled.append(_Compiled(p, rx, lits, _keyword_re(p.keywords), _anti_re(p.anti_keywords), groups))
        self._literals = _LiteralIndex(self._compiled)
        self._phone_kw = _keyword_re(PHONE_KEYWORDS)
        self._phone_anti = _compile(_PHONE_ANTI.encode())
        self._regions = tuple(opts.phone_regions)
        self._nanp = tuple(r for r in self._regions if phonenumbers.country_code_for_region(r) == 1)
        self._other_regions = tuple(r for r in self._regions if r not in self._nanp)
        self._phone_min_digits = min(_min_national_digits(r) for r in opts.phone_regions)
        self._phone_pattern = Pattern(_PHONE_NAME, PHONE_ENTITY, "contact", "", weak=True)
        self._allow = frozenset(opts.allow_list)
        self._skip_private = opts.ip_skip_private
        self._allow_rx = [_compile(rx) for rx in opts.allow_regex]

    def warm(self) -> None:
        """Load what ``phonenumbers`` loads lazily (each candidate region's metadata and its compiled patterns,
        ~20-50 ms on the first number of a region), so the first scan with a phone number does not pay it."""
        for region in self._regions:
            example = phonenumbers.example_number(region)
            if example is None:
                continue
            national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
            phonenumbers.is_valid_number(phonenumbers.parse(national, region))
            text = f"{national} {phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)}"
            for _ in PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
                pass

    @staticmethod
    def data_pattern_names(options: DlpOptions) -> frozenset[str]:
        """Names a profile's ``data_patterns`` may use: every pattern (custom ones as ``custom:<name>``) and group."""
        custom = {f"custom:{c.name}" for c in options.custom_patterns}
        return frozenset({p.name for p in BUILTIN_PATTERNS} | {_PHONE_NAME, "custom", *GROUPS, *custom})

    # -- scanning -------------------------------------------------------------------------------------------

    def detect(self, item: ScanItem) -> DetectorResult:
        """Scan ``item.text`` for sensitive data."""
        text = item.text
        findings: list[Finding] = []
        if text:
            buf = _Bytes(text)
            hits = self._collect(buf)
            if hits is None:
                findings = [self._overflow(len(text))]
            else:
                findings = self._findings(self._resolve(hits), buf)
        return DetectorResult(
            detected=bool(findings),
            findings=findings,
            score=max((f.score for f in findings), default=0.0),
            detail={"dlp_report": self._report(findings)},
        )

    def _collect(self, buf: _Bytes) -> list[_Hit] | None:
        """Every candidate hit, or None when more than ``max_findings`` reach ``min_confidence``."""
        hits: list[_Hit] = []
        counted = 0
        limit = self.options.max_findings
        has_digits = _DIGIT.search(buf.data) is not None
        sources: list[Iterator[_Hit]] = []
        present = self._literals.present(buf)
        for comp, ids in zip(self._compiled, self._literals.ids, strict=True):
            if comp.pattern.needs_digits and not has_digits:
                continue
            if ids and present.isdisjoint(ids):
                continue
            sources.append(self._pattern_hits(comp, buf))
        if self._phones and has_digits:
            sources.append(self._phone_hits(buf))
        for source in sources:
            for h in source:
                hits.append(h)
                if h.level >= self._min:
                    counted += 1
                    if counted > limit:
                        return None
        return hits

    def _overflow(self, n: int) -> Finding:
        """More matches than ``max_findings``: stop early and treat the whole text as sensitive (fail safe)."""
        return Finding(
            detector=self.name,
            entity=OVERFLOW_ENTITY,
            start=0,
            end=n,
            score=_SCORE["high"],
            confidence="high",
            mask=True,
            explanation=f"more than {self.options.max_findings} sensitive-data matches; the whole text is masked",
            data={"pattern": "overflow", "data_pattern_id": pattern_id("overflow"), "group": "limit"},
        )

    def _pattern_hits(self, comp: _Compiled, buf: _Bytes) -> Iterator[_Hit]:
        rx, data, p = comp.regex, buf.data, comp.pattern
        # a pattern that cannot reach min_confidence without a keyword is only validated when one is near
        keyword_needed = _LEVEL[p.top or p.base] < self._min
        if keyword_needed and (comp.keywords is None or not buf.has_keyword(comp.keywords)):
            return
        pos, n = 0, len(data)
        while pos <= n:
            m = rx.search(data, pos)
            if m is None:
                return
            start, end = _value_span(m, comp.groups)
            pos = max(end, m.start() + 1)
            if start == end:
                continue
            kw = comp.keywords is not None and buf.near_keyword(comp.keywords, start, end)
            if keyword_needed and not kw:
                continue
            for s, e, base in self._validated(comp, buf, start, end):
                yield _Hit(p, s, e, max(base, _LEVEL[p.boost]) if kw else base, kw)

    def _validated(self, comp: _Compiled, buf: _Bytes, start: int, end: int) -> Iterator[tuple[int, int, int]]:
        """Validate a candidate; on failure retry shorter prefixes cut at separators (greedy over-capture)."""
        p = comp.pattern
        value = buf.value(start, end)
        if comp.anti is not None and comp.anti.search(buf.before(start, 16)) is not None:
            return
        if p.match_check is not None and not p.match_check(buf.value(max(0, start - 80), start)):
            return
        retry = p.retry_prefixes is not None and len(value) >= p.retry_prefixes
        for cut in _prefixes(value) if retry else (len(value),):
            candidate = value[:cut]
            result: bool | str = True if p.validate is None else p.validate(candidate)
            if result is not False:
                if self._allowed(candidate) or (result == "low" and p.group == "network" and self._skip_private):
                    return
                base = _LEVEL[p.base] if result is True else _LEVEL[str(result)]
                yield start, start + len(candidate.encode("utf-8", "surrogatepass")), base
                return

    def _allowed(self, value: str) -> bool:
        return value in self._allow or any(rx.fullmatch(value) is not None for rx in self._allow_rx)

    def _phone_hits(self, buf: _Bytes) -> Iterator[_Hit]:
        """Valid phone numbers: international (``+``/``00``) in any region, national formats in the candidate regions.

        Guards against digit groups that are not phones: dates are skipped; a number right after an order,
        invoice, reference, account... word is skipped unless a phone keyword is near; North-American numbers must
        be grouped like one; a national number of another region needs 8+ digits and must start with its trunk
        prefix ``0`` or have a phone keyword near (``612 345 678`` alone is as likely an order number as a Spanish
        mobile).
        """
        data, pos, n = buf.data, 0, len(buf.data)
        while pos <= n:
            m = _PHONE_CANDIDATE.search(data, pos)
            if m is None:
                return
            start, end = m.span(1)
            pos = max(end, m.start() + 1)
            chunk = data[start:end]
            ndigits = len(chunk.translate(None, _NOT_DIGIT_BYTES))
            cand = chunk.decode("ascii")
            plus = cand.startswith("+")
            if ndigits < (7 if plus else self._phone_min_digits) or _DATE_LIKE.search(cand):
                continue
            kw_near = self._phone_kw is not None and buf.near_keyword(self._phone_kw, start, end)
            if not kw_near and self._phone_anti.search(buf.before(start, _ANTI_WINDOW)) is not None:
                continue
            if _POSTCODE_LIKE.match(cand):
                continue
            spans: dict[tuple[int, int], bool] = {}
            nanp: set[tuple[int, int]] = set()
            trunk = cand.lstrip("(").startswith("0") and not cand.startswith("00")
            idd = cand.startswith("00") and cand[2:3].isdigit() and cand[2] != "0"
            if plus:
                spans.update(((a, b), v) for a, b, v in _phone_spans(cand, ndigits, self._regions[:1]))
            elif idd:  # ``00`` international prefix: read as ``+``
                for a, b, v in _phone_spans("+" + cand[2:], ndigits - 2, self._regions[:1]):
                    spans[(a + 1 if a else 0, b + 1)] = v
            else:
                if self._nanp:
                    for a, b in _nanp_spans(cand):
                        for s, e, v in _phone_spans(cand[a:b], 10, self._nanp):
                            spans[(a + s, a + e)] = v
                            nanp.add((a + s, a + e))
                if self._other_regions and ndigits >= 8 and (kw_near or trunk):
                    spans.update(((a, b), v) for a, b, v in _phone_spans(cand, ndigits, self._other_regions))
            for (s, e), valid in spans.items():
                raw = cand[s:e]
                if self._allowed(raw):
                    continue
                formatted = raw.startswith("+") or any(c in raw for c in " -.()")
                s, e = start + s, start + e
                kw = self._phone_kw is not None and buf.near_keyword(self._phone_kw, s, e)
                # an unformatted number counts (medium) when it starts with the trunk prefix 0, is 9+ digits long,
                # stands alone (no letter or digit glued to it) and is not a counting run (``0123456789``)
                compact = (
                    trunk
                    and ndigits >= 9
                    and not data[e : e + 1].isalnum()
                    and raw.translate(_NO_SPACE) not in _COUNTING
                )
                level = 3 if kw else (2 if formatted or compact else 1)
                if not valid:
                    # outside the allocated ranges but the right length ("possible": made-up and newly allocated
                    # numbers): only when written like a phone number, grouped and international, grouped
                    # 3-3-4, or grouped next to a phone keyword
                    intl = raw.startswith("+") or (idd and raw.startswith("00"))
                    level = 2 if formatted and (kw or intl or (s - start, e - start) in nanp) else 1
                yield _Hit(self._phone_pattern, s, e, level, kw)

    def _resolve(self, hits: list[_Hit]) -> list[_Hit]:
        """Drop hits under ``min_confidence`` and weak hits overlapping a kept hit; dedupe same pattern+span.

        O(n log n): strong hits are all kept; a weak hit is checked against them with a binary search over their
        sorted starts (with a running maximum of ends) and against the previously kept weak hit.
        """
        seen: set[tuple[str, int, int]] = set()
        strong: list[_Hit] = []
        weak: list[_Hit] = []
        for h in sorted((h for h in hits if h.level >= self._min), key=lambda h: (h.start, -h.level)):
            key = (h.pattern.entity, h.start, h.end)
            if key not in seen:
                seen.add(key)
                (weak if h.pattern.weak else strong).append(h)
        boxes = [(h.start, h.end) for h in strong if h.pattern.entity in _CONTAINERS]
        if boxes:  # the digits of an IBAN can read as a card number: the IBAN is the finding
            strong = [
                h
                for h in strong
                if h.pattern.entity in _CONTAINERS or not any(a <= h.start and h.end <= b for a, b in boxes)
            ]
        starts = [h.start for h in strong]
        max_end: list[int] = []
        for h in strong:
            max_end.append(max(h.end, max_end[-1]) if max_end else h.end)
        kept = list(strong)
        weak_end = -1
        for h in weak:
            i = bisect_left(starts, h.end) - 1  # strong hits starting before h ends
            if (i >= 0 and max_end[i] > h.start) or h.start < weak_end:
                continue
            kept.append(h)
            weak_end = max(weak_end, h.end)
        kept.sort(key=lambda h: (h.start, h.end, h.pattern.entity))
        return kept

    def _findings(self, hits: list[_Hit], buf: _Bytes) -> list[Finding]:
        offsets = buf.char_offsets({o for h in hits for o in (h.start, h.end)})
        out: list[Finding] = []
        for h in hits:
            conf = _NAME_OF_LEVEL[h.level]
            out.append(
                Finding(
                    detector=self.name,
                    entity=h.pattern.entity,
                    start=offsets[h.start],
                    end=offsets[h.end],
                    score=_SCORE[conf],
                    confidence=conf,
                    mask=True,
                    explanation=f"{h.pattern.entity} ({conf} confidence{', keyword nearby' if h.keyword else ''})",
                    data={"pattern": h.pattern.name, "data_pattern_id": h.pattern.id, "group": h.pattern.group},
                )
            )
        return out

    # -- AIRS report ----------------------------------------------------------------------------------------

    def _report(self, findings: list[Finding]) -> dict[str, Any]:
        """The AIRS ``dlp_report``: one entry per data pattern, offsets by confidence bucket.

        A detection is listed under its own confidence and every lower bucket (a high-confidence match is also a
        low-confidence match), which is how the service reports it.
        """
        by_pattern: dict[str, dict[str, Any]] = {}
        listed: set[tuple[str, str, int, int]] = set()
        for f in findings:
            pid = str(f.data.get("data_pattern_id") or pattern_id(f.entity))
            entry = by_pattern.setdefault(
                pid,
                {
                    "data_pattern_id": pid,
                    "version": 1,
                    "name": f.entity,
                    "high_confidence_detections": [],
                    "medium_confidence_detections": [],
                    "low_confidence_detections": [],
                },
            )
            for level in range(_LEVEL[f.confidence], 0, -1):
                name = _NAME_OF_LEVEL[level]
                if (pid, name, f.start, f.end) not in listed:
                    listed.add((pid, name, f.start, f.end))
                    entry[f"{name}_confidence_detections"].append([f.start, f.end])
        opts = self.options
        return {
            "dlp_report_id": hashlib.sha256(uuid.uuid4().bytes).hexdigest().upper(),
            "dlp_profile_name": opts.dlp_profile_name,
            "dlp_profile_id": opts.dlp_profile_id,
            "dlp_profile_version": opts.dlp_profile_version,
            "data_pattern_rule1_verdict": "MATCHED" if findings else "NOT_MATCHED",
            "data_pattern_rule2_verdict": "",
            "data_pattern_detection_offsets": list(by_pattern.values()),
        }


@lru_cache(maxsize=4096)
def _phone_spans(cand: str, ndigits: int, regions: tuple[str, ...]) -> tuple[tuple[int, int, bool], ...]:
    """Phone numbers in a candidate as ``(start, end, valid)``: the whole candidate (fast path) or what
    ``PhoneNumberMatcher`` finds. ``valid`` is False for a whole candidate that is only a *possible* number (the
    right length for its region, outside the allocated ranges: made-up and newly allocated numbers look so).

    An international number's ``(0)`` trunk hint (``+49 (0) 30 1234567``) is ignored, as diallers do.
    Cached: ``phonenumbers`` is pure Python and comparatively slow, and texts often repeat the same number.
    """
    parse_text = _TRUNK_HINT.sub("", cand, count=1) if "(0" in cand else cand
    possible = False
    for region in regions:
        try:
            parsed = phonenumbers.parse(parse_text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return ((0, len(cand), True),)
        possible = possible or (
            phonenumbers.is_possible_number(parsed)
            and len(str(parsed.national_number)) >= 8
            and len(set(str(parsed.national_number))) > 2
        )
    if ndigits > 9:
        seen: dict[tuple[int, int], None] = {}
        for region in regions:
            for pm in PhoneNumberMatcher(cand, region, leniency=Leniency.VALID):
                if not _DATE_LIKE.search(pm.raw_string):
                    seen[(pm.start, pm.end)] = None
        if seen:
            return tuple((s, e, True) for s, e in seen)
    return ((0, len(cand), False),) if possible else ()


#: ``(0)`` after an international prefix (``+44 (0)20 ...``): a trunk-prefix hint, not part of the number
_TRUNK_HINT = re.compile(r"(?<=[0-9 ])\(0\)[ \t]?")
_NO_SPACE = str.maketrans("", "", " \t")
_COUNTING = "01234567890123456789"
#: post codes written like a short phone number (Brazil's CEP ``01310-100``)
_POSTCODE_LIKE = re.compile(r"^[0-9]{5}-[0-9]{3}$")


_NANP_GROUPS = frozenset({(10,), (3, 7), (3, 3, 4), (11,), (1, 10), (1, 3, 7), (1, 3, 3, 4)})
_NANP_LAST = frozenset({4, 7, 10, 11})  # length of the last digit group of a NANP number
_DIGIT_RUNS = re.compile(r"[0-9]+")
_EXTENSION = re.compile(r"[ \t]?(?:x|ext\.?|#)[ \t]?[0-9]{1,6}")


def _nanp_digits_ok(number: str) -> bool:
    if len(number) == 11:
        if number[0] != "1":
            return False
        number = number[1:]
    area, exchange = number[:3], number[3:6]
    return area[0] >= "2" and exchange[0] >= "2" and area[1:] != "11" and exchange[1:] != "11"


def _nanp_spans(cand: str) -> list[tuple[int, int]]:
    """Cheap North-American pre-check before ``phonenumbers``: the sub-spans of a candidate grouped like a NANP
    number (10 digits, 3-7, 3-3-4, optionally a leading 1 or 001; area code and exchange 2-9, no N11), with an
    optional opening parenthesis and extension.

    Rejects table cells and decimals (``180.48 (290.454)``) and random digit runs without calling the (pure Python,
    comparatively slow) parser, and splits runs of several numbers into one span each. Linear in the candidate.
    """
    runs = [(m.start(), m.end()) for m in _DIGIT_RUNS.finditer(cand)]
    lengths = [e - s for s, e in runs]
    out: list[tuple[int, int]] = []
    taken = 0  # runs before this index belong to an accepted number
    for j, (_, last_end) in enumerate(runs):
        if j < taken or lengths[j] not in _NANP_LAST:
            continue
        for width in (4, 3, 2, 1):  # widest grouping first: 1-3-3-4 before 3-3-4 before 3-7 ...
            i = j - width + 1
            if i < taken or tuple(lengths[i : j + 1]) not in _NANP_GROUPS:
                continue
            window = runs[i : j + 1]
            if not _nanp_digits_ok("".join(cand[s:e] for s, e in window)):
                continue
            start, end = window[0][0], last_end
            if start > 0 and cand[start - 1] == "(":
                start -= 1
            elif i > 0 and cand[runs[i - 1][0] : runs[i - 1][1]] == "001" and start - runs[i - 1][1] <= 2:
                start = runs[i - 1][0]  # 00 1: the international call prefix spelled out
            taken = j + 1
            ext = _EXTENSION.match(cand, end)
            if ext is not None:
                end = ext.end()
                while taken < len(runs) and runs[taken][1] <= end:
                    taken += 1
            out.append((start, end))
            break
    return out


def _min_national_digits(region: str) -> int:
    """Shortest national number length a region's numbering plan allows (NANP: 10), for a cheap pre-filter."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    lengths = meta.general_desc.possible_length if meta is not None and meta.general_desc is not None else None
    return max(4, min(lengths)) if lengths else 4


def _value_span(m: Any, groups: tuple[int, ...]) -> tuple[int, int]:
    """Span of the first participating value group (``v``, ``v2``), else of the whole match."""
    for g in groups:
        span: tuple[int, int] = m.span(g)
        if span[0] >= 0:
            return span
    whole: tuple[int, int] = m.span()
    return whole


def _prefixes(value: str) -> Iterator[int]:
    """``len(value)``, then the lengths of the prefixes ending just before a space or dash (longest first, ≤ 12:
    ``GB82WEST12345698765432 is my new iban`` needs five)."""
    yield len(value)
    cuts = [i for i, c in enumerate(value) if c in " -" and i > 0]
    for i in reversed(cuts[-12:]):
        yield len(value[:i].rstrip(" -"))
