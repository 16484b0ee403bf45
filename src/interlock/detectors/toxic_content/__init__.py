"""Toxic content (AIRS ``toxic_content`` / service ``tc``): hate, harassment, sexual, violence, self-harm, profanity.

Two signals, combined per sentence-sized chunk of the text:

* a small logistic-regression model over word uni/bigrams (trained by ``scripts/train_toxicity.py``, shipped as
  ``toxicity_model.json.gz``, scored in pure Python) — the general "is this hateful/offensive" judgement;
* curated per-category lexicons (:mod:`.lexicon`) — "strong" phrases are toxic on their own, "weak" words only
  name the category of a chunk the model already flags.

The text is toxic when some chunk's model probability reaches ``threshold`` or a strong phrase matches.
Confidence is ``high`` when a strong phrase matched or the probability reached ``high_threshold``, else
``moderate``. Categories come from the lexicon hits; a model-only detection is reported as ``harassment``
(the training data's "offensive language" is mostly insults aimed at people).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from interlock.detectors.toxic_content.features import mask_mentions, split_chunks
from interlock.detectors.toxic_content.lexicon import CATEGORIES, CHUNK_SEPARATOR, match, may_match
from interlock.detectors.toxic_content.model import load_model
from interlock.engine.base import DetectorOptions, DetectorResult, Finding, ScanItem

__all__ = ["ToxicContentDetector", "ToxicContentOptions"]

#: Category reported when only the model fired.
FALLBACK_CATEGORY = "harassment"


class ToxicContentOptions(DetectorOptions):
    """Profile options of the toxic-content detector.

    Attributes:
        threshold: chunk probability at or above which the model alone flags the text.
        high_threshold: probability at or above which a model detection has ``high`` confidence.
        categories: the categories acted on; a text whose only categories are outside this list is not flagged.
        use_model: set false to run the lexicons alone.
    """

    threshold: float = Field(default=0.8, ge=0.0, le=1.0)
    high_threshold: float = Field(default=0.95, ge=0.0, le=1.0)
    categories: list[str] = Field(default_factory=lambda: list(CATEGORIES))
    use_model: bool = True

    @field_validator("categories")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"unknown toxic categories {unknown}; known: {list(CATEGORIES)}")
        return value


class ToxicContentDetector:
    """Detects toxic content in prompts, responses and tool events."""

    name: ClassVar[str] = "toxic_content"
    data_types: ClassVar[frozenset[str]] = frozenset({"prompt", "response", "tool_event"})
    Options = ToxicContentOptions

    def __init__(self, options: ToxicContentOptions | None = None) -> None:
        self.options = options or ToxicContentOptions()
        self._model = load_model() if self.options.use_model else None
        self._allowed = frozenset(self.options.categories)

    def score(self, text: str) -> tuple[float, list[str], bool]:
        """(max chunk probability, categories in report order, strong lexicon hit) for ``text``.

        The model scores each chunk; the lexicons run once over all chunks (strong tier always, weak tier only when
        the model flagged the text, to name its categories).
        """
        chunks = split_chunks(mask_mentions(text))
        best = max((self._model.probability(toks) for toks in chunks), default=0.0) if self._model else 0.0
        joined = CHUNK_SEPARATOR.join(" ".join(toks) for toks in chunks)
        if not may_match(joined):
            return best, [FALLBACK_CATEGORY] if best >= self.options.threshold else [], False
        strong = [h.category for h in match(joined, "strong")]
        cats = set(strong)
        if best >= self.options.threshold:
            weak = {h.category for h in match(joined, "weak")}
            cats |= weak or ({FALLBACK_CATEGORY} if not cats else set())
        return best, [c for c in CATEGORIES if c in cats], bool(strong)

    def detect(self, item: ScanItem) -> DetectorResult:
        best, cats, strong = self.score(item.text)
        cats = [c for c in cats if c in self._allowed]
        detected = bool(cats)
        confidence = ""
        if detected:
            confidence = "high" if strong or best >= self.options.high_threshold else "moderate"
        report = {
            "confidence": confidence,
            "verdict": "malicious" if detected else "benign",
            "toxic_categories": cats,
        }
        findings = [
            Finding(
                detector=self.name,
                entity=c,
                start=0,
                end=len(item.text),
                score=max(best, 0.9 if strong else 0.0),
                confidence="high" if confidence == "high" else "medium",
                explanation=f"toxic content: {c}",
                data={"category": c},
            )
            for c in cats
        ]
        return DetectorResult(
            detected=detected,
            findings=findings,
            score=max(best, 1.0 if strong and detected else 0.0),
            detail={"tc_report": report},
            categories={"toxic_categories": cats} if cats else {},
        )
