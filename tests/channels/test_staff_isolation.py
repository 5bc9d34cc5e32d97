"""Citizens' channels never reach internal documents: the staff assistant lives in the admin
console, and the same question asked on the web chat, REST, Zalo and Telegram gets no internal
passage."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.staff.assistant import StaffAssistant
from tests.channels import test_telegram_e2e as telegram
from tests.channels import test_zalo_e2e as zalo
from tests.channels.conftest import ChannelStack, new_id
from tests.channels.test_web_e2e import BOT, browser  # noqa: F401 (fixture)
from tests.staff.corpus import ONE_STOP, write

pytestmark = pytest.mark.e2e
QUESTION = "hẹn lại ngày trả kết quả được mấy lần"
INTERNAL = ("chỉ được thực hiện một lần", ONE_STOP.number, "Điều 9")


def _texts(messages: list[dict]) -> str:
    return " ".join(str(m.get("text") or m.get("attachment", "")) for m in messages)


def _assert_no_internal(replies: dict[str, str]) -> None:
    for channel, text in replies.items():
        assert text.strip(), f"{channel}: no reply at all"
        for marker in INTERNAL:
            assert marker not in text, f"{channel} leaked internal content: {text}"


def test_the_same_question_gets_no_internal_passage_on_citizen_channels(
    channel_stack: ChannelStack, tmp_path: Path
) -> None:
    staff = StaffAssistant(tmp_path / "staff.db", tmp_path / "knowledge.db")
    document = write(ONE_STOP, tmp_path)
    staff.upload(filename=document.name, data=document.read_bytes(), title=ONE_STOP.title,
                 number=ONE_STOP.number, issued="", department="", username="admin")
    answer = staff.ask(QUESTION, {"role": "viewer", "department": ""})
    assert answer.hits and "chỉ được thực hiện một lần" in answer.hits[0].passage.text  # staff do

    replies = {"rest": _texts(channel_stack.rasa.say(QUESTION, sender=f"rest:{new_id()}"))}
    user = new_id()
    zalo.post(channel_stack, zalo.event("user_send_text", user, QUESTION))
    replies["zalo"] = _texts([m.get("message", m) for m in zalo.replies(channel_stack, user)])
    chat = new_id(7_000_000)
    telegram.post(channel_stack, telegram.update("message_text", chat, QUESTION))
    replies["telegram"] = _texts(telegram.sent(channel_stack, chat))
    _assert_no_internal(replies)
    staff.close()


def test_the_web_chat_gets_no_internal_passage(channel_stack: ChannelStack, browser) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(f"{channel_stack.url}/webhooks/web/chat")
    page.wait_for_selector(BOT, timeout=30_000)  # the greeting
    before = page.locator(BOT).count()
    page.fill(".dvc-input", QUESTION)
    page.press(".dvc-input", "Enter")
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length > {before}",
                           timeout=30_000)
    page.wait_for_timeout(1000)  # a reply may come in several messages
    _assert_no_internal({"web": " ".join(page.locator(BOT).all_text_contents()[before:])})
    page.close()
