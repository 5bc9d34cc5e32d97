"""Everything about one procedure at once, for a desk officer ("chi tiết 1.004222").

A citizen gets one facet at a time; staff get all facets, the legal basis with document numbers,
the agencies, every variant of the same procedure (other levels and provinces, each with its own
code and portal link) and the date of the last national import, so they know how fresh it is.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.changes import Snapshot, SnapshotLog
from bot.knowledge.models import Procedure
from bot.knowledge.store import IndexRow, ProcedureStore, StoreError, open_store
from bot.nlu.normalization import fold_diacritics

CODE_RE = re.compile(r"\b(\d\.\d{6,}(?:-\w+)?)\b")
_NUMBER_RE = re.compile(r"\b\d+(?:\.\d+)?/\d{4}/[A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*")


@dataclass
class Variant:
    code: str
    name: str
    levels: list[str]
    issuing_agency: str
    executing_agency: str
    url: str


@dataclass
class ProcedureDetail:
    procedure: Procedure
    variants: list[Variant] = field(default_factory=list)
    legal_numbers: list[str] = field(default_factory=list)
    last_import: Snapshot | None = None


def _key(name: str) -> str:
    return re.sub(r"\W+", " ", fold_diacritics(name).lower()).strip()


def legal_numbers(legal_basis: list[str]) -> list[str]:
    """Document numbers cited in the legal basis ("68/2020/QH14", "154/2024/NĐ-CP")."""
    seen: dict[str, None] = {}
    for item in legal_basis:
        for number in _NUMBER_RE.findall(item):
            seen.setdefault(number.rstrip(".,;)"), None)
    return list(seen)


class ProcedureLookup:
    """Finds procedures by code or name in the knowledge store, and gathers their variants.

    The folded-name table (5,600 names) is rebuilt only when the store's revision changes, so a
    question costs a few row reads rather than folding every name again.
    """

    def __init__(self, store_path: Path) -> None:
        self.store_path = store_path
        self._lock = threading.Lock()
        self._revision = -1
        self._by_key: dict[str, list[IndexRow]] = {}

    def _names(self, store: ProcedureStore) -> dict[str, list[IndexRow]]:
        revision = store.revision()
        with self._lock:
            if revision != self._revision:
                by_key: dict[str, list[IndexRow]] = {}
                for row in sorted(store.index_rows(), key=lambda r: r.code):
                    by_key.setdefault(_key(row.name), []).append(row)
                self._by_key, self._revision = by_key, revision
            return self._by_key

    def _open(self) -> ProcedureStore | None:
        try:
            return open_store(self.store_path, create=False)
        except StoreError:
            return None

    def find_code(self, question: str) -> str | None:
        """The procedure code in a question, or the code of the procedure it names."""
        match = CODE_RE.search(question)
        if match:
            return match.group(1)
        wanted = _key(re.sub(r"(?i)^\s*(chi tiết|chi tiet|xem)\s+(thủ tục|thu tuc)?", "",
                             question))
        if len(wanted) < 6:
            return None
        store = self._open()
        if store is None:
            return None
        try:
            names = self._names(store)
        finally:
            store.close()
        rows = names.get(wanted) or min(
            (rows for key, rows in names.items() if wanted in key),
            key=lambda rows: len(rows[0].name), default=[])
        # Among same-named variants, the national (ministry) one first.
        rows = sorted(rows, key=lambda r: (r.source != "national", r.issuing_agency.startswith(
            "UBND"), r.code))
        return rows[0].code if rows else None

    def detail(self, code: str) -> ProcedureDetail | None:
        store = self._open()
        if store is None:
            return None
        try:
            procedure = store.get(code)
            if procedure is None:
                return None
            variants = []
            for row in self._names(store).get(_key(procedure.name), []):
                other = store.get(row.code) if row.code != code else None
                if other:
                    variants.append(Variant(other.code, other.name, other.levels,
                                            other.issuing_agency, other.executing_agency,
                                            other.portal_url))
        finally:
            store.close()
        with SnapshotLog(self.store_path) as log:
            latest = log.latest()
        return ProcedureDetail(procedure, variants, legal_numbers(procedure.legal_basis), latest)
