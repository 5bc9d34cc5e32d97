"""Knowledge base in the console: search, edit as source "admin", import with a report."""

from __future__ import annotations

import sqlite3
import time

import pytest

from bot.admin.procedures import apply_form
from bot.knowledge.models import Document, Procedure, SubmissionMethod
from bot.knowledge.store import open_store

CATALOG = (
    "Mã số,Tên,Cơ quan ban hành,Cơ quan thực hiện,Lĩnh vực,URL\n"
    "1.000001,Cấp hộ chiếu phổ thông,Bộ Công an,Công an cấp tỉnh,Xuất nhập cảnh,https://x/1\n"
    "2.000002,Đăng ký khai sinh,Bộ Tư pháp,UBND cấp xã,Hộ tịch,https://x/2\n"
)


@pytest.fixture
def store_with_passport(settings):
    store = open_store(settings.knowledge_db)
    store.upsert(Procedure(code="1.000001", name="Cấp hộ chiếu phổ thông", field="Xuất nhập cảnh",
                           methods=[SubmissionMethod("Trực tuyến", "8 ngày", "", "mô tả")],
                           documents=[Document("Tờ khai", 1, 0)]), source="national")
    store.close()
    return settings.knowledge_db


def test_apply_form_keeps_what_the_form_does_not_show() -> None:
    original = Procedure(code="1", name="A", methods=[SubmissionMethod("Trực tiếp", "5 ngày", "",
                                                                       "chi tiết")],
                         documents=[Document("Tờ khai", 1, 0, group="Trường hợp 1")])
    edited = apply_form(original, {"methods": "Trực tiếp | 3 ngày | 50.000 đồng",
                                   "documents": "Tờ khai | 1 | 2\nẢnh 4x6 | 2 | 0",
                                   "aliases": "làm hộ chiếu\n\nhộ chiếu"})
    assert edited.methods == [SubmissionMethod("Trực tiếp", "3 ngày", "50.000 đồng", "chi tiết")]
    assert edited.documents[0] == Document("Tờ khai", 1, 2, group="Trường hợp 1")
    assert edited.documents[1].name == "Ảnh 4x6"
    assert edited.aliases == ["làm hộ chiếu", "hộ chiếu"]
    assert edited.source == "admin" and edited.updated


def test_search_and_edit_survive_a_national_import(as_role, app, settings,
                                                   store_with_passport) -> None:
    viewer = as_role("viewer")
    assert "Cấp hộ chiếu phổ thông" in viewer.get("/procedures?q=ho chieu").text
    editor = as_role("editor")
    response = editor.post("/procedures/1.000001", {"name": "Cấp hộ chiếu phổ thông",
                                                    "summary": "Làm hộ chiếu lần đầu."})
    assert "Đã lưu thủ tục" in response.text
    store = open_store(settings.knowledge_db)
    try:
        assert store.get("1.000001").source == "admin"
        assert store.upsert(Procedure(code="1.000001", name="Tên mới từ danh mục"),
                            source="national") == "kept"
        assert store.get("1.000001").summary == "Làm hộ chiếu lần đầu."
    finally:
        store.close()
    audit = app.state.db.query("SELECT * FROM audit WHERE action = 'procedure.edit'")
    assert "Làm hộ chiếu lần đầu." in audit[0]["after"] and audit[0]["username"] == "editor"


def test_import_shows_progress_and_report(as_role, app, settings) -> None:
    settings.national_data.mkdir(parents=True)
    (settings.national_data / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    admin = as_role("admin")
    assert as_role("editor").post("/procedures-import").status_code == 403
    admin.post("/procedures-import")
    deadline = time.monotonic() + 30
    status = admin.get("/procedures-import/status").json()
    while status["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
        status = admin.get("/procedures-import/status").json()
    assert status["state"] == "done", status
    assert status["done"] == status["total"] == 2
    assert status["outcomes"]["inserted"] == 2
    assert "2 inserted" in status["report"]
    assert "Đăng ký khai sinh" in admin.get("/procedures?q=khai sinh").text


def test_import_without_catalog_says_so(as_role) -> None:
    response = as_role("admin").post("/procedures-import")
    assert "Không tìm thấy danh mục quốc gia" in response.text


def _run_import(admin, settings, catalog: bytes) -> dict:
    settings.national_data.mkdir(parents=True, exist_ok=True)
    (settings.national_data / "catalog.csv").write_bytes(catalog)
    admin.post("/procedures-import")
    deadline = time.monotonic() + 30
    status = admin.get("/procedures-import/status").json()
    while status["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
        status = admin.get("/procedures-import/status").json()
    return status


@pytest.mark.parametrize("catalog, reason", [
    (b"\xff\xfe\x00garbage\x80", "không phải văn bản UTF-8"),
    (CATALOG.encode("cp1258", "replace"), "không phải văn bản UTF-8"),
    (b"a,b,c\n1,2,3\n", "không đúng định dạng"),
    (b"", "không đúng định dạng"),
], ids=["binary", "not-utf8", "wrong-header", "empty"])
def test_broken_catalog_is_refused_in_vietnamese_and_writes_nothing(as_role, settings, catalog,
                                                                    reason) -> None:
    status = _run_import(as_role("admin"), settings, catalog)
    assert status["state"] == "failed"
    assert status["report"].startswith("Nhập thất bại: ") and reason in status["report"]
    assert "Chưa ghi thủ tục nào." in status["report"]
    assert not settings.knowledge_db.exists() or open_store(settings.knowledge_db).count() == 0


def test_store_failure_mid_import_is_reported_not_left_running(as_role, settings,
                                                               monkeypatch) -> None:
    from bot.knowledge.store import SQLiteProcedureStore

    real_upsert = SQLiteProcedureStore.upsert

    def upsert_then_fail(store, procedure, *, source):
        if procedure.code == "2.000002":
            raise sqlite3.OperationalError("database or disk is full")
        return real_upsert(store, procedure, source=source)

    monkeypatch.setattr(SQLiteProcedureStore, "upsert", upsert_then_fail)
    status = _run_import(as_role("admin"), settings, CATALOG.encode())
    assert status["state"] == "failed"
    assert "không ghi được vào kho thủ tục" in status["report"]
    assert "Đã ghi 1/2 thủ tục" in status["report"]


def test_import_from_a_missing_directory_says_so(as_role, settings) -> None:
    settings.national_data = settings.national_data / "khong-ton-tai"
    response = as_role("admin").post("/procedures-import")
    assert "Không tìm thấy danh mục quốc gia" in response.text
    assert as_role("admin").get("/procedures-import/status").json()["state"] == "idle"
