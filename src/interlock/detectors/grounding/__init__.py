"""Contextual grounding (AIRS ``ungrounded`` / service ``contextual_grounding``).

When a response arrives with grounding ``context``, each claim sentence of the response is compared with the
best-matching context passage (a context sentence with its neighbours):

* *support* is the IDF-weighted share of the claim's content words (stemmed, stop words removed) found in the
  passage (its sentence and one neighbour each side); named-entity words (capitalised) count double;
* a number in the claim that the passage does not contain is a *number mismatch* ("1,200" = "1200",
  "3 million" = "3000000");
* a claim whose best matching context sentence differs from it in negation ("is" / "is not") is a *negation
  mismatch*.

A claim is unsupported when support < ``support_threshold`` or it has a mismatch. Questions, greetings, courtesy
phrases and hedged statements without numbers are not claims. The response is ungrounded when the share of
unsupported claims exceeds ``threshold``.

AIRS limits are enforced (context <= 100,000 characters, prompt <= 10,000, response <= 20,000): past them the
detector raises :class:`~interlock.errors.DetectorError`, which the engine reports as an ``error`` outcome, never
as a clean result. With no context the check does not apply: ``detected=False`` and ``cg_report`` status
``completed`` with category ``not_applicable``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from functools import lru_cache
from typing import ClassVar

from pydantic import Field

from interlock.detectors.grounding.claims import Sentence, is_claim, sentences
from interlock.engine.base import DetectorOptions, DetectorResult, Finding, ScanItem
from interlock.errors import DetectorError

__all__ = ["GroundingDetector", "GroundingOptions", "MAX_CONTEXT", "MAX_PROMPT", "MAX_RESPONSE"]

#: AIRS contextual-grounding limits, in characters.
MAX_CONTEXT = 100_000
MAX_PROMPT = 10_000
MAX_RESPONSE = 20_000
#: Context sentences on each side of a sentence that form its passage.
_NEIGHBOURS = 1


class GroundingOptions(DetectorOptions):
    """Profile options of the contextual-grounding detector.

    Attributes:
        threshold: the response is ungrounded when the share of unsupported claims is above this.
        support_threshold: minimum weighted share of a claim's content words found in its best passage.
    """

    threshold: float = Field(default=0.2, ge=0.0, lt=1.0)
    support_threshold: float = Field(default=0.6, gt=0.0, le=1.0)


#: Words sharing this many leading characters count as the same word ("employees" ~ "employs").
_PREFIX = 5


def _prefix(tok: str) -> str:
    return "^" + tok[:_PREFIX] if len(tok) >= _PREFIX else tok


def _with_prefixes(tokens: frozenset[str]) -> frozenset[str]:
    """A passage's tokens plus ``^``-marked prefixes of its long tokens (a cheap stand-in for lemmatisation)."""
    return tokens | {_prefix(t) for t in tokens if len(t) >= _PREFIX}


class _Context:
    """The context split into sentences, with an inverted index and IDF over its passages."""

    def __init__(self, text: str) -> None:
        self.sents = sentences(text)
        n = len(self.sents)
        self.passages = [
            _with_prefixes(
                frozenset().union(*(s.tokens for s in self.sents[max(0, i - _NEIGHBOURS) : i + _NEIGHBOURS + 1]))
            )
            for i in range(n)
        ]
        self.numbers = [
            frozenset().union(*(s.numbers for s in self.sents[max(0, i - _NEIGHBOURS) : i + _NEIGHBOURS + 1]))
            for i in range(n)
        ]
        df: Counter[str] = Counter(t for s in self.sents for t in s.tokens)
        self.idf = {t: math.log((n + 1) / (c + 0.5)) + 1.0 for t, c in df.items()}
        self.default_idf = math.log(n + 1) + 1.5
        self.index: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(self.sents):
            for t in s.tokens:
                self.index[t].append(i)

    def weight(self, tok: str) -> float:
        return self.idf.get(tok, self.default_idf)

    def best(self, claim: Sentence) -> tuple[float, int]:
        """(support, index of the best passage's centre sentence) for a claim; (0, -1) when nothing overlaps.

        Support is the IDF-weighted share of the claim's tokens found in the passage; entity tokens weigh double.
        Ties go to the passage whose centre sentence shares most tokens with the claim.
        """
        candidates: Counter[int] = Counter()
        for t in claim.tokens:
            for i in self.index.get(t, ()):
                for j in range(max(0, i - _NEIGHBOURS), min(len(self.sents), i + _NEIGHBOURS + 1)):
                    candidates[j] += 1
        if not candidates:
            return 0.0, -1
        weights = {t: self.weight(t) * (2.0 if t in claim.entities else 1.0) for t in claim.tokens}
        total = sum(weights.values()) or 1.0
        scored = [
            (
                sum(w for t, w in weights.items() if t in self.passages[i] or _prefix(t) in self.passages[i]) / total,
                len(claim.tokens & self.sents[i].tokens),
                i,
            )
            for i, _ in candidates.most_common(32)
        ]
        support, _, best = max(scored)
        return support, best


