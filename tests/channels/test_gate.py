"""The input gate and the probe's bad requests, called on the handlers directly (no server).

Each test replays what the outside probe sent (issue 9) and asserts what must happen now.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from rasa.core.channels.channel import UserMessage

from bot.channels.gate import LONG_TEXT_CHARS, MAX_BODY_BYTES, deliver, gate_text
from bot.channels.rest import RestInput
from bot.channels.text import MAX_INPUT_CHARS
from bot.channels.web_sessions import SessionSigner, room_of
from bot.content import content
from tests.channels.test_webhooks import (
    FakeRequest,
    call,
    telegram_channel,
    telegram_request,
    webhook,
    zalo_channel,
    zalo_request,
)

EMPTY = content.text("system.empty_input")


def rest_call(body: bytes, headers: dict[str, str] | None = None,
              channel: RestInput | None = None) -> tuple[int, object, list[UserMessage]]:
    received: list[UserMessage] = []
    status, answer = call(webhook(channel or RestInput(), received),
                          FakeRequest(body, headers or {}))
    return status, answer, received


def test_gate_cleans_cuts_and_refuses_empty() -> None:
    assert gate_text(" \x00\u200b ") == gate_text("") == gate_text("\n\t") != gate_text("a")
    assert gate_text("").notice == EMPTY and gate_text("").text == ""
    cut = gate_text("lệ phí " * 20_000)
    assert len(cut.text) <= MAX_INPUT_CHARS and cut.text.startswith("lệ phí")
    assert "2.000" in cut.notice
    clean = gate_text("hộ chiếu\ud800\x07")
    assert clean.text == "hộ chiếu\ufffd" and clean.notice == ""
    clean.text.encode("utf-8")


@pytest.mark.parametrize("body", [b"", b"[]", b"[1, 2]", b"42", b"null", b'"text"', b"{bad",
                                  b"[" * 100_000 + b"]" * 100_000])
def test_rest_bodies_that_are_not_objects_are_400(body: bytes) -> None:
    status, answer, received = rest_call(body)
    assert status == 400 and "error" in answer
    assert received == []


@pytest.mark.parametrize("data", [{"sender": "a", "message": 5}, {"sender": "a", "message": None},
                                  {"sender": "a", "message": ["x"]}, {"sender": "a"},
                                  {"sender": 7, "message": "x"}, {"sender": "", "message": "x"},
                                  {"sender": "x" * 500, "message": "x"},
                                  {"sender": "a\ud800", "message": "x"}])
def test_rest_non_string_fields_are_400(data: dict) -> None:
    status, _, received = rest_call(json.dumps(data).encode())
    assert status == 400
    assert received == []


def test_rest_senders_are_scoped_and_a_missing_sender_gets_its_own_id() -> None:
    _, _, received = rest_call(json.dumps({"sender": "zalo:123", "message": "xin chào"}).encode())
    assert received[0].sender_id == "rest:zalo:123"  # never the Zalo citizen "zalo:123"
    ids = set()
    for _ in range(2):
        _, _, received = rest_call(json.dumps({"message": "xin chào"}).encode())
        ids.add(received[0].sender_id)
    assert len(ids) == 2 and all(i.startswith("rest:") and i != "rest:default" for i in ids)


def test_rest_empty_message_is_answered_without_nlu() -> None:
    for text in ("", "   ", "\x00\x01", "\u200b"):
        status, answer, received = rest_call(json.dumps({"sender": "me", "message": text}).encode())
        assert status == 200 and received == []
        assert answer == [{"recipient_id": "me", "text": EMPTY}]


def test_rest_oversized_body_is_413_and_long_text_is_cut_with_a_notice() -> None:
    body = json.dumps({"sender": "me", "message": "x" * (MAX_BODY_BYTES + 1)}).encode()
    assert rest_call(body)[0] == 413
    assert rest_call(b"{}", {"content-length": str(MAX_BODY_BYTES + 1)})[0] == 413
    status, answer, received = rest_call(json.dumps(
        {"sender": "me", "message": "thủ tục " * 12_800}).encode())  # ~100 KB
    assert status == 200
    assert len(received[0].text) <= MAX_INPUT_CHARS
    assert answer[0]["text"] == content.text("system.input_too_long", limit="2.000")


def test_rest_lone_surrogate_is_stored_replaced() -> None:
    _, _, received = rest_call(b'{"sender": "me", "message": "khai sinh \\ud800"}')
    assert received[0].text == "khai sinh \ufffd"


def test_rest_token() -> None:
    body = json.dumps({"sender": "me", "message": "xin chào"}).encode()
    guarded = RestInput(token="t0ken")
    assert rest_call(body, channel=guarded)[0] == 401
    assert rest_call(body, {"authorization": "Bearer wrong"}, guarded)[0] == 401
    assert rest_call(body, {"authorization": "Bearer t0ken"}, guarded)[0] == 200
    # Outside a local run, REST without a configured token refuses everyone.
    assert rest_call(body, channel=RestInput(production=True))[0] == 401


def test_rest_production_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REST_TOKEN", raising=False)
    monkeypatch.setenv("ASSISTANT_ENV", "production")
    assert RestInput.from_credentials(None).production
    monkeypatch.setenv("ASSISTANT_ENV", "local")
    assert not RestInput.from_credentials(None).production


def test_zalo_deeply_nested_json_is_400_before_the_signature(tmp_path: Path) -> None:
    handler = webhook(zalo_channel(tmp_path), received := [])
    nested = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    assert call(handler, FakeRequest(nested, {"X-ZEvent-Signature": "mac=00"}))[0] == 400
    assert call(handler, FakeRequest(b"{}", {"content-length": str(MAX_BODY_BYTES + 1)}))[0] \
        == 413
    assert received == []


def test_zalo_ids_are_scoped(tmp_path: Path) -> None:
    call(webhook(zalo_channel(tmp_path), received := []), zalo_request("xin chào"))
    assert received[0].sender_id.startswith("zalo:")


def test_telegram_bad_secrets_and_bodies(tmp_path: Path) -> None:
    handler = webhook(telegram_channel(tmp_path), received := [])
    good = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    for secret in ("sécret", "s3cret\udcff", "秘密"):
        assert call(handler, FakeRequest(b"{}", {"X-Telegram-Bot-Api-Secret-Token": secret}))[
            0] == 403
    for body in (b"[]", b"42", b"null", b'"x"', b"{}", b'{"update_id": "1"}',
                 b"[" * 100_000 + b"]" * 100_000):
        assert call(handler, FakeRequest(body, good))[0] == 400
    assert received == []


def test_telegram_retry_after_a_restart_is_dropped(tmp_path: Path) -> None:
    request = telegram_request("xin chào", 777)
    assert call(webhook(telegram_channel(tmp_path), received := []), request)[0] == 200
    chat = json.loads(request.body)["message"]["chat"]["id"]
    assert [m.sender_id for m in received] == [f"tg:{chat}"]
    restarted = webhook(telegram_channel(tmp_path), again := [])  # Rasa restarted, same var/
    assert call(restarted, request) == (200, {"status": "ignored"})
    assert again == []


def test_web_session_ids_are_issued_and_signed_by_the_server(tmp_path: Path) -> None:
    signer = SessionSigner.from_credentials({"session_secret_file": str(tmp_path / "k")})
    session = signer.new()
    assert signer.valid(session)
    assert oct((tmp_path / "k").stat().st_mode & 0o777) == "0o600"
    restarted = SessionSigner.from_credentials({"session_secret_file": str(tmp_path / "k")})
    assert restarted.valid(session)  # survives a restart
    for forged in (room_of(session), room_of(session) + ".0" * 16, "abc", "x" * 100_000, None,
                   7, SessionSigner.ephemeral().new()):
        assert not signer.valid(forged)


def test_long_texts_reach_rasa_one_at_a_time_and_short_ones_never_wait() -> None:
    events: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        events.append(f"start {message.sender_id}")
        await asyncio.sleep(0.05 if message.sender_id.startswith("long") else 0)
        events.append(f"end {message.sender_id}")

    async def burst() -> None:
        long_text = "x" * (LONG_TEXT_CHARS + 1)
        await asyncio.gather(deliver(on_new_message, UserMessage(long_text, sender_id="long1")),
                             deliver(on_new_message, UserMessage(long_text, sender_id="long2")),
                             deliver(on_new_message, UserMessage("hi", sender_id="short")))

    asyncio.run(burst())
    assert events.index("end long1") < events.index("start long2")
    assert events.index("end short") < events.index("end long1")
