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
   entries slightly up;
5. optionally (:mod:`bot.knowledge.semantic`), the cosine of sentence embeddings between the
   query and each name/alias reorders the candidates and brings in the nearest names.

The index is built once per store revision (a counter the store bumps on every change), so the
action server sees admin edits without a restart.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.knowledge import semantic
from bot.knowledge.accents import AccentRestorer, words
from bot.knowledge.bm25 import BM25
from bot.knowledge.features import FEATURES, StaticFeatures, position, static_features
from bot.knowledge.features import INDEX as FEATURE_INDEX
from bot.knowledge.models import Procedure
from bot.knowledge.ranker import Ranker
from bot.knowledge.ranker import load as ranker_load
from bot.knowledge.ranker import model_path as ranker_path
from bot.knowledge.store import IndexRow, ProcedureStore
from bot.knowledge.synonyms import (
    ACTION_HINTS,
    DEATH_FOLLOWERS,
    DEATH_SUBJECTS,
    FOLLOW_UP_ACTIONS,
    KEPT_AFTER,
    PHRASES,
    STOPWORD_FORMS,
    STOPWORDS,
)
from bot.nlu.normalization import fold_diacritics, normalize, normalize_with_spans

logger = logging.getLogger(__name__)

CODE_RE = re.compile(r"(?<![\d.])(\d\.\d{6,})(?![\d])")
# A hit at or above this confidence can be answered directly; below it, offer choices.
CONFIDENT = 0.6
_CANDIDATES = 80
# The table is written by hand in folded form; queries and names also go through normalize()'s
# abbreviation expansion ("cá" of "cá thể" becomes "công an"), so the keys must too.
_PHRASES: dict[str, str] = {
    " ".join(normalize(k).split()): " ".join(normalize(v).split()) for k, v in PHRASES.items()
}
_PHRASE_MAX = max(len(k.split()) for k in _PHRASES)
_LEVEL_SUFFIX_RE = re.compile(r"(?:(?:thuc hien )?(?:tai|o) )?cap (xa|tinh|trung uong|huyen)$")
_LEVEL = r"cap (?:xa|tinh|trung uong|huyen)"
_LEVEL_TAIL_RE = re.compile(rf"\s*(?:(?:thuc hien )?(?:tai|o) )?{_LEVEL}(?: {_LEVEL})*$")
# "... thực hiện bằng dịch vụ công trực tuyến toàn trình": the channel, not the procedure.
_CHANNEL_RE = re.compile(r"\s*(?:thuc hien )?bang dich vu cong\b.*$|\btruc tuyen toan trinh\b")
# Citizens go to the commune or the province; the district level no longer exists (2025).
_LEVEL_PENALTY = {"xa": 0.0, "tinh": 0.02, "trung uong": 0.04, "huyen": 0.08}
# Age limits in names: "dưới 14 tuổi", "từ đủ 14 tuổi trở lên", "từ đủ 75 tuổi đến 80 tuổi".
_AGE_RANGE_RE = re.compile(r"\btu (?:du )?(\d{1,3}) tuoi den (duoi )?(\d{1,3}) tuoi\b")
_AGE_FROM_RE = re.compile(r"\b(tu du|tu|du|tren) (\d{1,3}) tuoi\b")
_AGE_UNDER_RE = re.compile(r"\bduoi (\d{1,3}) tuoi\b")
# An age in a query: "con 10 tuổi", "dưới 14 tuổi", "trên 80 tuổi".
_QUERY_AGE_RE = re.compile(r"\b(?:(duoi|tren|tu du|tu|du) )?(\d{1,3}) tuoi(?: tro len)?\b")
_AGE_BONUS = 0.08
_UNEXPLAINED_WEIGHT = 0.3
_FOLLOW_UP_PENALTY = 0.06
_FOLLOW_UP_BONUS = 0.08
_FOLLOW_UP_MAX = max(len(k.split()) for k in FOLLOW_UP_ACTIONS)
# "sử dụng", "xây dựng", "áp dụng": the syllable "dung" there is not "dừng" (stop).
_NOT_AN_ACTION_AFTER = {"dung": {"su", "xay", "ap", "tieu", "tuyen", "noi"}}
# ... nor before these: "xe dung ten chi" is "đứng tên" (in whose name), not "dừng"
_NOT_AN_ACTION_BEFORE = {"dung": {"ten"}}
# One-word actions as spelt with accents: typed otherwise ("đứng tên", "đối với", "lái xe") the
# folded word is no action. Words typed without accents stay ambiguous and count.
_ACTION_SPELLINGS = {"dung": ("dừng",), "doi": ("đổi",), "lai": ("lại",), "huy": ("hủy", "huỷ"),
                     "xoa": ("xóa", "xoá"), "khoa": ("khóa", "khoá"), "sua": ("sửa",)}
