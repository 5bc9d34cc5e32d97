"""Zalo OA end to end: signed webhook -> real Rasa -> fake OA API receives the reply."""

from __future__ import annotations

import json
import os
import stat
import time
from typing import Any

import pytest
import requests

from bot.channels.senders import scoped
from bot.channels.zalo_events import compute_signature
from bot.content import content
from tests.channels.conftest import ZALO_APP_ID, ZALO_OA_SECRET, ChannelStack, new_id
from tests.channels.fakes import fixture

pytestmark = pytest.mark.e2e


def event(name: str, user_id: str, text: str | None = None) -> dict[str, Any]:
    body = fixture("zalo", name)
    body["timestamp"] = str(int(time.time() * 1000))
    holder = "follower" if "follower" in body else "sender"
    body[holder]["id"] = user_id
    if "message" in body and "msg_id" in body["message"]:
        body["message"]["msg_id"] = f"msg-{user_id}-{time.monotonic_ns()}"
    if text is not None:
        body["message"]["text"] = text
    return body


def post(stack: ChannelStack, body: dict[str, Any] | bytes, secret: str = ZALO_OA_SECRET,
         timestamp: str | None = None) -> requests.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    stamp = timestamp or (body.get("timestamp", "") if isinstance(body, dict) else "")
    mac = compute_signature(ZALO_APP_ID, raw, stamp, secret)
    return requests.post(f"{stack.url}/webhooks/zalo/webhook", data=raw, timeout=10,
                         headers={"X-ZEvent-Signature": f"mac={mac}",
                                  "Content-Type": "application/json"})


def replies(stack: ChannelStack, user_id: str, count: int = 1) -> list[dict[str, Any]]:
    stack.zalo.wait_for("/message/cs", lambda c: c.body["recipient"]["user_id"] == user_id
                        and c.headers.get("access_token") == stack.zalo.access_token, count)
    return stack.zalo.messages_to(user_id)


def test_text_message_gets_a_reply_from_the_assistant(channel_stack: ChannelStack) -> None:
    user = new_id()
    started = time.monotonic()
    answer = post(channel_stack, event("user_send_text", user, "xin chào"))
    assert answer.status_code == 200
    assert time.monotonic() - started < 2  # acknowledged before Rasa answers
    message = replies(channel_stack, user)[0]
    text = message.get("text") or message["attachment"]["payload"]["text"]
    assert text.strip()
    assert channel_stack.user_events(scoped("zalo", user))[0]["text"] == "xin chào"


def test_follow_is_greeted(channel_stack: ChannelStack) -> None:
    user = new_id()
    assert post(channel_stack, event("follow", user)).status_code == 200
    assert replies(channel_stack, user)
    stored = channel_stack.wait_for_user_events(scoped("zalo", user), 1)[0]
    assert stored["parse_data"]["intent"]["name"] == "greet"


def test_forged_signature_never_reaches_rasa(channel_stack: ChannelStack) -> None:
    user = new_id()
    answer = post(channel_stack, event("user_send_text", user, "xin chào"), secret="wrong")
    assert answer.status_code == 401
    unsigned = requests.post(f"{channel_stack.url}/webhooks/zalo/webhook", timeout=10,
                             json=event("user_send_text", user, "xin chào"))
    assert unsigned.status_code == 401
    time.sleep(1)
    assert channel_stack.user_events(scoped("zalo", user)) == []
    assert channel_stack.zalo.messages_to(user) == []


def test_stale_event_is_rejected(channel_stack: ChannelStack) -> None:
    user = new_id()
    body = event("user_send_text", user, "xin chào")
    body["timestamp"] = str(int((time.time() - 3600) * 1000))
    assert post(channel_stack, body).status_code == 403
    time.sleep(0.5)
    assert channel_stack.user_events(scoped("zalo", user)) == []


def test_malformed_json_is_400(channel_stack: ChannelStack) -> None:
    assert post(channel_stack, b"{not json", timestamp="1").status_code == 400
    assert post(channel_stack, b"[1, 2]", timestamp="1").status_code == 400


def test_retries_with_the_same_msg_id_are_handled_once(channel_stack: ChannelStack) -> None:
    user = new_id()
    body = event("user_send_text", user, "xin chào")
    for _ in range(3):
        assert post(channel_stack, body).status_code == 200
    channel_stack.wait_for_user_events(scoped("zalo", user), 1)
    time.sleep(1.5)
    assert len(channel_stack.user_events(scoped("zalo", user))) == 1


