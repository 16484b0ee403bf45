"""The trained scoring tier of the prompt-injection detector: a linear model over word and character n-grams.

The model (``injection_model.json.gz`` beside this file) is produced by ``scripts/train_injection.py`` from the
shared labelled data plus seeded synthetic variants (``scripts/injection_synth.py``); see ``docs/detection.md``
for its card. Inference is pure Python (no numpy, no scikit-learn): TF-IDF weights (sublinear TF) of the n-grams
the model knows, L2-normalised, dotted with the learned coefficients, then Platt-calibrated to a probability.

A text is cut into sentences/lines (table rows stay whole). Each is scored on its own and *as part of its document*
(its n-grams tagged with the document's kind — table, code or prose — plus position and how it relates to the rest),
the whole text is scored when short, and overlapping windows when long. Each of these evidence families has its own
calibration, fitted on leave-source-out margins; the text's score is the best calibrated part, and that part is the
span reported. Work is linear in the text length.
"""

from __future__ import annotations

import bisect
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

__all__ = [
    "InjectionModel",
    "Pieces",
    "ScoredSpan",
    "analyze",
    "contexts",
    "document_pieces",
    "features",
    "line_kind",
    "load_model",
    "normalise",
    "piece_features",
    "tokens",
    "windows",
]

_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\U000e0000-\U000e007f]")
_URL = re2.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"')\]]+")
_EMAIL = re2.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# Tokenising with the stdlib engine is safe here: neither pattern nests quantifiers, so each match is one greedy
# run of a character class and matching stays linear; it is ~30x faster than re2's per-match Python overhead.
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"\w+|[^\w\s#]")
# Sentence ends (same matches as RE2's ``[.!?。！？]+\s+|\n+``) with the stdlib engine, which is much faster per
# match: the look-behind starts a match only at the first mark of a run, so a failed attempt costs the run's length
# once and matching stays linear even on "....." (no whitespace after the marks).
_SENTENCE_END = re.compile(r"(?<![.!?。！？])[.!?。！？]+[\t\n\f\r ]+|\n+")

#: Window size in characters and how many sentences consecutive windows share.
WINDOW_CHARS = 400
WHOLE_TEXT_MAX = 3000
#: Sentences shorter than this many tokens are only scored inside their windows.
MIN_SENTENCE_TOKENS = 5


