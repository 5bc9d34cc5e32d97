"""The staff assistant behind "Trợ lý cán bộ": procedure details, catalog changes, and quotes
from internal documents, each with its source.

It runs inside the admin console (signed-in staff only) and never goes through Rasa, so the
citizens' channels cannot reach internal documents by construction (docs/decisions.md).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bot.content import content
from bot.knowledge.changes import Diff, SnapshotLog
from bot.nlu.normalization import fold_diacritics
from bot.staff.documents import DocumentError, extract
from bot.staff.index import BM25Index, segment
from bot.staff.legal import split
from bot.staff.procedures import CODE_RE, ProcedureDetail, ProcedureLookup
from bot.staff.store import DocumentInfo, StaffStore, StoredPassage

# Share of the question's weight a passage must contain to be quoted at all.
MIN_COVERAGE = 0.45
_CHANGES_RE = re.compile(
    r"(thu tuc|tthc).*\b(moi|bai bo|bi bo|thay doi|sua doi)\b.*"
    r"(thang truoc|lan nhap|gan day|tuan truoc|ky truoc|tu ngay)"
    r"|thu tuc nao (moi|bi bai bo|bai bo|thay doi|da thay doi|bi bo)"
)
_DETAIL_RE = re.compile(r"^\s*(chi tiet|xem chi tiet|toan bo|day du)\b")
_DATE_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$|^(\d{4})-(\d{2})-(\d{2})$")


@dataclass
class Hit:
    document: DocumentInfo
    passage: StoredPassage
    score: float


@dataclass
class Answer:
    kind: str  # "passages" | "procedure" | "changes" | "none"
    text: str
    hits: list[Hit] = field(default_factory=list)
    detail: ProcedureDetail | None = None
    diff: Diff | None = None


def index_text(title: str, number: str, heading: str, text: str) -> str:
    """What a passage is found by: its own words plus its document's and article's names."""
    return f"{title}\n{number}\n{heading}\n{text}"


def can_see(user: dict[str, Any], document: DocumentInfo) -> bool:
    """Admins see everything; others see documents for all staff or for their department."""
    if user.get("role") == "admin" or not document.department:
        return True
    return document.department.strip().lower() == str(user.get("department") or "").strip().lower()


def parse_issued(value: str) -> str:
    """An issue date typed as dd/mm/yyyy or yyyy-mm-dd, as ISO; "" stays ""."""
    value = value.strip()
    if not value:
        return ""
    match = _DATE_RE.match(value)
    try:
        if match and match.group(1):
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1))).isoformat()
        if match:
            return date(int(match.group(4)), int(match.group(5)), int(match.group(6))).isoformat()
    except ValueError:
        pass
    raise DocumentError("bad_date", value=value)


class StaffAssistant:
    def __init__(self, store_location: str | Path, knowledge_db: Path) -> None:
        self.store = StaffStore(store_location)
        self.knowledge_db = knowledge_db
        self.procedures = ProcedureLookup(knowledge_db)
        self._lock = threading.Lock()
        self._revision = -1
        self._index = BM25Index([])
        self._passages: list[StoredPassage] = []
        self._documents: dict[int, DocumentInfo] = {}

    # -- documents ---------------------------------------------------------------------------

    def upload(self, *, filename: str, data: bytes, title: str, number: str, issued: str,
               department: str, username: str) -> tuple[int, str]:
        """Check, extract, split and store a file; returns (document id, message).

        Raises :class:`DocumentError` before anything is written when the file is unusable.
        """
        title, number = title.strip(), number.strip()
        if not title:
            raise DocumentError("no_title")
        issued = parse_issued(issued)
        extracted = extract(filename, data)
        passages = split(extracted.pages)
        if not passages:
            raise DocumentError("empty", filename=filename)
        previous = self.store.find_version_of(number, title)
        terms = [segment(index_text(title, number, p.heading, p.text)) for p in passages]
        document_id = self.store.save(
            title=title, number=number, issued=issued, department=department.strip(),
            filename=Path(filename).name, kind=extracted.kind, data=data, passages=passages,
            uploaded_by=username, replaces=previous.id if previous else None, terms=terms)
        if previous:
            message = content.text("staff.upload_replaced", title=title,
                                   version=previous.version + 1, passages=len(passages))
        else:
            message = content.text("staff.upload_ok", title=title, passages=len(passages))
        return document_id, message

    def delete(self, document_id: int) -> DocumentInfo | None:
        document = self.store.document(document_id)
        if document and self.store.delete(document_id):
            return document
        return None

    # -- search ------------------------------------------------------------------------------

    def _refresh(self) -> None:
        revision = self.store.revision()
        with self._lock:
            if revision == self._revision:
                return
            documents = {d.id: d for d in self.store.documents()}
            passages = [p for p in self.store.passages() if p.document_id in documents]
            self._index = BM25Index([p.terms for p in passages])
            self._passages, self._documents, self._revision = passages, documents, revision

    def search(self, question: str, user: dict[str, Any], limit: int = 3) -> list[Hit]:
        self._refresh()
        with self._lock:
            index, passages, documents = self._index, self._passages, self._documents
        allowed = np.array([can_see(user, documents[p.document_id]) for p in passages],
                           dtype=bool)
        found = index.search(question, allowed=allowed, limit=limit, min_coverage=MIN_COVERAGE)
        return [Hit(documents[passages[s.index].document_id], passages[s.index], s.score)
                for s in found]

    # -- questions ---------------------------------------------------------------------------

    def ask(self, question: str, user: dict[str, Any]) -> Answer:
        question = question.strip()[:500]
        if not question:
            return Answer("none", content.text("staff.empty_question"))
        folded = fold_diacritics(question).lower()
        if CODE_RE.search(question) or _DETAIL_RE.match(folded):
            answer = self._procedure(question)
            if answer:
                return answer
        if _CHANGES_RE.search(folded):
            return self._changes()
        hits = self.search(question, user)
        if not hits:
            return Answer("none", content.text("staff.no_match"))
        return Answer("passages", content.text("staff.passages_found", count=len(hits)), hits)

    def _procedure(self, question: str) -> Answer | None:
        code = self.procedures.find_code(question)
        if code is None:
            return None
        detail = self.procedures.detail(code)
        if detail is None:
            return Answer("none", content.text("staff.procedure_not_found", code=code))
        text = content.text("staff.procedure_detail", code=code, name=detail.procedure.name)
        return Answer("procedure", text, detail=detail)

    def changes(self, older: int | None = None, newer: int | None = None) -> Diff | None:
        """Changes between two snapshots; by default the latest against a month earlier."""
        if not self.knowledge_db.exists():
            return None
        with SnapshotLog(self.knowledge_db) as log:
            snapshots = log.list()
            if len(snapshots) < 2:
                return None
            newest = log.get(newer) if newer else snapshots[0]
            if newest is None:
                return None
            if older:
                oldest = log.get(older)
            else:
                month_ago = (date.fromisoformat(newest.day) - timedelta(days=30)).isoformat()
                earlier = [s for s in snapshots if s.id < newest.id]
                oldest = next((s for s in earlier if s.day <= month_ago),
                              earlier[-1] if earlier else None)
            if oldest is None:
                return None
            return log.diff(oldest.id, newest.id)

    def snapshots(self) -> list:
        if not self.knowledge_db.exists():
            return []
        with SnapshotLog(self.knowledge_db) as log:
            return log.list()

    def _changes(self) -> Answer:
        diff = self.changes()
        if diff is None:
            return Answer("none", content.text("staff.changes_need_two",
                                               count=len(self.snapshots())))
        text = content.text("staff.changes_summary", older=diff.older.day, newer=diff.newer.day,
                            added=len(diff.added), removed=len(diff.removed),
                            changed=len(diff.changed))
        return Answer("changes", text, diff=diff)

    def close(self) -> None:
        self.store.close()
