"""End to end in headless Chromium: an editor adds a question and its answer, trains, activates,
and the running assistant answers with it.

Works on a copy of the project in a temp dir; a real Rasa server (tests/support/servers.py) gets
the new model through `PUT /model`. Training uses ADMIN_TRAIN_EPOCHS-style low epochs
(`AdminSettings.train_epochs`) to stay within CI time on 2 cores.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.admin.app import create_app
from bot.admin.settings import AdminSettings
from tests.admin.conftest import PASSWORD, copy_project
from tests.support.servers import RasaStack, free_port, start_stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
QUICK_EPOCHS = 20
QUESTIONS = ["linh vật của trợ lý là con gì", "trợ lý có linh vật không",
             "linh vat cua tro ly", "cho tôi biết linh vật của trợ lý"]
ANSWER = "Linh vật của trợ lý là chú chim Lạc nhỏ."

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    rasa = start_stack(tmp_path_factory.mktemp("admin-stack"), with_actions=False)
    yield rasa
    rasa.stop()


@pytest.fixture
def console(tmp_path: Path, stack: RasaStack) -> Iterator[str]:
    import uvicorn

    settings = AdminSettings(root=copy_project(tmp_path / "project", sample=False), env="test",
                             rasa_url=stack.rasa_url, secret_key="browser-test",
                             train_epochs=QUICK_EPOCHS)
    app = create_app(settings)
    app.state.users.create("bien_tap", PASSWORD, "editor")
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


@pytest.fixture
def page():
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed (bash scripts/install_browser.sh)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def test_editor_teaches_the_assistant_a_new_answer(page, console: str, stack: RasaStack) -> None:
    page.set_default_timeout(300_000)  # activation waits while Rasa loads the model (2 busy cores)
    page.goto(f"{console}/login")
    page.fill("input[name=username]", "bien_tap")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Tổng quan")

    page.goto(f"{console}/data/intent")
    page.fill("#new-entry input[name=name]", "hoi_linh_vat")
    page.fill("#new-entry textarea[name=examples]", "\n".join(QUESTIONS))
    page.fill("#new-entry textarea[name=answer]", ANSWER)
    page.click("#new-entry button[type=submit]")
    page.wait_for_selector("text=Đã tạo")

    page.goto(f"{console}/models")
    page.click("#train button[type=submit]")
    page.wait_for_selector("#status")
    # The page polls the training log and reloads itself when training ends.
    page.wait_for_selector("#status.status-ready, #status.status-failed", timeout=900_000)
    assert page.text_content("#status").strip() == "ready", page.text_content("#log")
    page.wait_for_selector("#activate button:not([disabled])")
    page.click("#activate button")
    page.wait_for_selector("text=Đã kích hoạt mô hình")

    replies = stack.say("linh vật của trợ lý là con gì", sender="browser-test")
    assert [r.get("text") for r in replies] == [ANSWER], stack.logs()
