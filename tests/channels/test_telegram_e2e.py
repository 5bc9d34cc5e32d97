"""Telegram end to end: webhook and long polling -> real Rasa -> fake Bot API gets sendMessage."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import aiohttp
import pytest
import requests

from bot.channels.senders import scoped
from bot.channels.telegram_poll import PollingRelay
from bot.content import content
from tests.channels.conftest import TELEGRAM_SECRET, TELEGRAM_TOKEN, ChannelStack, new_id
from tests.channels.fakes import fixture

pytestmark = pytest.mark.e2e

_update_ids = iter(range(200_000_000, 300_000_000))


def update(name: str, chat_id: str, text: str | None = None) -> dict[str, Any]:
    body = fixture("telegram", name)
    body["update_id"] = next(_update_ids)
    inner = body.get("message") or body["callback_query"]
    inner["from"]["id"] = int(chat_id)
    chat = (inner.get("message") or inner)["chat"]
    chat["id"] = int(chat_id)
    if text is not None:
        body["message"]["text"] = text
    return body


def post(stack: ChannelStack, body: dict[str, Any] | bytes,
         secret: str | None = TELEGRAM_SECRET) -> requests.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return requests.post(f"{stack.url}/webhooks/telegram/webhook", data=raw, headers=headers,
                         timeout=10)


def sent(stack: ChannelStack, chat_id: str, count: int = 1) -> list[dict[str, Any]]:
    stack.telegram.wait_for("/sendMessage", lambda c: str(c.body.get("chat_id")) == chat_id,
                            count)
    return stack.telegram.sent_to(chat_id)


def test_text_message_gets_an_html_reply(channel_stack: ChannelStack) -> None:
    chat = new_id(5_000_000_000)
    assert post(channel_stack, update("message_text", chat, "xin chào")).status_code == 200
    message = sent(channel_stack, chat)[0]
    assert message["text"].strip()
    assert message["parse_mode"] == "HTML"
    assert channel_stack.user_events(scoped("telegram", chat))[0]["text"] == "xin chào"


def test_start_command_greets(channel_stack: ChannelStack) -> None:
    chat = new_id(5_000_000_000)
    assert post(channel_stack, update("message_command_start", chat)).status_code == 200
    assert sent(channel_stack, chat)
    events = channel_stack.wait_for_user_events(scoped("telegram", chat), 1)
    assert events[0]["parse_data"]["intent"]["name"] == "greet"


def test_button_press_is_answered_and_handled(channel_stack: ChannelStack) -> None:
    chat = new_id(5_000_000_000)
    body = update("callback_query", chat)
    assert post(channel_stack, body).status_code == 200
    answered = channel_stack.telegram.wait_for(
        "/answerCallbackQuery", lambda c: c.body.get("callback_query_id")
        == body["callback_query"]["id"])
    assert answered
    assert sent(channel_stack, chat)
    assert channel_stack.wait_for_user_events(scoped("telegram", chat), 1)[0]["text"] == "/greet"


def test_wrong_secret_and_malformed_json_never_reach_rasa(channel_stack: ChannelStack) -> None:
    chat = new_id(5_000_000_000)
    assert post(channel_stack, update("message_text", chat), secret="wrong").status_code == 403
    assert post(channel_stack, update("message_text", chat), secret=None).status_code == 403
    assert post(channel_stack, b"{not json").status_code == 400
    time.sleep(1)
    assert channel_stack.user_events(scoped("telegram", chat)) == []
    assert channel_stack.telegram.sent_to(chat) == []


def test_photo_gets_a_text_only_notice(channel_stack: ChannelStack) -> None:
    chat = new_id(5_000_000_000)
    assert post(channel_stack, update("message_photo", chat)).status_code == 200
    assert sent(channel_stack, chat)[0]["text"] == content.text("system.unsupported_message")


def test_huge_and_html_messages(channel_stack: ChannelStack) -> None:
    huge, markup = new_id(5_000_000_000), new_id(5_000_000_000)
    assert post(channel_stack, update("message_text", huge, "lệ phí " * 14_000)).status_code \
        == 200  # ~100 KB
    assert sent(channel_stack, huge)
    assert len(channel_stack.wait_for_user_events(scoped("telegram", huge), 1)[0]["text"]) \
        <= 2000
    script = "<script>alert(1)</script> & <b>hộ chiếu</b>"
    assert post(channel_stack, update("message_text", markup, script)).status_code == 200
    assert sent(channel_stack, markup)
    assert channel_stack.user_events(scoped("telegram", markup))[0]["text"] == script


def test_server_error_and_rate_limit_are_retried(channel_stack: ChannelStack) -> None:
    chat = new_id(5_000_000_000)
    channel_stack.telegram.fail_next(
        chat, (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
        (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
               "parameters": {"retry_after": 1}}))
    assert post(channel_stack, update("message_text", chat, "xin chào")).status_code == 200
    calls = channel_stack.telegram.wait_for(
        "/sendMessage", lambda c: str(c.body.get("chat_id")) == chat, count=3)
    assert calls[2].at - calls[1].at >= 0.9  # waited retry_after


def test_buttons_become_an_inline_keyboard(channel_stack: ChannelStack,
                                           button_response: str) -> None:
    chat = new_id(5_000_000_000)
    channel_stack.start_conversation(scoped("telegram", chat))
    answer = requests.post(
        f"{channel_stack.url}/conversations/tg:{chat}/execute",
        params={"output_channel": "telegram"}, json={"name": button_response}, timeout=30)
    assert answer.status_code == 200, answer.text
    keyboard = sent(channel_stack, chat)[-1]["reply_markup"]["inline_keyboard"]
    assert keyboard
    for row in keyboard:
        for button in row:
            assert button["text"]
            assert ("callback_data" in button and len(button["callback_data"].encode()) <= 64) \
                or button["url"].startswith(("http://", "https://"))


def test_long_polling_relays_updates_to_the_assistant(channel_stack: ChannelStack) -> None:
    chat = new_id(5_000_000_000)
    body = update("message_text", chat, "xin chào")
    with channel_stack.telegram.lock:
        channel_stack.telegram.updates.append(body)
    relay = PollingRelay(TELEGRAM_TOKEN, TELEGRAM_SECRET,
                         f"{channel_stack.url}/webhooks/telegram/webhook",
                         base_url=channel_stack.telegram.base_url, poll_timeout=1)

    async def run() -> None:
        async with relay.bot, aiohttp.ClientSession() as session:
            await relay.bot.delete_webhook()
            while relay.offset is None:
                await relay.poll_once(session)

    thread = threading.Thread(target=lambda: asyncio.run(run()))
    thread.start()
    thread.join(timeout=30)
    assert channel_stack.telegram.webhook_deleted
    assert relay.offset == body["update_id"] + 1
    assert sent(channel_stack, chat)
    assert channel_stack.wait_for_user_events(scoped("telegram", chat), 1)[0]["text"] == "xin chào"