def normalise(text: str) -> str:
    """NFKC, invisible characters dropped, lower case, URLs/e-mails/numbers replaced by placeholders."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).lower()
    if "://" in text or "www." in text:  # cheap guards: most sentences have neither, and each RE2 call costs ~10 µs
        text = _URL.sub(" urltoken ", text)
    if "@" in text:
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


def windows(text: str, size: int = WINDOW_CHARS, cuts: set[int] | None = None) -> Iterator[tuple[int, int]]:
    """Overlapping ``(start, end)`` windows of whole sentences/lines, each about ``size`` characters (``cuts``:
    the text's sentence ends, when already computed)."""
    bounds = [0, *sorted((_sentence_cuts(text) if cuts is None else cuts) - {0})]
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


#: Line kinds: a row of a table, a line of code, or prose; also the evidence families of in-document judgments.
TABLE, CODE, PROSE = "table", "code", "prose"
#: The evidence family of parts scored without document context (whole text, sentence alone, window).
PLAIN = "plain"
FAMILIES = (PLAIN, TABLE, CODE, PROSE)
_CODE_STARTS = (
    "def ",
    "class ",
    "import ",
    "from ",
    "return",
    "#",
    "//",
    "/*",
    "if ",
    "for ",
    "while ",
    "else",
    "elif ",
    "try:",
    "except",
    "with ",
    "@",
    "```",
    "<",
    "$ ",
    "{",
    "}",
    "var ",
    "let ",
    "const ",
    "function ",
    "public ",
)
_CODE_ENDS = (":", ";", "{", "}", ")", "(", "[", "]", ",", "```")


def line_kind(line: str) -> str:
    """Whether a sentence/line reads as a table row, code, or prose (cheap string tests, no regexes)."""
    s = line.strip()
    if s.count("|") >= 2 or s.count("\t") >= 2:
        return TABLE
    if s.startswith(_CODE_STARTS) or s.endswith(_CODE_ENDS) or " = " in s or "()" in s or "==" in s:
        return CODE
    return PROSE


def contexts(kinds: list[str]) -> list[str | None]:
    """The kind of document around each piece: the most common kind among the *other* pieces.

    A lone piece has no context (``None``). Ties go to the more structured kind (table, then code).
    """
    total = Counter(kinds)
    out: list[str | None] = []
    for k in kinds:
        other = total.copy()
        other[k] -= 1
        if sum(other.values()) <= 0:
            out.append(None)
            continue
        out.append(max((TABLE, CODE, PROSE), key=lambda kind: (other[kind], kind == TABLE, kind == CODE)))
    return out


_DEICTIC = frozenset(
    "this these above below it its attached table code email e-mail mail message document text snippet error article "
    "passage file script function list data row column given provided following input sentence paragraph".split()
)


def relation(words: list[str], elsewhere: Counter[str]) -> list[str]:
    """How a piece relates to the rest of its document: whether its content words occur elsewhere in it and
    whether it points at it ("this table", "the code above"). A user's request about a document shares its words
    or points at it; an injected task usually does neither."""
    content = [w for w in words if len(w) > 3 and w.isalpha()]
    shared = sum(1 for w in content if elsewhere[w] > 0)
    share = shared / len(content) if content else 0.0
    out = ["overlap:" + ("none" if shared == 0 else "low" if share < 0.34 else "high")]
    if any(w in _DEICTIC for w in words):
        out.append("deictic")
    return out


def piece_features(
    words: list[str], context: str | None, kind: str, char_ngrams: bool = False, extra: list[str] | None = None
) -> list[str]:
    """Features of one sentence/line judged *as part of its document*: its n-grams, the pair (document kind, own
    kind) and structural ``extra`` features (position, :func:`relation`), all tagged with the document's kind
    (``"table§your answer"``), so they form a feature space of their own.

    That space lets the model learn that a request or question is ordinary as a user's prompt but out of place as
    one line of a table, an e-mail or a code listing — which is what an indirect injection looks like — without
    disturbing what the plain n-grams say about the same sentence on its own (also scored, see
    :meth:`InjectionModel.score_text`).
    """
    if context is None:
        return features(words, char_ngrams)
    structure = [f"self:{kind}", *(extra or ())]
    return [f"{context}§{f}" for f in (*features(words), *structure)]


def _sentence_cuts(text: str) -> set[int]:
    """Sentence and line ends; a table row stays whole ("| Gordon S. | ..." is one row, not two sentences)."""
    starts, table_lines = [], []
    pos = 0
    for line in text.split("\n"):
        starts.append(pos)
        table_lines.append(line_kind(line) == TABLE)
        pos += len(line) + 1
    cuts = set()
    for m in _SENTENCE_END.finditer(text):
        if "\n" in m.group() or not table_lines[bisect.bisect_right(starts, m.start()) - 1]:
            cuts.add(m.end())
    return cuts


@dataclass
class Pieces:
    """A text split the way the model scores it (see :func:`document_pieces`)."""

    spans: list[tuple[int, int]]
    tokens: list[list[str]]
    contexts: list[str | None]
    kinds: list[str]
    extras: list[list[str]]
    windows: list[tuple[int, int]]


def document_pieces(text: str) -> Pieces:
    """Split a text into sentence/line pieces (also cut at the bounds of :func:`windows`), each with its tokens,
    document context, own kind, and structural features (first/middle/last piece, :func:`relation` to the rest)."""
    cuts = _sentence_cuts(text)
    wins = list(windows(text, cuts=cuts))
    bounds = sorted(cuts | {b for span in wins for b in span} | {0, len(text)})
    spans = [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
    toks = [tokens(normalise(text[a:b])) for a, b in spans]
    kinds = [line_kind(text[a:b]) for a, b in spans]
    present = [i for i, ts in enumerate(toks) if ts]
    ctx: list[str | None] = [None] * len(spans)
    for i, c in zip(present, contexts([kinds[i] for i in present]), strict=True):
        ctx[i] = c
    everywhere: Counter[str] = Counter(t for ts in toks for t in set(ts))
    extras: list[list[str]] = []
    for n, ts in enumerate(toks):
        if ctx[n] is None:
            extras.append([])
            continue
        own = set(ts)
        elsewhere = Counter({w: everywhere[w] - (w in own) for w in own})
        where = "first" if n == present[0] else "last" if n == present[-1] else "middle"
        rel = relation(ts, elsewhere)
        extras.append([f"pos:{where}", *rel, *(f"pos:{where}+{r}" for r in rel)])
    return Pieces(spans, toks, ctx, kinds, extras, wins)


@dataclass(frozen=True)
class ScoredSpan:
    """The best-scoring part of a text: calibrated probability, span, and the raw linear margin."""

    score: float
    start: int
    end: int
    margin: float = -math.inf


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
        #: evidence family -> (a, b) of its own calibration; families without one use ``platt``
        self.family_platt: dict[str, tuple[float, float]] = {
            k: (float(v[0]), float(v[1])) for k, v in data.get("family_platt", {}).items()
        }
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

    def probability(self, margin: float, family: str = "plain") -> float:
        """Calibrated probability that a part with this margin, of this evidence family, is an injection."""
        a, b = self.family_platt.get(family, (self.platt_a, self.platt_b))
        z = a * margin + b
        return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0

    def margins(self, text: str) -> dict[str, ScoredSpan]:
        """The best raw margin and its span per *evidence family*: ``plain`` (the whole text up to
        ``WHOLE_TEXT_MAX``, each sentence/line on its own, each window of a long text) and one family per document
        kind (``table``, ``code``, ``prose``: sentences/lines judged as part of such a document). A family with no
        scored part is absent. ``ScoredSpan.score`` holds the margin here.

        Each sentence is normalised and tokenised once; the whole text's and each window's features come from
        the sentences' tokens.
        """
        best: dict[str, ScoredSpan] = {}

        def keep(family: str, m: float, a: int, b: int) -> None:
            if family not in best or m > best[family].score:
                best[family] = ScoredSpan(m, a, b, m)

        if not text.strip():
            return best
        doc = document_pieces(text)
        pieces, toks = doc.spans, doc.tokens
        if len(text) <= WHOLE_TEXT_MAX:
            keep(PLAIN, self._margin(features([t for ts in toks for t in ts], self.char_ngrams)), 0, len(text))
        # Each sentence/line on its own and as part of its document: an instruction inserted into a table, an
        # e-mail or a code listing is one line of its own.
        for (a, b), ts, c, k, x in zip(pieces, toks, doc.contexts, doc.kinds, doc.extras, strict=True):
            if len(ts) >= MIN_SENTENCE_TOKENS and c is not None:
                keep(PLAIN, self._margin(features(ts, self.char_ngrams)), a, b)
                keep(c, self._margin(piece_features(ts, c, k, self.char_ngrams, x)), a, b)
        if len(text) > WINDOW_CHARS:
            i = 0
            for start, end in doc.windows:
                while i < len(pieces) and pieces[i][0] < start:
                    i += 1
                window: list[str] = []
                j = i
                while j < len(pieces) and pieces[j][1] <= end:
                    window += toks[j]
                    j += 1
                keep(PLAIN, self._margin(features(window, self.char_ngrams)), start, end)
        return best

    def score_text(self, text: str) -> ScoredSpan:
        """The text's calibrated score: the highest probability over the evidence families of :meth:`margins`,
        each mapped by its own calibration (how far a margin can be trusted differs between a whole prompt and
        one line of a table); the span and margin are that family's best part."""
        out = ScoredSpan(0.0, 0, 0)
        for family, best in self.margins(text).items():
            p = self.probability(best.margin, family)
            if p > out.score or out.margin == -math.inf:
                out = ScoredSpan(p, best.start, best.end, best.margin)
        return out


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
