"""Fit the learned ranker on labelled questions (``python -m bot ranker train``).

For every labelled question (:func:`bot.knowledge.labelled.training_set`) the search's
candidates and their features are computed over the deployment's own knowledge base; a
candidate is relevant when its code is one of the question's acceptable codes. LightGBM's
LambdaRank is fitted on those groups. Out-of-fold predictions (grouped K-fold over questions)
give the figures reported with the model and fit the calibration of its confidence.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from bot.knowledge.features import FEATURES
from bot.knowledge.index import SearchIndex
from bot.knowledge.labelled import Labelled
from bot.knowledge.ranker import FORMAT, Calibration, Ranker
from bot.knowledge.store import IndexRow

PARAMS: dict[str, object] = {
    "objective": "lambdarank", "metric": "ndcg", "eval_at": [1], "learning_rate": 0.05,
    "num_leaves": 15, "min_data_in_leaf": 20, "feature_fraction": 0.9, "bagging_fraction": 0.9,
    "bagging_freq": 1, "lambda_l2": 1.0, "verbosity": -1, "num_threads": 1, "seed": 7,
    "deterministic": True, "force_row_wise": True,
}
ROUNDS = 300
FOLDS = 5
# More of these never makes a candidate a worse match: the model may not learn otherwise from
# a few odd examples.
MONOTONE = {"recall": 1, "pair_recall": 1, "precision": 1, "alias": 1, "bm25_share": 1,
            "matched_information": 1, "missing_information": -1}


@dataclass
class Group:
    """One labelled question with its candidates."""

    item: Labelled
    ids: list[int]
    matrix: np.ndarray
    labels: np.ndarray
    cores: list[str]
    evidence: list[float]


def collect(index: SearchIndex, items: Sequence[Labelled],
            progress: Callable[[int, int], None] | None = None) -> list[Group]:
    groups = []
    for n, item in enumerate(items, 1):
        found = index.candidates(item.text)
        ids, matrix, evidence = found.ids, found.matrix, found.evidence
        codes = set(item.codes)
        labels = np.array([index.docs[i].row.code in codes for i in ids], dtype=np.int32)
        groups.append(Group(item, ids, matrix, labels, [index.docs[i].core for i in ids],
                            [max(0.0, min(1.0, e)) for e in evidence]))
        if progress:
            progress(n, len(items))
    return groups


def catalog_key(rows: Sequence[IndexRow]) -> str:
    """What of the catalog the features depend on: its names and aliases."""
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: r.code):
        digest.update(f"{row.code}\t{row.name}\t{'|'.join(row.aliases)}\n".encode())
    return f"{len(rows)}:{digest.hexdigest()[:12]}"


def data_hash(items: Sequence[Labelled], catalog: str, semantic: bool = False) -> str:
    digest = hashlib.sha256(f"{FORMAT}|{catalog}|{semantic}|{','.join(FEATURES)}".encode())
    for item in items:
        digest.update(f"{item.source}\t{item.text}\t{','.join(item.codes)}\n".encode())
    return digest.hexdigest()[:16]


def _fit(groups: Sequence[Group], features: Sequence[str]) -> object:
    import lightgbm

    usable = [g for g in groups if g.labels.any() and len(g.ids) > 1]
    columns = [FEATURES.index(f) for f in features]
    matrix = np.vstack([g.matrix[:, columns] for g in usable])
    labels = np.concatenate([g.labels for g in usable])
    params = {**PARAMS, "monotone_constraints": [MONOTONE.get(f, 0) for f in features]}
    dataset = lightgbm.Dataset(matrix, labels, group=[len(g.ids) for g in usable],
                               feature_name=list(features), free_raw_data=False)
    return lightgbm.train(params, dataset, num_boost_round=ROUNDS)


def _top(group: Group, scores: np.ndarray) -> tuple[int, float, float]:
    """(index of the first candidate, its score, its lead over the best differently named)."""
    order = np.argsort(-scores, kind="stable")
    first = int(order[0])
    rival = next((float(scores[i]) for i in order[1:] if group.cores[i] != group.cores[first]),
                 float(scores[first]) - 10.0)
    return first, float(scores[first]), float(scores[first]) - rival


def out_of_fold(groups: Sequence[Group], features: Sequence[str],
                folds: int = FOLDS) -> list[np.ndarray]:
    """Each group's scores from a model fitted without it (folds assigned by position)."""
    predictions: list[np.ndarray] = [np.zeros(len(g.ids)) for g in groups]
    columns = [FEATURES.index(f) for f in features]
    for fold in range(folds):
        train = [g for i, g in enumerate(groups) if i % folds != fold]
        booster = _fit(train, features)
        for i, group in enumerate(groups):
            if i % folds == fold and len(group.ids):
                predictions[i] = booster.predict(group.matrix[:, columns])  # type: ignore
    return predictions


def top1(groups: Sequence[Group], predictions: Sequence[np.ndarray]) -> dict[str, float]:
    """Share of questions whose first candidate is right, per source and over all."""
    per: dict[str, list[bool]] = {}
    for group, scores in zip(groups, predictions, strict=True):
        right = bool(len(group.ids)) and bool(group.labels[_top(group, scores)[0]])
        per.setdefault(group.item.source, []).append(right)
        per.setdefault("all", []).append(right)
    return {source: sum(v) / len(v) for source, v in per.items()}


def calibrate(groups: Sequence[Group], predictions: Sequence[np.ndarray]) -> Calibration:
    from sklearn.linear_model import LogisticRegression

    rows, right = [], []
    for group, scores in zip(groups, predictions, strict=True):
        if not len(group.ids):
            continue
        first, top, margin = _top(group, scores)
        rows.append((top, margin, group.evidence[first],
                     float(group.matrix[first, FEATURES.index("query_information")])))
        right.append(int(group.labels[first]))
    if len(set(right)) < 2:
        return Calibration((0.0, 0.0, 0.0, 0.0), 3.0 if right and right[0] else -3.0)
    model = LogisticRegression(C=1.0).fit(np.array(rows), np.array(right))
    return Calibration(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]))


# The hand-weighted sum stays out: the ranker learns from the signals themselves, and does as
# well without it (the ablation in docs/search-evaluation.md).
DEFAULT_FEATURES: tuple[str, ...] = tuple(f for f in FEATURES if f != "hand")


def train(groups: Sequence[Group], items: Sequence[Labelled], catalog: str,
          features: Sequence[str] = DEFAULT_FEATURES, semantic: bool = False) -> Ranker:
    started = time.perf_counter()
    predictions = out_of_fold(groups, features)
    calibration = calibrate(groups, predictions)
    booster = _fit(groups, features)
    import lightgbm

    meta = {
        "trained_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "training_hash": data_hash(items, catalog, semantic),
        "questions": len(groups),
        "sources": sorted({g.item.source for g in groups}),
        "catalog": catalog, "semantic": semantic,
        "out_of_fold_top1": {k: round(v, 4) for k, v in top1(groups, predictions).items()},
        "lightgbm": lightgbm.__version__, "params": PARAMS, "rounds": ROUNDS,
        "seconds": round(time.perf_counter() - started, 1),
    }
    ranker = Ranker(booster, list(features), calibration, meta)
    return ranker


def save(ranker: Ranker, path: object) -> None:
    from pathlib import Path

    target = Path(str(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(ranker.to_dict(), ensure_ascii=False), encoding="utf-8")
    temporary.replace(target)  # the search re-reads the file: never a half-written one
