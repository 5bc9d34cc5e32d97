"""A small async client for the Zalo OA API v3 customer-service messages and OAuth v4 refresh.

Built on aiohttp (already shipped with Rasa) because replies are sent from Rasa's asyncio event
loop: a blocking `requests` call there would stall every other conversation. The PyPI package
`zalo-python-sdk` (1.17, 2017) only speaks the retired OA API v1 with `mac`-signed query
parameters and blocking `requests`, so it does not fit (see docs/channels.md).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from enum import Enum
from typing import Any

import aiohttp

from bot.channels.zalo_tokens import TokenStore, ZaloTokens

logger = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://openapi.zalo.me"
DEFAULT_OAUTH_BASE_URL = "https://oauth.zaloapp.com"
SEND_PATH = "/v3.0/oa/message/cs"
REFRESH_PATH = "/v4/oa/access_token"

# Access token rejected: refresh it and try once more.
TOKEN_ERRORS = {-216, -124}
# Outside the 48 h reply window, quota used up, user blocked the OA...: retrying cannot help.
REFUSED_ERRORS = {-213, -217, -227, -230, -232, -234, -244}
# Zalo's "try again later" codes, handled like HTTP 5xx.
RETRYABLE_ERRORS = {-32, -100}


class SendResult(str, Enum):
    SENT = "sent"
    REFUSED = "refused"  # the platform will not deliver it (quota / window); logged, not retried
    FAILED = "failed"  # network or server trouble that outlasted the retries


class ZaloClient:
    """Sends messages with bounded retries; counts outcomes in `stats` for monitoring."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        store: TokenStore,
        api_base_url: str = DEFAULT_API_BASE_URL,
        oauth_base_url: str = DEFAULT_OAUTH_BASE_URL,
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
        timeout_seconds: float = 10.0,
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.store = store
        self.api_base_url = api_base_url.rstrip("/")
        self.oauth_base_url = oauth_base_url.rstrip("/")
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self.stats: Counter[str] = Counter()
        self._refresh_lock = asyncio.Lock()

    async def send_message(self, user_id: str, message: dict[str, Any]) -> SendResult:
        """POST one customer-service message; never raises for platform or network errors."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        refreshed = False
        attempt = 0
        async with aiohttp.ClientSession(timeout=self.timeout) as session:
            if self.store.tokens.expires_soon():
                await self._refresh(session, self.store.tokens.access_token)
            while True:
                attempt += 1
                token = self.store.tokens.access_token
                status, data = await self._post_json(session, SEND_PATH, body, token)
                code = _error_code(data)
                if status == 200 and code == 0:
                    self.stats["sent"] += 1
                    return SendResult.SENT
                if code in TOKEN_ERRORS and not refreshed:
                    refreshed = True
                    if await self._refresh(session, token):
                        continue
                if code in REFUSED_ERRORS:
                    self.stats["refused"] += 1
                    logger.warning("Zalo refused a reply to user %s (error %s: %s)",
                                   user_id, code, _error_message(data))
                    return SendResult.REFUSED
                retryable = status >= 500 or status == 429 or status == 0
                retryable = retryable or code in RETRYABLE_ERRORS
                if retryable and attempt < self.max_attempts:
                    self.stats["retried"] += 1
                    await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
                    continue
                self.stats["failed"] += 1
                logger.error("Zalo reply to user %s failed after %d attempt(s): HTTP %s, %s",
                             user_id, attempt, status or "no answer", _error_message(data))
                return SendResult.FAILED

    async def _post_json(
        self, session: aiohttp.ClientSession, path: str, body: dict[str, Any], token: str
    ) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body); status 0 when the server could not be reached."""
        try:
            async with session.post(
                self.api_base_url + path, json=body, headers={"access_token": token}
            ) as response:
                return response.status, await _json_or_empty(response)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            return 0, {"message": f"{type(error).__name__}: {error}"}

    async def _refresh(self, session: aiohttp.ClientSession, rejected_token: str) -> bool:
        """Trade the single-use refresh token for new tokens and persist them before use."""
        async with self._refresh_lock:
            if self.store.tokens.access_token != rejected_token:
                return True  # another reply refreshed while we waited
            form = {
                "refresh_token": self.store.tokens.refresh_token,
                "app_id": self.app_id,
                "grant_type": "refresh_token",
            }
            try:
                async with session.post(
                    self.oauth_base_url + REFRESH_PATH, data=form,
                    headers={"secret_key": self.app_secret},
                ) as response:
                    data = await _json_or_empty(response)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.error("Zalo token refresh failed: %s", error)
                return False
            if not data.get("access_token") or not data.get("refresh_token"):
                self.stats["refresh_failed"] += 1
                logger.error("Zalo token refresh refused (%s); an admin must re-authorise the OA",
                             _error_message(data))
                return False
            try:
                lifetime = float(data.get("expires_in", 0))
            except (TypeError, ValueError):
                lifetime = 0.0
            self.store.save(ZaloTokens(
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                expires_at=time.time() + lifetime if lifetime else 0.0,
            ))
            self.stats["refreshed"] += 1
            logger.info("Zalo access token refreshed")
            return True


async def _json_or_empty(response: aiohttp.ClientResponse) -> dict[str, Any]:
    try:
        data = await response.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return {}
    return data if isinstance(data, dict) else {}


def _error_code(data: dict[str, Any]) -> int | None:
    try:
        return int(data["error"])
    except (KeyError, TypeError, ValueError):
        return None


def _error_message(data: dict[str, Any]) -> str:
    return str(data.get("message") or data.get("error_description") or data or "empty answer")
