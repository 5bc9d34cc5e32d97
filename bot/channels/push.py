"""Deliver a staff member's message to a citizen on the citizen's own channel.

Goes through the Rasa server's HTTP API, not the platforms directly: appending a `bot` event with
`execute_side_effects=true&output_channel=latest` makes Rasa send it through the output channel
of the conversation's latest input channel (Zalo OA, Telegram, or the web chat's socket.io room),
with the same API clients, token store and retries as the bot's own replies, and records it in
the conversation. The console never holds the Zalo refresh token, which is single-use.

REST has no push (a REST caller only gets answers to its own requests), and Zalo accepts
customer-service messages only within a window after the citizen's last message
(docs/back-office.md, ../shared/docs/platform-facts.md): both are checked before sending.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from bot.channels.senders import split

PUSH_CHANNELS = {"zalo", "telegram", "web"}
# Zalo OA: 8 free customer-service replies within 48 h of the user's last message.
ZALO_WINDOW_SECONDS = 48 * 3600
ZALO_FREE_REPLIES = 8


class PushError(RuntimeError):
    """The Rasa server could not be reached or refused the request."""


@dataclass
class Reachability:
    channel: str
    can_push: bool
    reason: str = ""  # why not, for the console (Vietnamese)


class RasaConversations:
    """The few HTTP API calls the back office needs, with the server's auth token."""

    def __init__(self, url: str, token: str = "", timeout: float = 20.0) -> None:
        self.url = url.rstrip("/")
        self.params = {"token": token} if token else {}
        self.timeout = timeout

    def _call(self, method: str, path: str, params: dict[str, str] | None = None,
              body: Any = None) -> Any:
        try:
            response = requests.request(method, f"{self.url}{path}", json=body,
                                        params={**self.params, **(params or {})},
                                        timeout=self.timeout)
        except requests.RequestException as error:
            raise PushError(f"Không kết nối được máy chủ Rasa ({self.url}): {error}") from error
        if response.status_code >= 300:
            raise PushError(f"Máy chủ Rasa trả lỗi HTTP {response.status_code}: "
                            f"{response.text[:200]}")
        return response.json() if response.content else None

    @staticmethod
    def _path(sender_id: str) -> str:
        # Rasa does not unquote the id in the path: keep the characters a path segment allows
        # as they are ("zalo:123" must not become "zalo%3A123", another conversation).
        return "/conversations/" + quote(sender_id, safe=":@!$'()*+,;=")

    def tracker(self, sender_id: str) -> dict[str, Any]:
        return self._call("GET", self._path(sender_id) + "/tracker") or {}

    def append(self, sender_id: str, events: list[dict[str, Any]], push: bool = False) -> None:
        params = {"execute_side_effects": "true", "output_channel": "latest"} if push else {}
        self._call("POST", self._path(sender_id) + "/tracker/events", params, events)

    def execute(self, sender_id: str, action: str) -> None:
        """Run an action; its messages go to the citizen's latest channel. Then listen, as Rasa's
        own loop would: rules expect `action_listen` before the citizen's next message."""
        self._call("POST", self._path(sender_id) + "/execute", {"output_channel": "latest"},
                   {"name": action})
        self.append(sender_id, [{"event": "action", "name": "action_listen"}])

    def send(self, sender_id: str, text: str, staff: str) -> None:
        self.append(sender_id, [{"event": "bot", "text": text, "metadata": {"staff": staff}}],
                    push=True)

    def resume(self, sender_id: str) -> None:
        self.append(sender_id, [{"event": "resume"}])


def latest_channel(tracker: dict[str, Any], sender_id: str = "") -> str:
    """The channel the citizen last wrote on (tracker), else the one in a scoped sender id."""
    for event in reversed(tracker.get("events") or []):
        if event.get("event") == "user" and event.get("input_channel"):
            return str(event["input_channel"])
    return split(sender_id)[0] or ""


def reachability(tracker: dict[str, Any], sender_id: str, now: float | None = None
                 ) -> Reachability:
    """Whether a message can be pushed to this citizen now, and if not, why."""
    channel = latest_channel(tracker, sender_id)
    if channel not in PUSH_CHANNELS:
        return Reachability(channel, False, f"Kênh '{channel or 'không rõ'}' không nhận được tin "
                            "nhắn chủ động (REST chỉ trả lời đúng yêu cầu của người gửi). Hãy "
                            "liên hệ người dân qua điện thoại hoặc email nếu có.")
    if channel == "zalo":
        events = tracker.get("events") or []
        last_user = next((e for e in reversed(events) if e.get("event") == "user"), None)
        since = (now or time.time()) - float((last_user or {}).get("timestamp") or 0)
        if last_user is None or since > ZALO_WINDOW_SECONDS:
            return Reachability(channel, False, "Đã quá 48 giờ kể từ tin nhắn cuối của người dân:"
                                " Zalo không cho Official Account gửi tin tư vấn nữa. Chờ người "
                                "dân nhắn lại, hoặc liên hệ qua điện thoại, email.")
        index = events.index(last_user)
        sent = sum(1 for e in events[index + 1:] if e.get("event") == "bot")
        if sent >= ZALO_FREE_REPLIES:
            return Reachability(channel, False, f"Đã gửi {sent} tin kể từ tin nhắn cuối của người"
                                " dân: Zalo chỉ cho 8 tin tư vấn miễn phí trong 48 giờ. Chờ người"
                                " dân nhắn lại.")
    return Reachability(channel, True)
