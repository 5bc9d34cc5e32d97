"""Where procedures live: a small store interface and its embedded SQLite implementation.

Ownership rules (the reason this module exists rather than a dict in a pickle):

* every row has an owner, ``source``: "national" (imported), "curated" (data/catalog) or "admin"
  (edited in the console). A national import never overwrites a curated or admin entry, and a
  curated reload never overwrites an admin edit — setup runs every start-up, admin edits must
  survive it.
* the latest national version of every procedure is kept beside the row (``national_data``) even
  when someone else owns it. A curated entry's EMPTY fields are filled from it when read, so a
  curated entry can carry only a summary and aliases and still show the official documents,
  fees and legal basis. Fields the curated entry sets always win. Admin entries are shown exactly
  as edited (an admin who empties a field means it).

All SQL sits in :class:`SQLiteProcedureStore`; a PostgreSQL store only has to implement
:class:`ProcedureStore` (same two JSON columns, same rules).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, Protocol

from bot.knowledge.models import Procedure

Source = Literal["national", "curated", "admin"]
SOURCES: tuple[str, ...] = ("national", "curated", "admin")
# Who may overwrite whom: a writer replaces a row only when its rank is >= the row owner's rank.
_RANK = {"national": 0, "curated": 1, "admin": 2}

# What upsert() did, so importers can report it.
Outcome = Literal["inserted", "updated", "unchanged", "kept"]


class StoreError(Exception):
    """The database file is missing, unreadable or not a procedure store."""


@dataclass(frozen=True)
class IndexRow:
    """The light columns the search index needs, without decoding every procedure's JSON."""

    code: str
    name: str
    aliases: tuple[str, ...]
    issuing_agency: str
    executing_agency: str
    levels: tuple[str, ...]
    target_users: str
    source: str
    field: str = ""  # lĩnh vực, e.g. "Hộ tịch"
    # what the details say it is for: result, conditions, users, our summary (searched apart)
    details: str = ""


