"""The staff assistant through the console's HTTP routes: upload, ask, cite, limits, bad files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.knowledge.importer import import_national
from bot.knowledge.store import SQLiteProcedureStore
from tests.admin.conftest import PASSWORD, login
from tests.staff.corpus import FEES, JUSTICE_ONLY, ONE_STOP
from tests.staff.test_changes import FIXTURES, next_month_catalog


def upload(console, path: Path, title: str, number: str = "", department: str = "",
           issued: str = "15/8/2025"):
    with path.open("rb") as handle:
        return console.client.post(
            "/staff/documents",
            data={"csrf_token": console.csrf, "title": title, "number": number,
                  "issued": issued, "department": department},
            files={"file": (path.name, handle.read())})


def ask(console, question: str) -> str:
    response = console.get("/staff", params={"q": question})
    assert response.status_code == 200
    return response.text


@pytest.fixture
def admin(as_role, corpus_files):
    console = as_role("admin")
    for key in (ONE_STOP.key, FEES.key, JUSTICE_ONLY.key):
        document, path = corpus_files[key]
        page = upload(console, path, document.title, document.number, document.department)
        assert "đoạn được lập chỉ mục" in page.text, page.text
    return console


def test_upload_then_ask_quotes_the_article_with_a_link(admin) -> None:
    page = ask(admin, "hồ sơ chưa hợp lệ thì hướng dẫn bổ sung mấy lần")
    assert "Điều 5, khoản 2" in page and "25/2025/QĐ-UBND" in page
    assert "không được yêu cầu bổ sung quá một lần" in page
    link = re.search(r'href="(/staff/documents/(\d+)#p-(\d+))"', page)
    assert link, page
    opened = admin.get(link.group(1).split("#")[0])
    assert f'id="p-{link.group(3)}"' in opened.text
    assert "không được yêu cầu bổ sung quá một lần" in opened.text


def test_pdf_citation_links_to_its_page_and_the_file_opens(admin) -> None:
    page = ask(admin, "Tổ chức thu phí thẩm định được để lại bao nhiêu phần trăm")
    assert "Điều 7, khoản 2" in page and "70%" in page
    file_link = re.search(r'href="(/staff/documents/\d+/file)#page=(\d+)"', page)
    assert file_link, page
    response = admin.get(file_link.group(1))
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_nothing_fitting_is_said_plainly(admin) -> None:
    page = ask(admin, "giá vàng hôm nay bao nhiêu")
    assert "Không tìm thấy đoạn nào phù hợp" in page
    assert "blockquote" not in page
    assert "Hãy nhập câu hỏi" in ask(admin, "   ")
    markup = ask(admin, '<script>alert("x")</script>' + "a" * 5000)
    assert '<script>alert("x")' not in markup and "&lt;script&gt;" in markup
    assert "Không tìm thấy đoạn nào phù hợp" in markup


def test_reupload_replaces_and_delete_removes_passages(admin, tmp_path) -> None:
    revised = tmp_path / "quy-che-sua-doi.txt"
    revised.write_text("Điều 1. Thời gian làm việc\nBộ phận Một cửa làm việc cả ngày thứ Bảy từ "
                       "8 giờ đến 16 giờ.\n", encoding="utf-8")
    page = upload(admin, revised, ONE_STOP.title, ONE_STOP.number)
    assert "phiên bản 2" in page.text
    answer = ask(admin, "Bộ phận Một cửa làm việc mấy giờ")
    assert "cả ngày thứ Bảy" in answer and "buổi sáng từ 7 giờ 30" not in answer
    listing = admin.get("/staff/documents").text
    document_id = re.search(r'/staff/documents/(\d+)">' + re.escape(ONE_STOP.title), listing)
    admin.post(f"/staff/documents/{document_id.group(1)}/delete")
    assert "Không tìm thấy đoạn nào phù hợp" in ask(admin, "Bộ phận Một cửa làm việc mấy giờ")


def test_department_documents_stay_in_the_department(app, admin) -> None:
    app.state.users.create("tu_phap", PASSWORD, "viewer")
    admin.post("/users/tu_phap", {"op": "department", "department": "Tư pháp"})  # Users page
    assert 'value="Tư pháp"' in admin.get("/users").text
    question = "Bản chính bị tẩy xóa có được chứng thực bản sao điện tử không"
    assert "78/HD-STP" in ask(admin, question)  # admins see every document
    justice = login(TestClient(app), "tu_phap")
    assert "78/HD-STP" in ask(justice, question)
    other = login(TestClient(app), "viewer")
    answer = ask(other, question)
    assert "78/HD-STP" not in answer and "tẩy xóa" not in answer.split("</form>")[-1]
    listing = other.get("/staff/documents").text
    assert JUSTICE_ONLY.title not in listing and ONE_STOP.title in listing
    hidden = re.search(r'/staff/documents/(\d+)">' + re.escape(JUSTICE_ONLY.title),
                       admin.get("/staff/documents").text).group(1)
    assert other.get(f"/staff/documents/{hidden}").status_code == 404
    assert other.get(f"/staff/documents/{hidden}/file").status_code == 404


def test_only_admins_upload_or_delete(as_role, corpus_files) -> None:
    _, path = corpus_files[ONE_STOP.key]
    for role in ("viewer", "editor"):
        console = as_role(role)
        assert upload(console, path, "Thử").status_code == 403
        assert console.post("/staff/documents/1/delete").status_code == 403
        assert console.get("/staff").status_code == 200  # but every role may ask


def test_bad_upload_changes_nothing(admin, tmp_path) -> None:
    before = admin.get("/staff/documents").text
    scan = tmp_path / "scan.pdf"
    from tests.staff.test_documents import _scanned_pdf

    scan.write_bytes(_scanned_pdf())
    page = upload(admin, scan, "Bản scan", ONE_STOP.number)  # would replace the regulation
    assert "không có lớp chữ" in page.text
    big = tmp_path / "lon.docx"
    big.write_bytes(b"PK\x03\x04" + b"\x00" * (50 * 2**20))
    assert "quá lớn" in upload(admin, big, "Tệp lớn").text
    wrong = tmp_path / "bang.xlsx"
    wrong.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert "Chỉ nhận tệp PDF, DOCX hoặc TXT" in upload(admin, wrong, "Bảng tính").text
    assert "Ngày ban hành" in upload(admin, scan, "Ngày sai", issued="31/02/2025").text
    after = admin.get("/staff/documents").text
    strip = re.compile(r'<p class="flash[^<]*</p>|name="csrf_token" value="[^"]*"')
    assert strip.sub("", after) == strip.sub("", before)
    assert "Điều 5, khoản 2" in ask(admin, "hồ sơ chưa hợp lệ thì hướng dẫn bổ sung mấy lần")


def test_procedure_details_variants_and_changes(app, settings, as_role, tmp_path) -> None:
    with SQLiteProcedureStore(settings.knowledge_db) as store:
        import_national(store, FIXTURES / "catalog.csv", FIXTURES / "details")
    console = as_role("viewer")
    page = ask(console, "chi tiết 9.000004")
    assert "Cấp đổi Giấy chứng nhận quyền sử dụng đất (mẫu thử)" in page
    variants = page.split('class="variants"')[1].split("</table>")[0]
    assert "9.000003" in variants and "9.000005" in variants and "9.000004" not in variants
    assert "UBND tỉnh Gia Lai" in variants and "https://example.invalid/p/5" in variants
    assert "Dữ liệu quốc gia nhập lần cuối" in page
    by_name = ask(console, "chi tiết cấp đổi giấy chứng nhận quyền sử dụng đất")
    assert "Chi tiết thủ tục 9.000003" in by_name  # the ministry's version among the variants
    assert "Mới có 1 lần nhập" in ask(console, "thủ tục nào mới từ tháng trước")

    with SQLiteProcedureStore(settings.knowledge_db) as store:
        import_national(store, next_month_catalog(tmp_path / "later"), tmp_path / "later/details")
    answer = ask(console, "thủ tục nào mới, bị bãi bỏ từ tháng trước")
    assert "1 thủ tục mới, 1 thủ tục bị bãi bỏ" in answer and "9.000777" in answer
    changes = console.get("/staff/changes").text
    assert "9.000777" in changes.split('id="changes-added"')[1].split("</table>")[0]
    assert "9.000006" in changes.split('id="changes-removed"')[1].split("</table>")[0]
    changed = changes.split('id="changes-changed"')[1].split("</table>")[0]
    assert "9.000009" in changed and "Cơ quan thực hiện" in changed
    assert "Không có thủ tục mã 9.123456" in ask(console, "chi tiết 9.123456")
