"""Is a message Vietnamese words at all? Keyboard mashes ("asdfgh", "qwertyuiop", "kkkkk") are
not questions: they go to "out of scope", never to "yes".

A Vietnamese syllable has a fixed shape: an optional onset consonant cluster, a vowel nucleus and
an optional final consonant. Folded to ASCII that shape is easy to check, so a word that cannot be
a syllable (and is no abbreviation or common loanword) counts as noise.
"""

from __future__ import annotations

import re

from bot import vocabulary
from bot.nlu.normalization import ABBREVIATIONS, fold_diacritics

_SYLLABLE_RE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|q|r|s|t|v|x)?"
    r"(?:uye|uya|uyu|oai|oay|oeo|uay|uoi|uou|ieu|yeu|uoc|uon|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|"
    r"ua|ue|ui|uo|uu|uy|ye|a|e|i|o|u|y)"
    r"(?:ng|nh|ch|c|m|n|p|t)?$"
)
# Loanwords and brand names citizens use that are not Vietnamese syllables
# (data/vocabulary/loanwords.yml, read once at import).
LOANWORDS: frozenset[str] = vocabulary.loanwords()


def is_syllable(word: str) -> bool:
    word = fold_diacritics(word.lower())
    if not word.isalpha():
        return True  # numbers and codes are not noise
    if word in LOANWORDS or word in ABBREVIATIONS:
        return True
    # repeated letters ("kkkkk", "aaaa") are no syllable even when one letter would be
    if len(word) == 1:
        return word in "aeiouy"
    return len(set(word)) > 1 and bool(_SYLLABLE_RE.match(word))


def is_gibberish(text: str, threshold: float = 0.5) -> bool:
    """True when fewer than ``threshold`` of the words could be Vietnamese (or known) words."""
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    if not words:
        return bool(text.strip())  # punctuation or symbols only
    valid = sum(is_syllable(w) for w in words)
    return valid / len(words) < threshold
