"""The one input gate every channel passes a citizen's message through before Rasa sees it.

Why: DIET's cost grows with the square of the tokens, so one 100 KB message held every other
citizen up for ~18 s and left Rasa at 8.6 GB; a lone UTF-16 surrogate stored in the tracker
broke the console; an empty message was read as "yes". So:
- the HTTP body is refused past MAX_BODY_BYTES (413) before it is parsed;
- the text is cleaned (control characters dropped, surrogates replaced) and cut at
  MAX_INPUT_CHARS: the cut message still goes to Rasa (and is stored), after a short notice;
- empty or blank text never reaches the NLU: the citizen is asked to type a question;
- long texts reach Rasa one at a time (`deliver`): Rasa 3.6 runs the NLU synchronously in its
  event loop, so a burst of 2,000-character messages would otherwise queue every short question
  behind all of them (bench/memory_check.py measured 5 s); now behind at most one.
"""

from __future__ import annotations

import asyncio
import unicodedata
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import action_guard
from bot.channels.text import MAX_INPUT_CHARS, clean_input
from bot.content import content

# Every channel imports this module, so a Rasa server with any of our channels apologises for
# failed custom actions (bot/action_guard.py).
action_guard.install()

# Far above any real message (2,000 Vietnamese characters are ~12 KB even as JSON \u escapes), so
# a pasted long text is still answered (cut, with a notice); bigger bodies are refused unread.
MAX_BODY_BYTES = 1024 * 1024
# Texts longer than this are handed to Rasa one at a time. Real questions are far shorter.
LONG_TEXT_CHARS = 300
LONG_TEXT_PAUSE = 0.2  # seconds, about one long text's NLU
_long_text_slots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # one per event loop


@dataclass(frozen=True)
class GatedText:
    """What to send to Rasa (`text`, empty = nothing) and the notice to send the citizen first."""

    text: str
    notice: str = ""


def gate_text(raw: str, limit: int = MAX_INPUT_CHARS) -> GatedText:
    full = clean_input(raw, limit=len(raw) + 1)
    if all(unicodedata.category(char)[0] in "CZ" for char in full):  # zero-width, spaces only
        return GatedText("", content.text("system.empty_input"))
    if len(full) > limit:
        shown_limit = f"{limit:,}".replace(",", ".")  # Vietnamese thousands separator
        return GatedText(clean_input(full, limit),
                         content.text("system.input_too_long", limit=shown_limit))
    return GatedText(full)


async def deliver(on_new_message: Callable[[UserMessage], Awaitable[Any]],
                  message: UserMessage) -> None:
    """Hand a message to Rasa; a long one waits until no other long one is being handled."""
    if len(message.text or "") <= LONG_TEXT_CHARS:
        await on_new_message(message)
        return
    loop = asyncio.get_running_loop()
    slot = _long_text_slots.setdefault(loop, asyncio.Semaphore(1))
    async with slot:
        await on_new_message(message)
        # Leave the event loop to short questions for a moment before the next long text's NLU
        # blocks it again: a burst of long texts then takes at most about half of Rasa's time.
        await asyncio.sleep(LONG_TEXT_PAUSE)


class BodyTooLarge(Exception):
    """The request body exceeds the gate's limit."""


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body of a `stream=True` route, read only up to `limit` bytes (else BodyTooLarge).

    Streaming routes keep Sanic from buffering up to its own 100 MB default first.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    if request.stream is None:  # a non-streaming route: Sanic has read the body already
        body = request.body or b""
    else:
        parts, size = [], 0
        while (chunk := await request.stream.read()) is not None:
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            parts.append(chunk)
        body = b"".join(parts)
    if len(body) > limit:
        raise BodyTooLarge
    return body


def too_large(limit: int = MAX_BODY_BYTES) -> HTTPResponse:
    return response.json({"error": "payload too large", "limit_bytes": limit}, status=413)
