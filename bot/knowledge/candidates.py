"""The candidates for a query and their order.

BM25 over the names' syllables and syllable pairs, the alias matches and (when the semantic
index is there) the nearest names by meaning give the candidates; each gets a row of named
features (:mod:`bot.knowledge.features`): how much of the query the name covers and the
reverse, fuzzy similarity, priors, the age and follow-up action asked, the meaning signal, and
the hand-weighted sum of them all. The learned ranker (:mod:`bot.knowledge.ranker`) orders them
when a model is loaded, else the hand-weighted sum does; near-duplicates (one procedure per
level, channel or province) come after the best of their group.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz

from bot.knowledge import semantic
from bot.knowledge.aliases import AliasMatching
from bot.knowledge.bm25 import BM25
from bot.knowledge.features import FEATURES, position
from bot.knowledge.features import INDEX as FEATURE_INDEX
from bot.knowledge.ranker import Ranker
from bot.knowledge.reading import Query, bigram_terms
from bot.knowledge.synonyms import STOPWORDS

if TYPE_CHECKING:
    from bot.knowledge.index import CitizenFields, Doc

logger = logging.getLogger(__name__)

# How many of the best names by BM25 become candidates (aliases and meaning add more).
_CANDIDATES = 80
# Added for an age the query names within the name's age range, taken off outside it.
_AGE_BONUS = 0.08
# The default preference for the base procedure over its follow-ups, and for the follow-up
# the query asks for (see CandidateRanking._follow_up).
_FOLLOW_UP_PENALTY = 0.06
_FOLLOW_UP_BONUS = 0.08
# Meaning signal (see bot.knowledge.semantic): score added per standard deviation of the query's
# cosines below its best one (e5 cosines of unrelated texts are still ~0.8, only the spread
# tells), and how many nearest names join the lexical candidates. Chosen on dev+test queries.
_SEMANTIC_WEIGHT = 0.075
_SEMANTIC_NEIGHBOURS = 10
# "bị mất" tells why a re-issue is asked for; it is no part of what names the procedure.
_LOSS_WORDS = frozenset({"bi", "mat"})


@dataclass
class Candidates:
    """What :meth:`SearchIndex.candidates` found for one query."""

    ids: list[int]  # doc indexes
    matrix: np.ndarray  # one row of features (FEATURES) per candidate
    matched: list[str]  # "alias" or "name"
    evidence: list[float]  # how well the words match, priors included (hand-weighted)
    province: str  # the province the query names, folded, or ""


class CandidateRanking(AliasMatching):
    """The scoring and ranking of :class:`bot.knowledge.index.SearchIndex` (a base class of it:
    the attributes and the reading methods below are the index's)."""

    docs: list[Doc]
    ranker: Ranker | None
    home: str  # the home province, folded
    fields: CitizenFields
    names_bm25: BM25
    details_bm25: BM25
    core_names: list[str]
    core_ids: np.ndarray
    semantic: semantic.SemanticIndex | None

    if TYPE_CHECKING:
        def read(self, text: str) -> Query: ...

        def information(self, content: list[str]) -> float: ...

        def embedding_text(self, text: str) -> str: ...

    def _bm25(self, terms: list[str]) -> np.ndarray:
        return self.names_bm25.scores(terms)

    @staticmethod
    def _age_fit(doc: Doc, query: Query) -> float:
        """+ when the age the query names is in the name's age range, - when it is outside."""
        if query.age is None or doc.ages is None:
            return 0.0
        low, high = doc.ages
        return _AGE_BONUS if low <= query.age <= high else -_AGE_BONUS

    @staticmethod
    def _follow_up(doc: Doc, query: Query) -> float:
        """A default preference, not evidence: the base procedure unless the query asks for the
        follow-up ("Dừng thực hiện đăng ký hộ kinh doanh" for "đăng ký hộ kinh doanh")."""
        if not doc.follow_up:
            # the query names an action the base procedure is not ("cấp đổi sổ đỏ")
            return -_FOLLOW_UP_PENALTY if query.named_actions else 0.0
        # the query names this follow-up ("cấp đổi sổ đỏ"): prefer it over the base procedure
        return _FOLLOW_UP_BONUS if doc.follow_up & query.actions else -_FOLLOW_UP_PENALTY

    def _meaning(self, text: str) -> np.ndarray | None:
        """Per procedure: how far its cosine with the query is below the best one, in standard
        deviations of this query's cosines (<= 0); None without the semantic index."""
        if self.semantic is None:
            return None
        query = self.embedding_text(text)
        if not query:
            return None
        try:
            cosines = self.semantic.similarities([query])
        except Exception:  # the engine failing on one query must not fail the search
            logger.exception("Semantic similarity failed; lexical ranking for this query")
            return None
        # level / channel variants of one procedure share their best cosine: the citizen does
        # not say the level, the priors choose it
        best = np.full(len(self.core_names), -1.0, dtype=np.float32)
        np.maximum.at(best, self.core_ids, cosines)
        cosines = best[self.core_ids]
        spread = float(cosines.std()) or 1.0
        return (cosines - cosines.max()) / spread

    def candidates(self, text: str) -> Candidates:
        """The procedures a query may mean, with a row of named features each (see
        :mod:`bot.knowledge.features`), how each was matched ("alias" or "name") and its
        evidence: how well the words match, with the priors but no default preference."""
        query = self.read(text)
        content, named_province = query.content, query.province
        empty = np.zeros((0, len(FEATURES)), dtype=np.float32)
        if not content:
            return Candidates([], empty, [], [], named_province)
        unique = list(dict.fromkeys(content))
        bigrams = bigram_terms(content)
        # "bị mất" says why, and asks for a re-issue (an action hint); the thing lost names the
        # procedure: the reason's words do not count in how much of the query a name covers
        scored = [t for t in unique if t not in _LOSS_WORDS] if "mat" in unique else unique
        bm25 = self._bm25(unique + bigrams)
        best_bm25 = float(bm25.max()) if bm25.size else 0.0
        details = self.details_bm25.scores(unique)
        candidates = set(np.argsort(-bm25)[:_CANDIDATES].tolist()) if bm25.any() else set()
        # aliases are stored without any stop word, so they are matched against the same
        aliases = self._alias_scores([t for t in content if t not in STOPWORDS], query)
        candidates |= set(aliases)
        # a query without a single catalog word ("xin chào") is small talk, not a paraphrase
        meaning = self._meaning(text) if candidates else None
        neighbours: set[int] = set()
        if meaning is not None:
            neighbours = set(np.argsort(-meaning)[:_SEMANTIC_NEIGHBOURS].tolist())
            candidates |= neighbours
        joined = " ".join(content)
        query_information = self.information(unique)
        ids, rows, matches, evidence = [], [], [], []
        for doc_id in sorted(candidates):
            doc = self.docs[doc_id]
            if bm25[doc_id] <= 0 and doc_id not in aliases and doc_id not in neighbours:
                continue
            # "cấp đổi" typed with accents does not match the "đối" of "đối với"
            present = doc.token_set - self._accent_conflicts(doc, query)
            recall = self._coverage(scored, present)
            pair_recall = self._coverage(bigrams, doc.bigram_set) if bigrams else recall
            # the channel / level suffix is not something a citizen is expected to say
            precision = self._coverage(list(doc.core_set), frozenset(unique))
            similarity = fuzz.token_sort_ratio(joined, doc.core) / 100
            if doc.head:
                precision = max(precision, self._coverage(doc.head.split(), frozenset(unique)))
                similarity = max(similarity, fuzz.token_sort_ratio(joined, doc.head) / 100)
            name_score = 0.45 * recall + 0.2 * pair_recall + 0.2 * precision + 0.15 * similarity
            alias_score = aliases.get(doc_id, 0.0)
            matched = "alias" if alias_score > name_score else "name"
            score = max(name_score, alias_score) + 0.1 * min(name_score, alias_score)
            age_fit = self._age_fit(doc, query)
            prior = doc.prior + age_fit
            named = 0.0
            if named_province and doc.province:
                named = 1.0 if doc.province == named_province else -1.0
                prior += 0.21 if named > 0 else 0.0
            preference = self._follow_up(doc, query)
            semantic_gap = float(meaning[doc_id]) if meaning is not None else math.nan
            if meaning is not None:  # orders the hits; no reason to be surer (see confidence)
                preference += _SEMANTIC_WEIGHT * semantic_gap
            if bm25[doc_id] <= 0 and doc_id not in aliases and score + prior + preference <= 0:
                continue  # a semantic neighbour that nothing else speaks for
            static = doc.static
            matched_words = [t for t in unique if t in present]
            ids.append(doc_id)
            matches.append(matched)
            evidence.append(score + prior)
            rows.append((
                float(bm25[doc_id]), float(bm25[doc_id]) / best_bm25 if best_bm25 else 0.0,
                float(details[doc_id]),
                recall, pair_recall, precision, similarity,
                fuzz.partial_ratio(joined, doc.core) / 100, alias_score,
                self.information(matched_words),
                self.information([t for t in doc.core_set if t not in unique]),
                (1.0 if doc.province == self.home else -1.0) if doc.province and self.home
                else (-1.0 if doc.province else 0.0),
                named, static.level, static.commune, static.abroad, static.online_only,
                static.curated, self.fields.bonus_for(doc.row.field) and math.copysign(
                    1.0, self.fields.bonus_for(doc.row.field)),
                static.users, float(bool(doc.follow_up)),
                float(bool(doc.follow_up & query.actions)),
                float(bool(query.named_actions) and not doc.follow_up),
                math.copysign(1.0, age_fit) if age_fit else 0.0, semantic_gap,
                static.name_words, float(len(unique)), query_information,
                position(content, present), score + prior + preference,
            ))
        matrix = np.array(rows, dtype=np.float32) if rows else empty
        return Candidates(ids, matrix, matches, evidence, named_province)

    def _local_first(self, results: list[tuple[int, float, str, float, float]],
                     province: str) -> list[tuple[int, float, str, float, float]]:
        """Within each group of near-duplicates (one procedure per level / channel / province)
        the variant of the province named (or else the home province's), else the national one,
        comes first and takes the group's place: the citizen names the procedure, the message
        or the deployment its province."""
        def preference(at: int) -> tuple[bool, bool, int]:
            doc = self.docs[results[at][0]]
            return (not (province and doc.province == province), bool(doc.province), at)

        chosen: dict[str, int] = {}
        for at, result in enumerate(results):
            core = self.docs[result[0]].core
            if core not in chosen or preference(at) < preference(chosen[core]):
                chosen[core] = at
        out, placed = [], set()
        for result in results:
            core = self.docs[result[0]].core
            if core not in placed:
                best = results[chosen[core]]
                out.append((best[0], best[1], best[2], best[3], result[4]))
                placed.add(core)
            if result is not results[chosen[core]]:
                out.append(result)
        return out

    def rank(self, text: str, top: int = 5) -> list[tuple[int, float, str, float, float]]:
        """(doc index, score, matched, evidence, order) best first, near-duplicates after the
        rest.

        ``score`` is the hand-weighted sum of the signals and ``evidence`` the same without
        default preferences (both 0..1: how well the words match, which the dialogue uses to
        tell a named procedure from noise); ``order`` is what the hits are sorted by: the
        learned ranker's score when a model is loaded, else ``score``.
        """
        found = self.candidates(text)
        ids, matrix = found.ids, found.matrix
        if not ids:
            return []
        hand = matrix[:, FEATURE_INDEX["hand"]].astype(np.float64)
        order = self.ranker.score(matrix) if self.ranker is not None else hand
        results = sorted(zip(ids, hand.tolist(), found.matched, found.evidence, order.tolist(),
                             strict=True),
                         key=lambda r: (-r[4], len(self.docs[r[0]].tokens),
                                        self.docs[r[0]].row.code))
        if self.ranker is not None:
            results = self._local_first(results, found.province or self.home)
        # near-duplicates (same procedure per level / channel / province) after the best one of
        # each group, so the first choices offered are different procedures
        seen: set[str] = set()
        firsts, repeats = [], []
        for result in results:
            core = self.docs[result[0]].core
            (repeats if core in seen else firsts).append(result)
            seen.add(core)
        # rank on the raw sum (priors must still separate two perfect matches), report 0..1
        return [(d, max(0.0, min(1.0, s)), m, max(0.0, min(1.0, e)), o)
                for d, s, m, e, o in (firsts + repeats)[:top]]
