"""Import the national catalog and the curated catalog into a store, and say what happened.

Idempotent: a second run with the same files changes nothing and reports 0 inserted/updated.
The ownership rules of the store (curated and admin entries are never overwritten by national
data) apply here too; such codes are reported as "kept".
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TypeVar

from bot.knowledge.changes import record_import
from bot.knowledge.curated import load_catalog
from bot.knowledge.national import (
    CatalogRow,
    Detail,
    merge_row_and_detail,
    parse_catalog,
    parse_detail,
)
from bot.knowledge.store import ProcedureStore

T = TypeVar("T")
_MAX_LISTED = 15  # problems listed one by one in the report; the rest are counted


@dataclass
class ImportReport:
    """Counts and reasons, printed after an import."""

    title: str
    outcomes: Counter = field(default_factory=Counter)
    kept: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.outcomes["inserted"] + self.outcomes["updated"]

    def render(self) -> str:
        o = self.outcomes
        lines = [
            f"{self.title}: {sum(o.values())} procedures read — {o['inserted']} inserted, "
            f"{o['updated']} updated, {o['unchanged']} unchanged, {o['kept']} kept "
            "(curated/admin entries are never overwritten)."
        ]
        if not self.changed:
            lines.append("Nothing changed: the store already matches these files.")
        for label, items in (
            ("Kept (owned by curated/admin)", self.kept),
            ("Merged duplicates", self.merged),
            ("Skipped", self.skipped),
            ("Notes", self.notes),
        ):
            if not items:
                continue
            lines.append(f"{label}: {len(items)}")
            lines.extend(f"  - {item}" for item in items[:_MAX_LISTED])
            if len(items) > _MAX_LISTED:
                lines.append(f"  … and {len(items) - _MAX_LISTED} more")
        return "\n".join(lines)


def _progress(items: list[T], enabled: bool, label: str) -> Iterable[T]:
    if not enabled:
        return items
    from tqdm import tqdm  # installed with Rasa; only needed for interactive runs

    return tqdm(items, desc=label, unit="proc", file=sys.stderr, leave=False)


def _merge_rows(first: CatalogRow, second: CatalogRow) -> tuple[CatalogRow, list[str]]:
    """Keep the first row's values, fill its empty cells from the duplicate; list conflicts."""
    conflicts = []
    for item in fields(CatalogRow):
        if item.name in ("line", "code"):
            continue
        old, new = getattr(first, item.name), getattr(second, item.name)
        if not old and new:
            setattr(first, item.name, new)
        elif new and old != new:
            conflicts.append(item.name)
    return first, conflicts


def _read_details(directory: Path | None, report: ImportReport) -> dict[str, Detail]:
    details: dict[str, Detail] = {}
    if directory is None:
        return details
    fallback = 0
    for path in sorted(directory.glob("*.md")):
        try:
            detail = parse_detail(path.read_text(encoding="utf-8"), expected_code=path.stem)
        except (OSError, UnicodeDecodeError) as exc:
            report.skipped.append(f"{path.name}: unreadable ({exc})")
            continue
        if detail.code != path.stem:
            report.notes.append(f"{path.name}: page says code {detail.code}; file name wins")
            detail.code = detail.procedure.code = path.stem
        fallback += detail.fallback_layout
        details[detail.code] = detail
    if fallback:
        report.notes.append(
            f"{fallback} detail pages use the flattened fallback layout: parsed best-effort"
        )
    return details


def national_procedures(
    catalog: Path, details_dir: Path | None, report: ImportReport
) -> Iterator:
    """Procedures built from catalog.csv rows and their detail pages, problems in ``report``."""
    parsed = parse_catalog(catalog)
    report.skipped.extend(p for p in parsed.problems if "skipped" in p)
    report.notes.extend(p for p in parsed.problems if "skipped" not in p)
    rows: dict[str, CatalogRow] = {}
    for row in parsed.rows:
        if row.code in rows:
            merged, conflicts = _merge_rows(rows[row.code], row)
            rows[row.code] = merged
            detail = f"; differing {', '.join(conflicts)} kept from line {merged.line}"
            report.merged.append(
                f"{row.code}: lines {merged.line} and {row.line} merged"
                + (detail if conflicts else "")
            )
        else:
            rows[row.code] = row
    details = _read_details(details_dir, report)
    for code, row in rows.items():
        yield merge_row_and_detail(row, details.get(code))
    for code in sorted(set(details) - set(rows)):
        detail = details[code]
        if not detail.name:
            report.skipped.append(f"{code}: detail page without a catalog row or a title")
            continue
        report.notes.append(f"{code}: detail page without a catalog row, imported from the page")
        yield merge_row_and_detail(None, detail)


def import_national(
    store: ProcedureStore,
    catalog: Path,
    details_dir: Path | None = None,
    *,
    progress: bool = False,
) -> ImportReport:
    """Import catalog.csv (+ details/) into ``store`` as source "national"."""
    report = ImportReport("National import")
    procedures = list(national_procedures(catalog, details_dir, report))
    for procedure in _progress(procedures, progress, "Importing"):
        outcome = store.upsert(procedure, source="national")
        report.outcomes[outcome] += 1
        if outcome == "kept":
            report.kept.append(f"{procedure.code}: national data kept aside, entry not changed")
    record_import(store, procedures)  # dated snapshot for "what changed since the last import"
    return report


def load_curated(store: ProcedureStore, directory: Path) -> ImportReport:
    """Load ``directory/*.yml`` as source "curated" (admin edits of the same code win)."""
    report = ImportReport("Curated catalog")
    for procedure in load_catalog(directory):
        outcome = store.upsert(procedure, source="curated")
        report.outcomes[outcome] += 1
        if outcome == "kept":
            report.kept.append(f"{procedure.code}: edited by an admin, curated entry not applied")
    return report
