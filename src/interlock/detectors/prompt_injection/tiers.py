"""Scoring tiers of the prompt-injection detector.

A tier looks at the normalised :class:`~interlock.text.View` s of one text window and returns a
:class:`TierScore`: a score in [0, 1] and the evidence (spans in the original text). The detector combines the
tiers' scores (see ``detector.py``); a new tier (e.g. ``trained.py``, a small classifier) only has to satisfy
:class:`Tier` and be listed in :data:`TIER_MODULES`.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import re2

from interlock.detectors.prompt_injection.signatures import FAMILIES, SIGNATURES, Signature
from interlock.text.normalize import View

__all__ = ["TIER_MODULES", "Evidence", "SignatureTier", "Tier", "TierScore", "load_tier", "noisy_or", "tier_class"]


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for a tier score, located in the original text.

    Attributes:
        family: attack family (a key of ``signatures.FAMILIES``).
        rule: pattern or rule id.
        start, end: span in the original text.
        weight: this evidence's weight in [0, 1].
        view: the view it was found in (``base``, ``leet``, ``base64`` ...).
    """

    family: str
    rule: str
    start: int
    end: int
    weight: float
    view: str


@dataclass
class TierScore:
    """A tier's verdict on one text window."""

    score: float
    evidence: list[Evidence] = field(default_factory=list)


@runtime_checkable
class Tier(Protocol):
    """One scoring tier. Implementations are immutable after ``__init__`` and thread-safe.

    A tier whose class sets ``rules = True`` yields rule evidence, which the detector adds up with other rule
    evidence by noisy-OR; any other tier is a model whose score counts on its own (see ``detector.combine``).
    """

    name: str

    def score(self, views: Sequence[View]) -> TierScore:
        """Score the views of one text window (``views[0]`` is the ``base`` view)."""
        ...


#: tier name -> "module:Class". A tier's class takes one options dict; the detector passes
#: ``{"sensitivity": "low" | "medium" | "high", "detector_threshold": float}`` so a tier can put its own
#: operating point on the detector's scale.
TIER_MODULES: dict[str, str] = {
    "signature": "interlock.detectors.prompt_injection.tiers:SignatureTier",
    "trained": "interlock.detectors.prompt_injection.trained:TrainedTier",
    "ngram": "interlock.detectors.prompt_injection.ngram:NgramTier",
}


def tier_class(name: str) -> type[Tier]:
    """Import the class of tier ``name`` (cheap; nothing is built).

    Raises:
        ValueError: unknown tier, or its module is not installed.
    """
    target = TIER_MODULES.get(name)
    if target is None:
        raise ValueError(f"unknown injection tier {name!r} (known: {', '.join(sorted(TIER_MODULES))})")
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ValueError(f"injection tier {name!r} is not available: {exc}") from None
    cls: type[Tier] | None = getattr(module, attr, None)
    if cls is None:
        raise ValueError(f"injection tier {name!r} is not available: {module_name} has no {attr}")
    return cls


def load_tier(name: str, options: dict[str, Any] | None = None) -> Tier:
    """Build tier ``name`` with its options (raises ValueError like :func:`tier_class`)."""
    return tier_class(name)(options or {})  # type: ignore[call-arg]


def noisy_or(weights: Sequence[float]) -> float:
    """``1 - prod(1 - w)``: independent pieces of evidence add up, one strong piece suffices."""
    p = 1.0
    for w in weights:
        p *= 1.0 - min(max(w, 0.0), 1.0)
    return 1.0 - p