# Meaning signal (see bot.knowledge.semantic): score added per standard deviation of the query's
# cosines below its best one (e5 cosines of unrelated texts are still ~0.8, only the spread
# tells), and how many nearest names join the lexical candidates. Chosen on dev+test queries.
_SEMANTIC_WEIGHT = 0.075
_SEMANTIC_NEIGHBOURS = 10
# An alias that this many names contain word for word names an object, not a procedure.
GENERIC_ALIAS_NAMES = 10
# An alias said with a word or two inserted ("tặng cho mảnh đất") counts this much of an exact one.
_GAPPED_ALIAS = 0.9
_ALIAS_GAP = 2
# An alias whose procedure lacks the action the query names ("xóa", "cấp lại") counts this much.
_ACTION_UNSAID = 0.7
# "bị mất" tells why a re-issue is asked for; it is no part of what names the procedure.
_LOSS_WORDS = frozenset({"bi", "mat"})
# Small numbers as names write them in words ("ba" is left out: it is also a stop word).
_NUMBER_WORDS = {"1": "mot", "2": "hai", "4": "bon", "5": "nam", "6": "sau", "7": "bay",
                 "8": "tam", "9": "chin", "10": "muoi"}
# Share of a message's words that carry diacritics from which it counts as written with accents.
_ACCENTED_SHARE = 0.4


@dataclass
class SearchHit:
    code: str
    name: str
    score: float  # 0..1, comparable across queries
    procedure: Procedure
    # How sure the search is that this is THE procedure meant (0..1); see CONFIDENT.
    confidence: float = 0.0
    matched: str = "name"  # "code", "alias" or "name"


def _gapped(words: tuple[str, ...]) -> str:
    """A pattern for the words in order with up to _ALIAS_GAP other words between each two."""
    gap = rf"(?: \S+){{0,{_ALIAS_GAP}}} "
    return " " + gap.join(re.escape(w) for w in words) + " "


