"""The knowledge base as the console edits it: search, edit (saved as source "admin"), import.

Admin edits are stored with source="admin", which the store ranks above national and curated
data, so a later catalog import never overwrites them.
"""

from __future__ import annotations

import csv
import logging
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.admin.settings import AdminSettings
from bot.admin.storage import AdminDB
from bot.knowledge.changes import record_import
from bot.knowledge.models import Document, Procedure, SubmissionMethod
from bot.knowledge.store import IndexRow, ProcedureStore, StoreError, open_store
from bot.nlu.normalization import fold_diacritics

TEXT_FIELDS = ("name", "field", "executing_agency", "issuing_agency", "target_users",
               "requirements", "result", "summary", "portal_url")
LINE_FIELDS = ("levels", "steps", "legal_basis", "aliases")
# A name people use for a procedure is a few words; a pasted story is not one.
MAX_ALIAS_CHARS = 120

logger = logging.getLogger(__name__)


@dataclass
class ImportJob:
    state: str = "idle"  # idle | running | done | failed
    done: int = 0
    total: int = 0
    started_by: str = ""
    report: str = ""
    outcomes: Counter = field(default_factory=Counter)


def methods_text(methods: list[SubmissionMethod]) -> str:
    return "\n".join(f"{m.channel} | {m.processing_time} | {m.fee}" for m in methods)


def documents_text(documents: list[Document]) -> str:
    return "\n".join(f"{d.name} | {d.originals} | {d.copies}" for d in documents)


def _cells(line: str, count: int) -> list[str]:
    cells = [c.strip() for c in line.split("|")]
    return (cells + [""] * count)[:count]


def _number(text: str) -> int:
    return int(text) if text.isdigit() else 0


def apply_form(procedure: Procedure, form: dict[str, str]) -> Procedure:
    """A copy of `procedure` with the edited fields; one list item or table row per line."""
    data = procedure.to_dict()
    for name in TEXT_FIELDS:
        if name in form:
            data[name] = form[name].strip()
    for name in LINE_FIELDS:
        if name in form:
            data[name] = [line.strip() for line in form[name].splitlines() if line.strip()]
    if "methods" in form:
        old = {m.channel: m for m in procedure.methods}
        data["methods"] = []
        for line in filter(str.strip, form["methods"].splitlines()):
            channel, time, fee = _cells(line, 3)
            description = old[channel].description if channel in old else ""
            data["methods"].append(SubmissionMethod(channel, time, fee, description))
    if "documents" in form:
        old_docs = {d.name: d for d in procedure.documents}
        data["documents"] = []
        for line in filter(str.strip, form["documents"].splitlines()):
            name, originals, copies = _cells(line, 3)
            previous = old_docs.get(name)
            data["documents"].append(Document(name, _number(originals), _number(copies),
                                              previous.group if previous else "",
                                              previous.is_note if previous else False))
    data["source"] = "admin"
    data["updated"] = date.today().isoformat()
    return Procedure.from_dict(data)


def import_error_text(error: Exception, done: int, total: int) -> str:
    """Why an import failed, for an admin, and what was already written."""
    if isinstance(error, UnicodeDecodeError):
        reason = ("tệp danh mục không phải văn bản UTF-8 (có byte lạ ở vị trí "
                  f"{error.start}). Hãy lưu lại tệp CSV với mã hóa UTF-8.")
    elif isinstance(error, ValueError | csv.Error):
        reason = f"tệp danh mục không đúng định dạng ({error})."
    elif isinstance(error, OSError):
        reason = f"không đọc được tệp ({error.strerror or error})."
    elif isinstance(error, StoreError | sqlite3.Error):
        reason = f"không ghi được vào kho thủ tục ({error})."
    else:
        reason = f"lỗi không mong đợi ({type(error).__name__}: {error}); xem nhật ký máy chủ."
    if not done:
        return f"Nhập thất bại: {reason} Chưa ghi thủ tục nào."
    return (f"Nhập thất bại: {reason} Đã ghi {done}/{total} thủ tục, mỗi thủ tục được ghi trọn "
            "vẹn; chạy lại việc nhập sẽ hoàn tất phần còn lại.")


