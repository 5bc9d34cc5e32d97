"""Fake Zalo OA and Telegram Bot API servers on 127.0.0.1 for end-to-end channel tests.

They speak the platforms' real request/response shapes (see tests/fixtures/), record every call
and can be told to fail the next calls (5xx, expired token, quota, 429).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(platform: str, name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / platform / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeServer:
    """A threaded HTTP server whose `route` method answers (status, JSON body)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                call = Call(urlparse(self.path).path, dict(self.headers.items()),
                            _decode(raw, self.headers.get("Content-Type", "")))
                with owner.lock:
                    owner.calls.append(call)
                status, body = owner.route(call)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def route(self, call: Call) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def fail_next(self, recipient: str, *answers: tuple[int, dict[str, Any]]) -> None:
        """Answer the next messages to `recipient` with these (status, body) pairs."""
        with self.lock:
            self.failures.setdefault(str(recipient), []).extend(answers)

    def _pop_failure(self, recipient: Any) -> tuple[int, dict[str, Any]] | None:
        with self.lock:
            queue = self.failures.get(str(recipient))
            return queue.pop(0) if queue else None

    def calls_to(self, suffix: str, where: Callable[[Call], bool] = lambda c: True) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.path.endswith(suffix) and where(c)]

    def wait_for(self, suffix: str, where: Callable[[Call], bool] = lambda c: True,
                 count: int = 1, timeout: float = 30.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_to(suffix, where)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"expected {count} call(s) to {suffix}, got {self.calls_to(suffix)}")

    def stop(self) -> None:
        self.httpd.shutdown()


def _decode(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    form = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
    for key, value in form.items():  # PTB sends nested objects as JSON strings
        if value[:1] in "[{":
            form[key] = json.loads(value)
    return form


class FakeZalo(FakeServer):
    """OA API v3 /v3.0/oa/message/cs and OAuth v4 /v4/oa/access_token."""

    def __init__(self, app_id: str, app_secret: str, access_token: str,
                 refresh_token: str) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.issued = 0
        super().__init__()

    def expire_access_token(self) -> None:
        self.access_token = "expired-" + self.access_token

    def route(self, call: Call) -> tuple[int, dict[str, Any]]:
        if call.path == "/v4/oa/access_token":
            return self._refresh(call)
        if call.path != "/v3.0/oa/message/cs":
            return 404, {"error": 404, "message": "not found"}
        if call.headers.get("access_token") != self.access_token:
            return 200, {"error": -216, "message": "Access token is invalid"}
        failure = self._pop_failure(call.body["recipient"]["user_id"])
        if failure:
            return failure
        return 200, {"error": 0, "message": "Success",
                     "data": {"message_id": f"m{len(self.calls)}",
                              "user_id": call.body["recipient"]["user_id"]}}

    def _refresh(self, call: Call) -> tuple[int, dict[str, Any]]:
        body = call.body
        if (call.headers.get("secret_key") != self.app_secret
                or body.get("app_id") != self.app_id
                or body.get("grant_type") != "refresh_token"
                or body.get("refresh_token") != self.refresh_token):
            return 200, {"error": -14014, "error_name": "Invalid refresh token",
                         "error_description": "Refresh token is invalid"}
        self.issued += 1
        self.access_token = f"access-{self.issued}"
        self.refresh_token = f"refresh-{self.issued}"  # single use: the old one is now dead
        return 200, {"access_token": self.access_token, "refresh_token": self.refresh_token,
                     "expires_in": "90000"}

    def messages_to(self, user_id: str) -> list[dict[str, Any]]:
        return [c.body["message"] for c in self.calls_to(
            "/message/cs",
            lambda c: c.body.get("recipient", {}).get("user_id") == user_id
            and c.headers.get("access_token") == self.access_token)]


class FakeTelegram(FakeServer):
    """Bot API methods at /bot<token>/<method>; getUpdates serves queued updates."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.updates: list[dict[str, Any]] = []
        self.webhook_deleted = False
        super().__init__()

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    def route(self, call: Call) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not call.path.startswith(prefix):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        method = call.path[len(prefix):]
        if method == "getMe":
            return 200, {"ok": True, "result": fixture("telegram", "get_me")}
        if method == "deleteWebhook":
            self.webhook_deleted = True
            return 200, {"ok": True, "result": True}
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._updates(call.body)}
        if method == "answerCallbackQuery":
            return 200, {"ok": True, "result": True}
        if method == "sendMessage":
            failure = self._pop_failure(call.body.get("chat_id"))
            if failure:
                return failure
            return 200, {"ok": True, "result": {
                "message_id": len(self.calls), "date": int(time.time()),
                "chat": {"id": int(call.body["chat_id"]), "type": "private"},
                "text": call.body.get("text", "")}}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method"}

    def _updates(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(body.get("offset") or 0)
        deadline = time.monotonic() + min(float(body.get("timeout") or 0), 1.0)
        while True:
            with self.lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates or time.monotonic() >= deadline:
                    return list(self.updates)
            time.sleep(0.05)

    def sent_to(self, chat_id: int | str) -> list[dict[str, Any]]:
        return [c.body for c in self.calls_to(
            "/sendMessage", lambda c: str(c.body.get("chat_id")) == str(chat_id))]
