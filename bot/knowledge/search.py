"""Find the procedure a citizen means, from their own words.

Pipeline for one query (all on the normalised, diacritic-free form):

1. a procedure code anywhere in the text ("1.004222") wins outright;
2. everyday phrases are rewritten to the catalog's wording ("sổ đỏ" -> "giấy chứng nhận quyền
   sử dụng đất", see :mod:`bot.knowledge.synonyms`), question words are dropped, unknown words
   are corrected against the catalog vocabulary ("khai sin" -> "khai sinh", "hokhau" split);
3. BM25 over syllables and syllable pairs of the names picks candidates; curated aliases are
   matched as phrases and fuzzily;
4. candidates are rescored: how much of the query the name covers, how much of the name the
   query covers (short generic names beat long special cases), fuzzy similarity, and priors —
   other provinces' variants down, the home province's variants up, commune-level and curated
   entries slightly up.

The index is built once per store revision (a counter the store bumps on every change), so the
action server sees admin edits without a restart.
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.knowledge.models import Procedure
from bot.knowledge.store import IndexRow, ProcedureStore
from bot.knowledge.synonyms import PHRASES, STOPWORDS
from bot.nlu.normalization import fold_diacritics, normalize

CODE_RE = re.compile(r"(?<![\d.])(\d\.\d{6,})(?![\d])")
# A hit at or above this confidence can be answered directly; below it, offer choices.
CONFIDENT = 0.6
_CANDIDATES = 80
_K1, _B = 1.2, 0.75
_PHRASE_MAX = max(len(k.split()) for k in PHRASES)
_LEVEL_SUFFIX_RE = re.compile(r"(?:(?:thuc hien )?(?:tai|o) )?cap (xa|tinh|trung uong|huyen)$")
# Citizens go to the commune or the province; the district level no longer exists (2025).
_LEVEL_PENALTY = {"xa": 0.0, "tinh": 0.02, "trung uong": 0.04, "huyen": 0.08}


@dataclass
class SearchHit:
    code: str
    name: str
    score: float  # 0..1, comparable across queries
    procedure: Procedure
    # How sure the search is that this is THE procedure meant (0..1); see CONFIDENT.
    confidence: float = 0.0
    matched: str = "name"  # "code", "alias" or "name"


def _tokens(text: str) -> list[str]:
    return normalize(text).split()


def _bigrams(tokens: list[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def _province_key(agency: str) -> str:
    """"UBND tỉnh Lạng Sơn" -> "lang son"; "" for ministries and national bodies."""
    province = Procedure(code="", name="", issuing_agency=agency).province
    if province is None:
        match = re.search(r"(?:tỉnh|Thành phố|thành phố)\s+(.+)$", agency)
        if not match or agency.startswith("Bộ"):
            return ""
        province = match.group(1)
    return " ".join(fold_diacritics(province).lower().split())


def rewrite_query(tokens: list[str]) -> list[str]:
    """Apply the everyday-phrase table, longest phrase first, one pass, left to right."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(_PHRASE_MAX, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i : i + size])
            if phrase in PHRASES:
                out.extend(PHRASES[phrase].split())
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


@dataclass
class _Doc:
    row: IndexRow
    tokens: list[str]
    token_set: frozenset[str]
    bigram_set: frozenset[str]
    province: str
    prior: float


