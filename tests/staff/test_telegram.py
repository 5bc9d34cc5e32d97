"""The staff assistant on its own Telegram bot: linked staff get cited passages, others nothing.

The webhook is served by the console (not Rasa); the Bot API is the fake server of the channel
tests, speaking Telegram's real request shapes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

from tests.channels.fakes import FakeTelegram, fixture
from tests.staff.corpus import ONE_STOP
from tests.staff.test_console import upload

TOKEN = "7000000002:AAHstaffTOKENstaffTOKENstaffTOKEN1"
SECRET = "staff-secret_token"
STAFF_CHAT = 5000000777
OTHER_CHAT = 5000000888
QUESTION = "hẹn lại ngày trả kết quả được mấy lần"


@pytest.fixture
def telegram(monkeypatch) -> Iterator[FakeTelegram]:
    fake = FakeTelegram(TOKEN)
    monkeypatch.setenv("STAFF_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("STAFF_TELEGRAM_SECRET", SECRET)
    monkeypatch.setenv("STAFF_TELEGRAM_API", fake.base_url)
    monkeypatch.setenv("ADMIN_PUBLIC_URL", "https://quantri.example.gov.vn")
    yield fake
    fake.stop()


def update(chat: int, text: str) -> dict:
    body = copy.deepcopy(fixture("telegram", "message_text"))
    body["message"]["from"]["id"] = body["message"]["chat"]["id"] = chat
    body["message"]["text"] = text
    return body


def post(console, body: dict, secret: str = SECRET):
    return console.client.post("/staff/telegram/webhook", json=body,
                               headers={"X-Telegram-Bot-Api-Secret-Token": secret})


def test_linked_staff_get_cited_passages_and_strangers_do_not(telegram, as_role,
                                                              corpus_files) -> None:
    admin = as_role("admin")
    document, path = corpus_files[ONE_STOP.key]
    upload(admin, path, document.title, document.number)
    page = admin.post("/users/viewer", {"op": "telegram", "telegram_id": str(STAFF_CHAT)})
    assert "Đã cập nhật liên kết Telegram" in page.text

    assert post(admin, update(STAFF_CHAT, QUESTION)).status_code == 200
    reply = telegram.sent_to(STAFF_CHAT)[-1]["text"]
    assert "chỉ được thực hiện một lần" in reply and "Điều 9, khoản 2" in reply
    assert ONE_STOP.number in reply
    assert "https://quantri.example.gov.vn/staff/documents/" in reply

    assert post(admin, update(OTHER_CHAT, QUESTION)).status_code == 200
    stranger = telegram.sent_to(OTHER_CHAT)[-1]["text"]
    assert "chưa được liên kết" in stranger and str(OTHER_CHAT) in stranger
    assert "chỉ được thực hiện một lần" not in stranger and ONE_STOP.number not in stranger


def test_forged_or_disabled_webhook_answers_nobody(telegram, as_role, monkeypatch) -> None:
    admin = as_role("admin")
    admin.post("/users/viewer", {"op": "telegram", "telegram_id": str(STAFF_CHAT)})
    assert post(admin, update(STAFF_CHAT, QUESTION), secret="wrong").status_code == 403
    assert admin.client.post("/staff/telegram/webhook", content=b"{not json",
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}).json() == {
        "ok": True}
    monkeypatch.delenv("STAFF_TELEGRAM_SECRET")
    assert post(admin, update(STAFF_CHAT, QUESTION), secret="").status_code == 404
    assert telegram.sent_to(STAFF_CHAT) == []
    taken = admin.post("/users/editor", {"op": "telegram", "telegram_id": str(STAFF_CHAT)})
    assert "đã liên kết với viewer" in taken.text
