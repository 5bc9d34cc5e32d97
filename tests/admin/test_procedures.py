"""Knowledge base in the console: search, edit as source "admin", import with a report."""

from __future__ import annotations

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
