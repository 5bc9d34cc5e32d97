"""Read-only view of conversations in Rasa's SQL tracker store (table events), SQLite
(var/tracker.db) or PostgreSQL (TRACKER_DB_URL).

Every text is masked (bot/privacy/masking.py) before staff see it, even when the store keeps
raw text or holds messages saved before masking was switched on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.admin.tracker_source import TrackerSource, sqlite_url
from bot.privacy.masking import mask

FALLBACK_INTENT = "nlu_fallback"
LOW_CONFIDENCE = 0.45
MAX_TEXT_CHARS = 4000  # what the console shows of one message (the channels cut at 2,000)
_SURROGATES = re.compile("[\ud800-\udfff]")


def _text(value: Any, limit: int = MAX_TEXT_CHARS) -> str:
    """Whatever the tracker store holds, as text a page can show: lone surrogates (which cannot
    be encoded as UTF-8 and made every page listing them answer 500) replaced, length bounded."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    text = _SURROGATES.sub("\ufffd", text)
    return text if len(text) <= limit else text[:limit] + "…"


def _loads(raw: Any) -> dict[str, Any]:
    try:
        data = json.loads(raw or "{}")
    except (ValueError, TypeError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _number(value: Any) -> float:
    try:
        number = float(value or 0.0)
    except (TypeError, ValueError):
        return 0.0
    return number if number == number else 0.0  # NaN


@dataclass
class UserMessage:
    id: int
    sender_id: str
    at: datetime
    text: str
    intent: str
    confidence: float
    channel: str

    @property
    def not_understood(self) -> bool:
        return self.intent == FALLBACK_INTENT or self.confidence < LOW_CONFIDENCE


@dataclass
class Filters:
    channel: str = ""
    intent: str = ""
    date_from: str = ""  # YYYY-MM-DD
    date_to: str = ""
    max_confidence: float | None = None
    fallback_only: bool = False
    query: str = ""

    @classmethod
    def from_query(cls, params: Any) -> Filters:
        confidence = params.get("max_confidence", "")
        return cls(channel=params.get("channel", ""), intent=params.get("intent", ""),
                   date_from=params.get("date_from", ""), date_to=params.get("date_to", ""),
                   max_confidence=float(confidence) if confidence else None,
                   fallback_only=params.get("fallback") == "1", query=params.get("q", ""))

    def accepts(self, message: UserMessage) -> bool:
        day = message.at.date().isoformat()
        return not (
            (self.channel and message.channel != self.channel)
            or (self.intent and message.intent != self.intent)
            or (self.date_from and day < self.date_from)
            or (self.date_to and day > self.date_to)
            or (self.max_confidence is not None and message.confidence > self.max_confidence)
            or (self.fallback_only and not message.not_understood)
            or (self.query and self.query.lower() not in message.text.lower())
        )


class TrackerReader:
    def __init__(self, location: Path | str) -> None:
        """`location`: the SQLite file, or a SQLAlchemy URL (PostgreSQL)."""
        url = sqlite_url(location) if isinstance(location, Path) else location
        self.source = TrackerSource(url)

    def _rows(self, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        if not self.source.available():
            return []  # no store or no events table yet: Rasa has not stored a conversation
        with self.source.connect() as conn:
            return list(conn.execute(sa.text(sql), params or {}).mappings())

    def user_messages(self, filters: Filters | None = None, limit: int = 500) -> list[UserMessage]:
        rows = self._rows("SELECT id, sender_id, timestamp, data FROM events "
                          "WHERE type_name = 'user' ORDER BY timestamp DESC")
        messages = [m for m in (_user_message(r) for r in rows) if m is not None]
        if filters:
            messages = [m for m in messages if filters.accepts(m)]
        return messages[:limit]

    def conversation(self, sender_id: str) -> list[dict[str, Any]]:
        """User and bot turns of one conversation, oldest first."""
        turns = []
        for row in self._rows("SELECT id, type_name, timestamp, data FROM events "
                              "WHERE sender_id = :sender AND type_name IN ('user', 'bot') "
                              "ORDER BY timestamp, id", {"sender": sender_id}):
            data = _loads(row["data"])
            turn = {"id": row["id"], "who": row["type_name"], "text": mask(_text(data.get("text"))),
                    "at": _time(row["timestamp"])}
            if row["type_name"] == "user":
                message = _user_message(row, sender_id)
                if message:
                    turn.update(intent=message.intent, confidence=message.confidence,
                                channel=message.channel, not_understood=message.not_understood)
            turns.append(turn)
        return turns

    def conversations(self, filters: Filters) -> list[dict[str, Any]]:
        """Conversations with at least one message matching the filters, newest first."""
        summary: dict[str, dict[str, Any]] = {}
        for message in self.user_messages(filters, limit=100_000):
            entry = summary.setdefault(message.sender_id, {
                "sender_id": message.sender_id, "last": message.at, "messages": 0,
                "channel": message.channel, "not_understood": 0})
            entry["messages"] += 1
            entry["not_understood"] += int(message.not_understood)
        return sorted(summary.values(), key=lambda e: e["last"], reverse=True)

    def channels(self) -> list[str]:
        return sorted({m.channel for m in self.user_messages(limit=100_000) if m.channel})

    def inbox(self, known_examples: set[str]) -> list[dict[str, Any]]:
        """Messages the bot did not understand, grouped by text, most frequent first."""
        groups: dict[str, dict[str, Any]] = {}
        for message in self.user_messages(limit=100_000):
            if not message.not_understood or not message.text.strip():
                continue
            key = " ".join(message.text.lower().split())
            if key in known_examples:
                continue
            group = groups.setdefault(key, {"text": message.text, "count": 0,
                                            "last": message.at, "intent": message.intent,
                                            "confidence": message.confidence,
                                            "sender_id": message.sender_id})
            group["count"] += 1
        return sorted(groups.values(), key=lambda g: (-g["count"], g["text"]))

    def message(self, event_id: int) -> UserMessage | None:
        rows = self._rows("SELECT id, sender_id, timestamp, data FROM events "
                          "WHERE id = :id AND type_name = 'user'", {"id": event_id})
        return _user_message(rows[0]) if rows else None


def _time(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(_number(value))
    except (OverflowError, OSError, ValueError):
        return datetime.fromtimestamp(0)


def _user_message(row: Any, sender_id: str | None = None) -> UserMessage | None:
    data = _loads(row["data"])
    if not data:
        return None
    parse_data = data.get("parse_data") if isinstance(data.get("parse_data"), dict) else {}
    intent = parse_data.get("intent") if isinstance(parse_data.get("intent"), dict) else {}
    return UserMessage(
        id=int(row["id"]),
        sender_id=sender_id or _text(row["sender_id"], 512),
        at=_time(row["timestamp"]),
        text=mask(_text(data.get("text"))),
        intent=_text(intent.get("name"), 200),
        confidence=_number(intent.get("confidence")),
        channel=_text(data.get("input_channel"), 50),
    )
