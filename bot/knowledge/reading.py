"""Reading a query, and a procedure's name, the way the search compares them.

Everything here works on the text alone (the normalised, diacritic-free form of
:func:`bot.nlu.normalization.normalize` unless said otherwise): the everyday-phrase rewriting,
what "mất" means, the age and the follow-up actions a text names, the core of a name shared by
its level and channel variants, which words were typed with their accents. What needs the
catalog (correcting unknown words, the provinces, the stop words a name pairs) is in
:meth:`bot.knowledge.index.SearchIndex.read`, which puts the pieces together into a
:class:`Query`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.knowledge.synonyms import (
    DEATH_FOLLOWERS,
    DEATH_SUBJECTS,
    FOLLOW_UP_ACTIONS,
    PHRASES,
    STOPWORD_FORMS,
    STOPWORDS,
)
from bot.nlu.normalization import fold_diacritics, normalize

# The table is written by hand in folded form; queries and names also go through normalize()'s
# abbreviation expansion ("cá" of "cá thể" becomes "công an"), so the keys must too.
FOLDED_PHRASES: dict[str, str] = {
    " ".join(normalize(k).split()): " ".join(normalize(v).split()) for k, v in PHRASES.items()
}
_PHRASE_MAX = max((len(k.split()) for k in FOLDED_PHRASES), default=1)
_LEVEL = r"cap (?:xa|tinh|trung uong|huyen)"
_LEVEL_TAIL_RE = re.compile(rf"\s*(?:(?:thuc hien )?(?:tai|o) )?{_LEVEL}(?: {_LEVEL})*$")
# "... thực hiện bằng dịch vụ công trực tuyến toàn trình": the channel, not the procedure.
_CHANNEL_RE = re.compile(r"\s*(?:thuc hien )?bang dich vu cong\b.*$|\btruc tuyen toan trinh\b")
# Age limits in names: "dưới 14 tuổi", "từ đủ 14 tuổi trở lên", "từ đủ 75 tuổi đến 80 tuổi".
_AGE_RANGE_RE = re.compile(r"\btu (?:du )?(\d{1,3}) tuoi den (duoi )?(\d{1,3}) tuoi\b")
_AGE_FROM_RE = re.compile(r"\b(tu du|tu|du|tren) (\d{1,3}) tuoi\b")
_AGE_UNDER_RE = re.compile(r"\bduoi (\d{1,3}) tuoi\b")
# An age in a query: "con 10 tuổi", "dưới 14 tuổi", "trên 80 tuổi".
_QUERY_AGE_RE = re.compile(r"\b(?:(duoi|tren|tu du|tu|du) )?(\d{1,3}) tuoi(?: tro len)?\b")
FOLLOW_UP_MAX = max((len(k.split()) for k in FOLLOW_UP_ACTIONS), default=1)
# "sử dụng", "xây dựng", "áp dụng": the syllable "dung" there is not "dừng" (stop).
_NOT_AN_ACTION_AFTER = {"dung": {"su", "xay", "ap", "tieu", "tuyen", "noi"}}
# ... nor before these: "xe dung ten chi" is "đứng tên" (in whose name), not "dừng"
_NOT_AN_ACTION_BEFORE = {"dung": {"ten"}}
# One-word actions as spelt with accents: typed otherwise ("đứng tên", "đối với", "lái xe") the
# folded word is no action. Words typed without accents stay ambiguous and count.
_ACTION_SPELLINGS = {"dung": ("dừng",), "doi": ("đổi",), "lai": ("lại",), "huy": ("hủy", "huỷ"),
                     "xoa": ("xóa", "xoá"), "khoa": ("khóa", "khoá"), "sua": ("sửa",)}
# Share of a message's words that carry diacritics from which it counts as written with accents.
_ACCENTED_SHARE = 0.4


def tokenize(text: str) -> list[str]:
    """The normalised words of a text (folded, lower-case, abbreviations spelt out)."""
    return normalize(text).split()


def bigram_terms(tokens: list[str]) -> list[str]:
    """The pairs of neighbouring words, as the BM25 index stores them ("khai_sinh")."""
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def rewrite_query(tokens: list[str]) -> list[str]:
    """Apply the everyday-phrase table, longest phrase first, one pass, left to right."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(_PHRASE_MAX, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i : i + size])
            if phrase in FOLDED_PHRASES:
                out.extend(FOLDED_PHRASES[phrase].split())
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
    tokens = " ".join(tokenize(before)).replace("thu tuc ", "").split()
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
        for size in range(min(FOLLOW_UP_MAX, len(tokens) - i), 0, -1):
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
class Query:
    """What a query says, as :meth:`SearchIndex.read` reads it."""

    content: list[str]
    province: str = ""
    age: int | None = None
    actions: frozenset[str] = frozenset()
    named_actions: frozenset[str] = frozenset()  # named in words ("cấp đổi"), not hinted ("mất")
    # accented words the citizen typed, with their folded form: matched with their accents
    accented: tuple[tuple[str, str], ...] = ()


def other_spellings(text: str) -> set[str]:
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
