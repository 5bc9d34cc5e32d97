"""Long-polling mode for Telegram, for deployments without a public HTTPS address.

Fetches updates with getUpdates and posts each one, with the secret token, to the Rasa server's
own Telegram webhook, so both modes share one code path. An update is confirmed to Telegram (by
moving the offset past it) only after the Rasa server accepted it: if Rasa is down, the relay
waits and tries again instead of losing the message.

    python -m bot.channels.telegram_poll [--credentials credentials.yml] [--rasa-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path
from typing import Any

import aiohttp
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TelegramError

from bot.channels.telegram import DEFAULT_BASE_URL, SECRET_HEADER, retry_after_seconds

logger = logging.getLogger(__name__)

CHANNEL_KEY = "bot.channels.telegram.TelegramInput"
POLL_TIMEOUT_SECONDS = 25


class PollingRelay:
    def __init__(self, token: str, secret_token: str, webhook_url: str,
                 base_url: str = DEFAULT_BASE_URL, poll_timeout: int = POLL_TIMEOUT_SECONDS,
                 retry_seconds: float = 2.0) -> None:
        self.bot = Bot(token, base_url=base_url)
        self.secret_token = secret_token
        self.webhook_url = webhook_url
        self.poll_timeout = poll_timeout
        self.retry_seconds = retry_seconds
        self.offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        async with self.bot, aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=60)
        ) as session:
            # getUpdates is refused while a webhook is set.
            await self.bot.delete_webhook(drop_pending_updates=False)
            logger.info("Polling Telegram for updates; relaying to %s", self.webhook_url)
            while not stop.is_set():
                await self.poll_once(session)

    async def poll_once(self, session: aiohttp.ClientSession) -> int:
        """Fetch one batch and relay it; returns how many updates were delivered."""
        try:
            updates = await self.bot.do_api_request(
                "getUpdates",
                api_kwargs={"offset": self.offset, "timeout": self.poll_timeout,
                            "allowed_updates": ["message", "callback_query"]},
                read_timeout=self.poll_timeout + 10,
            )
        except RetryAfter as error:
            await asyncio.sleep(retry_after_seconds(error))
            return 0
        except (NetworkError, TelegramError) as error:
            logger.warning("getUpdates failed (%s); retrying in %.0fs", error, self.retry_seconds)
            await asyncio.sleep(self.retry_seconds)
            return 0
        delivered = 0
        for update in updates or []:
            while not await self._deliver(session, update):
                await asyncio.sleep(self.retry_seconds)
            self.offset = int(update["update_id"]) + 1
            delivered += 1
        return delivered

    async def _deliver(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> bool:
        try:
            async with session.post(self.webhook_url, json=update,
                                    headers={SECRET_HEADER: self.secret_token}) as response:
                if response.status < 500:
                    if response.status != 200:
                        logger.error("Rasa rejected update %s: HTTP %s", update.get("update_id"),
                                     response.status)
                    return True  # 4xx will not get better by retrying
                logger.warning("Rasa answered HTTP %s to update %s; retrying", response.status,
                               update.get("update_id"))
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.warning("Rasa server not reachable (%s); update %s kept for retry", error,
                           update.get("update_id"))
        return False


def channel_credentials(path: Path) -> dict[str, Any]:
    """The Telegram block of a Rasa credentials file (environment variables substituted)."""
    from rasa.shared.utils.io import read_yaml_file  # slow import: only for the command

    credentials = read_yaml_file(path) or {}
    block = credentials.get(CHANNEL_KEY)
    if not block or not block.get("access_token") or not block.get("secret_token"):
        raise SystemExit(f"{path} has no '{CHANNEL_KEY}:' block with access_token and "
                         "secret_token (see docs/channels.md)")
    return block


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Relay Telegram updates by long polling.")
    parser.add_argument("--credentials", type=Path, default=Path("credentials.yml"))
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    block = channel_credentials(args.credentials)
    relay = PollingRelay(
        token=str(block["access_token"]),
        secret_token=str(block["secret_token"]),
        webhook_url=args.rasa_url.rstrip("/") + "/webhooks/telegram/webhook",
        base_url=block.get("base_url") or DEFAULT_BASE_URL,
    )
    try:
        asyncio.run(relay.run(asyncio.Event()))
    except KeyboardInterrupt:
        logger.info("Stopped")


if __name__ == "__main__":
    main()
