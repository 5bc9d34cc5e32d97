"""Text helpers shared by the channels: splitting long replies and buttons as plain text.

Platforms cap message length (Zalo ~2,000 characters, Telegram 4,096), and a reply cut in the
middle of a word or of an escaped entity reads badly, so long texts are split at paragraph, then
line, then word boundaries, and only as a last resort inside a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

_SEPARATORS = ("\n\n", "\n", " ")
# Longer messages are cut: nobody types more than this to ask about a procedure, and
# featurising 100 KB of text would hold up everyone else's replies.
MAX_INPUT_CHARS = 2000
# Lone surrogates (JSON "\ud800") cannot be stored as UTF-8; control characters mean nothing.
_UNSTORABLE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_input(text: str, limit: int = MAX_INPUT_CHARS) -> str:
    """A user's message as the assistant should see it: trimmed, storable, at most `limit` long.

    Empty means there is nothing to answer.
    """
    text = _CONTROL.sub("", _UNSTORABLE.sub("\ufffd", text)).strip()
    return text[:limit].strip()


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Split `text` into chunks whose `measure` (e.g. escaped length) is at most `limit`.

    Empty or whitespace-only text gives no chunk: platforms reject empty messages.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    chunks: list[str] = []
    while text:
        if measure(text) <= limit:
            chunks.append(text)
            break
        cut = _best_cut(text, limit, measure)
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [chunk for chunk in chunks if chunk]


def _best_cut(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """Largest prefix length that fits, preferring to end at a separator."""
    low, high = 1, len(text)
    while low < high:  # binary search: the longest prefix whose measure fits
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    fits = low
    for separator in _SEPARATORS:
        position = text.rfind(separator, 0, fits + 1)
        if position > fits // 2:  # do not make tiny chunks just to end on a separator
            return position + len(separator)
    return fits


def numbered_buttons(text: str, buttons: Sequence[dict[str, Any]]) -> str:
    """Buttons as a numbered list under the text, for clients that cannot show buttons."""
    lines = [text.strip()] if text.strip() else []
    for number, button in enumerate(buttons, start=1):
        title = str(button.get("title", "")).strip()
        url = button.get("url")
        lines.append(f"{number}. {title}" + (f": {url}" if is_http_url(url) else ""))
    return "\n".join(lines)


def is_http_url(value: Any) -> bool:
    """Only http(s) links are ever shown to citizens (no javascript:, data:, tel: ...)."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))
