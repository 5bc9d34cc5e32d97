"""Handover end to end: a citizen on Zalo asks for a person, a staff member takes the chat in
the console (headless Chromium) and replies, the fake Zalo API receives it, the bot stays silent,
staff close, the bot asks for a rating and answers again. Outside office hours, and when nobody
takes the chat in time, the citizen leaves a contact that becomes a ticket."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from bot.backoffice.store import ACTIVE, CLOSED, EXPIRED, QUEUED
from bot.channels.senders import split
from bot.channels.web_sessions import room_of
from tests.admin.conftest import PASSWORD
from tests.backoffice.conftest import CODE, BackOfficeStack, screenshot, staff_page
from tests.channels.conftest import new_id
from tests.channels.test_zalo_e2e import event, post

pytestmark = pytest.mark.e2e


def zalo_texts(stack: BackOfficeStack, user: str) -> list[str]:
    out = []
    for message in stack.channels.zalo.messages_to(user):
        payload = (message.get("attachment") or {}).get("payload") or {}
        out.append(message.get("text") or payload.get("text") or "")
    return out


def zalo_say(stack: BackOfficeStack, user: str, text: str) -> None:
    assert post(stack.channels, event("user_send_text", user, text)).status_code == 200


def zalo_wait(stack: BackOfficeStack, user: str, fragment: str) -> list[str]:
    return stack.wait(lambda: [t for t in zalo_texts(stack, user) if fragment in t],
                      f"Zalo message with {fragment!r} to {user}: {zalo_texts(stack, user)}")


def handover_of(stack: BackOfficeStack, user: str) -> dict[str, Any] | None:
    """The citizen's latest handover, whether sender ids are scoped ("zalo:<id>") or not."""
    items = stack.store.handovers((QUEUED, ACTIVE, CLOSED, EXPIRED))
    return next((h for h in items if split(h["sender_id"])[1] == user), None)


def test_zalo_citizen_talks_to_staff_then_the_bot_again(bo_stack: BackOfficeStack,
                                                        browser) -> None:
    bo_stack.office(open_=True)
    user = new_id(346845883529197000)
    zalo_say(bo_stack, user, "cho tôi gặp nhân viên")
    zalo_wait(bo_stack, user, "trong hàng chờ")
    item = handover_of(bo_stack, user)
    assert item and item["status"] == QUEUED and item["channel"] == "zalo"

    page = staff_page(browser, bo_stack)
    page.goto(f"{bo_stack.console}/handover")
    assert item["sender_id"] in page.text_content("#waiting")
    screenshot(page, "backoffice-queue.png")

    page.goto(f"{bo_stack.console}/handover/{item['id']}")
    page.click("#take button")
    page.wait_for_selector("text=Đã nhận cuộc trò chuyện.")
    zalo_wait(bo_stack, user, "Cán bộ can_bo đã nhận cuộc trò chuyện")

    answer = "Chào anh, tôi là cán bộ một cửa. Anh cần làm thủ tục gì ạ?"
    page.fill("#reply textarea", answer)
    page.click("#reply button")
    page.wait_for_selector("text=Đã gửi.")
    zalo_wait(bo_stack, user, answer)

    # The citizen writes again: staff see it live, the bot says nothing.
    before = len(zalo_texts(bo_stack, user))
    question = "tôi muốn đăng ký khai sinh cho con"
    zalo_say(bo_stack, user, question)
    page.wait_for_selector(f"#history >> text={question}")
    markup = '<img src=x onerror="window.hacked=1">'
    zalo_say(bo_stack, user, markup)
    bo_stack.wait(lambda: markup in page.text_content("#history"), "the markup, as text")
    assert page.locator("#history img").count() == 0
    time.sleep(2)
    assert len(zalo_texts(bo_stack, user)) == before, zalo_texts(bo_stack, user)[before:]
    screenshot(page, "backoffice-conversation.png")

    page.click("#close button")
    page.wait_for_selector("text=Đã kết thúc")
    zalo_wait(bo_stack, user, "Bạn đánh giá sự hỗ trợ")
    assert handover_of(bo_stack, user)["status"] == CLOSED
    zalo_say(bo_stack, user, '/rate_help{"rating":"5"}')
    zalo_wait(bo_stack, user, "Cảm ơn bạn đã đánh giá")
    assert bo_stack.wait(lambda: handover_of(bo_stack, user)["rating"], "rating") == 5

    zalo_say(bo_stack, user, "xin chào")
    zalo_wait(bo_stack, user, "Xin chào! Mình là trợ lý")
    page.close()