class SearchIndex:
    """In-memory index over the names and aliases of every procedure in a store."""

    def __init__(self, rows: list[IndexRow], *, home_province: str = "") -> None:
        self.home = " ".join(fold_diacritics(home_province or "").lower().split())
        self.docs: list[_Doc] = []
        self.by_code: dict[str, int] = {}
        postings: dict[str, dict[int, int]] = defaultdict(dict)
        for row in rows:
            # "Thủ tục đăng ký khai sinh": the word "procedure" names no procedure
            tokens = " ".join(_tokens(row.name)).replace("thu tuc ", "").split()
            doc_id = len(self.docs)
            terms = tokens + _bigrams(tokens)
            for term in terms:
                postings[term][doc_id] = postings[term].get(doc_id, 0) + 1
            self.docs.append(
                _Doc(row, tokens, frozenset(tokens), frozenset(_bigrams(tokens)),
                     _province_key(row.issuing_agency), 0.0)
            )
            self.by_code[row.code] = doc_id
        count = max(len(self.docs), 1)
        lengths = np.array([len(d.tokens) * 2 for d in self.docs] or [1], dtype=np.float32)
        average = float(lengths.mean()) or 1.0
        self.idf: dict[str, float] = {}
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, docs in postings.items():
            idf = math.log(1 + (count - len(docs) + 0.5) / (len(docs) + 0.5))
            self.idf[term] = idf
            ids = np.fromiter(docs.keys(), dtype=np.int32)
            tf = np.fromiter(docs.values(), dtype=np.float32)
            norm = _K1 * (1 - _B + _B * lengths[ids] / average)
            self.postings[term] = (ids, idf * tf * (_K1 + 1) / (tf + norm))
        self.provinces = {d.province for d in self.docs if d.province}
        self._known = {t for t in self.idf if "_" not in t} | set(STOPWORDS)
        extra = list(PHRASES) + [a for row in rows for a in row.aliases] + list(self.provinces)
        for phrase in extra:
            self._known.update(normalize(phrase).split())
        self._known_list = sorted(self._known)
        # aliases go through the same rewriting as queries, so "sổ hồng" meets "sổ hồng"
        self.aliases: list[tuple[str, int]] = [
            (" ".join(t for t in rewrite_query(_tokens(alias)) if t not in STOPWORDS),
             self.by_code[row.code])
            for row in rows
            for alias in row.aliases
            if alias.strip()
        ]
        for doc in self.docs:
            doc.prior = self._prior(doc)

    # -- priors -----------------------------------------------------------------------------

    def _prior(self, doc: _Doc) -> float:
        prior = 0.0
        if doc.province:
            prior += 0.06 if self.home and doc.province == self.home else -0.15
        name = " ".join(doc.tokens)
        levels = " ".join(fold_diacritics(lvl).lower() for lvl in doc.row.levels)
        agency = fold_diacritics(doc.row.executing_agency).lower()
        if "cap xa" in levels or "cap xa" in agency or "xa" in name.split()[-2:]:
            prior += 0.02
        if "o nuoc ngoai" in agency and not re.search(r"\bxa\b|uy ban|tinh", agency):
            prior -= 0.06  # served only by embassies abroad, not where citizens live
        suffix = _LEVEL_SUFFIX_RE.search(name)
        if suffix:  # "(thực hiện tại cấp tỉnh)": a level variant of a base entry
            prior -= _LEVEL_PENALTY.get(suffix.group(1), 0.0)
        if doc.row.source in ("curated", "admin"):
            prior += 0.02
        users = fold_diacritics(doc.row.target_users).lower()
        if "cong dan" in users or "ca nhan" in users:
            prior += 0.03
        elif users and ("to chuc" in users or "doanh nghiep" in users):
            prior -= 0.02
        return prior

    # -- query processing -------------------------------------------------------------------

    def _correct(self, token: str, previous: str, following: str) -> list[str]:
        """Unknown token -> the closest known syllable(s), or [] to drop it.

        Among equally close candidates, the one that forms a known pair with a neighbour wins
        ("khai sin" -> "sinh", not "bin").
        """
        if token in self._known or token.isdigit():
            return [token]
        for cut in range(1, len(token)):  # glued words: "hokhau", "dangky"
            left, right = token[:cut], token[cut:]
            if left in self._known and right in self._known and min(len(left), len(right)) > 1:
                return [left, right]
        if len(token) < 3:
            return []
        limit = 1 if len(token) <= 5 else 2
        found = process.extract(
            token, self._known_list, scorer=Levenshtein.distance, score_cutoff=limit, limit=30
        )
        if not found:
            return []

        def preference(item: tuple[str, float, int]) -> tuple[int, float, float]:
            word, distance, _ = item
            paired = f"{previous}_{word}" in self.idf or f"{word}_{following}" in self.idf
            return (0 if paired else 1, distance, self.idf.get(word, 99.0))

        word, distance, _ = min(found, key=preference)
        paired = f"{previous}_{word}" in self.idf or f"{word}_{following}" in self.idf
        return [word] if paired or distance <= 1 else []

    def analyse(self, text: str) -> tuple[list[str], str]:
        """Content tokens of a query, and the province it names (or "")."""
        raw = _tokens(text)
        corrected: list[str] = []
        for i, token in enumerate(raw):
            following = raw[i + 1] if i + 1 < len(raw) else ""
            corrected.extend(self._correct(token, corrected[-1] if corrected else "", following))
        joined = " ".join(rewrite_query(corrected))
        province = ""
        for candidate in self.provinces:
            if re.search(rf"\b{re.escape(candidate)}\b", joined):
                province = candidate
                joined = re.sub(rf"\b{re.escape(candidate)}\b", " ", joined)
        return [t for t in joined.split() if t not in STOPWORDS], province

    # -- scoring ----------------------------------------------------------------------------

    def _bm25(self, terms: list[str]) -> np.ndarray:
        scores = np.zeros(len(self.docs), dtype=np.float32)
        for term in set(terms):
            posting = self.postings.get(term)
            if posting is not None:
                scores[posting[0]] += posting[1]
        return scores

    def _coverage(self, wanted: list[str], present: frozenset[str]) -> float:
        weights = [self.idf.get(t, 0.0) for t in wanted]
        total = sum(weights)
        if not total:
            return 0.0
        return sum(w for t, w in zip(wanted, weights, strict=True) if t in present) / total

    def _alias_scores(self, content: list[str]) -> dict[int, float]:
        if not self.aliases or not content:
            return {}
        query = " ".join(content)
        padded = f" {query} "
        scores: dict[int, float] = {}
        for alias, doc_id in self.aliases:
            if alias and f" {alias} " in padded:
                share = len(alias.split()) / len(content)
                score = 0.5 + 0.5 * share  # "hộ khẩu" alone is not "xóa hộ khẩu"
            else:
                score = 0.0
            scores[doc_id] = max(scores.get(doc_id, 0.0), score)
        names = [a for a, _ in self.aliases]
        for _, similarity, index in process.extract(
            query, names, scorer=fuzz.ratio, limit=10, score_cutoff=85
        ):
            doc_id = self.aliases[index][1]
            scores[doc_id] = max(scores[doc_id], 0.7 * similarity / 100)
        return {d: s for d, s in scores.items() if s > 0}

    def rank(self, text: str, top: int = 5) -> list[tuple[int, float, str]]:
        """(doc index, score, matched) best first."""
        content, named_province = self.analyse(text)
        if not content:
            return []
        unique = list(dict.fromkeys(content))
        bigrams = _bigrams(content)
        bm25 = self._bm25(unique + bigrams)
        candidates = set(np.argsort(-bm25)[:_CANDIDATES].tolist()) if bm25.any() else set()
        aliases = self._alias_scores(content)
        candidates |= set(aliases)
        query = " ".join(content)
        results = []
        for doc_id in candidates:
            doc = self.docs[doc_id]
            if bm25[doc_id] <= 0 and doc_id not in aliases:
                continue
            recall = self._coverage(unique, doc.token_set)
            pair_recall = self._coverage(bigrams, doc.bigram_set) if bigrams else recall
            precision = self._coverage(list(doc.token_set), frozenset(unique))
            similarity = fuzz.token_sort_ratio(query, " ".join(doc.tokens)) / 100
            name_score = 0.45 * recall + 0.2 * pair_recall + 0.2 * precision + 0.15 * similarity
            alias_score = aliases.get(doc_id, 0.0)
            matched = "alias" if alias_score > name_score else "name"
            score = max(name_score, alias_score) + 0.1 * min(name_score, alias_score)
            prior = doc.prior
            if named_province and doc.province:
                prior += 0.21 if doc.province == named_province else 0.0
            results.append((doc_id, score + prior, matched))
        results.sort(key=lambda r: (-r[1], len(self.docs[r[0]].tokens), self.docs[r[0]].row.code))
        # rank on the raw sum (priors must still separate two perfect matches), report 0..1
        return [(d, max(0.0, min(1.0, s)), m) for d, s, m in results[:top]]


