"""Zalo Official Account channel for Rasa: webhook at /webhooks/zalo/webhook.

Register in credentials.yml as `bot.channels.zalo.ZaloInput:` (see docs/channels.md).
The webhook verifies the signature, answers 200 at once and handles the event in the background,
because Zalo retries slow webhooks; retries are recognised by msg_id and dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.gate import BodyTooLarge, deliver, gate_text, read_body, too_large
from bot.channels.seen import SeenIds
from bot.channels.senders import scoped, split
from bot.channels.text import is_http_url, numbered_buttons, split_text
from bot.channels.zalo_api import (
    DEFAULT_API_BASE_URL,
    DEFAULT_OAUTH_BASE_URL,
    SendResult,
    ZaloClient,
)
from bot.channels.zalo_events import (
    FOLLOW_EVENTS,
    MAX_EVENT_AGE_SECONDS,
    SIGNATURE_HEADER,
    TEXT_EVENTS,
    UNSUPPORTED_MESSAGE_EVENTS,
    InvalidEvent,
    ZaloEvent,
    is_stale,
    parse_event,
    signature_is_valid,
)
from bot.channels.zalo_tokens import DEFAULT_TOKEN_FILE, TokenStore, ZaloTokens
from bot.content import content

logger = logging.getLogger(__name__)

TEXT_LIMIT = 2000  # characters per Zalo text message
MAX_TEMPLATE_BUTTONS = 5
BUTTON_TITLE_LIMIT = 100
QUERY_PAYLOAD_LIMIT = 1000
GREETING_PAYLOAD = "/greet"
# Recently seen msg_ids, beside the token file (var/): a retry after a restart is still dropped.
SEEN_FILE = "zalo_seen.db"



class ButtonMemory:
    """The last numbered menu shown to each user, so a reply "2" picks the second button."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._menus: OrderedDict[str, list[str]] = OrderedDict()

    def remember(self, user_id: str, payloads: list[str]) -> None:
        self._menus[user_id] = payloads
        self._menus.move_to_end(user_id)
        while len(self._menus) > self.size:
            self._menus.popitem(last=False)

    def resolve(self, user_id: str, text: str) -> str:
        payloads = self._menus.get(user_id, [])
        choice = text.strip().rstrip(".")
        if choice.isdigit() and 1 <= int(choice) <= len(payloads) and payloads[int(choice) - 1]:
            return payloads[int(choice) - 1]
        return text


class ZaloOutput(OutputChannel):
    """Replies through the OA API v3 customer-service message endpoint."""

    @classmethod
    def name(cls) -> str:
        return "zalo"

    def __init__(self, client: ZaloClient, menus: ButtonMemory) -> None:
        self.client = client
        self.menus = menus

    # Rasa addresses replies to the tracker's sender id ("zalo:<user id>"); Zalo wants the raw id.
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        recipient_id = split(recipient_id)[1]
        for chunk in split_text(text, TEXT_LIMIT):
            await self.client.send_message(recipient_id, {"text": chunk})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        recipient_id = split(recipient_id)[1]
        chunks = split_text(text, TEXT_LIMIT) or [" "]
        for chunk in chunks[:-1]:
            await self.client.send_message(recipient_id, {"text": chunk})
        zalo_buttons = [_zalo_button(button) for button in buttons]
        if 0 < len(zalo_buttons) <= MAX_TEMPLATE_BUTTONS and all(zalo_buttons):
            template = {"attachment": {"type": "template", "payload": {
                "template_type": "button", "text": chunks[-1], "buttons": zalo_buttons,
            }}}
            result = await self.client.send_message(recipient_id, template)
            if result is not SendResult.FAILED:
                return
            logger.warning("Zalo button template to user %s failed; sending a numbered list",
                           recipient_id)
        await self._send_numbered(recipient_id, chunks[-1], buttons)

    async def _send_numbered(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]]
    ) -> None:
        self.menus.remember(recipient_id, [str(b.get("payload") or "") for b in buttons])
        choosable = any(button.get("payload") for button in buttons)
        hint = "\n(Trả lời bằng số thứ tự để chọn.)" if choosable else ""
        await self.send_text_message(recipient_id, numbered_buttons(text, buttons) + hint)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        if is_http_url(image):
            await self.send_text_message(recipient_id, image)


def _zalo_button(button: dict[str, Any]) -> dict[str, Any] | None:
    """A Rasa button as a Zalo template button, or None when Zalo cannot show it."""
    title = str(button.get("title", "")).strip()[:BUTTON_TITLE_LIMIT]
    url = button.get("url")
    payload = str(button.get("payload") or "")
    if not title:
        return None
    if url:
        return {"type": "oa.open.url", "title": title, "payload": {"url": url}} if is_http_url(
            url) else None
    if not payload or len(payload) > QUERY_PAYLOAD_LIMIT:
        return None
    # "/intent" payloads would look odd in the chat: send them hidden; plain text shows as typed.
    kind = "oa.query.hide" if payload.startswith("/") else "oa.query.show"
    return {"type": kind, "title": title, "payload": payload}


