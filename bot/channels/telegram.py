"""Telegram channel for Rasa on python-telegram-bot: webhook at /webhooks/telegram/webhook.

Register in credentials.yml as `bot.channels.telegram.TelegramInput:` (see docs/channels.md).
Each request must carry the secret token given to setWebhook; nothing calls Telegram while the
server starts. Without public HTTPS, `python -m bot.channels.telegram_poll` fetches updates with
getUpdates and relays them to this same webhook.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.channels.gate import BodyTooLarge, deliver, gate_text, read_body, too_large
from bot.channels.seen import SeenIds
from bot.channels.senders import scoped, split
from bot.channels.telegram_format import CallbackPayloads, html_chunks, inline_keyboard
from bot.channels.text import is_http_url
from bot.content import content

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
MAX_ATTEMPTS = 3
MAX_RETRY_AFTER_SECONDS = 30.0
# Telegram commands mapped to the intents they mean; "/start" is what a new user's first tap sends.
COMMANDS = {"/start": "/greet", "/help": "/help"}

# Update ids already handled, beside the other channel state in var/: a retry after a restart
# is still dropped.
SEEN_FILE = "var/telegram_seen.db"


class TelegramOutput(OutputChannel):
    """Sends HTML-escaped text and inline keyboards; failures are logged with the chat id."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, bot: LazyBot, payloads: CallbackPayloads) -> None:
        self.bot = bot
        self.payloads = payloads

    # Rasa addresses replies to the tracker's sender id ("tg:<chat id>"); Telegram wants the chat.
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for chunk in html_chunks(text):
            await self._send(split(recipient_id)[1], chunk)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        recipient_id = split(recipient_id)[1]
        chunks = html_chunks(text) or ["…"]
        for chunk in chunks[:-1]:
            await self._send(recipient_id, chunk)
        await self._send(recipient_id, chunks[-1], inline_keyboard(buttons, self.payloads))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        if is_http_url(image):
            await self.send_text_message(recipient_id, image)

    async def _send(
        self, chat_id: str, html_text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> bool:
        async def send(bot: Bot) -> Any:
            return await bot.send_message(
                chat_id=chat_id, text=html_text, parse_mode=ParseMode.HTML,
                reply_markup=keyboard, disable_web_page_preview=True,
            )
        return await self.bot.call(send, f"sendMessage to chat {chat_id}")


class LazyBot:
    """A python-telegram-bot Bot initialised on first use, with bounded retries."""

    def __init__(self, token: str, base_url: str = DEFAULT_BASE_URL,
                 backoff_seconds: float = 0.5) -> None:
        self.bot = Bot(token, base_url=base_url)
        self.backoff_seconds = backoff_seconds
        self._lock = asyncio.Lock()

    async def ready(self) -> Bot:
        async with self._lock:
            await self.bot.initialize()  # no-op once done
        return self.bot

    async def call(self, request: Callable[[Bot], Coroutine[Any, Any, Any]], what: str) -> bool:
        """Run `request`, retrying 429 and network errors; True when it went through."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                await request(await self.ready())
                return True
            except RetryAfter as error:
                delay = retry_after_seconds(error)
                if attempt == MAX_ATTEMPTS or delay > MAX_RETRY_AFTER_SECONDS:
                    logger.error("Telegram %s: rate limited (retry after %ss)", what, delay)
                    return False
                await asyncio.sleep(delay)
            except (Forbidden, BadRequest) as error:  # blocked by the user, chat gone ...
                logger.error("Telegram %s refused: %s", what, error)
                return False
            except NetworkError as error:  # includes TimedOut and Telegram's 5xx answers
                if attempt == MAX_ATTEMPTS:
                    logger.error("Telegram %s failed after %d attempts: %s", what, attempt, error)
                    return False
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            except TelegramError as error:
                logger.error("Telegram %s failed: %s", what, error)
                return False
        return False


def retry_after_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after is an int or a timedelta depending on PTB settings."""
    value = error.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


class TelegramInput(InputChannel):
    """Receives Telegram updates posted by Telegram (webhook) or by the polling relay."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials or not credentials.get("access_token") or not credentials.get(
                "secret_token"):
            cls.raise_missing_credentials_exception()
        return cls(
            token=str(credentials["access_token"]),
            secret_token=str(credentials["secret_token"]),
            base_url=credentials.get("base_url") or DEFAULT_BASE_URL,
            backoff_seconds=float(credentials.get("retry_backoff_seconds", 0.5)),
            seen=SeenIds(Path(credentials.get("seen_file") or SEEN_FILE)),
        )

    def __init__(self, token: str, secret_token: str, base_url: str = DEFAULT_BASE_URL,
                 backoff_seconds: float = 0.5, seen: SeenIds | None = None) -> None:
        self.secret_token = secret_token
        self.bot = LazyBot(token, base_url, backoff_seconds)
        self.payloads = CallbackPayloads()
        self.seen = seen if seen is not None else SeenIds()
        self._tasks: set[asyncio.Task] = set()

    def get_output_channel(self) -> OutputChannel:
        return TelegramOutput(self.bot, self.payloads)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        telegram_webhook = Blueprint("telegram_webhook", __name__)

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            header = request.headers.get(SECRET_HEADER, "")
            # "replace": a non-ASCII (or undecodable) header is simply a wrong secret, not a 500.
            if not hmac.compare_digest(header.encode("utf-8", "replace"),
                                       self.secret_token.encode()):
                logger.warning("Telegram webhook: wrong secret token")
                return response.json({"error": "forbidden"}, status=403)
            try:
                data = json.loads(await read_body(request) or b"")
                if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                    raise ValueError("not an update object")
                update = Update.de_json(data, self.bot.bot)
            except BodyTooLarge:
                return too_large()
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
                logger.warning("Telegram webhook: rejected body (%s)", error)
                return response.json({"error": "malformed update"}, status=400)
            if update is None or not self.seen.first_time(str(update.update_id)):
                return response.json({"status": "ignored"})
            task = asyncio.create_task(self._handle(update, on_new_message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return response.json({"status": "ok"})

        return telegram_webhook

    async def _handle(
        self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Route one update; any failure is logged with the chat id and the user is told."""
        chat = update.effective_chat
        if chat is None:
            return
        chat_id = str(chat.id)
        output = self.get_output_channel()
        try:
            if update.callback_query:
                await self._handle_button(update, chat_id, output, on_new_message)
            elif update.message and update.message.text is not None:
                gated = gate_text(update.message.text)
                if gated.notice:
                    await output.send_text_message(chat_id, gated.notice)
                if gated.text:
                    await self._to_rasa(_command_or_text(gated.text), chat_id, update, output,
                                        on_new_message)
            elif update.message:
                await output.send_text_message(chat_id,
                                               content.text("system.unsupported_message"))
        except Exception:  # the background task must not die silently
            logger.exception("Telegram: handling update %s from chat %s failed",
                             update.update_id, chat_id)
            await output.send_text_message(chat_id, content.text("system.channel_error"))

    async def _handle_button(
        self, update: Update, chat_id: str, output: OutputChannel,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        query = update.callback_query
        # Answer first: until then the user's button keeps spinning.
        await self.bot.call(lambda bot: bot.answer_callback_query(query.id),
                            f"answerCallbackQuery for chat {chat_id}")
        payload = self.payloads.decode(query.data or "")
        if payload is None:
            await output.send_text_message(chat_id, content.text("system.expired_button"))
            return
        await self._to_rasa(payload, chat_id, update, output, on_new_message)

    async def _to_rasa(
        self, text: str, chat_id: str, update: Update, output: OutputChannel,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        await deliver(on_new_message, UserMessage(
            text, output, scoped("telegram", chat_id), input_channel=self.name(),
            metadata={"telegram_update_id": update.update_id},
        ))


def _command_or_text(text: str) -> str:
    """Map /start and /help (also "/start@BotName" and deep-link arguments) to intents."""
    stripped = text.strip()
    if stripped.startswith("/"):
        command = stripped.split()[0].split("@")[0].lower()
        if command in COMMANDS:
            return COMMANDS[command]
    return stripped
