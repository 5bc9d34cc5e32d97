"""How the assistant is doing, from the tracker store: counts, shares, top lists, ratings.

Reading a million JSON events on each page view would be too slow, so new events are folded
into a small SQLite summary (var/analytics.db) the first time a page needs them, remembering the
last event id: one row per citizen message, then per-day aggregates of the days that changed.
Pages read only the per-day aggregates. The summary holds masked text only, and forgets senders
when the tracker store does (retention, erasure).

A "conversation" is one sender's messages on one day (channel-scoped sender ids such as a Zalo
user id never change, so a sender alone would merge months of visits).

Each citizen message is classified as:
- ``procedure``: answered with a procedure (action_answer_procedure ran after it);
- ``not_sure``: nlu_fallback, confidence below LOW_CONFIDENCE, or the "did you mean" fallback;
- ``out_of_scope``: the out_of_scope intent;
- ``understood``: any other intent;
- ``rating``: a 👍/👎 (rate_answer), counted apart, for the topic answered just before; a 1-5
  rating of a handover (rate_help) is counted with the handovers.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.admin.conversations import FALLBACK_INTENT, LOW_CONFIDENCE
from bot.admin.storage import sqlite_connection
from bot.admin.tracker_source import TrackerSource
from bot.privacy.masking import mask

CATEGORIES = ("understood", "procedure", "not_sure", "out_of_scope")
RATING_INTENT = "rate_answer"
HELP_RATING_INTENT = "rate_help"  # 1-5 stars after a handover (actions/backoffice.py)
PROCEDURE_ACTION = "action_answer_procedure"
FALLBACK_ACTIONS = {"action_default_ask_affirmation", "action_two_stage_fallback",
                    "action_default_fallback"}
PROCEDURE_SLOT = "current_procedure"
BATCH = 20_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    event_id INTEGER PRIMARY KEY, sender_id TEXT NOT NULL, day TEXT NOT NULL,
    channel TEXT NOT NULL, intent TEXT NOT NULL, confidence REAL NOT NULL,
    category TEXT NOT NULL, procedure TEXT NOT NULL DEFAULT '', text TEXT NOT NULL,
    text_key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_day ON messages (day, channel, sender_id);
CREATE INDEX IF NOT EXISTS messages_day_category ON messages (day, category, text_key);
CREATE INDEX IF NOT EXISTS messages_day_intent ON messages (day, intent);
CREATE INDEX IF NOT EXISTS messages_sender ON messages (sender_id);
CREATE TABLE IF NOT EXISTS ratings (
    event_id INTEGER PRIMARY KEY, sender_id TEXT NOT NULL, day TEXT NOT NULL,
    topic TEXT NOT NULL, useful INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ratings_day ON ratings (day, topic);
CREATE INDEX IF NOT EXISTS ratings_sender ON ratings (sender_id);
CREATE TABLE IF NOT EXISTS handovers (
    event_id INTEGER PRIMARY KEY, sender_id TEXT NOT NULL, day TEXT NOT NULL,
    kind TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS handovers_day ON handovers (day, kind);
CREATE INDEX IF NOT EXISTS handovers_sender ON handovers (sender_id);
CREATE TABLE IF NOT EXISTS senders (
    sender_id TEXT PRIMARY KEY, last_message INTEGER NOT NULL, last_topic TEXT NOT NULL,
    channel TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dirty_days (day TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS day_messages (
    day TEXT NOT NULL, channel TEXT NOT NULL, category TEXT NOT NULL, intent TEXT NOT NULL,
    procedure TEXT NOT NULL, n INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS day_messages_day ON day_messages (day);
CREATE TABLE IF NOT EXISTS day_conversations (
    day TEXT NOT NULL, channel TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (day, channel));
CREATE TABLE IF NOT EXISTS day_unanswered (
    day TEXT NOT NULL, text_key TEXT NOT NULL, text TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (day, text_key));
CREATE TABLE IF NOT EXISTS day_ratings (
    day TEXT NOT NULL, topic TEXT NOT NULL, yes INTEGER NOT NULL, total INTEGER NOT NULL,
    PRIMARY KEY (day, topic));
CREATE TABLE IF NOT EXISTS day_handovers (
    day TEXT NOT NULL, kind TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (day, kind));
"""
DAY_TABLES = ("day_messages", "day_conversations", "day_unanswered", "day_ratings",
              "day_handovers")