class ProcedureAdmin:
    def __init__(self, settings: AdminSettings, db: AdminDB) -> None:
        self.settings = settings
        self.db = db
        self.job = ImportJob()
        self._lock = threading.Lock()

    def _open(self, create: bool = False) -> ProcedureStore:
        return open_store(self.settings.knowledge_db, create=create)

    def count(self) -> int:
        try:
            store = self._open()
        except StoreError:
            return 0
        try:
            return store.count()
        finally:
            store.close()

    def search(self, query: str, limit: int = 100) -> tuple[list[IndexRow], int]:
        """Rows whose code, name or aliases contain the query (accents optional)."""
        try:
            store = self._open()
        except StoreError:
            return [], 0
        try:
            rows = store.index_rows()
        finally:
            store.close()
        needle = fold_diacritics(query.strip().lower())
        if needle:
            rows = [r for r in rows if needle in fold_diacritics(
                " ".join((r.code, r.name, *r.aliases)).lower())]
        return rows[:limit], len(rows)

    def get(self, code: str) -> tuple[Procedure | None, Procedure | None]:
        """The procedure as the assistant shows it, and its national version (if any)."""
        try:
            store = self._open()
        except StoreError:
            return None, None
        try:
            national = store.get_national(code) if hasattr(store, "get_national") else None
            return store.get(code), national
        finally:
            store.close()

    def save(self, code: str, form: dict[str, str], username: str) -> Procedure:
        store = self._open()
        try:
            current = store.get(code)
            if current is None:
                raise StoreError(f"Không có thủ tục mã {code}.")
            edited = apply_form(current, form)
            if not edited.name:
                raise StoreError("Tên thủ tục không được để trống.")
            store.upsert(edited, source="admin")
        finally:
            store.close()
        self.db.audit(username, "procedure.edit", code, current.to_dict(), edited.to_dict())
        return edited

    def add_alias(self, code: str, alias: str, username: str) -> Procedure:
        """Teach the search a name citizens use for a procedure (from the not-understood inbox).

        The store changes, so the running assistant's search rebuilds on its next question: no
        training. The entry becomes an admin edit, which later imports keep.
        """
        alias = " ".join(alias.split())
        if not alias:
            raise StoreError("Tên gọi không được để trống.")
        if len(alias) > MAX_ALIAS_CHARS:
            raise StoreError(f"Tên gọi dài quá {MAX_ALIAS_CHARS} ký tự: hãy giữ lại phần gọi "
                             "tên thủ tục (ví dụ \"làm lại bằng lái\").")
        store = self._open()
        try:
            current = store.get(code.strip())
            if current is None:
                raise StoreError(f"Không có thủ tục mã {code.strip() or '(trống)'}.")
            known = {fold_diacritics(a.lower()) for a in current.aliases}
            if fold_diacritics(alias.lower()) in known:
                return current
            edited = apply_form(current, {"aliases": "\n".join([*current.aliases, alias])})
            store.upsert(edited, source="admin")
        finally:
            store.close()
        self.db.audit(username, "procedure.alias", current.code, current.aliases, edited.aliases)
        return edited

    # --- national import ---------------------------------------------------------------------

    def start_import(self, username: str) -> None:
        catalog = self.settings.national_data / "catalog.csv"
        if not catalog.exists():
            raise StoreError(f"Không tìm thấy danh mục quốc gia: {catalog}")
        with self._lock:
            if self.job.state == "running":
                raise StoreError("Đang nhập dữ liệu; hãy đợi lần nhập này xong.")
            self.job = ImportJob(state="running", started_by=username)
        self.db.audit(username, "procedure.import", str(catalog))
        threading.Thread(target=self._import, args=(self.job,), daemon=True).start()

    def _import(self, job: ImportJob) -> None:
        from bot.knowledge.importer import ImportReport, national_procedures

        details = self.settings.national_data / "details"
        report = ImportReport("Nhập danh mục quốc gia")
        try:
            procedures = list(national_procedures(self.settings.national_data / "catalog.csv",
                                                  details if details.is_dir() else None, report))
            job.total = len(procedures)
            store = self._open(create=True)
            try:
                for procedure in procedures:
                    outcome = store.upsert(procedure, source="national")
                    report.outcomes[outcome] += 1
                    if outcome == "kept":
                        report.kept.append(f"{procedure.code}: mục do người biên tập giữ nguyên")
                    job.done += 1
                record_import(store, procedures)  # dated snapshot (bot/knowledge/changes.py)
            finally:
                store.close()
            job.outcomes = report.outcomes
            job.report = report.render()
            job.state = "done"
        except Exception as error:  # the page polls this job: it must never stay "running"
            logger.exception("National import failed")
            job.report = import_error_text(error, job.done, job.total)
            job.state = "failed"

    def job_status(self) -> dict[str, Any]:
        job = self.job
        return {"state": job.state, "done": job.done, "total": job.total,
                "report": job.report, "outcomes": dict(job.outcomes)}