class ProcedureStore(Protocol):
    """What the assistant, the importer and the admin console need from a procedure store."""

    def get(self, code: str) -> Procedure | None: ...

    def upsert(self, procedure: Procedure, *, source: Source) -> Outcome: ...

    def delete(self, code: str) -> bool: ...

    def all(self) -> Iterator[Procedure]: ...

    def count(self, source: Source | None = None) -> int: ...

    def index_rows(self) -> list[IndexRow]: ...

    def revision(self) -> int:
        """A number that changes whenever any procedure changes (search rebuilds on change)."""
        ...

    def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS procedures (
    code TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    name TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT '[]',
    issuing_agency TEXT NOT NULL DEFAULT '',
    executing_agency TEXT NOT NULL DEFAULT '',
    levels TEXT NOT NULL DEFAULT '[]',
    target_users TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL,
    national_data TEXT
);
CREATE INDEX IF NOT EXISTS procedures_source ON procedures(source);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('revision', '0'), ('schema', '1');
"""


def _canonical(procedure: Procedure) -> str:
    """Stable JSON of a procedure without its owner and date, to tell real changes apart."""
    data = procedure.to_dict()
    data.pop("source", None)
    data.pop("updated", None)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _encode(procedure: Procedure, source: str) -> str:
    data = procedure.to_dict()
    data["source"] = source
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _is_empty(value: object) -> bool:
    return value in ("", None) or (isinstance(value, list) and not value)


_BARE_NUMBER = re.compile(r"^\S+$")


def fill_from_national(curated: Procedure, national: Procedure) -> Procedure:
    """The curated entry with its empty fields taken from the national version of it.

    A legal basis kept as bare document numbers ("68/2020/QH14") is completed by the national
    list, which names each document.
    """
    merged = curated.to_dict()
    for key, value in national.to_dict().items():
        if key not in ("source", "aliases", "summary", "updated") and _is_empty(merged.get(key)):
            merged[key] = value
    if national.legal_basis and all(_BARE_NUMBER.match(item) for item in curated.legal_basis):
        merged["legal_basis"] = national.legal_basis
    return Procedure.from_dict(merged)


class SQLiteProcedureStore:
    """Embedded store: one SQLite file (WAL, so the action server, the admin console and an
    importer can open it at the same time), procedures as JSON plus a few indexed columns."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise StoreError(f"database not found: {self.path}")
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout = 10000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            if create:
                self._db.executescript(_SCHEMA)
            else:
                self._db.execute("SELECT count(*) FROM procedures").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"not a procedure database: {self.path} ({exc})") from exc

    # -- reading -------------------------------------------------------------------------

    def _row_to_procedure(self, source: str, data: str, national: str | None) -> Procedure:
        procedure = Procedure.from_dict(json.loads(data))
        procedure.source = source
        if source == "curated" and national:
            procedure = fill_from_national(procedure, Procedure.from_dict(json.loads(national)))
        return procedure

    def get(self, code: str) -> Procedure | None:
        with self._lock:
            row = self._db.execute(
                "SELECT source, data, national_data FROM procedures WHERE code = ?", (code,)
            ).fetchone()
        return self._row_to_procedure(*row) if row else None

    def get_national(self, code: str) -> Procedure | None:
        """The national version of a procedure, whoever owns the row (for admin diffs)."""
        with self._lock:
            row = self._db.execute(
                "SELECT national_data FROM procedures WHERE code = ?", (code,)
            ).fetchone()
        return Procedure.from_dict(json.loads(row[0])) if row and row[0] else None

    def all(self) -> Iterator[Procedure]:
        with self._lock:
            rows = self._db.execute(
                "SELECT source, data, national_data FROM procedures ORDER BY code"
            ).fetchall()
        for row in rows:
            yield self._row_to_procedure(*row)

    def codes(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT code FROM procedures")}

    def count(self, source: Source | None = None) -> int:
        with self._lock:
            if source is None:
                return self._db.execute("SELECT count(*) FROM procedures").fetchone()[0]
            return self._db.execute(
                "SELECT count(*) FROM procedures WHERE source = ?", (source,)
            ).fetchone()[0]

    def index_rows(self) -> list[IndexRow]:
        with self._lock:
            rows = self._db.execute(
                "SELECT code, name, aliases, issuing_agency, executing_agency, levels,"
                " target_users, source, COALESCE(NULLIF(json_extract(data, '$.field'), ''),"
                " json_extract(national_data, '$.field'), ''),"
                " COALESCE(json_extract(national_data, '$.result'), '') || ' ' ||"
                " COALESCE(json_extract(national_data, '$.requirements'), '') || ' ' ||"
                " COALESCE(json_extract(national_data, '$.target_users'), '') || ' ' ||"
                " COALESCE(json_extract(data, '$.summary'), '')"
                " FROM procedures"
            ).fetchall()
        return [
            IndexRow(r[0], r[1], tuple(json.loads(r[2])), r[3], r[4], tuple(json.loads(r[5])),
                     r[6], r[7], r[8] or "", r[9] or "")
            for r in rows
        ]

    def revision(self) -> int:
        with self._lock:
            return int(
                self._db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]
            )

    # -- writing -------------------------------------------------------------------------

    def upsert(self, procedure: Procedure, *, source: Source) -> Outcome:
        """Insert or replace ``procedure`` as owned by ``source``, following the ownership rules.

        Returns "kept" when a higher-ranked owner's entry was left alone (its national copy is
        still refreshed), "unchanged" when nothing differs, else "inserted" / "updated".
        """
        if source not in _RANK:
            raise ValueError(f"unknown source {source!r}; expected one of {SOURCES}")
        if not procedure.code or not procedure.name:
            raise ValueError("a procedure needs a code and a name")
        with self._lock, self._db:
            row = self._db.execute(
                "SELECT source, data, national_data FROM procedures WHERE code = ?",
                (procedure.code,),
            ).fetchone()
            national_json = _encode(procedure, "national") if source == "national" else None
            if row is None:
                self._write(procedure, source, national_json, insert=True)
                return "inserted"
            owner, data, old_national = row
            if _RANK[source] < _RANK[owner]:
                if national_json and (
                    old_national is None
                    or _canonical(Procedure.from_dict(json.loads(old_national)))
                    != _canonical(procedure)
                ):
                    self._db.execute(
                        "UPDATE procedures SET national_data = ? WHERE code = ?",
                        (national_json, procedure.code),
                    )
                    self._bump()
                return "kept"
            if owner == source and _canonical(Procedure.from_dict(json.loads(data))) == (
                _canonical(procedure)
            ):
                return "unchanged"
            self._write(procedure, source, national_json or old_national, insert=False)
            return "updated"

    def _write(
        self, procedure: Procedure, source: str, national_json: str | None, *, insert: bool
    ) -> None:
        stored = Procedure.from_dict(procedure.to_dict())
        stored.updated = procedure.updated or date.today().isoformat()
        values = (
            source,
            stored.name,
            json.dumps(stored.aliases, ensure_ascii=False),
            stored.issuing_agency,
            stored.executing_agency,
            json.dumps(stored.levels, ensure_ascii=False),
            stored.target_users,
            _encode(stored, source),
            national_json,
            stored.code,
        )
        if insert:
            self._db.execute(
                "INSERT INTO procedures(source, name, aliases, issuing_agency, executing_agency,"
                " levels, target_users, data, national_data, code)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        else:
            self._db.execute(
                "UPDATE procedures SET source = ?, name = ?, aliases = ?, issuing_agency = ?,"
                " executing_agency = ?, levels = ?, target_users = ?, data = ?,"
                " national_data = ? WHERE code = ?",
                values,
            )
        self._bump()

    def _bump(self) -> None:
        self._db.execute(
            "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'"
        )

    def delete(self, code: str) -> bool:
        with self._lock, self._db:
            deleted = self._db.execute("DELETE FROM procedures WHERE code = ?", (code,)).rowcount
            if deleted:
                self._bump()
        return bool(deleted)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SQLiteProcedureStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


DEFAULT_DB = Path("var/knowledge.db")


def open_store(location: str | Path = DEFAULT_DB, *, create: bool = True) -> ProcedureStore:
    """Open the store named by a path (SQLite) or, later, a ``postgresql://`` URL."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        raise StoreError("PostgreSQL store is not implemented yet; use a SQLite file path")
    return SQLiteProcedureStore(text, create=create)
