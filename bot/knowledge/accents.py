"""Put the diacritics back on words typed without them, from the catalog's own wording.

Half of the citizens type "lam lai can cuoc bi mat"; the embedding model reads Vietnamese with
its marks, and "lam" alone could be "làm", "lâm" or "lắm". The catalog names and aliases say
which form each syllable takes next to its neighbours: "can cuoc" is "căn cước", "so do" is
"sổ đỏ". A syllable gets the accented form seen most often with its left and right neighbours,
else its most frequent form; a syllable the catalog never uses stays as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable

from bot.nlu.normalization import fold_diacritics

_WORD_RE = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD_RE.findall(unicodedata.normalize("NFC", text or "").lower())


def _fold(word: str) -> str:
    return fold_diacritics(word).lower()


class AccentRestorer:
    """Folded syllables -> accented syllables, learnt from texts written with diacritics."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.single: dict[str, Counter[str]] = defaultdict(Counter)
        # (folded left, folded right) -> Counter of the accented right / left syllable
        self.after: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.before: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for text in texts:
            tokens = words(text)
            if not any(_fold(t) != t for t in tokens):
                continue  # written without diacritics: teaches nothing
            folded = [_fold(t) for t in tokens]
            for i, (word, fold) in enumerate(zip(tokens, folded, strict=True)):
                self.single[fold][word] += 1
                if i:
                    self.after[(folded[i - 1], fold)][word] += 1
                if i + 1 < len(tokens):
                    self.before[(fold, folded[i + 1])][word] += 1

    def restore_word(self, fold: str, left: str = "", right: str = "") -> str:
        forms = self.single.get(fold)
        if not forms:
            return fold
        after = self.after.get((left, fold), Counter())
        before = self.before.get((fold, right), Counter())
        # a pair seen once with this neighbour beats a syllable seen often elsewhere ("sổ đỏ"
        # against the "Sở" of every department)
        return max(forms, key=lambda w: (after[w] + before[w], forms[w], w))

    def restore(self, tokens: list[str]) -> list[str]:
        """Accented form of each folded token (tokens that already carry marks are kept)."""
        folded = [_fold(t) for t in tokens]
        out = []
        for i, (token, fold) in enumerate(zip(tokens, folded, strict=True)):
            if token != fold:
                out.append(token)
                continue
            left = folded[i - 1] if i else ""
            right = folded[i + 1] if i + 1 < len(tokens) else ""
            out.append(self.restore_word(fold, left, right))
        return out
