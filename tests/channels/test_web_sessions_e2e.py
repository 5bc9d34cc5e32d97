"""Web chat sessions against the real Rasa server: finding 3 of issue 9 (socket.io hijack).

Before, a web session id was a bearer token chosen by the browser: another socket that sent it
received the victim's live replies and could post into their chat, and any `session_id` in a
`user_uttered` payload was believed.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator

import pytest
import socketio

from bot.channels.web_sessions import room_of
from bot.content import content
from tests.channels.conftest import ChannelStack

pytestmark = pytest.mark.e2e


class Browser:
    """A socket.io client speaking the widget's protocol (polling transport: no extra deps)."""

    def __init__(self, url: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.sessions: queue.Queue = queue.Queue()
        self.replies: queue.Queue = queue.Queue()
        self.client.on("session_confirm", self.sessions.put)
        self.client.on("bot_uttered", self.replies.put)
        self.client.connect(url, transports=["polling"], socketio_path="/socket.io")

    def session(self, data: object = None) -> str:
        self.client.emit("session_request", data)
        return self.sessions.get(timeout=15)

    def say(self, message: object, session_id: str | None = None) -> None:
        self.client.emit("user_uttered", {"message": message, "session_id": session_id})

    def reply(self, timeout: float = 30) -> dict:
        return self.replies.get(timeout=timeout)

    def silent(self, seconds: float = 2) -> bool:
        time.sleep(seconds)
        return self.replies.empty()


@pytest.fixture
def browsers(channel_stack: ChannelStack) -> Iterator[callable]:
    opened: list[Browser] = []

    def open_browser() -> Browser:
        opened.append(Browser(channel_stack.url))
        return opened[-1]

    yield open_browser
    for browser in opened:
        browser.client.disconnect()


def test_another_socket_cannot_take_over_a_session(channel_stack: ChannelStack,
                                                   browsers) -> None:
    victim = browsers()
    session = victim.session({})
    victim.say("xin chào")
    assert victim.reply()
    conversation = f"web:{room_of(session)}"
    assert [e["text"] for e in channel_stack.user_events(conversation)] == ["xin chào"]

    attacker = browsers()
    # What the tracker / console shows (the unsigned id), junk, and a huge id: all refused.
    # the forged one differs from the real id in its last character (a fixed "0" would be the
    # real id itself for one session in sixteen)
    forged = session[:-1] + ("1" if session.endswith("0") else "0")
    for offered in (room_of(session), "abc", "x" * 100_000, forged):
        assert attacker.session({"session_id": offered}) != offered
    # A session id in the payload is ignored: the message goes to the attacker's own session.
    attacker.say("lệ phí hộ chiếu", session_id=session)
    assert attacker.reply()
    assert victim.silent()
    assert [e["text"] for e in channel_stack.user_events(conversation)] == ["xin chào"]

    returning = browsers()  # the same browser after a reload resumes with the signed id
    assert returning.session({"session_id": session}) == session


def test_session_request_without_data_and_messages_without_session(
        channel_stack: ChannelStack, browsers) -> None:
    early = browsers()
    early.say("xin chào")  # before session_request: ignored, nothing stored anywhere
    assert early.silent(1.5)
    assert early.session(None)  # null data gets an answer
    browser = browsers()
    session = browser.session()
    for message in ("   ", "\u200b"):
        browser.say(message)
        assert browser.reply()["text"] == content.text("system.empty_input")
    browser.say(12345)  # not a string: ignored
    assert browser.silent(1.5)
    assert channel_stack.user_events(f"web:{room_of(session)}") == []
