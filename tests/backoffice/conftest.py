"""One stack for the back-office tests: a real action server and Rasa server with the Zalo,
Telegram and web channels (fake Zalo and Telegram APIs), the admin console on uvicorn, and
headless Chromium. Office hours and the queue timeout are rewritten per test in a temp province
file that the action server and the console both read on every use.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from bot.admin.app import create_app
from bot.admin.settings import AdminSettings
from bot.backoffice.store import Store
from tests.admin.conftest import PASSWORD, copy_project
from tests.channels.conftest import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    ZALO_APP_ID,
    ZALO_APP_SECRET,
    ZALO_OA_SECRET,
    ChannelStack,
)
from tests.channels.fakes import FakeTelegram, FakeZalo
from tests.channels.test_web_e2e import browser  # noqa: F401 (the shared per-module fixture)
from tests.support.servers import ROOT, free_port, start_stack

SCREENSHOTS = ROOT / "docs" / "img"
CODE = re.compile(r"PA-\d{4}-\d{4}")
ALWAYS = ["00:00-23:59"]


@dataclass
class BackOfficeStack:
    channels: ChannelStack
    store: Store
    console: str
    province: Path
    env: dict[str, str]

    @property
    def rasa(self) -> str:
        return self.channels.url

    def office(self, open_: bool, timeout_minutes: float = 30.0) -> None:
        """Rewrite the back-office schedule: open all day every day, or never open."""
        data = yaml.safe_load((ROOT / "settings" / "province.yml").read_text(encoding="utf-8"))
        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        data["back_office"].update(
            office_hours={day: ALWAYS if open_ else [] for day in days}, holidays=[],
            queue_timeout_minutes=timeout_minutes)
        self.province.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    def rest(self, text: str, sender: str) -> list[str]:
        response = requests.post(f"{self.rasa}/webhooks/rest/webhook", timeout=60,
                                 json={"sender": sender, "message": text})
        response.raise_for_status()
        return [m.get("text") or "" for m in response.json()]

    def bot_texts(self, sender: str) -> list[str]:
        """Bot messages of a REST conversation (stored as "rest:<sender>")."""
        tracker = requests.get(f"{self.rasa}/conversations/rest:{sender}/tracker",
                               timeout=10).json()
        return [e.get("text") or "" for e in tracker.get("events", []) if e["event"] == "bot"]

    def wait(self, condition: Callable[[], Any], what: str, timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}")


def console_app(settings: AdminSettings, env: dict[str, str]) -> Any:
    """The console, reading the test's province, categories and database (fixed at creation,
    so the environment is patched only while it is created)."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        return create_app(settings)


def _start_console(settings: AdminSettings, env: dict[str, str]
                   ) -> tuple[Any, threading.Thread, str]:
    import uvicorn

    app = console_app(settings, env)
    app.state.users.set_password("admin", PASSWORD)
    for name, role in (("can_bo", "editor"), ("can_bo_2", "editor"), ("xem", "viewer")):
        app.state.users.create(name, PASSWORD, role)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", ws="none"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.started, "the console did not start"
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def bo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackOfficeStack]:
    workdir = tmp_path_factory.mktemp("backoffice")
    province = workdir / "province.yml"
    categories = workdir / "ticket_categories.yml"
    shutil.copy(ROOT / "settings" / "ticket_categories.yml", categories)
    database = f"sqlite:///{workdir / 'backoffice.db'}"
    env = {"PROVINCE_CONFIG": str(province), "TICKET_CATEGORIES": str(categories),
           "BACKOFFICE_DB_URL": database, "BACKOFFICE_SWEEP_SECONDS": "1"}
    zalo = FakeZalo(ZALO_APP_ID, ZALO_APP_SECRET, "access-0", "refresh-0")
    telegram = FakeTelegram(TELEGRAM_TOKEN)
    token_file = workdir / "var" / "zalo_tokens.json"
    credentials = {
        "bot.channels.rest.RestInput": None,
        "bot.channels.web.WebChatInput": {
            "user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered",
            "session_persistence": True,
            "session_secret_file": str(workdir / "var" / "web_session.key"),
        },
        "bot.channels.zalo.ZaloInput": {
            "app_id": ZALO_APP_ID, "oa_secret_key": ZALO_OA_SECRET, "app_secret": ZALO_APP_SECRET,
            "access_token": "access-0", "refresh_token": "refresh-0",
            "api_base_url": zalo.url, "oauth_base_url": zalo.url,
            "token_file": str(token_file), "retry_backoff_seconds": 0.1,
        },
        "bot.channels.telegram.TelegramInput": {
            "access_token": TELEGRAM_TOKEN, "secret_token": TELEGRAM_SECRET,
            "base_url": telegram.base_url, "retry_backoff_seconds": 0.1,
            "seen_file": str(workdir / "var" / "telegram_seen.db"),
        },
    }
    path = workdir / "credentials.yml"
    path.write_text(json.dumps(credentials, indent=2))
    stack = BackOfficeStack(ChannelStack(None, zalo, telegram, token_file),  # type: ignore
                            Store(database), "", province, env)
    stack.office(open_=True)
    rasa = start_stack(workdir / "stack", credentials=path, env=env)
    stack.channels.rasa = rasa
    settings = AdminSettings(root=copy_project(workdir / "project", sample=False),
                             env="test", rasa_url=rasa.rasa_url, secret_key="bo-test")
    server, thread, stack.console = _start_console(settings, env)
    try:
        yield stack
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        rasa.stop()
        zalo.stop()
        telegram.stop()


def staff_page(browser: Any, stack: BackOfficeStack, username: str = "can_bo") -> Any:  # noqa: F811
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(30_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{stack.console}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Tổng quan")
    return page


def screenshot(page: Any, name: str, full_page: bool = True) -> None:
    """Take the page as the staff see it. The pictures in docs/img are refreshed only with
    UPDATE_SCREENSHOTS=1, so a test run leaves the repository as it was."""
    image = page.screenshot(full_page=full_page)
    assert image.startswith(b"\x89PNG"), "the browser returned no picture"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / name).write_bytes(image)