def _fronted(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """For an alias that starts with an action ("cấp lại thẻ bảo hiểm y tế"), a pattern for its
    object said first and the action after ("thẻ bhyt bị mất, xin cấp lại"), as Vietnamese
    often puts the topic first; None for other aliases."""
    for size in range(min(_FOLLOW_UP_MAX, len(words) - 1), 0, -1):
        if " ".join(words[:size]) in FOLLOW_UP_ACTIONS:
            return re.compile(_gapped((*words[size:], *words[:size])))
    return None


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
            if phrase in _PHRASES:
                out.extend(_PHRASES[phrase].split())
                i += size
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def core_name(tokens: list[str]) -> str:
    """A name without its channel and level suffixes: the key shared by near-duplicates.

    "Cấp lại chứng nhận đăng ký xe ... thực hiện bằng dịch vụ công trực tuyến toàn trình" and
    "... một phần hoặc trực tiếp thực hiện tại cấp trung ương, cấp tỉnh, cấp xã" are one
    procedure for the citizen, as are "Khóa căn cước điện tử (thực hiện tại cấp xã/tỉnh)".
    """
    name = _CHANNEL_RE.sub("", " ".join(tokens))
    return " ".join(_LEVEL_TAIL_RE.sub("", name).split()) or " ".join(tokens)


def name_head(name: str) -> str:
    """The core of the part of a name before its first bracket or semicolon (the first of the
    cases it lists), or "" when there is none."""
    before = re.split(r"[(;]", name, maxsplit=1)[0]
    if before == name:
        return ""
    tokens = " ".join(_tokens(before)).replace("thu tuc ", "").split()
    return core_name(tokens) if len(tokens) >= 2 else ""


def name_ages(name: str) -> tuple[int, int] | None:
    """The age range a (normalised) name is limited to, or None."""
    match = _AGE_RANGE_RE.search(name)
    if match:
        upper = int(match.group(3)) - (1 if match.group(2) else 0)
        return int(match.group(1)), upper
    match = _AGE_FROM_RE.search(name)
    if match:
        return int(match.group(2)) + (1 if match.group(1) == "tren" else 0), 200
    match = _AGE_UNDER_RE.search(name)
    if match:
        return 0, int(match.group(1)) - 1
    return None


def query_age(tokens: list[str]) -> tuple[int | None, list[str]]:
    """The age a query mentions ("con 10 tuổi" -> 10) and the tokens without it."""
    text = " ".join(tokens)
    match = _QUERY_AGE_RE.search(text)
    if not match:
        return None, tokens
    age = int(match.group(2)) + {"duoi": -1, "tren": 1}.get(match.group(1) or "", 0)
    return age, (text[: match.start()] + " " + text[match.end() :]).split()


def actions(tokens: list[str], *, leading: bool = False) -> set[str]:
    """Follow-up action groups named in tokens; with leading=True only the run at the start."""
    found: set[str] = set()
    i = 0
    while i < len(tokens):
        for size in range(min(_FOLLOW_UP_MAX, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i : i + size])
            previous = tokens[i - 1] if i else ""
            following = tokens[i + size] if i + size < len(tokens) else ""
            if phrase in FOLLOW_UP_ACTIONS and previous not in _NOT_AN_ACTION_AFTER.get(
                phrase, ()
            ) and following not in _NOT_AN_ACTION_BEFORE.get(phrase, ()) and (
                previous != "bi"  # "bị khóa", "bị thu hồi": what happened, not the ask
            ):
                found.add(FOLLOW_UP_ACTIONS[phrase])
                i += size
                break
        else:
            if leading:
                return found
            i += 1
    return found


def read_mat(tokens: list[str]) -> list[str]:
    """Decide what "mất" means: died ("bố tôi mất" -> "khai tử") or lost ("mất cccd" stays).

    A lost "mất" stays a content word (names say "do bị mất") and asks for a re-issue.
    """
    out: list[str] = []
    for i, token in enumerate(tokens):
        if token != "mat":
            out.append(token)
            continue
        # "ông", "bà" are also stopwords (forms of address), so people are kept explicitly
        before = [t for t in tokens[:i]
                  if t in DEATH_SUBJECTS or (t not in STOPWORDS and t != "da")]
        after = tokens[i + 1 : i + 3]
        names_thing = bool(after) and after[0] not in DEATH_FOLLOWERS or after == ["can", "cuoc"]
        if before and before[-1] in DEATH_SUBJECTS and not names_thing:
            if ("khai", "tu") not in set(zip(tokens, tokens[1:], strict=False)):
                out.extend(["khai", "tu"])
        else:
            out.append(token)
    return out


@dataclass
class _Doc:
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


@dataclass
class Candidates:
    """What :meth:`SearchIndex.candidates` found for one query."""

    ids: list[int]  # doc indexes
    matrix: np.ndarray  # one row of features (FEATURES) per candidate
    matched: list[str]  # "alias" or "name"
    evidence: list[float]  # how well the words match, priors included (hand-weighted)
    province: str  # the province the query names, folded, or ""


@dataclass
class _Query:
    content: list[str]
    province: str = ""
    age: int | None = None
    actions: frozenset[str] = frozenset()
    named_actions: frozenset[str] = frozenset()  # named in words ("cấp đổi"), not hinted ("mất")
    # accented words the citizen typed, with their folded form: matched with their accents
    accented: tuple[tuple[str, str], ...] = ()


def _other_spellings(text: str) -> set[str]:
    """Folded action words that the text only has with other accents ("đứng" for "dừng")."""
    typed = re.findall(r"\w+", unicodedata.normalize("NFC", text or "").lower())
    other = set()
    for folded, spellings in _ACTION_SPELLINGS.items():
        forms = {word for word in typed if fold_diacritics(word) == folded}
        if forms and not forms & {folded, *spellings}:
            other.add(folded)
    return other


def accented_words(text: str) -> tuple[tuple[str, str], ...]:
    """(word, folded) for each word of ``text`` that carries diacritics."""
    words = re.findall(r"\w+", unicodedata.normalize("NFC", text or "").lower())
    return tuple((w, fold_diacritics(w)) for w in dict.fromkeys(words) if fold_diacritics(w) != w)


def kept_stopwords(text: str) -> frozenset[str]:
    """Folded stop words that an accented message uses as other words ("dược", "hội", "chợ").

    Only a message written with its accents is read this way (most of its words carry marks,
    as fully accented Vietnamese does); a form the message also uses as the stop word keeps the
    stop word.
    """
    written = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text or "").lower())
    marked = sum(fold_diacritics(w) != w for w in written)
    if not written or marked < _ACCENTED_SHARE * len(written):
        return frozenset()
    # a word without marks ("nay" = now) may be a stop word typed plainly: only marked ones count
    others = {fold_diacritics(w) for w in written if w not in STOPWORD_FORMS
              and fold_diacritics(w) != w and fold_diacritics(w) in STOPWORDS}
    if "đ" in "".join(written):
        # who types "đ" does not write "đi" as "di": "di chúc", "di sản" are other words
        others |= {w for w in written if "d" in w and fold_diacritics(w) == w
                   and w not in STOPWORD_FORMS and w.replace("d", "đ") in STOPWORD_FORMS}
    return frozenset(others - {fold_diacritics(w) for w in written if w in STOPWORD_FORMS})


