"""Where the tracker store is: a SQLAlchemy URL for SQLite or PostgreSQL.

`TRACKER_DB_URL` (e.g. postgresql://rasa:<password>@127.0.0.1:5432/rasa) names it; without it,
the console reads the SQLite file var/tracker.db that endpoints.yml's default writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

EVENT_COLUMNS = "id, sender_id, type_name, timestamp, intent_name, action_name, data"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class TrackerSource:
    """Reads and deletes rows of Rasa's `events` table; no table yet means no conversations."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = sa.create_engine(self.url, future=True, pool_pre_ping=True)
        return self._engine

    def available(self) -> bool:
        if self.url.startswith("sqlite:///") and not Path(self.url[len("sqlite:///"):]).exists():
            return False
        try:
            return sa.inspect(self.engine).has_table("events")
        except sa.exc.SQLAlchemyError:
            return False

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    def events_after(self, last_id: int, limit: int) -> list[Any]:
        if not self.available():
            return []
        with self.connect() as conn:
            return list(conn.execute(sa.text(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE id > :last ORDER BY id LIMIT :limit"),
                {"last": last_id, "limit": limit}))