def test_outside_office_hours_the_contact_becomes_a_ticket(bo_stack: BackOfficeStack) -> None:
    bo_stack.office(open_=False)
    sender = f"rest-closed-{time.monotonic_ns()}"
    replies = bo_stack.rest("gặp nhân viên", sender)
    assert any("ngoài giờ làm việc" in r for r in replies), replies
    assert any("số điện thoại hoặc email" in r for r in replies), replies
    # the request itself is not a wrong phone number
    assert not any("chưa đúng" in r for r in replies), replies
    assert handover_of(bo_stack, sender) is None  # nobody to queue for

    replies = bo_stack.rest("số tôi là abc", sender)
    assert any("chưa đúng" in r for r in replies), replies
    replies = bo_stack.rest("0912 345 678", sender)
    code = CODE.search(" ".join(replies)).group(0)
    ticket = bo_stack.store.ticket(code)
    assert ticket["category"] == "lien-he-lai" and ticket["contact"] == "0912345678"
    assert "gặp nhân viên" in ticket["description"]


def test_nobody_takes_the_chat_in_time(bo_stack: BackOfficeStack) -> None:
    bo_stack.office(open_=True, timeout_minutes=0.15)  # 9 s; the console sweeps every second
    sender = f"rest-timeout-{time.monotonic_ns()}"
    replies = bo_stack.rest("gặp nhân viên", sender)
    assert any("hàng chờ" in r for r in replies), replies
    assert bo_stack.rest("alo có ai không", sender) == []  # paused: the bot stays silent
    bo_stack.wait(lambda: any("các cán bộ đều đang bận" in t for t in bo_stack.bot_texts(sender)),
                  "the timeout message", timeout=30)
    assert handover_of(bo_stack, sender)["status"] == EXPIRED
    replies = bo_stack.rest("lan@example.com", sender)
    ticket = bo_stack.store.ticket(CODE.search(" ".join(replies)).group(0))
    assert ticket["contact"] == "lan@example.com" and "chờ quá lâu" in ticket["description"]
    assert "alo có ai không" in ticket["description"]

    # Waiting when the office closes: told the hours; "bỏ qua" leaves no contact.
    later = f"rest-timeout-{time.monotonic_ns()}"
    bo_stack.office(open_=True)
    bo_stack.rest("gặp nhân viên", later)
    bo_stack.office(open_=False)
    bo_stack.wait(lambda: any("ngoài giờ làm việc" in t for t in bo_stack.bot_texts(later)),
                  "the closed-office message", timeout=30)
    replies = bo_stack.rest("bỏ qua", later)
    assert any("gặp nhân viên\" lại trong giờ làm việc" in r for r in replies), replies
    bo_stack.office(open_=True)


def test_a_viewer_cannot_reply_take_or_change_tickets(bo_stack: BackOfficeStack) -> None:
    bo_stack.office(open_=True)
    sender = f"rest-viewer-{time.monotonic_ns()}"
    bo_stack.rest("gặp nhân viên", sender)
    item = handover_of(bo_stack, sender)
    ticket = bo_stack.store.create_ticket(sender_id=f"rest:{sender}", channel="rest",
                                          category="khac", description="Đèn đường hỏng")
    session = requests.Session()
    page = session.get(f"{bo_stack.console}/login").text
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    session.post(f"{bo_stack.console}/login", data={"username": "xem", "password": PASSWORD,
                                                     "csrf_token": csrf, "next": "/"})
    account = session.get(f"{bo_stack.console}/account").text
    csrf = account.split('name="csrf_token" value="')[1].split('"')[0]
    queue = session.get(f"{bo_stack.console}/handover")
    assert queue.status_code == 200 and sender in queue.text and "Nhận</button>" not in queue.text
    for url, data in ((f"/handover/{item['id']}/take", {}),
                      (f"/handover/{item['id']}/reply", {"text": "xin chào"}),
                      (f"/tickets/{ticket['code']}", {"status": "in_progress", "note": "x"}),
                      ("/tickets/categories", {"categories": "a | b"})):
        answer = session.post(f"{bo_stack.console}{url}", data={"csrf_token": csrf, **data})
        assert answer.status_code == 403, url
    assert bo_stack.store.handover(item["id"])["status"] == QUEUED
    assert bo_stack.store.ticket(ticket["code"])["status"] == "new"
    detail = session.get(f"{bo_stack.console}/tickets/{ticket['code']}").text
    assert 'id="update"' not in detail