def _field_key(field: object) -> str:
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
        key = _field_key(field) if field else ""
        if key in self.fields:
            return self.bonus
        return -self.penalty if key in self.not_for_citizens else 0.0


class SearchIndex:
    """In-memory index over the names and aliases of every procedure in a store."""

    def __init__(self, rows: list[IndexRow], *, home_province: str = "",
                 fields: CitizenFields | None = None, ranker: Ranker | None = None) -> None:
        self.ranker = ranker  # the learned ranking; None orders by the hand-weighted sum
        self.home = " ".join(fold_diacritics(home_province or "").lower().split())
        self.fields = fields or CitizenFields()
        self.docs: list[_Doc] = []
        self.by_code: dict[str, int] = {}
        documents: list[list[str]] = []
        for row in rows:
            # "Thủ tục đăng ký khai sinh": the word "procedure" names no procedure
            tokens = " ".join(_tokens(row.name)).replace("thu tuc ", "").split()
            documents.append(tokens + _bigrams(tokens))
            core = core_name(tokens)
            self.docs.append(
                _Doc(row, tokens, frozenset(tokens), frozenset(_bigrams(tokens)),
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
            [t for t in _tokens(row.details) if t not in STOPWORDS] for row in rows])
        # the unit of information(): measured once here, not on every clause of every message
        self._rarest = max(self.idf.values(), default=0.0) or 1.0
        self.provinces = {d.province for d in self.docs if d.province}
        self._known = {t for t in self.idf if "_" not in t} | set(STOPWORDS) | DEATH_SUBJECTS
        extra = list(_PHRASES) + [a for row in rows for a in row.aliases] + list(self.provinces)
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
        self.generic_aliases = self._generic(a for a, _ in self.aliases)
        # split once here, not for every query (the alias pass runs on each search)
        self.alias_names = [a for a, _ in self.aliases]
        self.alias_words = [tuple(a.split()) for a in self.alias_names]
        self.alias_actions = [frozenset(actions(list(words))) for words in self.alias_words]
        self.alias_fronted = [_fronted(words) if len(words) > 2 else None
                              for words in self.alias_words]
        for doc in self.docs:
            doc.prior = self._prior(doc)
        self.core_names = list(dict.fromkeys(d.core for d in self.docs))
        ids = {core: i for i, core in enumerate(self.core_names)}
        self.core_ids = np.array([ids[d.core] for d in self.docs], dtype=np.int32)
        self.restorer = AccentRestorer([t for row in rows for t in (row.name, *row.aliases)])
        # set by ProcedureSearch once the names are embedded; None means lexical only
        self.semantic: semantic.SemanticIndex | None = None

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

    def read(self, text: str) -> _Query:
        """Content tokens of a query, the province and age it names, the actions it asks for."""
        raw = _tokens(text)
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
        misspelt = _other_spellings(text)
        named = actions([t if (t not in guessed or t in raw) and t not in misspelt else ""
                         for t in content])
        wanted = set(named)
        padded = f" {' '.join(content)} "
        for hint, groups in ACTION_HINTS.items():
            if f" {hint} " in padded and hint not in misspelt:
                wanted.update(groups)
        return _Query(content, province, age, frozenset(wanted), frozenset(named),
                      accented_words(text))

    # -- scoring ----------------------------------------------------------------------------

    def _bm25(self, terms: list[str]) -> np.ndarray:
        return self.names_bm25.scores(terms)

    def _coverage(self, wanted: list[str], present: frozenset[str]) -> float:
        weights = [self.idf.get(t, 0.0) for t in wanted]
        total = sum(weights)
        if not total:
            return 0.0
        return sum(w for t, w in zip(wanted, weights, strict=True) if t in present) / total

    def _alias_scores(self, content: list[str], reading: _Query) -> dict[int, float]:
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
    def _accent_conflicts(doc: _Doc, query: _Query) -> frozenset[str]:
        """Folded query words that the name has only with other accents."""
        if not query.accented or not doc.accented:
            return frozenset()
        return frozenset(
            folded for word, folded in query.accented
            if folded in doc.token_set and word not in doc.accented
        )

    @staticmethod
    def _age_fit(doc: _Doc, query: _Query) -> float:
        """+ when the age the query names is in the name's age range, - when it is outside."""
        if query.age is None or doc.ages is None:
            return 0.0
        low, high = doc.ages
        return _AGE_BONUS if low <= query.age <= high else -_AGE_BONUS

    @staticmethod
    def _follow_up(doc: _Doc, query: _Query) -> float:
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
        bigrams = _bigrams(content)
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


