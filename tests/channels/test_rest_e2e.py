"""REST against the real Rasa server: findings 1, 2, 3 and 8 of issue 9, as the probe sent them."""

from __future__ import annotations

import json

import pytest
import requests

from bot.channels.senders import scoped
from bot.content import content
from tests.channels.conftest import ChannelStack, new_id
from tests.channels.test_zalo_e2e import event, post, replies

pytestmark = pytest.mark.e2e


def rest(stack: ChannelStack, body: bytes | dict) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(f"{stack.url}/webhooks/rest/webhook", data=data, timeout=60,
                         headers={"Content-Type": "application/json"})


def test_rest_cannot_reach_a_zalo_citizens_conversation(channel_stack: ChannelStack) -> None:
    user = new_id()
    assert post(channel_stack, event("user_send_text", user, "xin chào")).status_code == 200
    replies(channel_stack, user)
    for sender in (user, f"zalo:{user}"):
        answer = rest(channel_stack, {"sender": sender, "message": "lệ phí hộ chiếu"})
        assert answer.status_code == 200
        assert all(reply["recipient_id"] == sender for reply in answer.json())
    assert [e["text"] for e in channel_stack.user_events(scoped("zalo", user))] == ["xin chào"]


def test_oversized_message_is_cut_answered_and_stored(channel_stack: ChannelStack) -> None:
    sender = f"huge-{new_id()}"
    answer = rest(channel_stack, {"sender": sender, "message": "thủ tục khai sinh " * 6000})
    assert answer.status_code == 200
    texts = [reply.get("text") for reply in answer.json()]
    assert texts[0] == content.text("system.input_too_long", limit="2.000")
    assert len(texts) > 1  # and the (cut) question was answered
    stored = channel_stack.user_events(scoped("rest", sender))
    assert len(stored) == 1 and 0 < len(stored[0]["text"]) <= 2000
    too_big = rest(channel_stack, b'{"sender": "x", "message": "' + b"a" * 1_100_000 + b'"}')
    assert too_big.status_code == 413


def test_lone_surrogate_is_stored_replaced(channel_stack: ChannelStack) -> None:
    sender = f"surrogate-{new_id()}"
    answer = rest(channel_stack, b'{"sender": "' + sender.encode() + b'", "message": "hi \\ud800"}')
    assert answer.status_code == 200
    assert channel_stack.user_events(scoped("rest", sender))[0]["text"] == "hi \ufffd"


@pytest.mark.parametrize("body", [b"", b"[]", b"42", b"null", b'{"sender": "a", "message": 5}',
                                  b'{"sender": ["a"], "message": "x"}'])
def test_bad_bodies_are_400_not_500(channel_stack: ChannelStack, body: bytes) -> None:
    assert rest(channel_stack, body).status_code == 400


def test_missing_sender_does_not_share_a_conversation(channel_stack: ChannelStack) -> None:
    first = rest(channel_stack, {"message": "xin chào"}).json()[0]["recipient_id"]
    second = rest(channel_stack, {"message": "xin chào"}).json()[0]["recipient_id"]
    assert first != second and "default" not in (first, second)
    assert channel_stack.user_events("rest:default") == []


def test_empty_message_is_not_read_as_yes(channel_stack: ChannelStack) -> None:
    sender = f"empty-{new_id()}"
    for text in ("", "   ", "\u200b\u200b"):
        answer = rest(channel_stack, {"sender": sender, "message": text}).json()
        assert [reply["text"] for reply in answer] == [content.text("system.empty_input")]
    assert channel_stack.user_events(scoped("rest", sender)) == []
