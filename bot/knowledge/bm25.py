"""Okapi BM25 over lists of terms: the one implementation the searches share."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

K1, B = 1.2, 0.75


class BM25:
    """Postings with each document's BM25 weight per term, scored by summing them."""

    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = K1, b: float = B,
                 lengths: Sequence[float] | None = None) -> None:
        self.size = len(documents)
        counts: dict[str, dict[int, int]] = defaultdict(dict)
        for doc_id, terms in enumerate(documents):
            for term in terms:
                counts[term][doc_id] = counts[term].get(doc_id, 0) + 1
        length = np.array(lengths if lengths is not None else [len(d) for d in documents] or [1],
                          dtype=np.float32)
        average = float(length.mean()) if length.size else 1.0
        average = average or 1.0
        total = max(self.size, 1)
        self.idf: dict[str, float] = {}
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, docs in counts.items():
            idf = math.log(1 + (total - len(docs) + 0.5) / (len(docs) + 0.5))
            self.idf[term] = idf
            ids = np.fromiter(docs.keys(), dtype=np.int32)
            tf = np.fromiter(docs.values(), dtype=np.float32)
            norm = k1 * (1 - b + b * length[ids] / average)
            self.postings[term] = (ids, idf * tf * (k1 + 1) / (tf + norm))

    def scores(self, terms: Iterable[str]) -> np.ndarray:
        """Each document's score for the distinct terms (0 for a document with none)."""
        out = np.zeros(self.size, dtype=np.float32)
        for term in set(terms):
            posting = self.postings.get(term)
            if posting is not None:
                out[posting[0]] += posting[1]
        return out