# Rebuilds the aggregates of the days listed in dirty_days from the per-message rows.
REBUILD = """
INSERT INTO day_messages SELECT day, channel, category, intent, procedure, COUNT(*)
  FROM messages WHERE day IN (SELECT day FROM dirty_days)
  GROUP BY day, channel, category, intent, procedure;
INSERT INTO day_conversations SELECT day, channel, COUNT(DISTINCT sender_id)
  FROM messages WHERE day IN (SELECT day FROM dirty_days) GROUP BY day, channel;
INSERT INTO day_unanswered SELECT day, text_key, MIN(text), COUNT(*)
  FROM messages WHERE day IN (SELECT day FROM dirty_days) AND category = 'not_sure'
  AND text_key != '' AND text_key NOT LIKE '/%' GROUP BY day, text_key;
INSERT INTO day_ratings SELECT day, topic, SUM(useful), COUNT(*)
  FROM ratings WHERE day IN (SELECT day FROM dirty_days) GROUP BY day, topic;
INSERT INTO day_handovers SELECT day, kind, COUNT(*)
  FROM handovers WHERE day IN (SELECT day FROM dirty_days) GROUP BY day, kind;
DELETE FROM dirty_days;
"""


# Actions that hand a citizen to staff, and those that file a ticket (actions/backoffice.py).
HANDOVER_ACTIONS = {"action_request_human", "action_handover_request"}
TICKET_ACTIONS = {"action_submit_ticket", "action_submit_contact"}


def handover_kind(action: str) -> str | None:
    if action in TICKET_ACTIONS:
        return "ticket"
    if action in HANDOVER_ACTIONS:
        return "handover"
    return None


def category_of(intent: str, confidence: float) -> str:
    if intent == FALLBACK_INTENT or confidence < LOW_CONFIDENCE:
        return "not_sure"
    if intent == "out_of_scope":
        return "out_of_scope"
    return "understood"


def text_key(text: str) -> str:
    return " ".join(text.lower().split())[:300]


@dataclass
class Period:
    start: date
    end: date

    @classmethod
    def parse(cls, date_from: str, date_to: str, today: date | None = None,
              default_days: int = 30) -> Period:
        """From the page's fields; bad or missing values fall back to the last 30 days."""
        today = today or date.today()

        def read(value: str) -> date | None:
            try:
                return date.fromisoformat(value.strip()) if value.strip() else None
            except ValueError:
                return None

        end = read(date_to) or today
        start = read(date_from) or end - timedelta(days=default_days - 1)
        if start > end:
            start, end = end, start
        return cls(start, end)

    @property
    def days(self) -> list[str]:
        count = (self.end - self.start).days + 1
        return [(self.start + timedelta(days=i)).isoformat() for i in range(min(count, 3660))]

    @property
    def bounds(self) -> tuple[str, str]:
        return self.start.isoformat(), self.end.isoformat()


@dataclass
class Report:
    period: Period
    daily: list[dict[str, Any]] = field(default_factory=list)  # day, channel, conversations...
    channels: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    shares: dict[str, int] = field(default_factory=dict)
    intents: list[tuple[str, int]] = field(default_factory=list)
    procedures: list[tuple[str, int]] = field(default_factory=list)
    unanswered: list[dict[str, Any]] = field(default_factory=list)
    handovers: dict[str, int] = field(default_factory=dict)
    ratings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def help_rating(self) -> tuple[float, int] | None:
        """Average stars of handover ratings and how many, or None."""
        stars = {int(k.split(":")[1]): n for k, n in self.handovers.items()
                 if k.startswith("rating:")}
        count = sum(stars.values())
        return (sum(k * n for k, n in stars.items()) / count, count) if count else None

    @property
    def understood_rate(self) -> float | None:
        total = sum(self.shares.values())
        ok = self.shares.get("understood", 0) + self.shares.get("procedure", 0)
        return ok / total if total else None


