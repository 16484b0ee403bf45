"""The trained scoring tier of the prompt-injection detector: a linear model over word and character n-grams.

The model (``injection_model.json.gz`` beside this file) is produced by ``scripts/train_injection.py`` from the
shared labelled data plus seeded synthetic variants (``scripts/injection_synth.py``); see ``docs/detection.md``
for its card. Inference is pure Python (no numpy, no scikit-learn): TF-IDF weights (sublinear TF) of the n-grams
the model knows, L2-normalised, dotted with the learned coefficients, then Platt-calibrated to a probability.

Long inputs are scored window by window (a few sentences each, overlapping) so an instruction buried in a long
benign document is not diluted; the text's score is the highest window score, and that window is the span
reported. Work is linear in the text length.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import re2

__all__ = ["InjectionModel", "ScoredSpan", "analyze", "features", "load_model", "normalise", "tokens", "windows"]

_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\U000e0000-\U000e007f]")
_URL = re2.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"')\]]+")
_EMAIL = re2.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# Tokenising with the stdlib engine is safe here: neither pattern nests quantifiers, so each match is one greedy
# run of a character class and matching stays linear; it is ~30x faster than re2's per-match Python overhead.
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"\w+|[^\w\s#]")
_SENTENCE_END = re2.compile(r"[.!?。！？]+\s+|\n+")

#: Window size in characters and how many sentences consecutive windows share.
WINDOW_CHARS = 400
WHOLE_TEXT_MAX = 3000
#: Sentences shorter than this many tokens are only scored inside their windows.
MIN_SENTENCE_TOKENS = 5


def normalise(text: str) -> str:
    """NFKC, invisible characters dropped, lower case, URLs/e-mails/numbers replaced by placeholders."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).lower()
    text = _URL.sub(" urltoken ", text)
    text = _EMAIL.sub(" emailtoken ", text)
    return str(_DIGITS.sub("0", text))


def tokens(normalised: str) -> list[str]:
    """Word and punctuation tokens of a normalised text."""
    return _WORD.findall(normalised)


def analyze(text: str, char_ngrams: bool = False) -> list[str]:
    """Features of a normalised text: word unigrams, word bigrams (``"a b"``) and, optionally, in-word
    character 3-5-grams (``"#abc"``). Tokens never contain spaces or ``#``, so the three kinds cannot collide."""
    return features(tokens(text), char_ngrams)


