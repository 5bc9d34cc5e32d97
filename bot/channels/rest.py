"""REST channel (`POST /webhooks/rest/webhook`) behind the input gate: Rasa's, hardened.

Register in credentials.yml as `bot.channels.rest.RestInput:` instead of `rest:`; the URL and the
request/response shapes stay Rasa's ({"sender": "...", "message": "..."} -> list of messages).
What differs (each was a finding of the outside probe, docs/security.md):
- bodies over MAX_BODY_BYTES get 413 before they are parsed; anything but a JSON object with a
  string `message` (and a string `sender`, if any) gets 400 instead of a 500 or a silent `[]`;
- the text goes through the gate (cleaned, cut, empty input answered without NLU);
- sender ids are scoped to "rest:<sender>", so a REST caller cannot read or change a Zalo,
  Telegram or web citizen's conversation; a missing sender gets a fresh id (returned as
  `recipient_id`) instead of everyone sharing the conversation "default";
- with a token configured (`token:` here or $REST_TOKEN) every call needs
  `Authorization: Bearer <token>`; outside a local run ($ASSISTANT_ENV / $ADMIN_ENV not local)
  the channel refuses to serve without one.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import uuid
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.gate import BodyTooLarge, deliver, gate_text, read_body, too_large
from bot.channels.senders import scoped, split

logger = logging.getLogger(__name__)

LOCAL_ENVS = ("local", "development", "dev", "test")
MAX_SENDER_CHARS = 128


class RestOutput(CollectingOutputChannel):
    """Collects the replies; `recipient_id` is the id the caller sent, not the scoped one."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    async def _persist_message(self, message: dict[str, Any]) -> None:
        message["recipient_id"] = split(str(message.get("recipient_id", "")))[1]
        await super()._persist_message(message)


class RestInput(InputChannel):
    """Synchronous REST channel: one request, the list of replies as the response."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        environment = os.environ.get("ASSISTANT_ENV") or os.environ.get("ADMIN_ENV") or "local"
        return cls(token=str(credentials.get("token") or os.environ.get("REST_TOKEN") or ""),
                   production=environment.lower() not in LOCAL_ENVS)

    def __init__(self, token: str = "", production: bool = False) -> None:
        self.token = token
        self.production = production
        if production and not token:
            logger.error("REST channel: no token configured outside a local run; every request "
                         "is refused (set REST_TOKEN or `token:` in credentials.yml)")

    def get_output_channel(self) -> OutputChannel:
        return RestOutput()

    def _authorized(self, request: Request) -> bool:
        if not self.token:
            return not self.production
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(sent.encode("utf-8", "replace"), self.token.encode())

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        rest = Blueprint("hardened_rest_webhook", __name__)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not self._authorized(request):
                return response.json({"error": "unauthorized"}, status=401)
            try:
                data = json.loads(await read_body(request) or b"null")
            except BodyTooLarge:
                return too_large()
            except (ValueError, RecursionError):
                return _bad_request("the body must be a JSON object")
            problem = _problem(data)
            if problem:
                return _bad_request(problem)
            sender = data.get("sender") or uuid.uuid4().hex
            gated = gate_text(data["message"])
            output = RestOutput()
            if gated.notice:
                await output.send_text_message(scoped("rest", sender), gated.notice)
            if gated.text:
                try:
                    await deliver(on_new_message, UserMessage(
                        gated.text, output, scoped("rest", sender), input_channel=self.name(),
                    ))
                except CancelledError:
                    logger.error("REST message from %s timed out", sender)
                except Exception:
                    logger.exception("REST message from %s failed", sender)
            return response.json(output.messages)

        return rest


def _problem(data: Any) -> str:
    if not isinstance(data, dict):
        return "the body must be a JSON object"
    if not isinstance(data.get("message"), str):
        return "'message' must be a string"
    sender = data.get("sender")
    if sender is not None and not (isinstance(sender, str)
                                   and 0 < len(sender) <= MAX_SENDER_CHARS
                                   and sender.isprintable()):
        return f"'sender' must be a printable string of 1 to {MAX_SENDER_CHARS} characters"
    return ""


def _bad_request(problem: str) -> HTTPResponse:
    return response.json({"error": problem}, status=400)
