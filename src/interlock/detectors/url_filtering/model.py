"""A tiny logistic model over lexical URL features (trained by ``scripts/train_url_model.py``).

The artifact ``url_model.json`` (weights, feature names, threshold, training provenance) ships in the package;
when it is absent the detector runs on rules alone. Features are computed from the *canonical* URL with the
scheme, ``www.`` and trailing slash stripped, so that the format artefacts of the training lists (one list always
has a scheme, another is mostly long deep links) carry as little signal as possible: apart from phishing words
anywhere in the URL, every feature describes the host only (path length, depth and query shape separate the
training lists by how they were collected, not by maliciousness, and were dropped after they produced a 93 %
false-positive rate on the Citizen Lab homepages).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from interlock.detectors.url_filtering.canon import Url
from interlock.detectors.url_filtering.signals import SHORTENERS, SUSPICIOUS_TLDS, signals

__all__ = ["FEATURES", "MODEL_PATH", "UrlModel", "features", "lexical_key", "load_model", "training_fold"]

MODEL_PATH = Path(__file__).with_name("url_model.json")

FEATURES: tuple[str, ...] = (
    "host_len",
    "host_labels",
    "host_digits",
    "host_hyphens",
    "domain_len",
    "domain_entropy",
    "domain_digit_ratio",
    "domain_vowel_ratio",
    "suspicious_tld",
    "cc_tld",
    "com_tld",
    "ip_host",
    "subdomain_labels",
    "phish_words",
    "brand_signal",
    "shortener",
)
_PHISH = ("login", "signin", "verify", "account", "secure", "update", "bank", "webscr", "password", "wallet",
          "confirm", "billing", "support", "service", "auth")  # fmt: skip


def lexical_key(url: Url) -> str:
    """The canonical URL without scheme, leading ``www.`` and trailing slash (what the features look at)."""
    host = url.host[4:] if url.host.startswith("www.") else url.host
    port = f":{url.port}" if url.port is not None else ""
    return (host + port + url.path).rstrip("/")


def _entropy(s: str) -> float:
    if not s:
        return 0.0
    counts: dict[str, int] = {}
    for ch in s:
        counts[ch] = counts.get(ch, 0) + 1
    return -sum(c / len(s) * math.log2(c / len(s)) for c in counts.values())


def features(url: Url) -> list[float]:
    """The feature vector of a canonical URL (order of :data:`FEATURES`)."""
    host = url.host[4:] if url.host.startswith("www.") else url.host
    path = url.path.split("?", 1)[0].rstrip("/")
    dom = url.domain
    last = url.suffix.rsplit(".", 1)[-1] if url.suffix else ""
    sub = url.subdomain[4:] if url.subdomain.startswith("www.") else ("" if url.subdomain == "www" else url.subdomain)
    low = (host + path).lower()
    return [
        max(0, min(len(host), 80) - 20) / 60,
        min(host.count(".") + 1, 8) / 8,
        min(sum(ch.isdigit() for ch in host), 10) / 10,
        min(host.count("-"), 6) / 6,
        min(len(dom), 40) / 40,
        _entropy(dom) / 5,
        (sum(ch.isdigit() for ch in dom) / len(dom)) if dom else 0.0,
        (sum(ch in "aeiou" for ch in dom) / len(dom)) if dom else 0.0,
        1.0 if last in SUSPICIOUS_TLDS else 0.0,
        1.0 if len(last) == 2 else 0.0,
        1.0 if last == "com" else 0.0,
        1.0 if url.ip is not None else 0.0,
        min(sub.count("."), 5) / 5,  # subdomain labels beyond the first
        min(sum(w in low for w in _PHISH), 4) / 4,
        1.0 if any(s.name.startswith("brand_") for s in signals(url)) else 0.0,
        1.0 if url.registered_domain in SHORTENERS else 0.0,
    ]


@dataclass(frozen=True)
class UrlModel:
    """Logistic regression: ``p = sigmoid(w . x + b)``.

    Attributes:
        threshold: probability at which the model contributes a signal.
        max_weight: signal weight at ``p == 1`` (the model alone never reaches ``high`` risk by default).
    """

    weights: tuple[float, ...]
    bias: float
    threshold: float
    max_weight: float

    def probability(self, url: Url) -> float:
        """Probability that ``url`` is phishing, by the lexical model."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, features(url), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def weight(self, p: float) -> float:
        """Signal weight for probability ``p`` (linear from ``threshold`` to 1)."""
        span = max(1e-9, 1.0 - self.threshold)
        return self.max_weight * min(1.0, max(0.0, (p - self.threshold) / span) * 0.5 + 0.5)


@cache
def load_model(path: Path = MODEL_PATH) -> UrlModel | None:
    """The bundled model, or None when no artifact ships (or it does not match :data:`FEATURES`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if tuple(data.get("features", ())) != FEATURES:
        return None
    return UrlModel(
        weights=tuple(float(w) for w in data["weights"]),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        max_weight=float(data.get("max_weight", 0.6)),
    )


def training_fold(registered_domain: str) -> str:
    """``train`` or ``test``: the fixed, domain-grouped split used by the training script and the benchmark.

    Grouping by registrable domain keeps every URL of one site on one side, so the test half measures
    generalisation to unseen sites, not memorised ones.
    """
    import hashlib

    return "train" if hashlib.sha256(registered_domain.encode("utf-8")).digest()[0] % 2 == 0 else "test"
