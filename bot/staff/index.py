"""Vietnamese passage search: BM25 over folded syllables, syllable pairs and pyvi words.

Why these features: staff type with or without diacritics, so everything is folded ("Điều" ->
"dieu"); single syllables alone are weak in Vietnamese (most words have two), so adjacent pairs
and pyvi's segmented words ("hồ_sơ", "giải_quyết", which pyvi finds from the accented text with
the CRF model shipped in its wheel) carry the phrase. The matrix is built once per change of the
document store and a query sums the postings of its terms, a few milliseconds for thousands of
passages.

Nothing is invented: a passage is returned only when it covers enough of the question's weight
(``min_coverage``); otherwise the caller says that nothing fits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pyvi import ViTokenizer

from bot.knowledge.bm25 import BM25
from bot.nlu.normalization import fold_diacritics

_WORD = re.compile(r"\w+(?:[./-]\w+)*", re.UNICODE)
# Question words that say nothing about the content asked for (folded).
_QUESTION_WORDS = frozenset(
    "la gi nao bao nhieu ai dau khong co the nhu thi duoc cho toi minh hay xin hoi vay a "
    "nhi ra sao lau may the_nao bao_nhieu bao_lau".split()
)


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
    """Built from segmented texts (see :func:`segment`); the BM25 is the search's own
    (:class:`bot.knowledge.bm25.BM25`), over these features."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.size = len(texts)
        self._bm25 = BM25([features(text) for text in texts])
        self._rarest = max(self._bm25.idf.values(), default=0.0)
        self._members_of: dict[str, frozenset[int]] = {}  # term -> passages that hold it

    def search(self, question: str, *, allowed: np.ndarray | None = None, limit: int = 3,
               min_coverage: float = 0.0) -> list[Scored]:
        """Best passages for ``question``; ``allowed`` is a boolean mask of visible passages."""
        if not self.size:
            return []
        terms = features(segment(question), query=True)
        if not terms:
            return []
        idf = self._bm25.idf
        known = sorted({t for t in terms if t in idf})
        unknown = len({t for t in terms if t not in idf and " " not in t})
        if not known:
            return []
        scores = self._bm25.scores(known).astype(np.float64)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[: limit * 4]
        # Unknown syllables count as rare ones: a question about something absent stays absent.
        total = sum(idf[t] for t in known) + unknown * self._rarest
        out = []
        for position in order:
            if scores[position] <= 0:
                break
            found = sum(idf[t] for t in known if position in self._members(t))
            coverage = float(found / total) if total else 0.0
            if coverage >= min_coverage:
                out.append(Scored(int(position), float(scores[position]), coverage))
            if len(out) == limit:
                break
        return out

    def _members(self, term: str) -> frozenset[int]:
        if term not in self._members_of:
            self._members_of[term] = frozenset(self._bm25.postings[term][0].tolist())
        return self._members_of[term]
