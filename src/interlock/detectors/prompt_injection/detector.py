"""The prompt-injection detector (AIRS flag ``injection``): normalised views, scoring tiers, one threshold.

How tiers combine (:func:`combine`): rule evidence (the signature tier and the hidden-channel evidence) adds up by
noisy-OR, since separate phrases are separate evidence; model tiers (``ngram``, ``trained`` ...) already weigh the
whole window, so each counts on its own and the text's score is the highest of the rule score and the model
scores. Adding a model's probability to rule evidence by noisy-OR would count the same phrase twice (the model saw
it too) and lift every everyday "ignore my last message" past the threshold.

Long texts are scanned in overlapping windows (each normalised and scored on its own, the text's score is the
best window's), which keeps the work linear and memory bounded and stops weak signals far apart in a long
document from adding up.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import re2
from pydantic import Field, field_validator, model_validator

from interlock.detectors.prompt_injection.judge import JudgeOptions, JudgeTier
from interlock.detectors.prompt_injection.signatures import FAMILIES
from interlock.detectors.prompt_injection.tiers import Evidence, Tier, TierScore, load_tier, noisy_or, tier_class
from interlock.engine import budget as budgets
from interlock.engine.base import DetectorOptions, DetectorResult, Finding, ScanItem
from interlock.text.normalize import Limits, View, views, zero_width_in_words

__all__ = ["THRESHOLDS", "PromptInjectionDetector", "PromptInjectionOptions", "combine"]

Sensitivity = Literal["low", "medium", "high"]

#: sensitivity -> score threshold. ``medium`` needs one strong signal (>= 0.7) or two to three weak ones.
THRESHOLDS: dict[str, float] = {"low": 0.85, "medium": 0.7, "high": 0.5}

_WINDOW = 4096
_OVERLAP = 256
_MAX_FINDINGS = 20
_TAG_SMUGGLING = 0.6
_ZERO_WIDTH = 0.35


def combine(rule_weights: list[float], model_scores: list[float]) -> float:
    """A window's score: rule evidence by noisy-OR, then the highest of that and the model tiers' scores."""
    return max([noisy_or(rule_weights), *model_scores])


def _threat(family: str) -> str:
    """Report name of a family (tiers added later may bring families of their own)."""
    return FAMILIES.get(family, family.replace("_", " "))


class PromptInjectionOptions(DetectorOptions):
    """Profile options of the ``injection`` detector.

    Attributes:
        sensitivity: ``low`` (fewer false positives), ``medium`` or ``high`` (more recall); maps to a threshold.
        threshold: explicit score threshold; overrides ``sensitivity``.
        allow_phrases: phrases whose occurrences are never evidence (case-insensitive), e.g. a product name
            like ``"Developer Mode"`` or a quoted test phrase.
        tiers: scoring tiers to run: ``signature`` (weighted patterns, rule evidence) and ``ngram`` (hashed
            n-gram logistic regression chosen on the nested leave-source-out instrument, see ``ngram.py``) by
            default; ``trained`` (the former default model, ``trained.py``) on request.
        judge: an optional LLM judge (OpenAI-compatible endpoint) asked only about texts whose score falls in its
            band; off by default (see ``judge.py`` and ``docs/detectors/injection_judge.md``).
        deep_scan_chars: costly tiers (the trained model, 0.5-1.5 ms per KB) score only the first this many
            characters of a text; the signature tier always scans all of it. 0 means no limit.
    """

    sensitivity: Sensitivity = "medium"
    threshold: float | None = Field(default=None, gt=0.0, le=1.0)
    allow_phrases: list[str] = Field(default_factory=list, max_length=200)
    tiers: list[str] = Field(default_factory=lambda: ["signature", "ngram"], min_length=1)
    deep_scan_chars: int = Field(default=65_536, ge=0)
    judge: JudgeOptions | None = None

    @field_validator("allow_phrases")
    @classmethod
    def _phrases(cls, v: list[str]) -> list[str]:
        for p in v:
            if not p.strip() or len(p) > 500:
                raise ValueError("allow_phrases entries must be non-empty and at most 500 characters")
        return v

    @model_validator(mode="after")
    def _tiers_exist(self) -> PromptInjectionOptions:
        for name in self.tiers:
            tier_class(name)  # raises ValueError with the reason: surfaced as a ProfileError at load time
        return self


class PromptInjectionDetector:
    """Detects prompt injection and jailbreaks in prompts and tool events."""

    name: ClassVar[str] = "injection"
    data_types: ClassVar[frozenset[str]] = frozenset({"prompt", "tool_event"})
    Options: ClassVar[type[DetectorOptions]] = PromptInjectionOptions

    def __init__(self, options: PromptInjectionOptions | None = None) -> None:
        self.options = options or PromptInjectionOptions()
        self.threshold = self.options.threshold or THRESHOLDS[self.options.sensitivity]
        tier_options = {"sensitivity": self.options.sensitivity, "detector_threshold": self.threshold}
        self.tiers: list[Tier] = [load_tier(n, dict(tier_options)) for n in dict.fromkeys(self.options.tiers)]
        self._limits = Limits()
        self.judge = JudgeTier(self.options.judge) if self.options.judge is not None else None
        phrases = [p for p in self.options.allow_phrases if p.strip()]
        self._allow = (
            re2.compile("(?i)" + "|".join(re2.escape(p) for p in sorted(phrases, key=len, reverse=True)))
            if phrases
            else None
        )

    def score_window(self, text: str, offset: int = 0) -> tuple[float, list[Evidence]]:
        """Score one window of text; evidence spans are shifted by ``offset``."""
        vs = views(text, self._limits)
        cap = self.options.deep_scan_chars
        tiers = [t for t in self.tiers if not (cap and offset >= cap and getattr(t, "costly", False))]
        scores: list[TierScore] = [t.score(vs) for t in tiers]
        extra = self._channel_evidence(text, vs)
        rules = [ts.score for t, ts in zip(tiers, scores, strict=True) if getattr(t, "rules", False)]
        models = [ts.score for t, ts in zip(tiers, scores, strict=True) if not getattr(t, "rules", False)]
        score = combine(rules + [ev.weight for ev in extra], models)
        evidence = [ev for ts in scores for ev in ts.evidence] + extra
        if offset:
            evidence = [
                Evidence(ev.family, ev.rule, ev.start + offset, ev.end + offset, ev.weight, ev.view) for ev in evidence
            ]
        return score, evidence

    def _blank_allowed(self, text: str) -> str:
        """Replace allow-listed phrases by spaces of the same length (offsets stay valid)."""
        if self._allow is None:
            return text
        parts: list[str] = []
        last = 0
        for m in self._allow.finditer(text):
            s, e = m.span()
            parts += [text[last:s], " " * (e - s)]
            last = e
        return "".join([*parts, text[last:]]) if parts else text

    @staticmethod
    def _channel_evidence(text: str, vs: list[View]) -> list[Evidence]:
        """Hidden channels are evidence on their own: smuggled tag text, invisible characters inside words."""
        out: list[Evidence] = []
        for v in vs:
            if v.name == "tags" and len(v.text.strip()) >= 8:
                s, e = v.to_original(0, len(v.text))
                out.append(Evidence("obfuscation", "ob.tag_smuggling", s, e, _TAG_SMUGGLING, "tags"))
        if zero_width_in_words(text) >= 3:
            out.append(Evidence("obfuscation", "ob.zero_width_split", 0, len(text), _ZERO_WIDTH, "base"))
        return out

    def detect(self, item: ScanItem) -> DetectorResult:
        """Scan one prompt or tool-event text."""
        text = self._blank_allowed(item.text)
        if not text or not text.strip():
            return DetectorResult(detected=False, detail={"pi_report": {"verdict": "benign"}})
        best = 0.0
        evidence: list[Evidence] = []
        step = _WINDOW - _OVERLAP
        for start in range(0, max(len(text) - _OVERLAP, 1), step):
            budgets.check()  # a scan past its time budget stops here instead of burning CPU nobody waits for
            score, ev = self.score_window(text[start : start + _WINDOW], start)
            best = max(best, score)
            if score >= self.threshold or not evidence:
                evidence.extend(ev)
            if len(evidence) > 4 * _MAX_FINDINGS:
                evidence = sorted(evidence, key=lambda e: -e.weight)[: 4 * _MAX_FINDINGS]
        detected = best >= self.threshold
        if self.judge is not None and self.judge.in_band(best):  # only texts the fast tiers are unsure about
            top = max(evidence, key=lambda e: e.weight, default=None)
            verdict = self.judge.decide(item.text, best, (top.start, top.end) if top else None)
            if verdict.injection is not None and verdict.score is not None:
                detected, best = verdict.injection, verdict.score
        findings = self._findings(evidence, detected)
        families = list(dict.fromkeys(f.entity for f in findings if f.score >= 0.3)) if detected else []
        return DetectorResult(
            detected=detected,
            findings=findings,
            score=round(best, 4),
            detail={"pi_report": {"verdict": "malicious" if detected else "benign"}},
            categories={"threats": ["prompt injection", *(_threat(f) for f in families)]} if detected else {},
        )

    def _findings(self, evidence: list[Evidence], detected: bool) -> list[Finding]:
        seen: set[tuple[str, int, int]] = set()
        out: list[Finding] = []
        for ev in sorted(evidence, key=lambda e: -e.weight):
            key = (ev.rule, ev.start, ev.end)
            if key in seen:
                continue
            seen.add(key)
            out.append(
                Finding(
                    detector=self.name,
                    entity=ev.family,
                    start=ev.start,
                    end=ev.end,
                    score=round(ev.weight, 4),
                    confidence="high" if ev.weight >= 0.85 else "medium" if ev.weight >= 0.5 else "low",
                    explanation=f"{_threat(ev.family)} evidence ({ev.rule}) in the {ev.view} view"
                    + ("" if detected else "; below threshold"),
                    data={"rule": ev.rule, "view": ev.view, "family": ev.family},
                )
            )
            if len(out) >= _MAX_FINDINGS:
                break
        return sorted(out, key=lambda f: (f.start, f.end))
