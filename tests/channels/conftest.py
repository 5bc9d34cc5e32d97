"""One real Rasa server with the Zalo, Telegram and web channels, talking to fake platforms.

Every channel test shares it (starting Rasa takes most of a minute on two cores). Each test uses
its own user / chat id, so conversations never mix.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.channels.fakes import FakeTelegram, FakeZalo
from tests.support.servers import RasaStack, start_stack

ZALO_APP_ID = "360846524940903967"
ZALO_OA_SECRET = "oa-secret-key-for-tests"
ZALO_APP_SECRET = "app-secret-for-tests"
TELEGRAM_TOKEN = "7000000001:AAHtestTOKENtestTOKENtestTOKEN12345"
TELEGRAM_SECRET = "secret-token_for-tests"

_ids = itertools.count(1)


@dataclass
class ChannelStack:
    rasa: RasaStack
    zalo: FakeZalo
    telegram: FakeTelegram
    token_file: Path

    @property
    def url(self) -> str:
        return self.rasa.rasa_url

    def user_events(self, sender: str) -> list[dict[str, Any]]:
        """The user messages Rasa stored for `sender` (proves what reached the assistant)."""
        tracker = requests.get(f"{self.url}/conversations/{sender}/tracker", timeout=10).json()
        return [event for event in tracker.get("events", []) if event.get("event") == "user"]

    def start_conversation(self, sender: str) -> None:
        """Create the tracker, so the HTTP API can run a response on it."""
        requests.post(f"{self.url}/conversations/{sender}/tracker/events", timeout=10,
                      json=[{"event": "action", "name": "action_listen"}]).raise_for_status()

    def wait_for_user_events(self, sender: str, count: int, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = self.user_events(sender)
            if len(events) >= count:
                return events
            time.sleep(0.2)
        raise AssertionError(f"{sender}: expected {count} user event(s), got {events}")


def new_id(base: int = 246845883529197922) -> str:
    """A fresh user/chat id per test, shaped like the platform's numeric ids."""
    return str(base + next(_ids))


@pytest.fixture(scope="session")
def channel_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChannelStack]:
    workdir = tmp_path_factory.mktemp("channels")
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
    path.write_text(json.dumps(credentials, indent=2))  # JSON is valid YAML
    rasa = start_stack(workdir / "stack", credentials=path)
    yield ChannelStack(rasa, zalo, telegram, token_file)
    rasa.stop()
    zalo.stop()
    telegram.stop()


@pytest.fixture(scope="session")
def button_response(channel_stack: ChannelStack) -> str:
    """A response with payload buttons in the served model's domain (the data keeps growing)."""
    domain = requests.get(f"{channel_stack.url}/domain", timeout=10,
                          headers={"Accept": "application/json"}).json()
    for name, variations in domain.get("responses", {}).items():
        if any(any(b.get("payload") for b in v.get("buttons") or []) for v in variations):
            return name
    pytest.skip("the model's domain has no response with buttons yet")