class Analytics:
    def __init__(self, source: TrackerSource, path: Path) -> None:
        self.source = source
        self.path = path
        self._refreshing = threading.Lock()  # the page and the start-up fold may overlap
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn:
            conn.executescript(SCHEMA)

    def connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_connection(self.path, timeout=30)

    # --- folding new events into the summary -----------------------------------------------

    def _last_id(self, conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT value FROM state WHERE key = 'last_event_id'").fetchone()
        return int(row["value"]) if row else 0

    def refresh(self) -> int:
        """Fold events stored since the last call into the summary; returns how many."""
        with self._refreshing:
            return self._refresh()

    def _refresh(self) -> int:
        done = 0
        while True:
            with self.connect() as conn:
                rows = self.source.events_after(self._last_id(conn), BATCH)
                if not rows:
                    break
                _Fold(conn).apply(rows)
                conn.execute("INSERT INTO state (key, value) VALUES ('last_event_id', ?) ON "
                             "CONFLICT(key) DO UPDATE SET value = excluded.value",
                             (str(rows[-1][0]),))
            done += len(rows)
        with self.connect() as conn:
            self._rebuild(conn)
        return done

    @staticmethod
    def _rebuild(conn: sqlite3.Connection) -> None:
        """Recompute the per-day aggregates of the days marked dirty (once per refresh)."""
        if conn.execute("SELECT 1 FROM dirty_days LIMIT 1").fetchone() is None:
            return
        for table in DAY_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE day IN (SELECT day FROM dirty_days)")
        for statement in REBUILD.split(";"):
            if statement.strip():
                conn.execute(statement)

    def forget(self, sender_ids: list[str] | None = None, before_day: str | None = None) -> None:
        """Drop summary rows of erased senders, or of days the tracker store purged."""
        with self.connect() as conn:
            if sender_ids is not None:
                for table in ("messages", "ratings", "handovers"):
                    conn.executemany(
                        f"INSERT OR IGNORE INTO dirty_days SELECT DISTINCT day FROM {table} "
                        "WHERE sender_id = ?", [(s,) for s in sender_ids])
                    conn.executemany(f"DELETE FROM {table} WHERE sender_id = ?",
                                     [(s,) for s in sender_ids])
                conn.executemany("DELETE FROM senders WHERE sender_id = ?",
                                 [(s,) for s in sender_ids])
            if before_day is not None:
                for table in ("messages", "ratings", "handovers", *DAY_TABLES):
                    conn.execute(f"DELETE FROM {table} WHERE day < ?", (before_day,))
                conn.execute("DELETE FROM dirty_days WHERE day < ?", (before_day,))
            self._rebuild(conn)

    # --- the report ------------------------------------------------------------------------

    def report(self, period: Period, top: int = 10) -> Report:
        span = period.bounds
        report = Report(period)
        where = "WHERE day BETWEEN ? AND ?"
        with self.connect() as conn:
            messages = {(r[0], r[1]): r[2] for r in conn.execute(
                f"SELECT day, channel, SUM(n) FROM day_messages {where} GROUP BY day, channel",
                span)}
            report.daily = [
                {"day": day, "channel": channel, "conversations": n,
                 "messages": messages.get((day, channel), 0)}
                for day, channel, n in conn.execute(
                    f"SELECT day, channel, n FROM day_conversations {where} "
                    "ORDER BY day, channel", span)]
            report.channels = sorted({r["channel"] for r in report.daily})
            report.totals = {"conversations": sum(r["conversations"] for r in report.daily),
                             "messages": sum(r["messages"] for r in report.daily)}
            shares = dict(conn.execute(
                f"SELECT category, SUM(n) FROM day_messages {where} GROUP BY category",
                span).fetchall())
            report.shares = {c: int(shares.get(c, 0)) for c in CATEGORIES}
            report.intents = [tuple(r) for r in conn.execute(
                f"SELECT intent, SUM(n) AS total FROM day_messages {where} "
                "AND category != 'not_sure' GROUP BY intent ORDER BY total DESC, intent LIMIT ?",
                (*span, top))]
            report.procedures = [tuple(r) for r in conn.execute(
                f"SELECT procedure, SUM(n) AS total FROM day_messages {where} "
                "AND procedure != '' GROUP BY procedure ORDER BY total DESC, procedure LIMIT ?",
                (*span, top))]
            report.unanswered = [dict(r) for r in conn.execute(
                "SELECT text_key, MIN(text) AS text, SUM(n) AS count, MAX(day) AS last "
                f"FROM day_unanswered {where} GROUP BY text_key "
                "ORDER BY count DESC, text_key LIMIT ?", (*span, top * 2))]
            report.handovers = dict(conn.execute(
                f"SELECT kind, SUM(n) FROM day_handovers {where} GROUP BY kind",
                span).fetchall())
            report.ratings = [
                {"topic": r["topic"], "yes": r["yes"], "no": r["total"] - r["yes"],
                 "total": r["total"], "rate": r["yes"] / r["total"]}
                for r in conn.execute(
                    "SELECT topic, SUM(yes) AS yes, SUM(total) AS total FROM day_ratings "
                    f"{where} GROUP BY topic ORDER BY total DESC, topic", span)]
        return report


class _Fold:
    """Folds one batch of events (in id order) into the summary tables."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.senders: dict[str, dict[str, Any]] = {}
        self.messages: dict[int, list[Any]] = {}

    def sender(self, sender_id: str) -> dict[str, Any]:
        state = self.senders.get(sender_id)
        if state is None:
            row = self.conn.execute("SELECT last_message, last_topic, channel FROM senders "
                                    "WHERE sender_id = ?", (sender_id,)).fetchone()
            state = dict(row) if row else {"last_message": 0, "last_topic": "", "channel": ""}
            self.senders[sender_id] = state
        return state

    def update_message(self, event_id: int, column: int, value: str,
                       only_if: str | None = None) -> None:
        """Change a message of this batch in memory, or an earlier one in the table."""
        names = {6: "category", 7: "procedure"}
        row = self.messages.get(event_id)
        if row is not None:
            if only_if is None or row[6] == only_if:
                row[column] = value
            return
        condition = " AND category = ?" if only_if else ""
        self.conn.execute(f"UPDATE messages SET {names[column]} = ? WHERE event_id = ?"
                          + condition, (value, event_id, *([only_if] if only_if else [])))
        self.conn.execute("INSERT OR IGNORE INTO dirty_days SELECT day FROM messages "
                          "WHERE event_id = ?", (event_id,))

    def apply(self, rows: list[Any]) -> None:
        ratings, handovers = [], []
        for event_id, sender_id, kind, timestamp, _intent, action, data in rows:
            state = self.sender(sender_id)
            day = datetime.fromtimestamp(float(timestamp or 0)).date().isoformat()
            if kind == "user":
                try:
                    event = json.loads(data or "{}")
                except json.JSONDecodeError:
                    continue
                parse = event.get("parse_data") or {}
                intent = str((parse.get("intent") or {}).get("name") or "")
                confidence = float((parse.get("intent") or {}).get("confidence") or 0.0)
                channel = str(event.get("input_channel") or state["channel"] or "")
                state["channel"] = channel
                if intent == HELP_RATING_INTENT:
                    stars = next((str(e.get("value")) for e in parse.get("entities") or []
                                  if e.get("entity") == "rating"), "")
                    if stars in {"1", "2", "3", "4", "5"}:
                        handovers.append((event_id, sender_id, day, f"rating:{stars}"))
                    continue
                if intent == RATING_INTENT:
                    useful = next((str(e.get("value")) for e in parse.get("entities") or []
                                   if e.get("entity") == "useful"), "")
                    ratings.append((event_id, sender_id, day, state["last_topic"] or "(khác)",
                                    int(useful.lower() == "yes")))
                    continue
                text = mask(str(event.get("text") or ""))
                category = category_of(intent, confidence)
                self.messages[event_id] = [event_id, sender_id, day, channel, intent,
                                           confidence, category, "", text, text_key(text)]
                state["last_message"] = event_id
                if category == "understood":
                    state["last_topic"] = intent
            elif kind == "action" and action and state["last_message"]:
                if action == PROCEDURE_ACTION:
                    self.update_message(state["last_message"], 6, "procedure", "understood")
                elif action in FALLBACK_ACTIONS:
                    self.update_message(state["last_message"], 6, "not_sure")
                found = handover_kind(action)
                if found:
                    handovers.append((event_id, sender_id, day, found))
            elif kind == "slot" and state["last_message"]:
                try:
                    event = json.loads(data or "{}")
                except json.JSONDecodeError:
                    continue
                if event.get("name") == PROCEDURE_SLOT and event.get("value"):
                    self.update_message(state["last_message"], 7, str(event["value"])[:60])
        self.conn.executemany("INSERT OR REPLACE INTO messages VALUES (?,?,?,?,?,?,?,?,?,?)",
                              list(self.messages.values()))
        self.conn.executemany("INSERT OR REPLACE INTO ratings VALUES (?,?,?,?,?)", ratings)
        self.conn.executemany("INSERT OR REPLACE INTO handovers VALUES (?,?,?,?)", handovers)
        days = {row[2] for row in self.messages.values()} | {r[2] for r in ratings} \
            | {h[2] for h in handovers}
        self.conn.executemany("INSERT OR IGNORE INTO dirty_days VALUES (?)",
                              [(d,) for d in days])
        self.conn.executemany(
            "INSERT INTO senders VALUES (?,?,?,?) ON CONFLICT(sender_id) DO UPDATE SET "
            "last_message = excluded.last_message, last_topic = excluded.last_topic, "
            "channel = excluded.channel",
            [(s, v["last_message"], v["last_topic"], v["channel"])
             for s, v in self.senders.items()])
