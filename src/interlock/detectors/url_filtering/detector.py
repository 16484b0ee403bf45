"""The ``url_cats`` detector: extract URLs, canonicalise, categorise, decide allow/block per URL.

Decision for one canonical URL, first match wins:

1. the profile's ``allow_domains`` (or a category in ``allow_categories``) -> ``allow``;
2. the profile's ``block_domains`` -> ``block`` (category ``blocked-by-policy``);
3. a category from a feed or a risk signal in ``block_categories`` -> ``block``;
4. the combined offline risk (:mod:`.signals`, plus the bundled lexical model when enabled: its calibrated
   probability at or above the artifact's block threshold is ``high`` risk on its own, above its medium threshold
   ``medium``) at or above ``block_risk`` -> ``block``;
5. otherwise ``allow``.

Every URL found is reported in ``urlf_report`` (benign ones with ``action: allow``), in text order, one entry per
distinct canonical URL. More than ``max_urls`` distinct URLs (AIRS documents 100 per request and answers 413)
raises :class:`~interlock.errors.InvalidRequestError` by default, which the engine reports as a detector error
(blocked when the profile fails closed); ``on_too_many_urls: truncate`` instead scans the first ``max_urls``
and adds a ``url_limit_exceeded`` finding.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interlock.detectors.malicious_code.extract import json_strings, re2_safe
from interlock.detectors.url_filtering import canon
from interlock.detectors.url_filtering.canon import Url, canonicalize, extract_candidates
from interlock.detectors.url_filtering.feeds import FEEDS, DomainIndex
from interlock.detectors.url_filtering.model import UrlModel, load_model
from interlock.detectors.url_filtering.signals import TRUSTED_DOMAINS, Signal, level, risk, signals
from interlock.engine.base import DetectorOptions, DetectorResult, Finding, ScanItem
from interlock.errors import InvalidRequestError

__all__ = ["FeedSpec", "UrlFilteringDetector", "UrlFilteringOptions", "DEFAULT_BLOCK_CATEGORIES"]

#: PAN-DB-style categories blocked unless a profile says otherwise.
DEFAULT_BLOCK_CATEGORIES: tuple[str, ...] = (
    "malware",
    "phishing",
    "command-and-control",
    "ransomware",
    "malicious-script",
    "blocked-by-policy",
)
_RANK = {"low": 0, "medium": 1, "high": 2}


class FeedSpec(BaseModel):
    """A category feed file (see :mod:`.feeds` for the formats)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    category: str | None = None
    format: Literal["auto", "text", "csv"] = "auto"

    @field_validator("path")
    @classmethod
    def _exists(cls, value: str) -> str:
        if not Path(value).is_file():
            raise ValueError(f"feed file {value!r} does not exist (feeds are read from disk, never fetched)")
        return value


class UrlFilteringOptions(DetectorOptions):
    """Profile options of :class:`UrlFilteringDetector`.

    Attributes:
        allow_domains, block_domains: domains (with subdomains), ``*.wildcards``, IPs or URLs.
        allow_categories, block_categories: category names (feeds' and signals' categories).
        feeds: local category feed files.
        block_risk: block URLs whose offline risk level is at least this (``none`` = never on risk alone).
        use_model: add the bundled lexical model's calibrated probability as a risk signal.
        model_block_threshold: override the artifact's block threshold (calibrated probability; the artifact's is
            set so that at most 1 % of out-of-source benign domains reach it).
        max_urls: distinct URLs per text (AIRS: 100 per request).
        on_too_many_urls: ``error`` (raise, AIRS answers 413) or ``truncate`` (scan the first ``max_urls``).
    """

    allow_domains: tuple[str, ...] = ()
    block_domains: tuple[str, ...] = ()
    allow_categories: tuple[str, ...] = ()
    block_categories: tuple[str, ...] = DEFAULT_BLOCK_CATEGORIES
    feeds: tuple[FeedSpec, ...] = ()
    block_risk: Literal["high", "medium", "none"] = "high"
    use_model: bool = True
    model_block_threshold: float | None = Field(default=None, gt=0.0, lt=1.0)
    max_urls: int = Field(default=100, gt=0, le=10_000)
    on_too_many_urls: Literal["error", "truncate"] = "error"


