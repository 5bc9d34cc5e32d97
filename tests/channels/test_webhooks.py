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

from bot.channels.zalo import ZaloInput
from bot.channels.zalo_events import compute_signature
from tests.channels.fakes import fixture

APP_ID, OA_SECRET = "360846524940903967", "oa-secret"


@dataclass
class FakeRequest:
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


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
        await asyncio.sleep(0.05)
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
    raw = json.dumps(body, ensure_ascii=False).encode()
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
