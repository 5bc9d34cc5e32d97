"""Vietnamese text normalisation shared by the NLU pipeline and the procedure search.

Citizens type with or without diacritics, in NFC or NFD, in any case, with abbreviations and
teencode ("ko dc", "cccd", "bn tien"). Everything is reduced to one canonical form: lower-case,
diacritics folded to ASCII ("đăng ký" -> "dang ky"), abbreviations expanded, punctuation dropped.
Folding makes accented and unaccented messages identical for the classifier, which is what lets
both reach the same accuracy.

The module is pure Python (no Rasa import) so the knowledge base can use it too. The
abbreviation table is data: data/vocabulary/abbreviations.yml.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot import vocabulary

# Abbreviation / teencode -> expansion, keys and values already folded to ASCII, and the contexts
# where a word is not one ("mk" is "mật khẩu" after "quên", "hỏng" after "sổ" is no "không"):
# data/vocabulary/abbreviations.yml, read once at import. The trained model depends on it
# (scripts/lib.sh model_fingerprint, VietnameseNormalizer.fingerprint_addon).
_TABLE = vocabulary.abbreviations()
ABBREVIATIONS: dict[str, str] = _TABLE.expansions
_PASSWORD_CONTEXT: frozenset[str] = _TABLE.password_context
_NOT_AN_ABBREVIATION_AFTER: dict[str, frozenset[str]] = _TABLE.not_after
_NOT_AN_ABBREVIATION_BEFORE: dict[str, frozenset[str]] = _TABLE.not_before

# Message attribute under which the NLU pipeline keeps the text as typed (accents carry meaning
# for the procedure router, bot.nlu.router), while TEXT holds the normalised form.
ORIGINAL_TEXT = "original_text"

_TOKEN_RE = re.compile(r"\w+(?:[.\-/]\w+)*", re.UNICODE)


def fold_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics: "Đăng ký" -> "Dang ky". Keeps length for NFC input."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("Đ", "D"))


@dataclass(frozen=True)
class Normalized:
    """Normalised text plus, per output token, the span it came from in the original text."""

    text: str
    # (original_start, original_end, normalised_start, normalised_end) for each token
    spans: tuple[tuple[int, int, int, int], ...]

    def map_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Map a character span of the original text onto the normalised text."""
        covered = [s for s in self.spans if s[1] > start and s[0] < end]
        if not covered:
            return None
        return covered[0][2], covered[-1][3]


def _expand(token: str, previous: str | None, following: str | None) -> str:
    if token == "mk":
        return "mat khau" if previous in _PASSWORD_CONTEXT else "minh"
    if (previous in _NOT_AN_ABBREVIATION_AFTER.get(token, ())
            or following in _NOT_AN_ABBREVIATION_BEFORE.get(token, ())):
        return token
    return ABBREVIATIONS.get(token, token)


def _fold_clusters(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` to one lower-case ASCII-ish character per base character.

    Returns the folded text and, for each folded character (plus one past the end), its offset
    in ``text``. A base character and the combining marks after it form one cluster, so offsets
    stay valid for NFD input ("a" + U+0301) as well as NFC, and for characters whose folded or
    lower-cased form is longer (ligatures), which are cut to one character.
    """
    if unicodedata.is_normalized("NFC", text):
        # Fast path for what people usually send: folding NFC Vietnamese keeps one character
        # per character, so every offset maps to itself.
        folded_text = fold_diacritics(text).lower()
        if len(folded_text) == len(text):
            return folded_text, list(range(len(text) + 1))
    folded: list[str] = []
    starts: list[int] = []
    for index, char in enumerate(text):
        if folded and unicodedata.category(char) == "Mn":
            continue  # a combining mark belongs to the cluster of the previous base character
        starts.append(index)
        end = index + 1
        while end < len(text) and unicodedata.category(text[end]) == "Mn":
            end += 1
        folded.append(fold_diacritics(text[index:end]).lower()[:1] or " ")
    starts.append(len(text))
    return "".join(folded), starts


def normalize_with_spans(text: str) -> Normalized:
    """Normalise ``text`` and keep track of where each token came from."""
    folded, starts = _fold_clusters(text or "")
    pieces: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    cursor = 0
    previous: str | None = None
    matches = [(m, m.group().strip("_")) for m in _TOKEN_RE.finditer(folded)]
    matches = [(m, token) for m, token in matches if token]
    for index, (match, token) in enumerate(matches):
        following = matches[index + 1][1] if index + 1 < len(matches) else None
        expansion = _expand(token, previous, following)
        if pieces:
            cursor += 1
        pieces.append(expansion)
        spans.append((starts[match.start()], starts[match.end()], cursor, cursor + len(expansion)))
        cursor += len(expansion)
        previous = token
    return Normalized(" ".join(pieces), tuple(spans))


_WORD_RE = re.compile(r"\w+", re.UNICODE)


def expand_abbreviations(text: str) -> str:
    """Spell out the teencode and abbreviations typed in plain letters ("phí bn", "cần j",
    "lm onl dc k"), leaving every other word as typed, accents included."""
    words = [fold_diacritics(m.group().lower()) for m in _WORD_RE.finditer(text)]
    position = [0]

    def spell(match: re.Match[str]) -> str:
        index = position[0]
        position[0] += 1
        word = match.group()
        folded = word.lower()
        if not folded.isascii():
            return word
        before = words[index - 1] if index else None
        after = words[index + 1] if index + 1 < len(words) else None
        return _expand(folded, before, after)

    return _WORD_RE.sub(spell, text)


def normalize(text: str) -> str:
    """Canonical form used for classification and search."""
    return normalize_with_spans(text).text
