"""Remember recently seen platform message ids, so a retried delivery is handled only once.

Zalo retries a webhook call it thinks failed, with the same msg_id. An in-memory set forgets
everything when Rasa restarts, and the retry is then answered twice; so the ids can live in a
small SQLite table (one file under var/), bounded by age and by count. Without a file the table
is in memory, which is enough where redelivery after a restart cannot happen.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

logger = logging.getLogger(__name__)

MAX_ENTRIES = 10_000
# Platforms stop retrying after minutes (and the Zalo channel refuses events older than 15);
# a day is a wide margin.
MAX_AGE_SECONDS = 24 * 3600
PRUNE_EVERY = 100  # inserts between two clean-ups of old rows

_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS seen_at ON seen (at);
"""


class SeenIds:
    """`first_time(key)` is True once per key within `max_age` seconds (and `max_entries` keys)."""

    def __init__(self, path: Path | None = None, max_entries: int = MAX_ENTRIES,
                 max_age: float = MAX_AGE_SECONDS) -> None:
        self.path = path
        self.max_entries = max_entries
        self.max_age = max_age
        self._lock = threading.Lock()
        self._inserts = 0
        self._db = self._connect(path)

    @staticmethod
    def _connect(path: Path | None) -> sqlite3.Connection:
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, timeout=5, check_same_thread=False,
                                     isolation_level=None)
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(_SCHEMA)
                return db
            except (OSError, sqlite3.Error) as error:
                logger.error("Cannot keep seen message ids in %s (%s); they are kept in memory "
                             "and forgotten at restart", path, error)
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.executescript(_SCHEMA)
        return db

    def first_time(self, key: str, now: float | None = None) -> bool:
        """Record `key`; False when it was already seen recently (a retry to drop)."""
        now = time.time() if now is None else now
        try:
            with self._lock:
                inserted = self._db.execute(
                    "INSERT INTO seen (key, at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                    "SET at = excluded.at WHERE seen.at < ?", (key, now, now - self.max_age),
                ).rowcount
                self._inserts += 1
                if self._inserts % PRUNE_EVERY == 0:
                    self._prune(now)
        except sqlite3.Error as error:  # never drop a real message because the table failed
            logger.error("Seen message ids: %s; handling %s anyway", error, key)
            return True
        return inserted > 0

    def _prune(self, now: float) -> None:
        self._db.execute("DELETE FROM seen WHERE at < ?", (now - self.max_age,))
        self._db.execute("DELETE FROM seen WHERE key NOT IN "
                         "(SELECT key FROM seen ORDER BY at DESC LIMIT ?)", (self.max_entries,))

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM seen").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
