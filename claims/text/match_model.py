"""The learned claim-matching scorer: two logistic regressions over pair features.

One says whether two claims are about the same story at all (related); the other, given that,
whether they say the same thing or contradict each other.

Trained by ``bench/train_matcher.py`` on ANS stance train pairs (Khouja 2020, Apache-2.0) and
stored in ``claims/data/match-model.json``; inference is numpy only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from claims.text.match_features import FEATURES, pair_features

__all__ = ["MODEL_PATH", "Model", "load_model", "pair_probabilities"]

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "match-model.json"


@dataclass(frozen=True)
class Model:
    """Standardisation, coefficients (intercept row first), cue words and thresholds."""

    features: Sequence[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (1 + features, 2): intercept row first; related, same-given-related
    cues: Mapping[str, float]
    # Decision rule, chosen on out-of-fold train predictions by bench/train_matcher.py:
    # same when related >= related_min and same-given-related >= same_min; else conflict when
    # related >= conflict_related_min and same-given-related <= conflict_same_max.
    related_min: float
    same_min: float
    conflict_related_min: float
    conflict_same_max: float

    def predict_matrix(self, x: np.ndarray) -> np.ndarray:
        """(related, same-given-related) probabilities of each row of features."""
        z = (x - self.mean) / self.scale
        out: np.ndarray = 1.0 / (1.0 + np.exp(-(self.coef[0] + z @ self.coef[1:])))
        return out

    def relation(self, related: float, same: float) -> str:
        """ "same", "conflict" or "related" for one pair's two probabilities."""
        if related >= self.related_min and same >= self.same_min:
            return "same"
        if related >= self.conflict_related_min and same <= self.conflict_same_max:
            return "conflict"
        return "related"

    def to_json(self) -> dict[str, Any]:
        """Plain data for the model file."""
        return {
            "about": "claims/text/match_model.py; trained by bench/train_matcher.py on ANS "
            "stance train.csv (Khouja 2020, Apache-2.0)",
            "features": list(self.features),
            "mean": [round(v, 6) for v in self.mean.tolist()],
            "scale": [round(v, 6) for v in self.scale.tolist()],
            "coef": [[round(v, 6) for v in row] for row in self.coef.tolist()],
            "related_min": self.related_min,
            "same_min": self.same_min,
            "conflict_related_min": self.conflict_related_min,
            "conflict_same_max": self.conflict_same_max,
            "cues": dict(sorted(self.cues.items())),
        }


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The stored model (read once per process)."""
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise RuntimeError(f"{MODEL_PATH.name} was trained on other features; retrain it")
    return Model(
        features=tuple(data["features"]),
        mean=np.asarray(data["mean"], dtype=float),
        scale=np.asarray(data["scale"], dtype=float),
        coef=np.asarray(data["coef"], dtype=float),
        cues=data["cues"],
        related_min=float(data["related_min"]),
        same_min=float(data["same_min"]),
        conflict_related_min=float(data["conflict_related_min"]),
        conflict_same_max=float(data["conflict_same_max"]),
    )


def pair_probabilities(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """(related, same-given-related) probabilities of each (query, stored) pair, in one batch."""
    model = load_model()
    if not pairs:
        return np.zeros((0, 2))
    x = np.array([pair_features(a, b, model.cues) for a, b in pairs], dtype=float)
    return model.predict_matrix(x)