def _confidence(scores: list[float], names: list[str]) -> float:
    """High when the best score is high AND clearly ahead of the best differently named hit."""
    if not scores:
        return 0.0
    rival = next((s for s, n in zip(scores[1:], names[1:], strict=True) if n != names[0]), 0.0)
    return max(0.0, min(1.0, 0.7 * scores[0] + 2.0 * (scores[0] - rival)))


class ProcedureSearch:
    """Search over a store; rebuilds its index when the store changes."""

    def __init__(self, store: ProcedureStore, *, home_province: str | None = None) -> None:
        self.store = store
        self.home_province = (
            home_province if home_province is not None else os.environ.get("HOME_PROVINCE", "")
        )
        self._index: SearchIndex | None = None
        self._revision = -1
        self._lock = threading.Lock()

    @property
    def index(self) -> SearchIndex:
        revision = self.store.revision()
        with self._lock:
            if self._index is None or revision != self._revision:
                self._index = SearchIndex(self.store.index_rows(), home_province=self.home_province)
                self._revision = revision
            return self._index

    def search(self, text: str, top: int = 5) -> list[SearchHit]:
        index = self.index
        for code in CODE_RE.findall(text or ""):
            if code in index.by_code:
                procedure = self.store.get(code)
                if procedure is not None:
                    return [SearchHit(code, procedure.name, 1.0, procedure, 1.0, "code")]
        ranked = index.rank(text or "", top=max(top, 5))
        hits = []
        for doc_id, score, matched in ranked:
            row = index.docs[doc_id].row
            procedure = self.store.get(row.code)
            if procedure is not None:
                hits.append(SearchHit(row.code, procedure.name, round(score, 4), procedure,
                                      matched=matched))
        if hits:
            names = [" ".join(index.docs[index.by_code[h.code]].tokens) for h in hits]
            hits[0].confidence = round(_confidence([h.score for h in hits], names), 4)
            for hit in hits[1:]:
                hit.confidence = round(min(hits[0].confidence, hit.score * 0.5), 4)
        return hits[:top]

    def best(self, text: str) -> SearchHit | None:
        """The one procedure meant, when the search is confident enough; else None."""
        hits = self.search(text, top=2)
        return hits[0] if hits and hits[0].confidence >= CONFIDENT else None


_SEARCHES: dict[int, ProcedureSearch] = {}


def search(store: ProcedureStore, text: str, top: int = 5) -> list[SearchHit]:
    """Module-level convenience: one cached :class:`ProcedureSearch` per store object."""
    engine = _SEARCHES.get(id(store))
    if engine is None or engine.store is not store:
        engine = _SEARCHES[id(store)] = ProcedureSearch(store)
    return engine.search(text, top=top)
