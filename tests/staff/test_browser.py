"""In headless Chromium: an admin uploads a DOCX regulation, a staff member asks about it in
"Trợ lý cán bộ" and opens the cited article; procedure details and catalog changes too."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.admin.app import create_app
from bot.admin.settings import AdminSettings
from bot.knowledge.importer import import_national
from bot.knowledge.store import SQLiteProcedureStore
from tests.admin.conftest import PASSWORD, copy_project
from tests.admin.test_browser import page  # noqa: F401 (fixture)
from tests.staff.corpus import ONE_STOP
from tests.staff.test_changes import FIXTURES, next_month_catalog

pytestmark = pytest.mark.e2e


@pytest.fixture
def console(tmp_path: Path) -> Iterator[str]:
    import uvicorn

    settings = AdminSettings(root=copy_project(tmp_path / "project", sample=False), env="test",
                             secret_key="staff-browser-test")
    with SQLiteProcedureStore(settings.knowledge_db) as store:
        import_national(store, FIXTURES / "catalog.csv", FIXTURES / "details")
        import_national(store, next_month_catalog(tmp_path / "later"), tmp_path / "later/details")
    app = create_app(settings)
    app.state.users.set_password("admin", PASSWORD)
    app.state.users.create("can_bo", PASSWORD, "viewer")
    from tests.support.servers import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.started, "the console did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def sign_in(browser_page, console: str, username: str) -> None:
    browser_page.goto(f"{console}/login")
    browser_page.fill("input[name=username]", username)
    browser_page.fill("input[name=password]", PASSWORD)
    browser_page.click("button[type=submit]")
    browser_page.wait_for_selector("text=Tổng quan")


def test_upload_ask_and_open_the_cited_article(page, console: str, corpus_files) -> None:  # noqa: F811
    page.set_default_timeout(60_000)
    _, docx = corpus_files[ONE_STOP.key]
    sign_in(page, console, "admin")
    page.goto(f"{console}/staff/documents")
    page.set_input_files("#upload input[name=file]", str(docx))
    page.fill("#upload input[name=title]", ONE_STOP.title)
    page.fill("#upload input[name=number]", ONE_STOP.number)
    page.fill("#upload input[name=issued]", "15/8/2025")
    page.click("#upload button[type=submit]")
    page.wait_for_selector("text=đoạn được lập chỉ mục")
    page.click("text=Đăng xuất")

    sign_in(page, console, "can_bo")  # a viewer: every role may ask
    page.click("nav >> text=Trợ lý cán bộ")
    page.fill("#ask input[name=q]", "hồ sơ trễ hạn thì có phải gửi phiếu xin lỗi không")
    page.click("#ask button[type=submit]")
    quote = page.locator("#answer blockquote.passage").first
    assert "Điều 9, khoản 1" in quote.locator(".ref").inner_text()
    assert ONE_STOP.number in quote.inner_text() and "Phiếu xin lỗi" in quote.inner_text()
    quote.locator("a.open-passage").click()
    target = page.locator("section.passage:target")
    target.wait_for()
    assert "Điều 9, khoản 1" in target.inner_text() and "Phiếu xin lỗi" in target.inner_text()
    assert page.url.split("#")[1].startswith("p-")

    page.goto(f"{console}/staff")
    page.fill("#ask input[name=q]", "chi tiết 9.000004")
    page.click("#ask button[type=submit]")
    variants = page.locator("table.variants").inner_text()
    assert "9.000003" in variants and "UBND tỉnh Gia Lai" in variants
    assert "Dữ liệu quốc gia nhập lần cuối" in page.locator(".last-import").inner_text()

    page.goto(f"{console}/staff/changes")
    assert "9.000777" in page.locator("#changes-added").inner_text()
    assert "9.000006" in page.locator("#changes-removed").inner_text()
    assert "Cơ quan thực hiện" in page.locator("#changes-changed").inner_text()