def test_image_gets_a_text_only_notice_and_seen_events_are_ignored(
        channel_stack: ChannelStack) -> None:
    user = new_id()
    assert post(channel_stack, event("user_send_image", user)).status_code == 200
    assert replies(channel_stack, user) == [{"text": content.text("system.unsupported_message")}]
    for name in ("user_seen_message", "oa_send_text"):
        body = event(name, user)
        if name == "oa_send_text":
            body["recipient"]["id"] = user
            body["sender"]["id"] = "388613280878808645"
        assert post(channel_stack, body).status_code == 200
    time.sleep(1)
    assert len(channel_stack.zalo.messages_to(user)) == 1
    assert channel_stack.user_events(scoped("zalo", user)) == []


def test_empty_huge_and_html_messages(channel_stack: ChannelStack) -> None:
    empty, huge, markup = new_id(), new_id(), new_id()
    assert post(channel_stack, event("user_send_text", empty, "   ")).status_code == 200
    assert replies(channel_stack, empty) == [{"text": content.text("system.empty_input")}]

    assert post(channel_stack, event("user_send_text", huge, "thủ tục " * 12_800)).status_code \
        == 200  # ~100 KB
    assert replies(channel_stack, huge)
    assert len(channel_stack.wait_for_user_events(scoped("zalo", huge), 1)[0]["text"]) <= 2000

    script = '<script>alert("x")</script><b>đăng ký khai sinh</b>'
    assert post(channel_stack, event("user_send_text", markup, script)).status_code == 200
    assert replies(channel_stack, markup)
    assert channel_stack.user_events(scoped("zalo", markup))[0]["text"] == script


def test_server_errors_are_retried_with_backoff(channel_stack: ChannelStack) -> None:
    user = new_id()
    channel_stack.zalo.fail_next(user, (502, {"error": -1, "message": "Bad gateway"}),
                                 (200, {"error": -32, "message": "Rate limit"}))
    assert post(channel_stack, event("user_send_text", user, "xin chào")).status_code == 200
    attempts = channel_stack.zalo.wait_for(
        "/message/cs", lambda c: c.body["recipient"]["user_id"] == user, count=3)
    assert attempts[2].at - attempts[1].at >= attempts[1].at - attempts[0].at >= 0.09


def test_expired_token_is_refreshed_persisted_and_retried(channel_stack: ChannelStack) -> None:
    user = new_id()
    old_refresh = channel_stack.zalo.refresh_token
    channel_stack.zalo.expire_access_token()
    assert post(channel_stack, event("user_send_text", user, "xin chào")).status_code == 200
    assert replies(channel_stack, user)
    refresh = channel_stack.zalo.calls_to("/v4/oa/access_token")[-1]
    assert refresh.body["refresh_token"] == old_refresh
    saved = json.loads(channel_stack.token_file.read_text())
    assert saved["access_token"] == channel_stack.zalo.access_token
    assert saved["refresh_token"] == channel_stack.zalo.refresh_token != old_refresh
    assert stat.S_IMODE(os.stat(channel_stack.token_file).st_mode) == 0o600


def test_quota_error_is_survived(channel_stack: ChannelStack) -> None:
    user = new_id()
    channel_stack.zalo.fail_next(user, (200, {"error": -230, "message": "User has not interacted "
                                                                  "with the OA in 7 days"}))
    assert post(channel_stack, event("user_send_text", user, "xin chào")).status_code == 200
    channel_stack.zalo.wait_for("/message/cs", lambda c: c.body["recipient"]["user_id"] == user)
    # The server keeps working: the next message is answered.
    assert post(channel_stack, event("user_send_text", user, "xin chào")).status_code == 200
    assert replies(channel_stack, user)
    assert "Zalo refused a reply to user " + user in channel_stack.rasa.logs()


def test_buttons_become_a_zalo_button_template(channel_stack: ChannelStack,
                                               button_response: str) -> None:
    user = new_id()
    channel_stack.start_conversation(scoped("zalo", user))
    answer = requests.post(
        f"{channel_stack.url}/conversations/zalo:{user}/execute",
        params={"output_channel": "zalo"}, json={"name": button_response}, timeout=30)
    assert answer.status_code == 200, answer.text
    template = replies(channel_stack, user)[-1]["attachment"]
    assert template["type"] == "template"
    payload = template["payload"]
    assert payload["template_type"] == "button"
    assert payload["text"].strip()
    for button in payload["buttons"]:
        assert button["type"] in {"oa.query.show", "oa.query.hide", "oa.open.url"}
        assert 0 < len(button["title"]) <= 100