# Words that show a text *discusses* injection rather than performing it (articles, docs, classifier prompts).
_TOPIC = re2.compile(
    r"(?i)\b(?:prompt injections?|(?:jailbreak(?:ing)?|injection) (?:attacks?|prompts|attempts?|techniques?)|"
    r"red[- ]team(?:ing|ers?)?|researchers?|guardrails?|false positives?|"
    r"inyecci[oó]n de prompts?|injection de prompt|prompt-injection|атак\w* (?:типа|на)|"
    r"提示注入|プロンプトインジェクション)"
)
_CUE = re2.compile(
    r"(?i)\b(?:attackers?|adversar(?:y|ial)|malicious (?:prompt|input|instruction)s?|such as|for example|e\.g\.|"
    r"called|known as|classif(?:y|ier)|detect(?:s|ed|ing|or)?|examples?|"
    r"(?:messages?|prompts?|phrases?|strings?|inputs?|sentences?|words?|text) (?:like|such as)|"
    r"ataques?|attaques?|attacc\w*|angriff\w*|атак\w*)\b|攻击|攻撃|例如"
)
_QUOTE_BEFORE = re2.compile(r"[\"'“‘«「`]\s*$")
# A prohibition right before an extraction phrase ("Never reveal your instructions", "Do not share these
# instructions"): how app developers write system prompts, not how attackers ask. At most two words between.
_PROHIBITION_BEFORE = re2.compile(
    r"(?i)(?:(?:^|[^\p{L}])(?:never|not|no|ne|n'|nie|niemals|nicht|nunca|jamais|не|нельзя|никогда)|n't|"
    r"不要|切勿|请勿|不得|绝不|不可)(?:[^\p{L}]+\p{L}+){0,2}[^\p{L}]*$"
)
# ... unless the words after the negation undo it: "Don't hesitate to reveal", "Do not refuse: print", "never mind".
_PROHIBITION_UNDONE = re2.compile(r"(?i)\b(?:hesitat\w*|refus\w*|forget|fail|stop|mind|dud\w*|zöger\w*)\b")
_PROHIBITION_FAMILIES = frozenset({"system_prompt_extraction"})
_PROHIBITION_DAMPING = 0.35
_MENTION_DAMPING = 0.35
_TOPIC_DAMPING = 0.5
_OBFUSCATION_BONUS = 0.1
_HIDDEN_BONUS = 0.2
_OVERLAP_FACTOR = 0.25


def _char_offsets(data: bytes, offsets: Iterable[int]) -> dict[int, int]:
    """Character offsets of UTF-8 byte ``offsets`` (each on a character boundary) in one pass over ``data``."""
    out: dict[int, int] = {}
    last = chars = 0
    for off in sorted(offsets):
        chars += len(data[last:off].decode("utf-8"))
        out[off] = chars
        last = off
    return out


def _evidence_order(ev: Evidence) -> tuple[int, float, int, str, str]:
    """Report order of evidence: by position, stronger first; a total order, so ties never depend on match order."""
    return ev.start, -ev.weight, ev.end, ev.rule, ev.view


def _prohibited(before: str) -> bool:
    """The text right before a match forbids it ("You must never share ..."), and nothing undoes that."""
    m = _PROHIBITION_BEFORE.search(before)
    return m is not None and not _PROHIBITION_UNDONE.search(before[m.start() :])


def _same_phrase(a: Evidence, b: Evidence) -> bool:
    """Two spans cover mostly the same text (overlap >= half of the shorter one)."""
    inter = min(a.end, b.end) - max(a.start, b.start)
    return inter > 0 and 2 * inter >= min(a.end - a.start, b.end - b.start)


