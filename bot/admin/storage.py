"""The console's own SQLite database (var/admin.db): users, audit log, model versions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE TABLE IF NOT EXISTS models (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    log_path TEXT NOT NULL DEFAULT '',
    evaluation TEXT,
    last_audit_id INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS activations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id INTEGER NOT NULL REFERENCES models(id),
    at TEXT NOT NULL,
    username TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


@contextmanager
def sqlite_connection(path: Path, timeout: float = 10) -> Iterator[sqlite3.Connection]:
    """One transaction on a SQLite file (committed, or rolled back on error), rows by name."""
    conn = sqlite3.connect(path, timeout=timeout)
    conn.row_factory = sqlite3.Row
    try:
        with conn:
            yield conn
    finally:
        conn.close()


class AdminDB:
    """Thin wrapper: one short connection per call, so threads (training jobs) can share it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn:
            conn.executescript(SCHEMA)
            # Added for department-scoped internal documents (bot/staff); older files lack it.
            columns = {row["name"] for row in conn.execute("PRAGMA table_info(users)")}
            if "department" not in columns:
                conn.execute("ALTER TABLE users ADD COLUMN department TEXT NOT NULL DEFAULT ''")
            if "telegram_id" not in columns:  # staff assistant on Telegram (bot/staff/telegram.py)
                conn.execute("ALTER TABLE users ADD COLUMN telegram_id TEXT NOT NULL DEFAULT ''")

    def connect(self) -> AbstractContextManager[sqlite3.Connection]:
        return sqlite_connection(self.path, timeout=10)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self.connect() as conn:
            return conn.execute(sql, params).fetchall()

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        with self.connect() as conn:
            return int(conn.execute(sql, params).lastrowid or 0)

    def audit(self, username: str, action: str, target: str, before: Any = None,
              after: Any = None) -> int:
        """Record one change: who, when, what, and the value before and after."""
        return self.execute(
            "INSERT INTO audit (at, username, action, target, before, after) VALUES (?,?,?,?,?,?)",
            (now_iso(), username, action, target, _dump(before), _dump(after)),
        )

    def get_setting(self, key: str, default: str = "") -> str:
        rows = self.query("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0]["value"] if rows else default

    def set_setting(self, key: str, value: str) -> None:
        self.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)
