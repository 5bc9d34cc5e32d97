"""Pure parts of the channels: signatures, splitting, escaping, token store, button mapping."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

from bot.channels.telegram import _command_or_text
from bot.channels.telegram_format import (
    CallbackPayloads,
    html_chunks,
    inline_keyboard,
    to_html,
    utf16_length,
)
from bot.channels.text import is_http_url, numbered_buttons, split_text
from bot.channels.zalo import ButtonMemory, _zalo_button
from bot.channels.zalo_events import (
    compute_signature,
    is_stale,
    parse_event,
    signature_is_valid,
)
from bot.channels.zalo_tokens import TokenStore, ZaloTokens


def test_signature_matches_zalo_formula_and_rejects_tampering() -> None:
    body = b'{"event_name":"user_send_text"}'
    mac = compute_signature("app", body, "1700000000000", "secret")
    assert len(mac) == 64
    assert signature_is_valid(f"mac={mac}", "app", body, "1700000000000", "secret")
    assert signature_is_valid(mac.upper(), "app", body, "1700000000000", "secret")
    assert not signature_is_valid(f"mac={mac}", "app", body + b" ", "1700000000000", "secret")
    assert not signature_is_valid(f"mac={mac}", "app", body, "1700000000001", "secret")
    assert not signature_is_valid(None, "app", body, "1700000000000", "secret")


def test_staleness() -> None:
    now = 1_700_000_000.0
    assert not is_stale("1700000000000", now=now + 60)
    assert is_stale("1700000000000", now=now + 3600)
    assert is_stale("not-a-number", now=now)


def test_parse_event_keeps_large_ids_as_strings() -> None:
    event = parse_event(b'{"event_name":"follow","timestamp":1700000000000,'
                        b'"follower":{"id":2468458835291979221234}}')
    assert event.user_id == "2468458835291979221234"
    assert event.dedupe_key == "follow:2468458835291979221234:1700000000000"


def test_split_text_respects_limits_and_boundaries() -> None:
    text = ("Câu một. " * 50 + "\n\n") * 3
    chunks = split_text(text, 200)
    assert all(len(chunk) <= 200 for chunk in chunks)
    assert " ".join(chunks).split() == text.split()
    assert split_text("   ", 10) == []
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_telegram_html_is_escaped_and_split_under_4096() -> None:
    assert to_html('<b>&"') == '&lt;b&gt;&amp;"'
    assert to_html("**Lệ phí**: [Cổng](https://a.vn/?x=1&y=2)") == (
        '<b>Lệ phí</b>: <a href="https://a.vn/?x=1&amp;y=2">Cổng</a>')
    assert to_html("[x](javascript:alert(1))") == "[x](javascript:alert(1))"
    chunks = html_chunks("<&> " * 3000 + "😀" * 3000)
    assert len(chunks) > 1
    assert all(utf16_length(chunk) <= 4096 for chunk in chunks)


def test_inline_keyboard_and_long_payloads() -> None:
    payloads = CallbackPayloads()
    long_payload = '/ask_fee{"procedure":"' + "đăng ký khai sinh " * 5 + '"}'
    keyboard = inline_keyboard([
        {"title": "Lệ phí", "payload": long_payload},
        {"title": "Cổng", "url": "https://dichvucong.gov.vn"},
        {"title": "Xấu", "url": "javascript:alert(1)"},
    ], payloads).to_dict()["inline_keyboard"]
    assert len(keyboard) == 2
    data = keyboard[0][0]["callback_data"]
    assert len(data.encode()) <= 64
    assert payloads.decode(data) == long_payload
    assert payloads.decode("k:unknown") is None
    assert keyboard[1][0]["url"] == "https://dichvucong.gov.vn"


def test_commands_map_to_intents() -> None:
    assert _command_or_text("/start") == "/greet"
    assert _command_or_text("/start@dvc_bot abc") == "/greet"
    assert _command_or_text("/HELP") == "/help"
    assert _command_or_text("  lệ phí hộ chiếu ") == "lệ phí hộ chiếu"


def test_zalo_buttons_and_numbered_fallback() -> None:
    assert _zalo_button({"title": "Hướng dẫn", "payload": "/help"}) == {
        "type": "oa.query.hide", "title": "Hướng dẫn", "payload": "/help"}
    assert _zalo_button({"title": "Cổng", "url": "https://a.vn"})["type"] == "oa.open.url"
    assert _zalo_button({"title": "x", "url": "javascript:1"}) is None
    text = numbered_buttons("Chọn:", [{"title": "A", "payload": "/a"},
                                      {"title": "B", "url": "https://b.vn"}])
    assert text == "Chọn:\n1. A\n2. B: https://b.vn"
    menus = ButtonMemory()
    menus.remember("u", ["/a", ""])
    assert menus.resolve("u", "1") == "/a"
    assert menus.resolve("u", "2") == "2"
    assert menus.resolve("other", "1") == "1"
    assert is_http_url("HTTPS://x.vn") and not is_http_url("data:text/html,x")


def test_token_store_is_atomic_private_and_preferred(tmp_path: Path) -> None:
    path = tmp_path / "var" / "zalo_tokens.json"
    store = TokenStore(path, ZaloTokens("a0", "r0"))
    assert store.tokens.access_token == "a0"
    store.save(ZaloTokens("a1", "r1", time.time() + 100))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text())["refresh_token"] == "r1"
    assert [p.name for p in path.parent.iterdir()] == ["zalo_tokens.json"]
    # A restart uses the saved (newer) tokens, not the stale ones from credentials.
    assert TokenStore(path, ZaloTokens("a0", "r0")).tokens.refresh_token == "r1"
    assert store.tokens.expires_soon()
    path.write_text("{broken")
    assert TokenStore(path, ZaloTokens("a0", "r0")).tokens.access_token == "a0"