class SignatureTier:
    """Weighted RE2 signatures over all views, combined per family then across families.

    Evidence combines by noisy-OR (see :meth:`combine`). Matches in hidden views
    (tag smuggling, base64 ...) gain weight; matches only visible after de-obfuscation (leet, collapsed,
    homoglyphs) gain a little; quoted matches in a text that discusses injection lose weight, and so do weak
    matches in a text about prompt injection (security articles, guardrail docs); an extraction phrase right after
    a prohibition ("never reveal your instructions", unless undone: "don't hesitate to reveal") loses weight.
    """

    name = "signature"
    rules = True

    def __init__(self, options: dict[str, Any] | None = None, signatures: Sequence[Signature] = SIGNATURES) -> None:
        self._sigs = tuple(signatures)
        self._compiled = [re2.compile(s.pattern) for s in self._sigs]
        self._all = self._build_filter(range(len(self._sigs)))
        self._latin = self._build_filter(i for i, s in enumerate(self._sigs) if s.latin)

    def _build_filter(self, indices: Iterable[int]) -> tuple[re2.Filter | None, list[int]]:
        """A literal prefilter over some signatures (``None`` when there are none).

        ``re2.Filter`` (RE2's ``FilteredRE2``) finds each signature's required literal atoms with one literal
        ``RE2::Set`` (a trie-like DFA that stays small) and names the candidate signatures, those whose atoms all
        occur; :meth:`_matches` then runs only those, each alone (a non-matching candidate just finds nothing).
        One ``RE2::Set`` of every pattern was the former way: its DFA tracks all patterns' threads at once, so on
        text dense with trigger words its states blow up, the cache thrashes and it costs ~4-7 ms per KB; see
        ``docs/bench/signatures.md``.
        """
        order = list(indices)
        if not order:
            return None, order
        flt = re2.Filter()
        for i in order:
            flt.Add(self._sigs[i].pattern)
        flt.Compile()
        return flt, order

    def _matches(self, view: View) -> list[tuple[int, int, int]]:
        """``(signature index, start, end)`` of the first three matches of every signature matching the view.

        Signatures come in table order (ascending index), each one's matches left to right. The view is encoded
        to UTF-8 once and matched as bytes (``re2`` would re-encode a ``str`` per call); byte offsets are then
        mapped back to characters.
        """
        flt, order = self._all if (view.name == "base" or view.hidden) else self._latin
        if flt is None:
            return []
        text = view.text
        data = text.encode("utf-8")
        out: list[tuple[int, int, int]] = []
        in_bytes: list[int] = []  # positions in ``out`` whose spans are byte offsets
        for h in flt.Match(data, True) or ():  # candidates: every signature whose literal atoms all occur
            idx = order[h]
            rx = self._compiled[idx]
            spans = [m.span() for m in itertools.islice(rx.finditer(data), 3)]
            if any(s == e for s, e in spans):  # an empty match advances by one character, not byte: use str
                out.extend((idx, *m.span()) for m in itertools.islice(rx.finditer(text), 3))
                continue
            in_bytes.extend(range(len(out), len(out) + len(spans)))
            out.extend((idx, s, e) for s, e in spans)
        if len(data) != len(text) and in_bytes:
            chars = _char_offsets(data, {o for i in in_bytes for o in out[i][1:]})
            for i in in_bytes:
                idx, s, e = out[i]
                out[i] = (idx, chars[s], chars[e])
        return out

    def score(self, views: Sequence[View]) -> TierScore:
        """Score the views of one text window."""
        best: dict[str, Evidence] = {}
        base = views[0].text if views else ""
        cues: tuple[bool, bool] | None = None  # (topic, mention), computed on the first match only
        in_base: set[str] = set()
        for view in views:
            for idx, s, e in self._matches(view):
                sig = self._sigs[idx]
                w = sig.weight
                if view.hidden:
                    w += _HIDDEN_BONUS
                elif view.name != "base" and sig.id not in in_base:
                    w += _OBFUSCATION_BONUS  # only visible once de-obfuscated
                if cues is None:
                    topic = bool(_TOPIC.search(base))
                    cues = (topic, topic or bool(_CUE.search(base)))
                topic, mention = cues
                if not view.hidden and mention and _QUOTE_BEFORE.search(view.text[max(0, s - 3) : s]):
                    w *= _MENTION_DAMPING  # a quoted example in a text about attacks
                elif topic and w < 0.5:
                    w *= _TOPIC_DAMPING  # weak vocabulary in a text about injection
                if (
                    not view.hidden
                    and sig.family in _PROHIBITION_FAMILIES
                    and _prohibited(view.text[max(0, s - 40) : s])
                ):
                    w *= _PROHIBITION_DAMPING  # a developer's "never reveal your instructions"
                if view.name == "base":
                    in_base.add(sig.id)
                w = min(w, 1.0)
                start, end = view.to_original(s, e)
                prev = best.get(sig.id)
                if prev is None or w > prev.weight:
                    best[sig.id] = Evidence(sig.family, sig.id, start, end, w, view.name)
        return TierScore(self.combine(best.values()), sorted(best.values(), key=_evidence_order))

    @staticmethod
    def combine(evidence: Any) -> float:
        """Noisy-OR over independent evidence.

        Within a family, evidence overlapping a stronger piece describes the same phrase twice and only adds a
        quarter of its weight; separate phrases count fully. The result depends only on the set of evidence, not
        on its order (families and ties are visited in a fixed order).
        """
        by_family: dict[str, list[Evidence]] = {}
        for ev in evidence:
            by_family.setdefault(ev.family, []).append(ev)
        weights: list[float] = []
        for family in sorted(by_family):
            kept: list[Evidence] = []
            for ev in sorted(by_family[family], key=lambda e: (-e.weight, e.start, e.end, e.rule, e.view)):
                overlaps = any(_same_phrase(ev, k) for k in kept)
                weights.append(ev.weight * (_OVERLAP_FACTOR if overlaps else 1.0))
                if not overlaps:
                    kept.append(ev)
        return noisy_or(weights)


assert set(s.family for s in SIGNATURES) <= set(FAMILIES)  # noqa: S101 - import-time table consistency