@lru_cache(maxsize=8)
def _context(text: str) -> _Context:
    """Analysed context, cached: a RAG session sends the same context with many responses."""
    return _Context(text)


class GroundingDetector:
    """Judges whether a response's claims are supported by the grounding context sent with it."""

    name: ClassVar[str] = "ungrounded"
    data_types: ClassVar[frozenset[str]] = frozenset({"response"})
    Options = GroundingOptions

    def __init__(self, options: GroundingOptions | None = None) -> None:
        self.options = options or GroundingOptions()

    @staticmethod
    def _check_limits(item: ScanItem) -> None:
        for what, text, limit in (
            ("context", item.context, MAX_CONTEXT),
            ("prompt", item.prompt, MAX_PROMPT),
            ("response", item.text, MAX_RESPONSE),
        ):
            if text is not None and len(text) > limit:
                raise DetectorError(f"contextual grounding: {what} is {len(text)} characters; the limit is {limit}")

    def judge(self, response: str, context: str) -> list[tuple[Sentence, bool, str]]:
        """Each claim sentence of ``response`` with (supported, reason)."""
        ctx = _context(context)
        out: list[tuple[Sentence, bool, str]] = []
        for claim in sentences(response):
            if not is_claim(claim):
                continue
            support, i = ctx.best(claim)
            if i < 0 or support < self.options.support_threshold:
                out.append((claim, False, "unsupported"))
                continue
            if claim.numbers - ctx.numbers[i]:
                out.append((claim, False, "number_mismatch"))
                continue
            lo, hi = max(0, i - _NEIGHBOURS), min(len(ctx.sents), i + _NEIGHBOURS + 1)
            closest = max(ctx.sents[lo:hi], key=lambda s: len(claim.tokens & s.tokens))
            if closest.negated != claim.negated:
                out.append((claim, False, "negation_mismatch"))
                continue
            out.append((claim, True, "supported"))
        return out

    def detect(self, item: ScanItem) -> DetectorResult:
        if not item.context or not item.context.strip():  # not applicable: limits only matter when it runs
            report = {
                "status": "completed",
                "category": "not_applicable",
                "explanation": "no grounding context was provided, so grounding was not evaluated",
            }
            return DetectorResult(detected=False, detail={"cg_report": report})
        self._check_limits(item)
        judged = self.judge(item.text, item.context)
        bad = [(s, why) for s, ok, why in judged if not ok]
        share = len(bad) / len(judged) if judged else 0.0
        detected = bool(bad) and share > self.options.threshold
        if not judged:
            explanation = "the response makes no factual claims to check"
        else:
            reasons = Counter(why for _, why in bad)
            detail = ", ".join(f"{n} {why.replace('_', ' ')}" for why, n in sorted(reasons.items()))
            explanation = f"{len(bad)} of {len(judged)} claims not supported by the context" + (
                f" ({detail})" if detail else ""
            )
        findings = [
            Finding(
                detector=self.name,
                entity=why,
                start=s.start,
                end=s.start + len(s.text),
                score=1.0,
                confidence="medium",
                explanation=f"claim not supported by the context: {why.replace('_', ' ')}",
            )
            for s, why in bad
        ]
        report = {
            "status": "completed",
            "category": "ungrounded" if detected else "grounded",
            "explanation": explanation,
        }
        return DetectorResult(detected=detected, findings=findings, score=share, detail={"cg_report": report})