class ZaloInput(InputChannel):
    """Receives Zalo OA webhook events."""

    @classmethod
    def name(cls) -> str:
        return "zalo"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        required = ("app_id", "oa_secret_key", "app_secret", "access_token", "refresh_token")
        if not credentials or not all(credentials.get(key) for key in required):
            cls.raise_missing_credentials_exception()
        token_file = Path(credentials.get("token_file") or DEFAULT_TOKEN_FILE)
        store = TokenStore(
            token_file,
            ZaloTokens(str(credentials["access_token"]), str(credentials["refresh_token"])),
        )
        client = ZaloClient(
            app_id=str(credentials["app_id"]),
            app_secret=str(credentials["app_secret"]),
            store=store,
            api_base_url=credentials.get("api_base_url") or DEFAULT_API_BASE_URL,
            oauth_base_url=credentials.get("oauth_base_url") or DEFAULT_OAUTH_BASE_URL,
            backoff_seconds=float(credentials.get("retry_backoff_seconds", 0.5)),
        )
        return cls(
            app_id=str(credentials["app_id"]),
            oa_secret_key=str(credentials["oa_secret_key"]),
            client=client,
            max_event_age=float(credentials.get("max_event_age_seconds", MAX_EVENT_AGE_SECONDS)),
            seen=SeenIds(Path(credentials.get("seen_file") or token_file.parent / SEEN_FILE)),
        )

    def __init__(
        self, app_id: str, oa_secret_key: str, client: ZaloClient,
        max_event_age: float = MAX_EVENT_AGE_SECONDS, seen: SeenIds | None = None,
    ) -> None:
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.client = client
        self.max_event_age = max_event_age
        self.menus = ButtonMemory()
        self.seen = seen if seen is not None else SeenIds()
        self._tasks: set[asyncio.Task] = set()

    def get_output_channel(self) -> OutputChannel:
        return ZaloOutput(self.client, self.menus)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        zalo_webhook = Blueprint("zalo_webhook", __name__)

        @zalo_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @zalo_webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = await read_body(request)
            except BodyTooLarge:
                return too_large()
            try:
                event = parse_event(body)
            except InvalidEvent as error:
                logger.warning("Zalo webhook: rejected body (%s)", error)
                return response.json({"error": "malformed event"}, status=400)
            header = request.headers.get(SIGNATURE_HEADER)
            if not signature_is_valid(header, self.app_id, body, event.timestamp,
                                      self.oa_secret_key):
                logger.warning("Zalo webhook: bad signature (event %s)", event.name)
                return response.json({"error": "invalid signature"}, status=401)
            if is_stale(event.timestamp, max_age=self.max_event_age):
                logger.warning("Zalo webhook: stale event %s at %s", event.name, event.timestamp)
                return response.json({"error": "stale event"}, status=403)
            if not self.seen.first_time(event.dedupe_key):
                return response.json({"status": "duplicate"})
            task = asyncio.create_task(self._handle(event, on_new_message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return response.json({"status": "ok"})

        return zalo_webhook

    async def _handle(
        self, event: ZaloEvent, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Route one event; any failure is logged with the user id and the user is told."""
        output = self.get_output_channel()
        if not event.user_id:
            logger.warning("Zalo event %s without a user id ignored", event.name)
            return
        try:
            if event.name in TEXT_EVENTS:
                gated = gate_text(event.text)
                if gated.notice:
                    await output.send_text_message(event.user_id, gated.notice)
                if gated.text:
                    await self._to_rasa(self.menus.resolve(event.user_id, gated.text), event,
                                        output, on_new_message)
            elif event.name in FOLLOW_EVENTS:
                await self._to_rasa(GREETING_PAYLOAD, event, output, on_new_message)
            elif event.name in UNSUPPORTED_MESSAGE_EVENTS:
                await output.send_text_message(event.user_id,
                                               content.text("system.unsupported_message"))
            else:
                logger.debug("Zalo event %s ignored", event.name)
        except Exception:  # the background task must not die silently
            logger.exception("Zalo: handling %s from user %s failed", event.name, event.user_id)
            await output.send_text_message(event.user_id, content.text("system.channel_error"))

    async def _to_rasa(
        self, text: str, event: ZaloEvent, output: OutputChannel,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        await deliver(on_new_message, UserMessage(
            text, output, scoped("zalo", event.user_id), input_channel=self.name(),
            metadata={"zalo_event": event.name, "zalo_msg_id": event.msg_id},
        ))