def features(words: list[str], char_ngrams: bool = False) -> list[str]:
    """The n-gram features of a token list (see :func:`analyze`)."""
    feats = list(words)
    feats += [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    if char_ngrams:
        for w in words:
            if len(w) < 2:
                continue
            padded = f" {w} "
            n = len(padded)
            for k in (3, 4, 5):
                feats.extend(f"#{padded[i : i + k]}" for i in range(n - k + 1))
    return feats


def windows(text: str, size: int = WINDOW_CHARS) -> Iterator[tuple[int, int]]:
    """Overlapping ``(start, end)`` windows of whole sentences/lines, each about ``size`` characters."""
    bounds = [0]
    for m in _SENTENCE_END.finditer(text):
        bounds.append(m.end())
    if bounds[-1] != len(text):
        bounds.append(len(text))
    i = 0
    while i < len(bounds) - 1:
        j = i + 1
        while j < len(bounds) - 1 and bounds[j + 1] - bounds[i] <= size:
            j += 1
        start, end = bounds[i], bounds[j]
        # A single over-long sentence is cut into fixed slices so no window grows without bound.
        while end - start > 2 * size:
            yield start, start + size
            start += size
        yield start, end
        if j >= len(bounds) - 1:
            break
        i = max(i + 1, j - 1)  # the next window repeats the last sentence of this one


@dataclass(frozen=True)
class ScoredSpan:
    """The best-scoring part of a text."""

    score: float
    start: int
    end: int


class InjectionModel:
    """A calibrated linear model over TF-IDF n-gram features (sublinear TF, L2-normalised)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = data["version"]
        self.char_ngrams: bool = data["char_ngrams"]
        # feature -> (idf, coef)
        self._w: dict[str, tuple[float, float]] = {
            f: (i, c) for f, i, c in zip(data["vocab"], data["idf"], data["coef"], strict=True)
        }
        self.intercept: float = data["intercept"]
        self.platt_a: float = data["platt"][0]
        self.platt_b: float = data["platt"][1]
        #: sensitivity name -> probability threshold (measured operating points, see the model card)
        self.thresholds: dict[str, float] = data["thresholds"]
        self.card: dict[str, Any] = data.get("card", {})

    def margin(self, normalised: str) -> float:
        """The raw linear score of one normalised text."""
        return self._margin(features(tokens(normalised), self.char_ngrams))

    def _margin(self, feats: list[str]) -> float:
        dot = norm = 0.0
        get = self._w.get
        for feat, c in Counter(feats).items():
            w = get(feat)
            if w is None:
                continue
            v = (1.0 + math.log(c)) * w[0] if c > 1 else w[0]
            norm += v * v
            dot += v * w[1]
        return dot / math.sqrt(norm) + self.intercept if norm else self.intercept

    def probability(self, margin: float) -> float:
        """Platt-calibrated probability that a text with this margin is an injection."""
        z = self.platt_a * margin + self.platt_b
        return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0

    def score_text(self, text: str) -> ScoredSpan:
        """Best calibrated score over the whole text (when short), each sentence/line, and each window.

        Each sentence is normalised and tokenised once; a window's features come from its sentences' tokens.
        """
        if not text.strip():
            return ScoredSpan(0.0, 0, 0)
        if len(text) <= WINDOW_CHARS:
            return ScoredSpan(self.probability(self.margin(normalise(text))), 0, len(text))
        spans = list(windows(text))
        bounds = sorted({b for span in spans for b in span})
        pieces = list(zip(bounds, bounds[1:], strict=False))
        toks = [tokens(normalise(text[a:b])) for a, b in pieces]
        best_m, best_span = -math.inf, (0, len(text))
        if len(text) <= WHOLE_TEXT_MAX:
            best_m = self._margin(features([t for ts in toks for t in ts], self.char_ngrams))
        # Single sentences/lines: an instruction inserted into a table or list is one line of its own.
        for (a, b), ts in zip(pieces, toks, strict=True):
            if len(ts) >= MIN_SENTENCE_TOKENS:
                m = self._margin(features(ts, self.char_ngrams))
                if m > best_m:
                    best_m, best_span = m, (a, b)
        i = 0
        for start, end in spans:
            while i < len(pieces) and pieces[i][0] < start:
                i += 1
            window: list[str] = []
            j = i
            while j < len(pieces) and pieces[j][1] <= end:
                window += toks[j]
                j += 1
            m = self._margin(features(window, self.char_ngrams))
            if m > best_m:
                best_m, best_span = m, (start, end)
        return ScoredSpan(self.probability(best_m), *best_span)


@cache
def load_model() -> InjectionModel:
    """Load the bundled model once (about 0.2 s)."""
    blob = (resources.files("interlock.detectors.prompt_injection") / "injection_model.json.gz").read_bytes()
    return InjectionModel(json.loads(gzip.decompress(blob)))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


class TrainedTier:
    """The trained model as a scoring tier of the injection detector.

    The model's probability is re-expressed on the detector's scale so that the model's own measured operating
    point for the chosen sensitivity lands exactly on the detector's threshold: in logit space,
    ``score = sigmoid(logit(p) - logit(model_threshold) + logit(detector_threshold))``. The signature tier's
    evidence and this score then combine by noisy-OR, so two weak signals can add up to a detection.

    Options: ``sensitivity`` (``low``/``medium``/``high``) and ``detector_threshold`` (the detector's threshold).
    """

    name = "trained"
    #: the detector limits costly tiers to the first ``deep_scan_chars`` of a text
    costly = True

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        opts = options or {}
        self.model = load_model()
        sensitivity = str(opts.get("sensitivity", "medium"))
        self.model_threshold = self.model.thresholds.get(sensitivity, 0.5)
        self.detector_threshold = float(opts.get("detector_threshold", 0.7))
        self._shift = _logit(self.detector_threshold) - _logit(self.model_threshold)

    def rescale(self, p: float) -> float:
        """Map a model probability onto the detector's score scale."""
        z = _logit(p) + self._shift
        return 1.0 / (1.0 + math.exp(-z))

    def score(self, views: Any) -> Any:
        """Score the ``base`` view of one window; evidence is the best-scoring sentence or window."""
        from interlock.detectors.prompt_injection.tiers import Evidence, TierScore

        if not views:
            return TierScore(0.0)
        base = views[0]
        best = self.model.score_text(base.text)
        if best.score <= 0.0:
            return TierScore(0.0)
        w = self.rescale(best.score)
        start, end = base.to_original(best.start, best.end)
        return TierScore(w, [Evidence("trained", "trained.model", start, end, w, base.name)])