def test_web_chat_citizen_sees_the_staff_reply(bo_stack: BackOfficeStack, browser) -> None:
    bo_stack.office(open_=True)
    chat = browser.new_page(viewport={"width": 420, "height": 640})
    chat.set_default_timeout(30_000)
    chat.goto(f"{bo_stack.rasa}/webhooks/web/chat")
    chat.wait_for_selector(".dvc-input")
    chat.fill(".dvc-input", "gặp nhân viên")
    chat.press(".dvc-input", "Enter")
    chat.wait_for_selector(".dvc-msg[data-from=bot] >> text=hàng chờ")
    session = chat.evaluate("localStorage.getItem('dvc-chat-session')")
    item = handover_of(bo_stack, room_of(session))  # the conversation part of the signed id
    assert item and item["channel"] == "web"

    page = staff_page(browser, bo_stack, "can_bo_2")
    page.goto(f"{bo_stack.console}/handover/{item['id']}")
    page.click("#take button")
    page.wait_for_selector("text=Đã nhận cuộc trò chuyện.")
    answer = "Chào bạn, mình là cán bộ hỗ trợ trực tuyến."
    page.fill("#reply textarea", answer)
    page.click("#reply button")
    page.wait_for_selector("text=Đã gửi.")
    chat.wait_for_selector(f".dvc-msg[data-from=bot] >> text={answer}")
    screenshot(chat, "backoffice-webchat.png", full_page=False)
    page.click("#close button")
    page.wait_for_selector("text=Đã kết thúc")
    chat.wait_for_selector(".dvc-msg[data-from=bot] >> text=Bạn đánh giá sự hỗ trợ")
    page.close()
    chat.close()


def test_two_misunderstandings_in_a_row_join_the_queue(bo_stack: BackOfficeStack) -> None:
    bo_stack.office(open_=True)
    sender = f"rest-fallback-{time.monotonic_ns()}"
    # What NLU calls low confidence varies with the model: say it directly.
    first = bo_stack.rest("/nlu_fallback", sender)
    assert any("chưa" in r and "hiểu" in r for r in first), first
    rephrase = bo_stack.rest("/out_of_scope", sender)  # "none of these": asked to rephrase
    assert any("nói lại" in r for r in rephrase), rephrase
    again = bo_stack.rest("/nlu_fallback", sender)  # the rephrased message is missed too
    assert any("chưa" in r and "hiểu" in r for r in again), again
    replies = bo_stack.rest("/out_of_scope", sender)
    assert any("hàng chờ" in r for r in replies), replies
    item = handover_of(bo_stack, sender)
    assert item["status"] == QUEUED and item["reason"] == "fallback"


def test_a_console_restart_mid_handover_loses_nothing(bo_stack: BackOfficeStack,
                                                      tmp_path) -> None:
    """A second console on the same database and Rasa picks up where the first left off."""
    from starlette.testclient import TestClient

    from bot.admin.settings import AdminSettings
    from tests.admin.conftest import copy_project, login
    from tests.backoffice.conftest import console_app

    bo_stack.office(open_=True)
    sender = f"rest-restart-{time.monotonic_ns()}"
    bo_stack.rest("gặp nhân viên", sender)
    item = handover_of(bo_stack, sender)
    settings = AdminSettings(root=copy_project(tmp_path / "project", sample=False), env="test",
                             rasa_url=bo_stack.rasa, secret_key="restart-test")
    first = console_app(settings, bo_stack.env)
    first.state.users.create("can_bo", PASSWORD, "editor")
    assert first.state.desk.take(item["id"], "can_bo").ok
    del first  # the console stops mid-handover

    second = console_app(settings, bo_stack.env)
    console = login(TestClient(second), "can_bo")
    assert sender in console.get("/handover").text
    answer = console.post(f"/handover/{item['id']}/reply", {"text": "Tôi vẫn ở đây."})
    assert answer.status_code == 200 and "REST" in answer.text  # recorded; REST has no push
    assert "Tôi vẫn ở đây." in bo_stack.bot_texts(sender)
    assert bo_stack.rest("còn ai không", sender) == []  # still paused: the bot stays silent

    second.state.users.create("can_bo_2", PASSWORD, "editor")
    console.post(f"/handover/{item['id']}/transfer", {"to": "can_bo_2"})
    assert bo_stack.store.handover(item["id"])["agent"] == "can_bo_2"
    refused = console.post(f"/handover/{item['id']}/reply", {"text": "Còn tôi nữa."})
    assert "Bạn không phụ trách" in refused.text
    assert "Còn tôi nữa." not in bo_stack.bot_texts(sender)
