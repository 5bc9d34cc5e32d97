"""Webhook handlers called directly (no server): restarts, and bad input on every channel.

The handlers get a minimal request (body + headers), which is all they read; the messages that
would reach Rasa are collected instead.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage

from bot.channels.telegram import TelegramInput
from bot.channels.text import MAX_INPUT_CHARS
from bot.channels.zalo import ZaloInput
from bot.channels.zalo_events import compute_signature
from bot.content import content
from tests.channels.fakes import fixture

APP_ID, OA_SECRET = "360846524940903967", "oa-secret"


@dataclass
class FakeRequest:
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    stream: None = None  # read_body() then takes `body` as read


def webhook(channel: InputChannel, received: list[UserMessage]) -> Callable[..., Awaitable]:
    """The channel's POST /webhook handler, with messages for Rasa appended to `received`."""

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)

    blueprint = channel.blueprint(on_new_message)
    return next(route.handler for route in blueprint._future_routes if route.uri == "/webhook")


def call(handler: Callable[..., Awaitable], request: FakeRequest) -> tuple[int, dict]:
    """Run the handler and its background task; (HTTP status, JSON answer)."""

    async def run() -> Any:
        result = await handler(request)
        background = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if background:  # the channel's handling task (and its notices) must finish first
            await asyncio.wait(background, timeout=10)
        return result

    result = asyncio.run(run())
    return result.status, json.loads(result.body)


class FakeZaloClient:
    """Records what the channel would send through the OA API."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def send_message(self, user_id: str, message: dict[str, Any]) -> None:
        self.sent.append((user_id, message))


def zalo_channel(var: Path) -> ZaloInput:
    channel = ZaloInput.from_credentials({
        "app_id": APP_ID, "oa_secret_key": OA_SECRET, "app_secret": "s",
        "access_token": "a", "refresh_token": "r", "token_file": str(var / "zalo_tokens.json"),
    })
    channel.client = FakeZaloClient()
    return channel


def zalo_request(text: str, msg_id: str = "m-1") -> FakeRequest:
    body = fixture("zalo", "user_send_text")
    body["timestamp"] = str(int(time.time() * 1000))
    body["message"] = {"msg_id": msg_id, "text": text}
    raw = json.dumps(body).encode()
    mac = compute_signature(APP_ID, raw, body["timestamp"], OA_SECRET)
    return FakeRequest(raw, {"X-ZEvent-Signature": f"mac={mac}"})


def test_zalo_retry_after_a_restart_is_dropped(tmp_path: Path) -> None:
    received: list[UserMessage] = []
    request = zalo_request("xin chào", msg_id="retried-1")
    assert call(webhook(zalo_channel(tmp_path), received), request) == (200, {"status": "ok"})
    assert [m.text for m in received] == ["xin chào"]

    restarted = webhook(zalo_channel(tmp_path), received)  # Rasa restarted, same var/
    assert call(restarted, request) == (200, {"status": "duplicate"})
    assert call(restarted, zalo_request("lệ phí", msg_id="new-2")) == (200, {"status": "ok"})
    assert [m.text for m in received] == ["xin chào", "lệ phí"]
    assert (tmp_path / "zalo_seen.db").exists()


HUGE = "thủ tục " * 12_800  # ~100 KB
MARKUP = '<script>alert("x")</script><b>khai sinh</b>'
ODD_TEXTS = {  # what was sent -> what the assistant must receive
    "   ": None, "": None, HUGE: HUGE.strip()[:MAX_INPUT_CHARS].strip(), MARKUP: MARKUP,
    "lệ phí\ud800 bao nhiêu\x00": "lệ phí\ufffd bao nhiêu",  # lone surrogate, NUL
}


def test_zalo_odd_texts(tmp_path: Path) -> None:
    channel = zalo_channel(tmp_path)
    for number, (text, expected) in enumerate(ODD_TEXTS.items()):
        received: list[UserMessage] = []
        status = call(webhook(channel, received), zalo_request(text, msg_id=f"odd-{number}"))
        assert status == (200, {"status": "ok"})
        assert [m.text for m in received] == ([expected] if expected else [])
        if expected:
            received[0].text.encode("utf-8")  # storable by any tracker store
    assert [message["text"] for _, message in channel.client.sent] == [
        content.text("system.empty_input")] * 2 + [
        content.text("system.input_too_long", limit="2.000")]


def test_zalo_bodies_that_are_not_events(tmp_path: Path) -> None:
    handler = webhook(zalo_channel(tmp_path), received := [])
    for body in (b"", b"\xff\xfe\x00garbage", b"{not json", b"[1]", b"\x80" * 100_000):
        status, _ = call(handler, FakeRequest(body, {"X-ZEvent-Signature": "mac=00"}))
        assert status == 400
    assert received == []


def telegram_channel(var: Path) -> TelegramInput:
    return TelegramInput.from_credentials({
        "access_token": "7000000001:AAHtestTOKEN", "secret_token": "s3cret",
        "base_url": "http://127.0.0.1:9/bot", "retry_backoff_seconds": 0.01,
        "seen_file": str(var / "telegram_seen.db")})


def telegram_request(text: str, update_id: int) -> FakeRequest:
    body = fixture("telegram", "message_text")
    body["update_id"] = update_id
    body["message"]["text"] = text
    return FakeRequest(json.dumps(body).encode(),
                       {"X-Telegram-Bot-Api-Secret-Token": "s3cret"})


def test_telegram_odd_texts_and_bodies(tmp_path: Path) -> None:
    channel = telegram_channel(tmp_path)
    for update_id, (text, expected) in enumerate(ODD_TEXTS.items(), start=1):
        received: list[UserMessage] = []
        status, _ = call(webhook(channel, received), telegram_request(text, update_id))
        assert status == 200
        assert [m.text for m in received] == ([expected] if expected else [])
    handler = webhook(channel, received := [])
    for body in (b"", b"\xff\xfe\x00garbage", b"{not json", b"\x80" * 100_000):
        request = FakeRequest(body, {"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
        assert call(handler, request)[0] == 400
    assert received == []
