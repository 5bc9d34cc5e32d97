"""Vietnamese passage search: BM25 over folded syllables, syllable pairs and pyvi words.

Why these features: staff type with or without diacritics, so everything is folded ("Điều" ->
"dieu"); single syllables alone are weak in Vietnamese (most words have two), so adjacent pairs
and pyvi's segmented words ("hồ_sơ", "giải_quyết", which pyvi finds from the accented text with
the CRF model shipped in its wheel) carry the phrase. The matrix is built once per change of the
document store and a query is one sparse column sum, a few milliseconds for thousands of passages.

Nothing is invented: a passage is returned only when it covers enough of the question's weight
(``min_coverage``); otherwise the caller says that nothing fits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pyvi import ViTokenizer
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from bot.nlu.normalization import fold_diacritics

_WORD = re.compile(r"\w+(?:[./-]\w+)*", re.UNICODE)
# Question words that say nothing about the content asked for (folded).
_QUESTION_WORDS = frozenset(
    "la gi nao bao nhieu ai dau khong co the nhu thi duoc cho toi minh hay xin hoi vay a "
    "nhi ra sao lau may the_nao bao_nhieu bao_lau".split()
)
K1, B = 1.2, 0.75


def segment(text: str) -> str:
    """pyvi's word segmentation ("hồ_sơ hợp_lệ"); done once per passage, when it is stored."""
    return ViTokenizer.tokenize(text)


def _syllable(token: str) -> str:
    token = fold_diacritics(token).lower()
    return (token.lstrip("0") or "0") if token.isdigit() else token  # "03 tháng" = "3 tháng"


def features(segmented: str, *, query: bool = False) -> list[str]:
    """Folded syllables, folded syllable pairs and folded pyvi words of segmented text."""
    syllables = [_syllable(w) for w in _WORD.findall(segmented.replace("_", " "))]
    words = [fold_diacritics(w).lower() for w in segmented.split() if "_" in w]
    out = [s for s in syllables if not (query and s in _QUESTION_WORDS)]
    out += [f"{a} {b}" for a, b in zip(syllables, syllables[1:], strict=False)]
    out += [w for w in words if not (query and w in _QUESTION_WORDS)]
    return out


@dataclass(frozen=True)
class Scored:
    index: int  # position in the documents given to the index
    score: float
    coverage: float  # share of the question's weight found in the passage (0..1)


class BM25Index:
    """Built from segmented texts (see :func:`segment`)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.size = len(texts)
        self._vectorizer = CountVectorizer(analyzer=features, lowercase=False)
        if not texts:
            self._weights = sparse.csc_matrix((0, 0))
            self._idf = np.zeros(0)
            self._present = sparse.csc_matrix((0, 0))
            return
        counts = self._vectorizer.fit_transform(texts).tocsr().astype(np.float64)
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        average = lengths.mean() or 1.0
        frequency = np.asarray((counts > 0).sum(axis=0)).ravel()
        self._idf = np.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5))
        rows = np.repeat(np.arange(self.size), np.diff(counts.indptr))
        tf = counts.data
        norm = K1 * (1 - B + B * lengths[rows] / average)
        weighted = counts.copy()
        weighted.data = self._idf[counts.indices] * tf * (K1 + 1) / (tf + norm)
        self._weights = weighted.tocsc()
        present = counts.copy()
        present.data = np.ones_like(present.data)
        self._present = present.tocsc()

    def search(self, question: str, *, allowed: np.ndarray | None = None, limit: int = 3,
               min_coverage: float = 0.0) -> list[Scored]:
        """Best passages for ``question``; ``allowed`` is a boolean mask of visible passages."""
        if not self.size:
            return []
        vocabulary = self._vectorizer.vocabulary_
        terms = features(segment(question), query=True)
        if not terms:
            return []
        known = sorted({vocabulary[t] for t in terms if t in vocabulary})
        unknown = len({t for t in terms if t not in vocabulary and " " not in t})
        if not known:
            return []
        ids = np.array(known)
        scores = np.asarray(self._weights[:, ids].sum(axis=1)).ravel()
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        order = np.argsort(-scores)[: limit * 4]
        idf = self._idf[ids]
        # Unknown syllables count as rare ones: a question about something absent stays absent.
        total = idf.sum() + unknown * float(self._idf.max())
        out = []
        for position in order:
            if scores[position] <= 0:
                break
            hit = self._present[position, ids].toarray().ravel()
            coverage = float((hit * idf).sum() / total) if total else 0.0
            if coverage >= min_coverage:
                out.append(Scored(int(position), float(scores[position]), coverage))
            if len(out) == limit:
                break
        return out