def _confidence(scores: list[float], names: list[str]) -> float:
    """High when the best score is high AND clearly ahead of the best differently named hit."""
    if not scores:
        return 0.0
    rival = next((s for s, n in zip(scores[1:], names[1:], strict=True) if n != names[0]), 0.0)
    return max(0.0, min(1.0, 0.7 * scores[0] + 2.0 * (scores[0] - rival)))


ALIASES_FILE = Path(__file__).resolve().parents[2] / "data" / "vocabulary" / "aliases.yml"
FIELDS_FILE = ALIASES_FILE.with_name("citizen_fields.yml")


def extra_aliases(path: Path | None = None) -> dict[str, list[str]]:
    """The admin-kept alias table (code -> names people use); {} when absent or broken."""
    path = path or ALIASES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return {str(code): [str(a) for a in names or []]
                for code, names in (data.get("aliases") or {}).items()}
    except (OSError, yaml.YAMLError, AttributeError) as exc:
        logger.error("Alias table %s unusable: %s", path, exc)
        return {}


def citizen_fields(path: Path | None = None) -> CitizenFields:
    """The admin-kept table of fields citizens mostly ask about; none when absent or broken."""
    path = path or FIELDS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return CitizenFields(
            float(data.get("bonus") or 0.0),
            frozenset(_field_key(f) for f in data.get("fields") or []),
            float(data.get("penalty") or 0.0),
            frozenset(_field_key(f) for f in data.get("not_for_citizens") or []))
    except (OSError, yaml.YAMLError, AttributeError, TypeError, ValueError) as exc:
        logger.error("Field table %s unusable: %s", path, exc)
        return CitizenFields()


def _with_aliases(rows: list[IndexRow], table: dict[str, list[str]]) -> list[IndexRow]:
    return [replace(row, aliases=(*row.aliases, *table[row.code])) if row.code in table else row
            for row in rows]


