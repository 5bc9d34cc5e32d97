"""Dated snapshots of the national catalog, one per import, and what changed between two of them.

The 2025 reorganisation rewrote thousands of procedures: a one-stop desk officer needs to know
which procedures are new, which were removed and which changed (and in which fields) since the
last import. Every national import records the procedures it read as one snapshot (compressed
JSON, code -> fields) in the knowledge database's own file, in a table the procedure store does
not touch; :func:`diff` compares two snapshots.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bot.knowledge.models import Procedure

# Fields compared between snapshots; "updated" and "source" are bookkeeping, not content.
IGNORED_FIELDS = ("source", "updated", "summary", "aliases")
FIELD_LABELS = {
    "name": "Tên", "field": "Lĩnh vực", "levels": "Cấp thực hiện",
    "executing_agency": "Cơ quan thực hiện", "issuing_agency": "Cơ quan ban hành",
    "target_users": "Đối tượng", "methods": "Cách thức, thời hạn, phí",
    "documents": "Thành phần hồ sơ", "steps": "Trình tự", "legal_basis": "Căn cứ pháp lý",
    "requirements": "Yêu cầu, điều kiện", "result": "Kết quả", "portal_url": "Đường dẫn",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS import_snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    taken_at TEXT NOT NULL,
    procedures INTEGER NOT NULL,
    data BLOB NOT NULL
);
"""


@dataclass(frozen=True)
class Snapshot:
    id: int
    taken_at: str  # ISO timestamp, UTC
    procedures: int

    @property
    def day(self) -> str:
        return self.taken_at[:10]


@dataclass
class Change:
    code: str
    name: str
    fields: list[str] = field(default_factory=list)  # changed field names (empty: new/removed)


@dataclass
class Diff:
    older: Snapshot
    newer: Snapshot
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)


def _fields(procedure: Procedure) -> dict:
    data = procedure.to_dict()
    for name in IGNORED_FIELDS:
        data.pop(name, None)
    return data


class SnapshotLog:
    """The snapshot table inside a knowledge database file (SQLite, like the procedure store)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.executescript(_SCHEMA)

    def record(self, procedures: Iterable[Procedure], *, taken_at: str | None = None) -> Snapshot:
        """Keep the procedures one import read, as the newest snapshot."""
        data = {p.code: _fields(p) for p in procedures}
        blob = zlib.compress(json.dumps(data, ensure_ascii=False, sort_keys=True).encode(), 6)
        stamp = taken_at or datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO import_snapshots(taken_at, procedures, data) VALUES (?, ?, ?)",
                (stamp, len(data), blob),
            )
        return Snapshot(int(cursor.lastrowid or 0), stamp, len(data))

    def list(self) -> list[Snapshot]:
        """Snapshots, newest first."""
        rows = self._db.execute(
            "SELECT id, taken_at, procedures FROM import_snapshots ORDER BY id DESC"
        ).fetchall()
        return [Snapshot(*row) for row in rows]

    def latest(self) -> Snapshot | None:
        snapshots = self.list()
        return snapshots[0] if snapshots else None

    def load(self, snapshot_id: int) -> dict[str, dict]:
        row = self._db.execute(
            "SELECT data FROM import_snapshots WHERE id = ?", (snapshot_id,)
        ).fetchone()
        if row is None:
            raise KeyError(snapshot_id)
        return json.loads(zlib.decompress(row[0]))

    def get(self, snapshot_id: int) -> Snapshot | None:
        return next((s for s in self.list() if s.id == snapshot_id), None)

    def diff(self, older_id: int, newer_id: int) -> Diff:
        older, newer = self.get(older_id), self.get(newer_id)
        if older is None or newer is None:
            raise KeyError(older_id if older is None else newer_id)
        return diff(older, self.load(older_id), newer, self.load(newer_id))

    def before(self, day: str) -> Snapshot | None:
        """The newest snapshot taken before ``day`` (ISO date), else the oldest one."""
        snapshots = self.list()
        earlier = [s for s in snapshots if s.day < day]
        return earlier[0] if earlier else (snapshots[-1] if snapshots else None)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SnapshotLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def diff(older: Snapshot, old: dict[str, dict], newer: Snapshot, new: dict[str, dict]) -> Diff:
    """New, removed and changed procedures (with the names of the changed fields)."""
    result = Diff(older, newer)
    for code in sorted(set(new) - set(old)):
        result.added.append(Change(code, new[code].get("name", "")))
    for code in sorted(set(old) - set(new)):
        result.removed.append(Change(code, old[code].get("name", "")))
    for code in sorted(set(old) & set(new)):
        before, after = old[code], new[code]
        changed = [name for name in sorted(set(before) | set(after))
                   if before.get(name) != after.get(name)]
        if changed:
            result.changed.append(Change(code, after.get("name", ""), changed))
    return result


def record_import(store: object, procedures: list[Procedure]) -> Snapshot | None:
    """Called at the end of a national import: snapshot it beside a SQLite procedure store."""
    path = getattr(store, "path", None)
    if path is None:
        return None
    with SnapshotLog(path) as log:
        return log.record(procedures)
