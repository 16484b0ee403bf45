"""The lexical URL model: hashed host/path n-grams and tokens, logistic regression, calibrated risk.

Trained by ``scripts/train_url_model.py`` on canonical URLs; the artifact ``url_model.json.gz`` ships in the
package and is scored in pure Python (no scikit-learn, no numpy at runtime).

Features are computed from the canonical URL with the scheme, ``www.`` and trailing slash stripped (the training
lists differ in format: one always has a scheme, another is mostly long deep links, a third homepages). Every
feature is a string hashed (CRC-32) into :data:`N_BUCKETS` buckets, in three groups that are each L2-normalised
on their own, so that a long path cannot drown the host evidence:

* **host**: character 3-5-grams of ``^host$``, its labels and their ``-``-separated tokens, the TLD and public
  suffix, binned label count, domain length, digit ratio, character entropy and hyphen count;
* **path**: character 3-5-grams of the first 120 characters of path + query, path and query tokens, the file
  extension, binned depth and parameter count;
* **shape**: the risk signals of :mod:`.signals` that fired (brand in a subdomain, brand homoglyph or typosquat,
  punycode, mixed script, IP host, obfuscated IP, user-info, shortener, suspicious TLD, ...).

The model's probability is calibrated (Platt scaling on scores of domains and benign sources the fitted model
never saw) and compared with two thresholds kept in the artifact: ``block`` (the default block point, set on
out-of-source benign URLs) and ``medium``.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import math
import sys
import zlib
from array import array
from dataclasses import dataclass
from functools import cache
from importlib import resources

from interlock.detectors.url_filtering.canon import Url
from interlock.detectors.url_filtering.signals import Signal, signals

__all__ = [
    "FORMAT",
    "MODEL_FILE",
    "N_BUCKETS",
    "UrlModel",
    "feature_groups",
    "hashed_features",
    "hashed_groups",
    "lexical_key",
    "load_model",
    "training_fold",
]

MODEL_FILE = "url_model.json.gz"
FORMAT = "interlock-url-v2"
N_BUCKETS = 1 << 18
_MASK = N_BUCKETS - 1
_PATH_CHARS = 120
#: Maps every character but ASCII letters and digits to a space (``str.translate`` then ``split`` tokenises).
_SPACE = {i: " " for i in range(0x3000) if not (48 <= i <= 57 or 97 <= i <= 122)}


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
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


_SEEDS = {p: zlib.crc32(p.encode("ascii")) for p in ("hg:", "pg:")}


def _gram_ids(text: str, prefix: str) -> set[int]:
    """Bucket ids of the UTF-8 byte 3-5-grams of ``text`` (CRC-32 seeded by ``prefix``, no string per gram)."""
    data = text.encode("utf-8", "surrogatepass")
    mv = memoryview(data)
    seed = _SEEDS[prefix]
    crc = zlib.crc32
    n_bytes = len(data)
    return {crc(mv[i : i + n], seed) & _MASK for n in (3, 4, 5) for i in range(n_bytes - n + 1)}


def _ids(feats: list[str]) -> set[int]:
    crc = zlib.crc32
    return {crc(f.encode("utf-8", "surrogatepass")) & _MASK for f in feats}


def _bin(value: float, edges: tuple[float, ...]) -> int:
    return sum(value >= e for e in edges)


def _host_features(url: Url) -> list[str]:
    if url.ip is not None:
        return ["h:ip", "h:ip4" if ":" not in url.ip else "h:ip6"]
    host = url.host[4:] if url.host.startswith("www.") else url.host
    out: list[str] = []
    labels = host.split(".")
    for lbl in labels:
        out.append("hl:" + lbl)
        if "-" in lbl:
            out.extend("ht:" + t for t in lbl.split("-") if t)
    dom = url.domain
    out.append("tld:" + (url.suffix.rsplit(".", 1)[-1] if url.suffix else "-"))
    out.append("sfx:" + (url.suffix or "-"))
    sub = [s for s in url.subdomain.split(".") if s and s != "www"]
    out.append(f"nsub:{min(len(sub), 5)}")
    out.append(f"dlen:{_bin(len(dom), (4, 6, 8, 11, 15, 20, 30))}")
    digits = sum(ch.isdigit() for ch in dom) / len(dom) if dom else 0.0
    out.append(f"ddig:{_bin(digits, (0.01, 0.15, 0.3, 0.5))}")
    out.append(f"dent:{_bin(_entropy(dom), (2.0, 2.5, 3.0, 3.3, 3.6, 4.0))}")
    out.append(f"hhy:{min(host.count('-'), 4)}")
    out.append(f"hlen:{_bin(len(host), (10, 15, 20, 30, 45, 60))}")
    return out


def _path_features(url: Url) -> list[str]:
    path = url.path.rstrip("/").lower()
    if not path or path == "/":
        return []
    out: list[str] = []
    bare, _, query = path.partition("?")
    out.extend("pt:" + t for t in bare[:400].translate(_SPACE).split())
    segments = [s for s in bare.split("/") if s]
    if segments and "." in segments[-1]:
        out.append("ext:" + segments[-1].rsplit(".", 1)[-1][:8])
    out.append(f"depth:{min(len(segments), 8)}")
    if query:
        params = query.split("&")
        out.append(f"nq:{min(len(params), 6)}")
        out.extend("qk:" + p.split("=", 1)[0][:20] for p in params[:10])
    return out


def _shape_features(url: Url, sigs: list[Signal] | None = None) -> list[str]:
    out = []
    for s in signals(url) if sigs is None else sigs:
        name = s.name.split(":", 1)[0]
        out.append("sig:" + name)
    if url.port is not None:
        out.append("port")
    return out


def feature_groups(url: Url, sigs: list[Signal] | None = None) -> tuple[list[str], list[str], list[str]]:
    """The ``(host, path, shape)`` named features of a canonical URL (character n-grams are hashed separately).

    ``sigs``: the URL's :func:`~.signals.signals` when the caller has them already."""
    return _host_features(url), _path_features(url), _shape_features(url, sigs)