class ProcedureSearch:
    """Search over a store; rebuilds its index when the store or the alias table changes."""

    def __init__(self, store: ProcedureStore, *, home_province: str | None = None,
                 semantic_signal: bool | None = None, embeddings: Path | None = None,
                 learned: bool = True) -> None:
        self.store = store
        self.learned = learned  # False: the hand-weighted order even when a model exists
        # None: on unless SEMANTIC_SEARCH=0; False: lexical only, whatever is installed
        self.semantic_signal = semantic.enabled() if semantic_signal is None else semantic_signal
        self.embeddings = embeddings  # the embedding cache file; default: beside the database
        self.home_province = (
            home_province if home_province is not None else os.environ.get("HOME_PROVINCE", "")
        )
        self._index: SearchIndex | None = None
        self._revision: tuple[int, ...] = (-1,)
        self._lock = threading.Lock()
        self._embedding: threading.Thread | None = None

    def _ranker(self) -> Ranker | None:
        return ranker_load() if self.learned else None

    def _cache_path(self) -> Path | None:
        if self.embeddings is not None:
            return self.embeddings
        path = getattr(self.store, "path", None)  # SQLite: next to the database file
        return Path(f"{path}.emb.npz") if path else None

    def _start_semantic(self, index: SearchIndex) -> None:
        """Attach the semantic part: now when (nearly) everything is cached, else from a
        background thread, the search staying lexical until it is done."""
        self._embedding = None
        embed = semantic.embedder() if self.semantic_signal else None
        if embed is None:
            return
        cache = semantic.VectorCache(self._cache_path())
        texts = [semantic.prepare(t) for _, t in index.semantic_texts()]
        missing = cache.missing(texts)
        if missing <= semantic.SYNC_LIMIT:
            self._attach_semantic(index, cache, embed)
            return
        logger.info("Embedding %d procedure names in the background", missing)
        self._embedding = threading.Thread(target=self._attach_semantic,
                                           args=(index, cache, embed), daemon=True,
                                           name="semantic-index")
        self._embedding.start()

    def _attach_semantic(self, index: SearchIndex, cache: semantic.VectorCache,
                         embed: semantic.Embed) -> None:
        try:
            index.semantic = semantic.SemanticIndex.build(
                index.semantic_texts(), len(index.docs), cache, embed)
        except Exception:  # a failed build must not take the lexical search down with it
            logger.exception("Semantic index not built; lexical search only")

    def wait_semantic(self, timeout: float | None = None) -> bool:
        """Block until the current index's semantic part is built (benchmarks, tests)."""
        index = self.index
        thread = self._embedding
        if thread is not None:
            thread.join(timeout)
        return index.semantic is not None

    @property
    def index(self) -> SearchIndex:
        stamps = tuple(p.stat().st_mtime_ns if p.exists() else 0
                       for p in (ALIASES_FILE, FIELDS_FILE, ranker_path()))
        revision = (self.store.revision(), *stamps)
        with self._lock:
            if self._index is None or revision != self._revision:
                rows = _with_aliases(self.store.index_rows(), extra_aliases())
                self._index = SearchIndex(rows, home_province=self.home_province,
                                          fields=citizen_fields(), ranker=self._ranker())
                self._revision = revision
                self._start_semantic(self._index)
            return self._index

    def search(self, text: str, top: int = 5) -> list[SearchHit]:
        index = self.index
        for code in CODE_RE.findall(text or ""):
            if code in index.by_code:
                procedure = self.store.get(code)
                if procedure is not None:
                    return [SearchHit(code, procedure.name, 1.0, procedure, 1.0, "code")]
        ranked = index.rank(text or "", top=max(top, 5))
        hits, evidence, order = [], [], []
        for doc_id, score, matched, support, key in ranked:
            row = index.docs[doc_id].row
            procedure = self.store.get(row.code)
            if procedure is not None:
                hits.append(SearchHit(row.code, procedure.name, round(score, 4), procedure,
                                      matched=matched))
                evidence.append(support)
                order.append(key)
        if hits:
            names = [index.docs[index.by_code[h.code]].core for h in hits]
            if index.ranker is not None:
                rival = next((o for o, n in zip(order[1:], names[1:], strict=True)
                              if n != names[0]), order[0] - 10.0)
                confidence = index.ranker.confidence(order[0], order[0] - rival, evidence[0],
                                                     index.information(index.read(text).content))
            else:
                # rivals count with their evidence: a default preference is no reason to be sure
                confidence = _confidence([hits[0].score] + evidence[1:], names)
            hits[0].confidence = round(confidence, 4)
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
