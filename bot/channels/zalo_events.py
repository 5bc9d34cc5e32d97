"""Zalo OA webhook events: signature check and parsing, free of any network or Rasa code.

Zalo signs every webhook call with `X-ZEvent-Signature: mac=<sha256 hex>` over
app_id + raw body + timestamp + OA secret key. The check runs before anything else so a forged
request never reaches the assistant.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

SIGNATURE_HEADER = "X-ZEvent-Signature"
# Zalo retries failed deliveries for a while; anything older than this is a replay, not a retry.
MAX_EVENT_AGE_SECONDS = 15 * 60

TEXT_EVENTS = {"user_send_text", "anonymous_send_text"}
FOLLOW_EVENTS = {"follow"}
# Messages the assistant cannot read yet: it answers with a polite text-only notice.
UNSUPPORTED_MESSAGE_EVENTS = {
    "user_send_image", "user_send_gif", "user_send_sticker", "user_send_file",
    "user_send_audio", "user_send_video", "user_send_location", "user_send_link",
    "user_send_business_card",
}


class InvalidEvent(ValueError):
    """The body is not a Zalo event (malformed JSON or missing fields)."""


def compute_signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The `mac=` value Zalo sends for this body."""
    data = app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()
    return hashlib.sha256(data).hexdigest()


def signature_is_valid(
    header: str | None, app_id: str, body: bytes, timestamp: str, oa_secret_key: str
) -> bool:
    """Constant-time comparison of the header's `mac=` with the expected signature."""
    if not header:
        return False
    received = header.strip()
    if received.lower().startswith("mac="):
        received = received[4:]
    expected = compute_signature(app_id, body, timestamp, oa_secret_key)
    return hmac.compare_digest(received.strip().lower().encode(), expected.encode())


def is_stale(timestamp_ms: str, now: float | None = None,
             max_age: float = MAX_EVENT_AGE_SECONDS) -> bool:
    """True for events far older (or far newer) than now: replayed or clock-forged requests."""
    try:
        sent = int(timestamp_ms) / 1000
    except (TypeError, ValueError):
        return True
    return abs((time.time() if now is None else now) - sent) > max_age


@dataclass(frozen=True)
class ZaloEvent:
    name: str
    user_id: str
    timestamp: str
    msg_id: str = ""
    text: str = ""
    app_id: str = ""

    @property
    def dedupe_key(self) -> str:
        """Zalo retries carry the same msg_id; follow events have none, so use the timestamp."""
        return self.msg_id or f"{self.name}:{self.user_id}:{self.timestamp}"


def parse_event(body: bytes) -> ZaloEvent:
    """Parse a webhook body. Ids stay strings: they exceed JavaScript-safe integers."""
    try:
        data = json.loads(body, parse_int=str)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:  # deep nesting: Recursion
        raise InvalidEvent(f"malformed JSON: {type(error).__name__}") from error
    if not isinstance(data, dict) or not isinstance(data.get("event_name"), str):
        raise InvalidEvent("no event_name")
    name = data["event_name"]
    message = data.get("message") if isinstance(data.get("message"), dict) else {}
    user_id = _user_id(name, data)
    text = message.get("text", "")
    return ZaloEvent(
        name=name,
        user_id=user_id,
        timestamp=str(data.get("timestamp", "")),
        msg_id=str(message.get("msg_id", "")),
        text=text if isinstance(text, str) else "",
        app_id=str(data.get("app_id", "")),
    )


def _user_id(name: str, data: dict[str, Any]) -> str:
    """Who to answer: the sender, or the follower for follow events; never the OA itself."""
    if name in FOLLOW_EVENTS or name == "unfollow":
        holder = data.get("follower") or data.get("sender") or {}
    elif name.startswith("oa_send_"):
        holder = data.get("recipient") or {}
    else:
        holder = data.get("sender") or {}
    return str(holder.get("id", "")) if isinstance(holder, dict) else ""
