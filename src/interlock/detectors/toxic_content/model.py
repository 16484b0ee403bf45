"""Pure-Python scorer for the shipped toxicity model (no scikit-learn or numpy at runtime)."""

from __future__ import annotations

import gzip
import json
import math
from functools import cache
from importlib import resources

from interlock.detectors.toxic_content.features import features

__all__ = ["ToxicityModel", "load_model"]

MODEL_FILE = "toxicity_model.json.gz"


class ToxicityModel:
    """A logistic regression over L2-normalised binary word uni/bigram features.

    Args:
        bias: the intercept.
        weights: feature -> coefficient (features absent from the map weigh 0 but still count in the norm).
    """

    def __init__(self, bias: float, weights: dict[str, float]) -> None:
        self.bias = bias
        self.weights = weights

    def probability(self, toks: list[str]) -> float:
        """Probability that a chunk of normalised tokens is toxic."""
        feats = features(toks)
        if not feats:
            return 1.0 / (1.0 + math.exp(-self.bias))
        get = self.weights.get
        z = self.bias + sum(get(f, 0.0) for f in feats) / math.sqrt(len(feats))
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0


@cache
def load_model() -> ToxicityModel:
    """The model shipped inside the package (loaded once per process)."""
    raw = resources.files(__package__).joinpath(MODEL_FILE).read_bytes()
    data = json.loads(gzip.decompress(raw))
    if data.get("format") != "interlock-toxicity-v1":
        raise ValueError(f"{MODEL_FILE}: unknown model format {data.get('format')!r}")
    return ToxicityModel(float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()})
