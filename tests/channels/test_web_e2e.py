"""Web chat page in headless Chromium against the real Rasa server (socket.io channel)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.channels.web_sessions import room_of
from tests.channels.conftest import ChannelStack

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
BOT = ".dvc-msg[data-from=bot]"
USER = ".dvc-msg[data-from=user]"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium missing: run scripts/install_browser.sh")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def test_static_files_are_served(channel_stack: ChannelStack) -> None:
    base = f"{channel_stack.url}/webhooks/web"
    assert "widget.js" in requests.get(f"{base}/chat", timeout=10).text
    assert requests.get(f"{base}/static/widget.js", timeout=10).headers[
        "Content-Type"].startswith("application/javascript")
    assert requests.get(f"{base}/static/socket.io.min.js", timeout=10).status_code == 200
    assert requests.get(f"{base}/static/..%2F..%2Fconfig.yml", timeout=10).status_code == 404


def test_chat_page_conversation_survives_a_reload(channel_stack: ChannelStack, browser) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 667})  # a phone
    page.goto(f"{channel_stack.url}/webhooks/web/chat")
    panel = page.locator(".dvc-panel")
    assert panel.is_visible()
    assert panel.bounding_box()["width"] <= 375
    page.wait_for_selector(BOT, timeout=30_000)  # the greeting of a new session
    session = page.evaluate("localStorage.getItem('dvc-chat-session')")
    assert session

    page.fill(".dvc-input", "xin chào")
    page.press(".dvc-input", "Enter")
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length >= 2", timeout=30_000)
    assert page.locator(USER).last.text_content() == "xin chào"

    buttons = page.locator("button.dvc-button")
    if buttons.count():
        bots_before = page.locator(BOT).count()
        title = buttons.first.text_content()
        buttons.first.click()
        page.wait_for_function(f"document.querySelectorAll('{BOT}').length > {bots_before}",
                               timeout=30_000)
        assert page.locator(USER).last.text_content() == title

    markup = '<img src=x onerror="window.hacked=1">'
    page.fill(".dvc-input", markup)
    page.press(".dvc-input", "Enter")
    page.wait_for_function(
        f"[...document.querySelectorAll('{USER}')].some(e => e.textContent === {markup!r})")
    assert page.locator(".dvc-log img").count() == 0
    assert page.evaluate("window.hacked") is None

    shown = page.locator(".dvc-msg").all_text_contents()
    page.reload()
    page.wait_for_selector(BOT)
    assert page.locator(".dvc-msg").all_text_contents()[:len(shown)] == shown
    assert page.evaluate("localStorage.getItem('dvc-chat-session')") == session
    # The server kept the same conversation: "web:" + the unsigned part of the session id.
    conversation = f"web:{room_of(session)}"
    assert [e["text"] for e in channel_stack.user_events(conversation)][:2] == ["/greet",
                                                                                "xin chào"]
    page.close()
