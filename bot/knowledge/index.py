"""The in-memory index the procedure search runs on, built once per store revision.

One :class:`Doc` per procedure (its name read as a query is, see :mod:`bot.knowledge.reading`),
BM25 postings over the names' syllables and syllable pairs and over the national details, the
aliases read like queries, the priors (home province, level, field, who the procedure is for),
the words the catalog knows (to correct a query's unknown words against) and the accent
restorer for the embedding model. :meth:`SearchIndex.read` reads a query against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.knowledge import semantic
from bot.knowledge.accents import AccentRestorer, words
from bot.knowledge.aliases import fronted
from bot.knowledge.bm25 import BM25
from bot.knowledge.candidates import CandidateRanking
from bot.knowledge.features import StaticFeatures, static_features
from bot.knowledge.models import Procedure
from bot.knowledge.ranker import Ranker
from bot.knowledge.reading import (
    FOLDED_PHRASES,
    Query,
    accented_words,
    actions,
    bigram_terms,
    core_name,
    kept_stopwords,
    name_ages,
    name_head,
    other_spellings,
    query_age,
    read_mat,
    rewrite_query,
    tokenize,
)
from bot.knowledge.store import IndexRow
from bot.knowledge.synonyms import ACTION_HINTS, DEATH_SUBJECTS, KEPT_AFTER, STOPWORDS
from bot.nlu.normalization import fold_diacritics, normalize, normalize_with_spans

_LEVEL_SUFFIX_RE = re.compile(r"(?:(?:thuc hien )?(?:tai|o) )?cap (xa|tinh|trung uong|huyen)$")
# Citizens go to the commune or the province; the district level no longer exists (2025).
_LEVEL_PENALTY = {"xa": 0.0, "tinh": 0.02, "trung uong": 0.04, "huyen": 0.08}
# Small numbers as names write them in words ("ba" is left out: it is also a stop word).
_NUMBER_WORDS = {"1": "mot", "2": "hai", "4": "bon", "5": "nam", "6": "sau", "7": "bay",
                 "8": "tam", "9": "chin", "10": "muoi"}


def _province_key(agency: str) -> str:
    """"UBND tỉnh Lạng Sơn" -> "lang son"; "" for ministries and national bodies."""
    province = Procedure(code="", name="", issuing_agency=agency).province
    if province is None:
        match = re.search(r"(?:tỉnh|Thành phố|thành phố)\s+(.+)$", agency)
        if not match or agency.startswith("Bộ"):
            return ""
        province = match.group(1)
    return " ".join(fold_diacritics(province).lower().split())


@dataclass
class Doc:
    """One procedure as the index holds it: its name read the way queries are."""

    row: IndexRow
    tokens: list[str]
    token_set: frozenset[str]
    bigram_set: frozenset[str]
    province: str
    prior: float
    core: str  # name without channel / level suffix: near-duplicates share it
    core_set: frozenset[str]
    # the name before a bracketed remark or a list of cases ("Cấp chứng chỉ hành nghề dược
    # (bao gồm cả trường hợp ...)"): citizens name the head; "" when the name has neither
    head: str
    ages: tuple[int, int] | None  # the age range the name is limited to
    follow_up: frozenset[str]  # action groups the name starts with ("cấp lại" -> "lai")
    accented: frozenset[str]  # the name's words as written ("đổi" and "đối" stay apart)
    static: StaticFeatures  # what the ranker knows of the procedure before any query


def field_key(field: object) -> str:
    return " ".join(fold_diacritics(str(field)).lower().split())


@dataclass(frozen=True)
class CitizenFields:
    """Fields (lĩnh vực) whose procedures citizens mostly do: a small preference for them; and
    fields of procedures for the forces or officials only, named like citizens' ones: a
    penalty."""

    bonus: float = 0.0
    fields: frozenset[str] = frozenset()
    penalty: float = 0.0
    not_for_citizens: frozenset[str] = frozenset()

    def bonus_for(self, field: str) -> float:
        key = field_key(field) if field else ""
        if key in self.fields:
            return self.bonus
        return -self.penalty if key in self.not_for_citizens else 0.0


class SearchIndex(CandidateRanking):
    """In-memory index over the names and aliases of every procedure in a store.

    Built here: the documents, the BM25 postings, the aliases, the priors, the known words and
    the reading of a query against them; the alias matching is in
    :class:`bot.knowledge.aliases.AliasMatching`, the candidates and their order in
    :class:`bot.knowledge.candidates.CandidateRanking`.
    """

    def __init__(self, rows: list[IndexRow], *, home_province: str = "",
                 fields: CitizenFields | None = None, ranker: Ranker | None = None) -> None:
        self.ranker = ranker  # the learned ranking; None orders by the hand-weighted sum
        self.home = " ".join(fold_diacritics(home_province or "").lower().split())
        self.fields = fields or CitizenFields()
        self.docs: list[Doc] = []
        self.by_code: dict[str, int] = {}
        documents: list[list[str]] = []
        for row in rows:
            # "Thủ tục đăng ký khai sinh": the word "procedure" names no procedure
            tokens = " ".join(tokenize(row.name)).replace("thu tuc ", "").split()
            documents.append(tokens + bigram_terms(tokens))
            core = core_name(tokens)
            self.docs.append(
                Doc(row, tokens, frozenset(tokens), frozenset(bigram_terms(tokens)),
                    _province_key(row.issuing_agency), 0.0, core, frozenset(core.split()),
                    name_head(row.name),
                    name_ages(" ".join(tokens)), frozenset(actions(tokens, leading=True)),
                    frozenset(w for w, _ in accented_words(row.name)),
                    static_features(" ".join(tokens), row.levels, row.executing_agency,
                                    row.source, row.target_users))
            )
            self.by_code[row.code] = len(self.docs) - 1
        names = BM25(documents, lengths=[len(d.tokens) * 2 for d in self.docs])
        self.idf, self.postings = names.idf, names.postings
        self.names_bm25 = names
        # what the national details say the procedure is for: its result, conditions and users
        self.details_bm25 = BM25([
            [t for t in tokenize(row.details) if t not in STOPWORDS] for row in rows])
        # the unit of information(): measured once here, not on every clause of every message
        self._rarest = max(self.idf.values(), default=0.0) or 1.0
        self.provinces = {d.province for d in self.docs if d.province}
        self._known = {t for t in self.idf if "_" not in t} | set(STOPWORDS) | DEATH_SUBJECTS
        extra = (list(FOLDED_PHRASES) + [a for row in rows for a in row.aliases]
                 + list(self.provinces))
        for phrase in extra:
            self._known.update(normalize(phrase).split())
        self._known_list = sorted(self._known)
        # aliases go through the same rewriting as queries, so "sổ hồng" meets "sổ hồng"
        self.aliases: list[tuple[str, int]] = [
            (" ".join(t for t in rewrite_query(tokenize(alias)) if t not in STOPWORDS),
             self.by_code[row.code])
            for row in rows
            for alias in row.aliases
            if alias.strip()
        ]
        self.generic_aliases = self._generic(a for a, _ in self.aliases)
        # split once here, not for every query (the alias pass runs on each search)
        self.alias_names = [a for a, _ in self.aliases]
        self.alias_words = [tuple(a.split()) for a in self.alias_names]
        self.alias_actions = [frozenset(actions(list(words))) for words in self.alias_words]
        self.alias_fronted = [fronted(words) if len(words) > 2 else None
                              for words in self.alias_words]
        for doc in self.docs:
            doc.prior = self._prior(doc)
        self.core_names = list(dict.fromkeys(d.core for d in self.docs))
        ids = {core: i for i, core in enumerate(self.core_names)}
        self.core_ids = np.array([ids[d.core] for d in self.docs], dtype=np.int32)
        self.restorer = AccentRestorer([t for row in rows for t in (row.name, *row.aliases)])
        # set by ProcedureSearch once the names are embedded; None means lexical only
        self.semantic: semantic.SemanticIndex | None = None

    def semantic_texts(self) -> list[tuple[int, str]]:
        """(doc index, text) for each name and alias, as the embedding index wants them."""
        return [(i, t) for i, doc in enumerate(self.docs)
                for t in (doc.row.name, *doc.row.aliases) if t.strip()]

    def embedding_text(self, text: str) -> str:
        """The query as the embedding model reads it best: abbreviations spelt out, question
        words dropped, diacritics restored from the catalog where the citizen left them out."""
        norm = normalize_with_spans(text)
        folded = norm.text.split()
        tokens: list[str] = []
        i = 0  # position in ``folded``
        for start, end, n_start, n_end in norm.spans:
            written = words(text[start:end])
            expansion = norm.text[n_start:n_end].split()
            if [fold_diacritics(w) for w in written] != expansion:
                written = expansion  # "cccd" -> "can cuoc cong dan"
            for word, token in zip(written, expansion, strict=True):
                corrected = self._correct(token, folded[i - 1] if i else "",
                                          folded[i + 1] if i + 1 < len(folded) else "")
                # a typo ("khai sin") or glued words ("hokhau") take the catalog's syllables
                tokens.extend([word] if corrected == [token] else corrected)
                i += 1
        restored = self.restorer.restore(tokens)
        kept = kept_stopwords(text)
        return " ".join(t for t in restored
                        if fold_diacritics(t) not in STOPWORDS or fold_diacritics(t) in kept)

    # -- priors -----------------------------------------------------------------------------

    def _prior(self, doc: Doc) -> float:
        prior = 0.0
        if doc.province:
            prior += 0.06 if self.home and doc.province == self.home else -0.15
        name = " ".join(doc.tokens)
        levels = " ".join(fold_diacritics(lvl).lower() for lvl in doc.row.levels)
        agency = fold_diacritics(doc.row.executing_agency).lower()
        if "cap xa" in levels or "cap xa" in agency or "xa" in name.split()[-2:]:
            prior += 0.02
        if "o nuoc ngoai" in agency and not re.search(r"\bxa\b|uy ban|tinh", agency):
            prior -= 0.1  # served only by embassies abroad, not where citizens live
        suffix = _LEVEL_SUFFIX_RE.search(name)
        if suffix:  # "(thực hiện tại cấp tỉnh)": a level variant of a base entry
            prior -= _LEVEL_PENALTY.get(suffix.group(1), 0.0)
        if "toan trinh" in name:  # online-only channel; the other variant also serves in person
            prior -= 0.02
        if doc.row.source in ("curated", "admin"):
            prior += 0.02
        prior += self.fields.bonus_for(doc.row.field)
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

        def preference(item: tuple[str, float, int]) -> tuple[int, float, float, float]:
            word, distance, _ = item
            # the pair the names say most often wins: "khai sin" is "khai sinh", not "khai sản"
            pair = min(self.idf.get(f"{previous}_{word}", 99.0),
                       self.idf.get(f"{word}_{following}", 99.0))
            return (0 if pair < 99.0 else 1, distance, pair, self.idf.get(word, 99.0))

        word, distance, _ = min(found, key=preference)
        paired = f"{previous}_{word}" in self.idf or f"{word}_{following}" in self.idf
        return [word] if paired or distance <= 1 else []

    def _content(self, tokens: list[str], kept: frozenset[str]) -> list[str]:
        """The tokens without stop words, but for a kept one ("dược") that the catalog's names
        pair with a neighbour ("hành nghề dược"): "tiện" of "tiện hỏi" names nothing."""
        def paired(i: int) -> bool:
            return (i > 0 and f"{tokens[i - 1]}_{tokens[i]}" in self.idf) or (
                i + 1 < len(tokens) and f"{tokens[i]}_{tokens[i + 1]}" in self.idf)

        return [t for i, t in enumerate(tokens)
                if t not in STOPWORDS or (t in kept and paired(i))
                or (i > 0 and tokens[i - 1] in KEPT_AFTER.get(t, ()))]

    def _numbers_as_words(self, tokens: list[str]) -> list[str]:
        """"1 thành viên" -> "một thành viên", "1 lần" -> "một lần" where the names say the
        number in words with the next word and never in digits."""
        out = list(tokens)
        for i, token in enumerate(tokens[:-1]):
            word, following = _NUMBER_WORDS.get(token), tokens[i + 1]
            said = word is not None and f"{word}_{following}" in self.idf
            if said and f"{token}_{following}" not in self.idf:
                out[i] = word
        return out

    def analyse(self, text: str) -> tuple[list[str], str]:
        """Content tokens of a query, and the province it names (or "")."""
        query = self.read(text)
        return query.content, query.province

    def information(self, content: list[str]) -> float:
        """How much the words say about which procedure is meant: the sum of their rarity in
        the catalog's names ("cấp phép" says little, "hộ chiếu" a lot), in units of the rarest
        word's, so that a small catalog (the curated one alone) is read like the full one;
        unknown words say nothing."""
        return sum(self.idf.get(word, 0.0) for word in set(content)) / self._rarest

    def read(self, text: str) -> Query:
        """Content tokens of a query, the province and age it names, the actions it asks for."""
        raw = tokenize(text)
        corrected: list[str] = []
        guessed: set[str] = set()  # words put in for unknown ones ("xóm" -> "xoa")
        for i, token in enumerate(raw):
            following = raw[i + 1] if i + 1 < len(raw) else ""
            fixed = self._correct(token, corrected[-1] if corrected else "", following)
            guessed.update(w for w in fixed if w != token)
            corrected.extend(fixed)
        rewritten = read_mat(rewrite_query(corrected))
        age, rewritten = query_age(rewritten)
        rewritten = self._numbers_as_words(rewritten)
        joined = " ".join(rewritten)
        province = ""
        for candidate in self.provinces:
            if re.search(rf"\b{re.escape(candidate)}\b", joined):
                province = candidate
                joined = re.sub(rf"\b{re.escape(candidate)}\b", " ", joined)
        content = self._content(joined.split(), kept_stopwords(text))
        # a guessed word is no evidence of an action: "hàng xóm" read as "xóa" deletes nothing
        misspelt = other_spellings(text)
        named = actions([t if (t not in guessed or t in raw) and t not in misspelt else ""
                         for t in content])
        wanted = set(named)
        padded = f" {' '.join(content)} "
        for hint, groups in ACTION_HINTS.items():
            if f" {hint} " in padded and hint not in misspelt:
                wanted.update(groups)
        return Query(content, province, age, frozenset(wanted), frozenset(named),
                     accented_words(text))
