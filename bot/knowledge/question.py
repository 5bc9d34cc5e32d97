"""Read a citizen's question: which facets it asks for, and the words that name the procedure.

Citizens ask several things at once ("thủ tục thế nào, phí bao nhiêu, bao lâu") and wrap the
question in their story ("em quê Nghệ An vào Bình Dương làm công nhân 2 năm, giờ muốn nhập hộ
khẩu cho 2 đứa con..."). The facets come from the words (data/vocabulary/facets.yml), not only
from the classifier's intent, and the procedure is looked for clause by clause so that the story's
words do not steer the search.

Accents carry meaning: an accented message is matched with its accents ("cần" is not "căn",
"phí" is not "phi"); a message typed without diacritics is matched folded, where the table says
the folded form is safe.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.nlu.normalization import expand_abbreviations, fold_diacritics
from bot.vocabulary import built

VOCABULARY = Path(__file__).resolve().parents[2] / "data" / "vocabulary" / "facets.yml"
FACETS = ("documents", "fee", "time", "where", "online", "steps", "conditions", "forms", "legal",
          "result")
_HOWTO = ("steps", "documents")
# a full stop ends a sentence when a space follows: "TP.HCM" and "000.00.31.H12" stay whole
_CLAUSE_RE = re.compile(
    r"(?:[?!;:\n]|\.(?=\s|$))+|,\s+(?=(?:còn|con|và|va|nếu|neu|thì|thi|mà|ma|giờ|gio|nhưng|nhung)\b)")
_WORD_RE = re.compile(r"\w+", re.UNICODE)
# "ngoài X (ra) thì / tôi / có ...": besides X; not "ngoài 60 tuổi", "ngoài giờ hành chính"
_BESIDES_RE = re.compile(
    r"^(?:ngoài|ngoai) (?!\d|giờ|gio )(?:\w+ ){1,6}?"
    r"(?=(?:ra|thì|thi|tôi|toi|em|mình|minh|còn|con|có|co)\b)")
_BETWEEN_RE = re.compile(r"\b(?:giữa|giua) (?:\w+ ){1,4}?(?:và|va|với|voi) \w+")
_WHEN_RE = re.compile(
    r"\b(?:trước|truoc|sau) khi(?: \w+){1,6}?"
    r"(?=\s+(?:thì|thi|có|co|phải|phai|mà|ma|nên|nen|tôi|toi|em|mình|minh)\b|\s*$)")
# In a table phrase, "..." stands for one to _GAP_WORDS words: "có được ... không".
GAP = "..."
_GAP_WORDS = 3


def is_accented(text: str) -> bool:
    """True when the text carries Vietnamese diacritics (then they are trusted)."""
    return fold_diacritics(text) != text


def _canonical(text: str) -> str:
    return " ".join(_WORD_RE.findall(unicodedata.normalize("NFC", text).lower()))


def _as_meant(text: str) -> str:
    """Canonical text with teencode spelt out ("phí bn" -> "phí bao nhieu"): the folded pass
    then reads it like any question."""
    return _canonical(expand_abbreviations(_canonical(text)))


@dataclass
class _Table:
    accented: list[tuple[str, str]]  # (phrase, facet), longest first
    folded: list[tuple[str, str]]
    as_written: dict[str, str]  # folded phrase -> the phrase with its accents
    fillers_accented: list[str]
    fillers_folded: list[str]
    # last word of a phrase -> words after which it is part of a name ("giấy" + "phép")
    not_before: dict[str, tuple[str, ...]]


def _table(path: Path = VOCABULARY) -> _Table:
    """The phrase table, built again when an admin edits the file (empty, with an error in the
    log, when the file is missing or broken)."""
    return built(path, "facets", _build_table)


def _build_table(data: dict[str, Any]) -> _Table:
    accented, folded, as_written = [], [], {}
    for facet, phrases in (data.get("phrases") or {}).items():
        for phrase in phrases:
            accented.append((_phrase(phrase), facet))
            folded.append((fold_diacritics(_phrase(phrase)), facet))
            as_written[fold_diacritics(_phrase(phrase))] = _phrase(phrase)
    for facet, phrases in (data.get("accented_only") or {}).items():
        accented.extend((_phrase(p), facet) for p in phrases)
    fillers = [_canonical(f) for f in data.get("fillers") or []]
    by_length = lambda item: -len(item[0].split())  # noqa: E731
    not_before: dict[str, tuple[str, ...]] = {}
    for word, followers in (data.get("not_before") or {}).items():
        forms = tuple(dict.fromkeys(
            f for w in followers for f in (_canonical(w), fold_diacritics(_canonical(w)))))
        for key in (_canonical(word), fold_diacritics(_canonical(word))):
            not_before[key] = forms
    return _Table(
        sorted(accented, key=by_length), sorted(folded, key=by_length), as_written,
        sorted(fillers, key=lambda f: -len(f.split())),
        sorted({fold_diacritics(f) for f in fillers if fold_diacritics(f) not in
                ("can", "the nao")}, key=lambda f: -len(f.split())),
        not_before,
    )


def _phrase(text: str) -> str:
    """A table phrase in canonical form; "..." (a gap of a few words) is kept."""
    return f" {GAP} ".join(_canonical(part) for part in text.split(GAP))


def _find(phrase: str, text: str, not_before: dict[str, tuple[str, ...]] | None = None,
          ) -> list[tuple[int, int]]:
    """Where the phrase's words are in the text (one span per part around a gap), or [].

    A phrase whose last word starts a name with the next one ("cần xin giấy" + "phép") is not
    matched there: the words name what is asked about.
    """
    parts = phrase.split(f" {GAP} ")
    gap = rf"(?:\s+\w+){{1,{_GAP_WORDS}}}?\s+"
    pattern = gap.join(rf"({re.escape(part)})" for part in parts)
    followers = (not_before or {}).get(phrase.rsplit(" ", 1)[-1], ())
    if followers:
        pattern += rf"(?!\s+(?:{'|'.join(re.escape(f) for f in followers)})(?!\w))"
    match = re.search(rf"(?<!\w){pattern}(?!\w)", text)
    return [match.span(i + 1) for i in range(len(parts))] if match else []


def _nearly_as_written(typed_parts: list[str], phrase: str) -> bool:
    """Whether words found folded are the phrase with at most one word's accents mistyped: "cần
    nhửng gì" is "cần những gì", but "tôi đã" is not "tối đa". A word typed without accents
    is no mistake (it is typed unaccented)."""
    typed = " ".join(typed_parts).split()
    meant = phrase.replace(f" {GAP} ", " ").split()
    wrong = sum(1 for word, right in zip(typed, meant, strict=False)
                if word != right and fold_diacritics(word) != word)
    return wrong <= 1 and wrong < len(meant)


def _remove(text: str, phrase: str) -> tuple[str, bool]:
    pattern = rf"(?<!\w){re.escape(phrase)}(?!\w)"
    new = re.sub(pattern, " ", text)
    return new, new != text


@dataclass
class Question:
    facets: list[str] = field(default_factory=list)  # in the order asked, "howto" expanded
    topic: str = ""  # the words left to name the procedure (lower-case, accents as typed)
    accented: bool = False


def read_question(text: str) -> Question:
    """Facets asked for and the remaining words of one piece of text."""
    table = _table()
    accented = is_accented(text)
    canonical = _as_meant(text)
    work = canonical if accented else fold_diacritics(canonical)
    # "Ngoài đăng ký hộ kinh doanh, tôi có phải xin giấy phép karaoke không": what the citizen
    # has besides is not what they ask about
    work = _BESIDES_RE.sub("", work, count=1)
    # "tặng cho đất giữa cha mẹ và con": between whom names no procedure, what is done does
    work = _BETWEEN_RE.sub(" ", work)
    # "mua trước khi cưới", "sau khi đổi căn cước thì ...": when, not what is asked
    work = _WHEN_RE.sub(" ", work)
    found: list[tuple[int, str]] = []
    # Accented messages are read with their accents first, then folded for the multi-word
    # phrases (a typo in one accent, "cần nhửng gì", should not hide the question).
    passes = ([(table.accented, False), (table.folded, True)] if accented
              else [(table.folded, False)])
    for phrases, fold in passes:
        for phrase, facet in phrases:
            if fold and " " not in phrase:
                continue
            view = fold_diacritics(work) if fold else work
            # folding keeps the length of NFC text, so positions carry over; the words in a
            # gap ("có được [tách hộ] không") stay: they may name the procedure
            spans = _find(phrase, view, table.not_before)
            if spans and fold and not _nearly_as_written(
                    [work[start:end] for start, end in spans], table.as_written[phrase]):
                continue
            if spans:
                found.append((spans[0][0], facet))
                for start, end in spans:
                    work = work[:start] + " " * (end - start) + work[end:]
    facets: list[str] = []
    for _, facet in sorted(found):
        for name in (_HOWTO if facet == "howto" else (facet,)):
            if name not in facets:
                facets.append(name)
    for filler in table.fillers_accented if accented else table.fillers_folded:
        work, _ = _remove(work, filler)
    if not accented:  # folded "can" is "cần" unless "cước" follows
        work = re.sub(r"\bcan\b(?! cuoc)", " ", work)
    return Question(facets, " ".join(work.split()), accented)


def clauses(text: str) -> list[str]:
    """The sentences and clauses of a message, longest message parts first cut at punctuation."""
    parts = [p.strip() for p in _CLAUSE_RE.split(text) if p and p.strip()]
    return [p for p in parts if _WORD_RE.search(p)]
