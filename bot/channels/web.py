"""Web chat channel: Rasa's socket.io protocol plus the chat page and widget, from one server.

Register in credentials.yml as `bot.channels.web.WebChatInput:` (same keys as Rasa's `socketio`).
Why not Rasa's built-in `socketio` channel: with the python-socketio 5.x that Rasa 3.6 installs,
`AsyncServer.enter_room` is a coroutine that the built-in channel never awaits, so with
session_persistence the browser never joins its session room and gets no replies; and the
built-in output drops URL buttons. This channel awaits it and keeps URL buttons.

The page and `widget.js` are served by the Rasa server itself under /webhooks/web/, so the
province's site embeds the assistant with one tag:
`<script src="https://ASSISTANT-HOST/webhooks/web/static/widget.js" defer></script>`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.gate import deliver, gate_text
from bot.channels.senders import scoped, split
from bot.channels.text import is_http_url
from bot.channels.web_sessions import SessionSigner, room_of

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[1] / "web"
STATIC_FILES = {
    "widget.js": "application/javascript; charset=utf-8",
    "socket.io.min.js": "application/javascript; charset=utf-8",
    "index.html": "text/html; charset=utf-8",
}


class WebChatOutput(OutputChannel):
    """Emits Rasa's socket.io message shapes; buttons keep their payload or http(s) URL."""

    @classmethod
    def name(cls) -> str:
        return "web"

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        self.sio = sio
        self.bot_message_evt = bot_message_evt

    async def _emit(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self.sio.emit(self.bot_message_evt, message, room=split(recipient_id)[1])

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        if text.strip():
            await self._emit(recipient_id, {"text": text.strip()})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        replies = []
        for button in buttons:
            title = str(button.get("title", "")).strip()
            if title and is_http_url(button.get("url")):
                replies.append({"content_type": "url", "title": title, "url": button["url"]})
            elif title and button.get("payload"):
                replies.append({"content_type": "text", "title": title,
                                "payload": str(button["payload"])})
        await self._emit(recipient_id, {"text": text.strip(), "quick_replies": replies})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        if is_http_url(image):
            await self._emit(recipient_id, {"attachment": {"type": "image",
                                                           "payload": {"src": image}}})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._emit(recipient_id, {"custom": json_message})


class WebChatInput(SocketIOInput):
    """Socket.io input with working session persistence, plus the static chat page."""

    @classmethod
    def name(cls) -> str:
        return "web"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        assert isinstance(channel, WebChatInput)
        channel.sessions = SessionSigner.from_credentials(credentials)
        return channel

    sessions: SessionSigner | None = None

    def get_output_channel(self) -> OutputChannel | None:
        return WebChatOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        self.sio = sio
        sessions = self.sessions = self.sessions or SessionSigner.ephemeral()
        web = SocketBlueprint(sio, self.socketio_path, "web_chat", __name__)

        @web.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @web.route("/chat", methods=["GET"])
        async def page(_: Request) -> HTTPResponse:
            return await _static("index.html")

        @web.route("/static/<name>", methods=["GET"])
        async def static(_: Request, name: str) -> HTTPResponse:
            return await _static(name)

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None) -> bool:
            if not self.jwt_key:
                return True
            token = (auth or {}).get("token")
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            # Only a session id this server signed is resumed; anything else gets a new one.
            offered = data.get("session_id") if isinstance(data, dict) else None
            session_id = offered if sessions.valid(offered) else sessions.new()
            await sio.save_session(sid, {"session_id": session_id}, namespace=self.namespace)
            if self.session_persistence:
                await sio.enter_room(sid, room_of(session_id), namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                return
            # The conversation is the one this socket joined, never an id from the payload.
            session_id = (await sio.get_session(sid, namespace=self.namespace)).get("session_id")
            if not session_id:
                logger.warning("Web chat message before session_request from %s ignored", sid)
                return
            sender_id = scoped("web", room_of(session_id) if self.session_persistence else sid)
            output = WebChatOutput(sio, self.bot_message_evt)
            gated = gate_text(data["message"])
            if gated.notice:
                await output.send_text_message(sender_id, gated.notice)
            if gated.text:
                await deliver(on_new_message, UserMessage(gated.text, output, sender_id,
                                                          input_channel=self.name()))

        return web


async def _static(name: str) -> HTTPResponse:
    if name not in STATIC_FILES:
        return response.text("Not found", status=404)
    return await response.file(
        STATIC_DIR / name, mime_type=STATIC_FILES[name],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