def _host_key(url: Url) -> str:
    if url.ip is not None:
        return ""
    host = url.host[4:] if url.host.startswith("www.") else url.host
    return "^" + host + "$"


def _path_key(url: Url) -> str:
    path = url.path.rstrip("/").lower()
    return "" if path == "/" else path[:_PATH_CHARS]


def hashed_groups(url: Url, sigs: list[Signal] | None = None) -> list[tuple[set[int], float]]:
    """``(bucket ids, value)`` per non-empty feature group: host and path groups are L2-normalised on their own
    (each id weighs ``1/sqrt(len(ids))``), shape features weigh 1."""
    host, path, shape = feature_groups(url, sigs)
    out = []
    for ids, norm in (
        (_ids(host) | _gram_ids(_host_key(url), "hg:"), True),
        (_ids(path) | _gram_ids(_path_key(url), "pg:"), True),
        (_ids(shape), False),
    ):
        if ids:
            out.append((ids, 1.0 / math.sqrt(len(ids)) if norm else 1.0))
    return out


def hashed_features(url: Url) -> dict[int, float]:
    """Bucket -> value (the sparse row the training script builds; ids shared by two groups add up)."""
    out: dict[int, float] = {}
    for ids, v in hashed_groups(url):
        for b in ids:
            out[b] = out.get(b, 0.0) + v
    return out


@dataclass(frozen=True)
class UrlModel:
    """Hashed logistic regression with Platt calibration.

    ``z = bias + sum(w[b] * x[b])`` over :func:`hashed_features`; ``p = sigmoid(a * z + c)``.

    Attributes:
        weights: int16-quantised coefficients (``scale`` per unit), one per bucket.
        thresholds: calibrated probabilities ``{"block": ..., "medium": ...}``.
        provenance: training facts from the artifact (data, seed, measured figures).
    """

    weights: array[int]
    scale: float
    bias: float
    a: float
    c: float
    thresholds: dict[str, float]
    provenance: dict[str, object]

    def raw_score(self, url: Url, sigs: list[Signal] | None = None) -> float:
        """The uncalibrated margin ``z`` (``sigs``: the URL's rule signals, computed when not given)."""
        get = self.weights.__getitem__
        total = sum(v * sum(map(get, ids)) for ids, v in hashed_groups(url, sigs))
        return self.bias + self.scale * float(total)

    def probability(self, url: Url, sigs: list[Signal] | None = None) -> float:
        """Calibrated probability that ``url`` is malicious."""
        t = self.a * self.raw_score(url, sigs) + self.c
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, t))))

    @property
    def threshold(self) -> float:
        """The default block threshold (calibrated probability)."""
        return self.thresholds["block"]


def dump_model(
    weights: list[float], bias: float, a: float, c: float, thresholds: dict[str, float], provenance: dict[str, object]
) -> bytes:
    """Serialise a model (used by the training script): gzipped JSON with base64 little-endian int16 weights."""
    if len(weights) != N_BUCKETS:
        raise ValueError(f"need {N_BUCKETS} weights, got {len(weights)}")
    top = max(abs(x) for x in weights) or 1.0
    scale = top / 32767
    q = array("h", (round(x / scale) for x in weights))
    if sys.byteorder == "big":
        q.byteswap()
    doc = {
        "format": FORMAT,
        "n_buckets": N_BUCKETS,
        "scale": scale,
        "bias": bias,
        "calibration": {"a": a, "c": c},
        "thresholds": thresholds,
        "weights_int16_le": base64.b64encode(q.tobytes()).decode("ascii"),
        "provenance": provenance,
    }
    return gzip.compress(json.dumps(doc, sort_keys=True).encode("utf-8"), mtime=0)


@cache
def load_model() -> UrlModel:
    """The model shipped inside the package (loaded once per process)."""
    raw = resources.files(__package__).joinpath(MODEL_FILE).read_bytes()
    doc = json.loads(gzip.decompress(raw))
    if doc.get("format") != FORMAT or doc.get("n_buckets") != N_BUCKETS:
        raise ValueError(f"{MODEL_FILE}: unknown model format {doc.get('format')!r}")
    w: array[int] = array("h")
    w.frombytes(base64.b64decode(doc["weights_int16_le"]))
    if sys.byteorder == "big":
        w.byteswap()
    if len(w) != N_BUCKETS:
        raise ValueError(f"{MODEL_FILE}: {len(w)} weights, expected {N_BUCKETS}")
    return UrlModel(
        weights=w,
        scale=float(doc["scale"]),
        bias=float(doc["bias"]),
        a=float(doc["calibration"]["a"]),
        c=float(doc["calibration"]["c"]),
        thresholds={str(k): float(v) for k, v in doc["thresholds"].items()},
        provenance=dict(doc.get("provenance", {})),
    )


def training_fold(registered_domain: str) -> str:
    """``train`` or ``test``: the fixed, domain-grouped split used by the training script and the benchmark.

    Grouping by registrable domain keeps every URL of one site on one side, so the test half measures
    generalisation to unseen sites, not memorised ones.
    """
    return "train" if hashlib.sha256(registered_domain.encode("utf-8")).digest()[0] % 2 == 0 else "test"