class UrlFilteringDetector:
    """Categorises every URL in a text from profile lists, local feeds and offline risk signals."""

    name: ClassVar[str] = "url_cats"
    data_types: ClassVar[frozenset[str]] = frozenset({"prompt", "response", "tool_event"})
    Options = UrlFilteringOptions

    def __init__(self, options: UrlFilteringOptions | None = None) -> None:
        self.options = o = options or UrlFilteringOptions()
        self._allow = _index(o.allow_domains, "allow-list")
        self._block = _index(o.block_domains, "blocked-by-policy")
        self._allow_cats = frozenset(c.lower() for c in o.allow_categories)
        self._block_cats = frozenset(c.lower() for c in o.block_categories)
        self._model: UrlModel | None = load_model() if o.use_model else None
        for spec in o.feeds:  # load now so a broken feed fails the profile, not the first scan
            FEEDS.get(spec.path, fmt=spec.format, category=spec.category)

    def warm(self) -> None:
        """Load the lazy state the first URL would otherwise pay for (the public-suffix trie)."""
        canon.warm()

    def detect(self, item: ScanItem) -> DetectorResult:
        """Scan one text for URLs (thread-safe)."""
        o = self.options
        seen: dict[str, int] = {}
        found: list[tuple[Url, int, int]] = []
        limit_exceeded = False
        for raw, start, end in _candidates(item):
            url = canonicalize(raw)
            if url is None or url.url in seen:
                continue
            if len(seen) >= o.max_urls:
                if o.on_too_many_urls == "error":
                    raise InvalidRequestError(
                        f"more than {o.max_urls} URLs in {item.field} (the limit per request)", status_code=413
                    )
                limit_exceeded = True
                break
            seen[url.url] = len(found)
            found.append((url, start, end))
        feeds = [FEEDS.get(s.path, fmt=s.format, category=s.category) for s in o.feeds]
        report: list[dict[str, Any]] = []
        findings: list[Finding] = []
        top = 0.0
        for url, start, end in found:
            entry, score, sigs = self._judge(url, feeds)
            report.append(entry)
            top = max(top, score)
            findings.append(
                Finding(
                    detector=self.name,
                    entity=entry["categories"][0],
                    start=start,
                    end=end,
                    score=round(score, 4),
                    confidence=entry["risk_level"],
                    explanation=f"URL {entry['action']}: {', '.join(entry['categories'])}",
                    data={**entry, "signals": [s.name for s in sigs]},
                )
            )
        if limit_exceeded:
            findings.append(
                Finding(
                    self.name,
                    "url_limit_exceeded",
                    0,
                    0,
                    score=0.5,
                    confidence="medium",
                    explanation=f"more than {o.max_urls} URLs; only the first {o.max_urls} were categorised",
                )
            )
        detected = any(e["action"] == "block" for e in report)
        return DetectorResult(
            detected=detected,
            findings=findings,
            score=top,
            detail={"urlf_report": report},
            categories={"threats": ["malicious URL"]} if detected else {},
        )

    def _judge(self, url: Url, feeds: list[DomainIndex]) -> tuple[dict[str, Any], float, list[Signal]]:
        o = self.options
        sigs = signals(url)
        score = risk(sigs)
        if self._model is not None and url.host:
            weight, sig = self._model_risk(self._model.probability(url, sigs), sigs, url.registered_domain)
            # the model already weighs the rule signals (they are among its features): no double counting
            score = max(score, weight)
            if sig is not None:
                sigs.append(sig)
        lvl = level(score)
        categories: list[str] = []
        for feed in feeds:
            cats = feed.match(url)
            if cats:
                categories.extend(sorted(c for c in cats if c not in categories))
        for s in sigs:
            if s.category and s.category not in categories:
                categories.append(s.category)
        allowed = self._allow.match(url) is not None or any(c in self._allow_cats for c in categories)
        blocked_by_list = self._block.match(url) is not None
        if blocked_by_list and "blocked-by-policy" not in categories:
            categories.insert(0, "blocked-by-policy")
        if any(c in self._block_cats for c in categories) or blocked_by_list:
            lvl = "high"
        if not categories:
            categories.append(f"{lvl}-risk")
        if allowed:
            action = "allow"
        elif blocked_by_list or any(c in self._block_cats for c in categories):
            action = "block"
        elif o.block_risk != "none" and _RANK[lvl] >= _RANK[o.block_risk]:
            action = "block"
        else:
            action = "allow"
        entry = {"url": url.url, "risk_level": lvl, "action": action, "categories": categories}
        return entry, score, sigs

    def _model_risk(self, p: float, sigs: list[Signal], registered: str) -> tuple[float, Signal | None]:
        """The model's risk weight (monotone in its calibrated probability ``p``) and its signal, if any.

        ``p`` at or above the block threshold maps to ``high`` (0.75-0.95), at or above the medium threshold to
        ``medium`` (0.4-0.75), below it to ``low`` (no signal). A blocking model signal is reported as
        ``phishing`` when the URL also has phishing-shaped evidence (a brand, credential words, a host in the
        user-info, mixed scripts), else the URL falls into the ``high-risk`` bucket. On a brand's own domain
        (:data:`~.signals.TRUSTED_DOMAINS`, e.g. ``accounts.google.com/signin``) the model reaches medium at most.
        """
        assert self._model is not None
        block = self.options.model_block_threshold or self._model.thresholds["block"]
        medium = min(self._model.thresholds["medium"], block)
        name = f"lexical_model:{p:.3f}"
        if p >= block and registered in TRUSTED_DOMAINS:
            return 0.74, Signal(name, 0.74)
        if p >= block:
            phishy = any(s.name.startswith(_PHISHY) for s in sigs)
            weight = 0.75 + 0.2 * (p - block) / max(1e-9, 1.0 - block)
            return weight, Signal(name, round(weight, 4), "phishing" if phishy else None)
        if p >= medium:
            weight = 0.4 + 0.35 * (p - medium) / max(1e-9, block - medium)
            return weight, Signal(name, round(weight, 4))
        return 0.4 * p / max(1e-9, medium), None


_PHISHY = ("brand_", "phishing_words", "userinfo_looks_like_host", "mixed_script")


def _candidates(item: ScanItem) -> Iterator[tuple[str, int, int]]:
    """``(raw URL, start, end)`` in text order; JSON tool events are also read value by value.

    JSON escapes (``http:\\/\\/evil.example``) hide URLs from a scan of the raw text, so the string values of a
    tool event's JSON are scanned too. A value with escapes maps its URLs to the span of the whole value (or of
    the whole text when the value cannot be located).
    """
    text = re2_safe(item.text)
    for c in extract_candidates(text):
        yield c.raw, c.start, c.end
    if item.data_type != "tool_event" or text.lstrip()[:1] not in ("{", "["):
        return
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return
    for value in json_strings(doc):
        if text.find(value) >= 0:
            continue  # verbatim in the raw text: already scanned there
        escaped = json.dumps(value)[1:-1]
        at = text.find(escaped)
        start, end = (at, at + len(escaped)) if at >= 0 else (0, len(text))
        for c in extract_candidates(re2_safe(value)):
            yield c.raw, start, end


def _index(entries: tuple[str, ...], category: str) -> DomainIndex:
    index = DomainIndex()
    for e in entries:
        index.add(e, [category])
    return index
