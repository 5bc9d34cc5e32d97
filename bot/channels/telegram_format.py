"""Telegram message formatting: HTML escaping, length-safe splitting and inline keyboards.

Replies are sent with parse_mode=HTML so `**bold**` and `[title](https://...)` in responses
render, while everything else is escaped: a citizen's or a procedure's "<", ">" or "&" can neither
break the message (Telegram rejects bad markup) nor inject markup.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import OrderedDict
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.text import is_http_url, split_text

MESSAGE_LIMIT = 4096  # Telegram counts UTF-16 code units
CALLBACK_DATA_LIMIT = 64  # bytes

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def to_html(text: str) -> str:
    """Escape text for parse_mode=HTML, keeping Markdown-style bold and http(s) links."""
    escaped = html.escape(text, quote=False)
    escaped = _LINK.sub(
        lambda m: f'<a href="{html.escape(html.unescape(m.group(2)), quote=True)}">'
                  f"{m.group(1)}</a>",
        escaped,
    )
    return _BOLD.sub(r"<b>\1</b>", escaped)


def html_chunks(text: str) -> list[str]:
    """The text as HTML messages that each fit Telegram's limit once escaped."""
    chunks = split_text(text, MESSAGE_LIMIT, measure=lambda part: utf16_length(to_html(part)))
    return [to_html(chunk) for chunk in chunks]


class CallbackPayloads:
    """Button payloads longer than callback_data's 64 bytes, stored under a short key."""

    PREFIX = "k:"

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        if len(payload.encode()) <= CALLBACK_DATA_LIMIT and not payload.startswith(self.PREFIX):
            return payload
        key = self.PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:32]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self.size:
            self._payloads.popitem(last=False)
        return key

    def decode(self, data: str) -> str | None:
        """The payload for callback data, or None for a key this process no longer knows."""
        if data.startswith(self.PREFIX):
            return self._payloads.get(data)
        return data


def inline_keyboard(
    buttons: list[dict[str, Any]], payloads: CallbackPayloads
) -> InlineKeyboardMarkup | None:
    """One button per row (titles are long Vietnamese phrases); unusable buttons are skipped."""
    rows = []
    for button in buttons:
        title = str(button.get("title", "")).strip()
        if not title:
            continue
        url = button.get("url")
        if url:
            if is_http_url(url):
                rows.append([InlineKeyboardButton(title, url=url)])
        elif button.get("payload"):
            data = payloads.encode(str(button["payload"]))
            rows.append([InlineKeyboardButton(title, callback_data=data)])
    return InlineKeyboardMarkup(rows) if rows else None
