"""Everything about one procedure at once, for a desk officer ("chi tiết 1.004222").

A citizen gets one facet at a time; staff get all facets, the legal basis with document numbers,
the agencies, every variant of the same procedure (other levels and provinces, each with its own
code and portal link) and the date of the last national import, so they know how fresh it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.changes import Snapshot, SnapshotLog
from bot.knowledge.models import Procedure
from bot.knowledge.store import StoreError, open_store
from bot.nlu.normalization import fold_diacritics

CODE_RE = re.compile(r"\b(\d\.\d{6,}(?:-\w+)?)\b")
_NUMBER_RE = re.compile(r"\b\d+(?:\.\d+)?/\d{4}/[\wĐđ-]+")


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


def find_code(store_path: Path, question: str) -> str | None:
    """The procedure code in a question, or the code of the procedure it names."""
    match = CODE_RE.search(question)
    if match:
        return match.group(1)
    wanted = _key(re.sub(r"(?i)^\s*(chi tiết|chi tiet|xem)\s+(thủ tục|thu tuc)?", "", question))
    if len(wanted) < 6:
        return None
    try:
        store = open_store(store_path, create=False)
    except StoreError:
        return None
    try:
        rows = store.index_rows()
    finally:
        store.close()
    exact = [r for r in rows if _key(r.name) == wanted]
    containing = sorted((r for r in rows if wanted in _key(r.name)), key=lambda r: len(r.name))
    # Prefer the national (central) version among same-named ones: lowest-level agency last.
    best = sorted(exact or containing[:1], key=lambda r: (r.source != "national", r.code))
    return best[0].code if best else None


def procedure_detail(store_path: Path, code: str) -> ProcedureDetail | None:
    try:
        store = open_store(store_path, create=False)
    except StoreError:
        return None
    try:
        procedure = store.get(code)
        if procedure is None:
            return None
        key = _key(procedure.name)
        variants = []
        for row in sorted(store.index_rows(), key=lambda r: r.code):
            if row.code == code or _key(row.name) != key:
                continue
            other = store.get(row.code)
            if other:
                variants.append(Variant(other.code, other.name, other.levels,
                                        other.issuing_agency, other.executing_agency,
                                        other.portal_url))
    finally:
        store.close()
    with SnapshotLog(store_path) as log:
        latest = log.latest()
    return ProcedureDetail(procedure, variants, legal_numbers(procedure.legal_basis), latest)
