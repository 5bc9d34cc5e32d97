"""Internal documents and their passages: SQLite (var/staff.db) by default, PostgreSQL when
``STAFF_DB`` is a ``postgresql://`` URL (several console processes, central back-ups).

The original file is kept in the database so "open at this place" works on any console node.
An upload and a replacement are single transactions: a failed write leaves the old version.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.staff.legal import Passage

_TABLES = """
CREATE TABLE IF NOT EXISTS staff_documents (
    id {serial},
    title TEXT NOT NULL,
    number TEXT NOT NULL DEFAULT '',
    issued TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',
    filename TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    data {blob} NOT NULL
);
CREATE TABLE IF NOT EXISTS staff_passages (
    id {serial},
    document_id INTEGER NOT NULL REFERENCES staff_documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    ref TEXT NOT NULL,
    heading TEXT NOT NULL DEFAULT '',
    chapter TEXT NOT NULL DEFAULT '',
    page INTEGER NOT NULL DEFAULT 1,
    text TEXT NOT NULL,
    terms TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS staff_passages_document ON staff_passages(document_id);
CREATE TABLE IF NOT EXISTS staff_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_META_COLUMNS = ("id, title, number, issued, department, filename, kind, size, sha256, version,"
                 " uploaded_by, uploaded_at")


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    title: str
    number: str
    issued: str
    department: str  # "" = every staff member
    filename: str
    kind: str
    size: int
    sha256: str
    version: int
    uploaded_by: str
    uploaded_at: str


@dataclass(frozen=True)
class StoredPassage:
    id: int
    document_id: int
    ordinal: int
    ref: str
    heading: str
    chapter: str
    page: int
    text: str
    terms: str  # the indexed text, word-segmented (bot.staff.index.segment)


class StaffStore:
    """Same SQL on both databases; only placeholders, id columns and blobs differ."""

    def __init__(self, location: str | Path) -> None:
        self.location = str(location)
        self.postgres = self.location.startswith(("postgresql://", "postgres://"))
        self._lock = threading.Lock()
        if self.postgres:
            import psycopg2

            self._db: Any = psycopg2.connect(self.location)
            schema = _TABLES.format(serial="SERIAL PRIMARY KEY", blob="BYTEA")
        else:
            Path(self.location).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.location, timeout=10, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            schema = _TABLES.format(serial="INTEGER PRIMARY KEY AUTOINCREMENT", blob="BLOB")
        with self._transaction() as cursor:
            for statement in filter(str.strip, schema.split(";")):
                cursor.execute(statement)
            cursor.execute(self._sql("SELECT value FROM staff_meta WHERE key = 'revision'"))
            if cursor.fetchone() is None:
                cursor.execute("INSERT INTO staff_meta(key, value) VALUES ('revision', '0')")

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._lock:
            if self.postgres and self._db.closed:
                # The server dropped us (restart, failover): the failed call closed the
                # connection, this one opens a new one.
                import psycopg2

                self._db = psycopg2.connect(self.location)
            cursor = self._db.cursor()
            try:
                yield cursor
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise
            finally:
                cursor.close()

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._transaction() as cursor:
            cursor.execute(self._sql(sql), tuple(params))
            return list(cursor.fetchall())

    # -- reading ---------------------------------------------------------------------------

    def revision(self) -> int:
        return int(self._query("SELECT value FROM staff_meta WHERE key = 'revision'")[0][0])

    def documents(self) -> list[DocumentInfo]:
        rows = self._query(f"SELECT {_META_COLUMNS} FROM staff_documents ORDER BY title, id")
        return [DocumentInfo(*row) for row in rows]

    def document(self, document_id: int) -> DocumentInfo | None:
        rows = self._query(f"SELECT {_META_COLUMNS} FROM staff_documents WHERE id = ?",
                           (document_id,))
        return DocumentInfo(*rows[0]) if rows else None

    def file(self, document_id: int) -> bytes | None:
        rows = self._query("SELECT data FROM staff_documents WHERE id = ?", (document_id,))
        return bytes(rows[0][0]) if rows else None

    def passages(self, document_id: int | None = None) -> list[StoredPassage]:
        sql = ("SELECT id, document_id, ordinal, ref, heading, chapter, page, text, terms"
               " FROM staff_passages")
        if document_id is None:
            return [StoredPassage(*r) for r in self._query(sql + " ORDER BY id")]
        return [StoredPassage(*r) for r in self._query(
            sql + " WHERE document_id = ? ORDER BY ordinal", (document_id,))]

    def find_version_of(self, number: str, title: str) -> DocumentInfo | None:
        """The stored document a new upload replaces: same number, or same title if unnumbered."""
        if number:
            rows = self._query(f"SELECT {_META_COLUMNS} FROM staff_documents WHERE number = ?",
                               (number,))
        else:
            rows = self._query(f"SELECT {_META_COLUMNS} FROM staff_documents"
                               " WHERE number = '' AND title = ?", (title,))
        return DocumentInfo(*rows[0]) if rows else None

    # -- writing ---------------------------------------------------------------------------

    def save(self, *, title: str, number: str, issued: str, department: str, filename: str,
             kind: str, data: bytes, passages: list[Passage], uploaded_by: str,
             replaces: int | None = None, terms: Sequence[str] = ()) -> int:
        """Store a document and its passages (replacing document ``replaces``); returns its id.

        ``terms`` holds each passage's segmented index text, in the same order.
        """
        terms = list(terms) or [""] * len(passages)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        digest = hashlib.sha256(data).hexdigest()
        blob: Any = data
        if self.postgres:
            import psycopg2

            blob = psycopg2.Binary(data)
        values = (title, number, issued, department, filename, kind, len(data), digest,
                  uploaded_by, now, blob)
        with self._transaction() as cursor:
            if replaces is not None:
                cursor.execute(self._sql(
                    "UPDATE staff_documents SET title = ?, number = ?, issued = ?, department = ?,"
                    " filename = ?, kind = ?, size = ?, sha256 = ?, uploaded_by = ?,"
                    " uploaded_at = ?, data = ?, version = version + 1 WHERE id = ?"),
                    (*values, replaces))
                if cursor.rowcount != 1:
                    raise KeyError(replaces)
                cursor.execute(self._sql("DELETE FROM staff_passages WHERE document_id = ?"),
                               (replaces,))
                document_id = replaces
            else:
                sql = ("INSERT INTO staff_documents(title, number, issued, department, filename,"
                       " kind, size, sha256, uploaded_by, uploaded_at, data)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                if self.postgres:
                    cursor.execute(self._sql(sql + " RETURNING id"), values)
                    document_id = int(cursor.fetchone()[0])
                else:
                    cursor.execute(sql, values)
                    document_id = int(cursor.lastrowid)
            cursor.executemany(self._sql(
                "INSERT INTO staff_passages(document_id, ordinal, ref, heading, chapter, page,"
                " text, terms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                [(document_id, p.ordinal, p.ref, p.heading, p.chapter, p.page, p.text, t)
                 for p, t in zip(passages, terms, strict=True)])
            self._bump(cursor)
        return document_id

    def delete(self, document_id: int) -> bool:
        with self._transaction() as cursor:
            cursor.execute(self._sql("DELETE FROM staff_passages WHERE document_id = ?"),
                           (document_id,))
            cursor.execute(self._sql("DELETE FROM staff_documents WHERE id = ?"), (document_id,))
            deleted = cursor.rowcount > 0
            if deleted:
                self._bump(cursor)
        return deleted

    def _bump(self, cursor: Any) -> None:
        cursor.execute("UPDATE staff_meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
                       " WHERE key = 'revision'")

    def close(self) -> None:
        with self._lock:
            self._db.close()
