"""The learned ranking of candidate procedures, and how sure it is of its first one.

A LightGBM LambdaRank model over the named features of :mod:`bot.knowledge.features`, trained
by our own build (``python -m bot ranker train``, see :mod:`bot.knowledge.ranker_training`) on
the labelled questions of :mod:`bot.knowledge.labelled`. Its file (JSON) holds the model, the
feature names it was fitted on, the calibration of its confidence and the hash of its
training data. Without a file, or with one for other features, the search keeps its
hand-weighted order and says so in the log.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.knowledge.features import FEATURES

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FILE = ROOT / "models" / "ranker.json"
# Bumped when what a model file holds changes (features made, calibration inputs).
FORMAT = 2


def model_path() -> Path:
    return Path(os.environ.get("RANKER_MODEL") or DEFAULT_FILE)


@dataclass
class Calibration:
    """P(the first hit is the procedure meant) = sigmoid(weights . x + bias), where x is the
    first hit's ranker score, its lead over the best differently named hit, how well its words
    match (evidence) and how much the query's words say at all (information)."""

    weights: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)
    bias: float = 0.0

    def probability(self, top: float, margin: float, evidence: float,
                    information: float) -> float:
        z = self.bias + sum(w * x for w, x in zip(
            self.weights, (top, margin, evidence, information), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


class Ranker:
    def __init__(self, booster: object, features: list[str], calibration: Calibration,
                 meta: dict[str, object]) -> None:
        self.booster = booster
        self.columns = [FEATURES.index(name) for name in features]
        self.features = features
        self.calibration = calibration
        self.meta = meta

    def score(self, matrix: np.ndarray) -> np.ndarray:
        if not len(matrix):
            return np.zeros(0)
        return np.asarray(self.booster.predict(matrix[:, self.columns],  # type: ignore[attr-defined]
                                               num_threads=1), dtype=np.float64)

    def confidence(self, top: float, margin: float, evidence: float,
                   information: float) -> float:
        return self.calibration.probability(top, margin, evidence, information)

    @classmethod
    def from_dict(cls, data: dict) -> Ranker:
        import lightgbm  # imported here: a deployment without a model never needs it

        features = [str(f) for f in data["features"]]
        unknown = set(features) - set(FEATURES)
        if unknown:
            raise ValueError(f"the model reads features this code does not make: {unknown}")
        if data.get("format") != FORMAT:
            raise ValueError(f"model format {data.get('format')}, this code reads {FORMAT}: "
                             "run 'python -m bot catalog train-ranker'")
        booster = lightgbm.Booster(model_str=data["model"])
        calibration = Calibration(tuple(float(w) for w in data["calibration"]["weights"]),
                                  float(data["calibration"]["bias"]))
        meta = {k: v for k, v in data.items() if k not in ("model", "calibration")}
        return cls(booster, features, calibration, meta)

    def to_dict(self) -> dict:
        return {**self.meta, "format": FORMAT, "features": self.features,
                "model": self.booster.model_to_string(),  # type: ignore[attr-defined]
                "calibration": {"weights": list(self.calibration.weights),
                                "bias": self.calibration.bias}}


_CACHE: dict[Path, tuple[int, Ranker | None]] = {}


def load(path: Path | None = None) -> Ranker | None:
    """The ranker in ``path`` (default: $RANKER_MODEL or models/ranker.json), re-read when the
    file changes; None when there is none or it is unusable (logged)."""
    path = path or model_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    ranker: Ranker | None = None
    try:
        ranker = Ranker.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except Exception as exc:  # a broken file must not take the search down: hand order
        logger.error("Ranker model %s unusable (%s); the search keeps its hand order", path, exc)
    _CACHE[path] = (stamp, ranker)
    return ranker
