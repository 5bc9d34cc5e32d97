"""Matching a query against the curated aliases ("names people use") of the procedures.

An alias matches when the message says it as a phrase, with a word or two inserted, with its
object first and its action after, or nearly (fuzzily); an alias that many names share names an
object, not a procedure, and counts only for the part of the message it covers. The index
(:class:`bot.knowledge.index.SearchIndex`) builds the alias lists; :class:`AliasMatching` holds
the scoring, with the word-coverage measures the candidates' scoring shares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from bot.knowledge.reading import FOLLOW_UP_MAX, Query
from bot.knowledge.synonyms import FOLLOW_UP_ACTIONS

if TYPE_CHECKING:
    from bot.knowledge.index import Doc

# How much the share of the message that neither an alias nor its name explains takes off.
_UNEXPLAINED_WEIGHT = 0.3
# An alias that this many names contain word for word names an object, not a procedure.
GENERIC_ALIAS_NAMES = 10
# An alias said with a word or two inserted ("tặng cho mảnh đất") counts this much of an exact one.
_GAPPED_ALIAS = 0.9
_ALIAS_GAP = 2
# An alias whose procedure lacks the action the query names ("xóa", "cấp lại") counts this much.
_ACTION_UNSAID = 0.7


def _gapped(words: tuple[str, ...]) -> str:
    """A pattern for the words in order with up to _ALIAS_GAP other words between each two."""
    gap = rf"(?: \S+){{0,{_ALIAS_GAP}}} "
    return " " + gap.join(re.escape(w) for w in words) + " "


def fronted(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """For an alias that starts with an action ("cấp lại thẻ bảo hiểm y tế"), a pattern for its
    object said first and the action after ("thẻ bhyt bị mất, xin cấp lại"), as Vietnamese
    often puts the topic first; None for other aliases."""
    for size in range(min(FOLLOW_UP_MAX, len(words) - 1), 0, -1):
        if " ".join(words[:size]) in FOLLOW_UP_ACTIONS:
            return re.compile(_gapped((*words[size:], *words[:size])))
    return None


class AliasMatching:
    """The alias and word-coverage scoring of :class:`bot.knowledge.index.SearchIndex` (a base
    class of it: the attributes below are the index's, set when it is built)."""

    docs: list[Doc]
    idf: dict[str, float]
    postings: dict[str, tuple[np.ndarray, np.ndarray]]
    aliases: list[tuple[str, int]]  # (alias as the query is read, doc index)
    generic_aliases: frozenset[str]
    alias_names: list[str]
    alias_words: list[tuple[str, ...]]
    alias_actions: list[frozenset[str]]
    alias_fronted: list[re.Pattern[str] | None]

    def _generic(self, aliases: Iterable[str]) -> frozenset[str]:
        """Aliases that many names contain word for word: the object, not the procedure.

        "làm sổ đỏ" loses "làm" as a stop word and is left as "giấy chứng nhận quyền sử dụng
        đất", which 70 names share; said alone it still means the first registration, but inside
        a longer message it names nothing in particular.
        """
        generic = set()
        for alias in set(aliases):
            terms = alias.split()
            if not terms or any(t not in self.postings for t in terms):
                continue
            ids = set(self.postings[terms[0]][0].tolist())
            for term in terms[1:]:
                ids &= set(self.postings[term][0].tolist())
            if len(ids) < GENERIC_ALIAS_NAMES:
                continue
            if sum(f" {alias} " in f" {self.docs[i].core} " for i in ids) >= GENERIC_ALIAS_NAMES:
                generic.add(alias)
        return frozenset(generic)

    def _coverage(self, wanted: list[str], present: frozenset[str]) -> float:
        weights = [self.idf.get(t, 0.0) for t in wanted]
        total = sum(weights)
        if not total:
            return 0.0
        return sum(w for t, w in zip(wanted, weights, strict=True) if t in present) / total

    def _alias_scores(self, content: list[str], reading: Query) -> dict[int, float]:
        if not self.aliases or not content:
            return {}
        query = " ".join(content)
        padded = f" {query} "
        scores: dict[int, float] = {}
        present = set(content)
        for (alias, doc_id), terms, said, fronted in zip(
                self.aliases, self.alias_words, self.alias_actions, self.alias_fronted,
                strict=True):
            gapped = False
            if alias and f" {alias} " not in padded:
                # "tặng cho mảnh đất" still says "tặng cho đất": the alias's words in order with
                # a word or two between them count a little less; so does an action alias said
                # object first ("thẻ bhyt bị mất, xin cấp lại")
                gapped = len(terms) > 1 and present.issuperset(terms) and bool(
                    re.search(_gapped(terms), padded)
                    or (fronted is not None and fronted.search(padded)))
            if alias and (gapped or f" {alias} " in padded):
                share = len(terms) / len(content)
                # "hộ khẩu" alone is not "xóa hộ khẩu"; an alias many names share counts only
                # for the part of the message it covers
                score = share if alias in self.generic_aliases else 0.5 + 0.5 * share
                # words the alias leaves out and the name lacks too ("cấp lại" in "cấp lại cà
                # vẹt" for the first-registration entry whose alias is "làm cà vẹt")
                doc = self.docs[doc_id]
                conflicts = self._accent_conflicts(doc, reading)
                explained = set(alias.split()) | (doc.token_set - conflicts)
                rest = [t for t in content if t not in explained]
                if rest:
                    score *= 1 - _UNEXPLAINED_WEIGHT * self._coverage(content, frozenset(rest))
                if gapped:
                    score *= _GAPPED_ALIAS
                # "xóa thế chấp" is not the alias "thế chấp": an action the query names and
                # neither the alias nor the name does
                if reading.named_actions - doc.follow_up - said:
                    score *= _ACTION_UNSAID
            else:
                score = 0.0
            scores[doc_id] = max(scores.get(doc_id, 0.0), score)
        for _, similarity, index in process.extract(
            query, self.alias_names, scorer=fuzz.ratio, limit=10, score_cutoff=85
        ):
            doc_id = self.aliases[index][1]
            scores[doc_id] = max(scores[doc_id], 0.7 * similarity / 100)
        return {d: s for d, s in scores.items() if s > 0}

    @staticmethod
    def _accent_conflicts(doc: Doc, query: Query) -> frozenset[str]:
        """Folded query words that the name has only with other accents."""
        if not query.accented or not doc.accented:
            return frozenset()
        return frozenset(
            folded for word, folded in query.accented
            if folded in doc.token_set and word not in doc.accented
        )
