"""Tickets end to end: a citizen on Telegram reports a problem (with bad input on the way), a
staff member changes its status in the console (headless Chromium), the citizen is told on
Telegram and can follow it by code; other people see only the status."""

from __future__ import annotations

import time

import pytest

from tests.backoffice.conftest import CODE, BackOfficeStack, screenshot, staff_page
from tests.channels.conftest import new_id
from tests.channels.test_telegram_e2e import post, update

pytestmark = pytest.mark.e2e
PHOTO = "https://example.org/anh/rac-ngo-12.jpg"


def tg_texts(stack: BackOfficeStack, chat: str) -> list[str]:
    return [m.get("text") or "" for m in stack.channels.telegram.sent_to(chat)]


def tg_say(stack: BackOfficeStack, chat: str, text: str, expect: str) -> str:
    """Send `text`, wait for a new message containing `expect`, return all new messages."""
    before = len(tg_texts(stack, chat))
    assert post(stack.channels, update("message_text", chat, text)).status_code == 200
    found = stack.wait(lambda: [t for t in tg_texts(stack, chat)[before:] if expect in t],
                       f"{expect!r} after {text!r}: {tg_texts(stack, chat)[before:]}")
    return "\n".join(found)


def test_telegram_report_is_followed_and_its_status_change_notified(bo_stack: BackOfficeStack,
                                                                     browser) -> None:
    chat = new_id(5100000000)
    # (a first message that already describes the problem fills the description: see
    # tests/test_form_repair_e2e.py; this one asks for every field, bad input on the way)
    tg_say(bo_stack, chat, "tôi muốn phản ánh", "Bạn phản ánh về việc gì")
    tg_say(bo_stack, chat, "Môi trường, rác thải, tiếng ồn", "mô tả ngắn gọn")
    tg_say(bo_stack, chat, "<script>alert(1)</script>", "còn trống hoặc quá ngắn")
    tg_say(bo_stack, chat, "x" * 5000, "dài quá 1500 ký tự")
    tg_say(bo_stack, chat, "Rác đổ <b>bừa bãi</b> ở đầu ngõ 12 đã ba ngày", "xảy ra ở đâu")
    tg_say(bo_stack, chat, "ngõ 12 phố Huế, phường Hai Bà Trưng", "ảnh")
    tg_say(bo_stack, chat, "ảnh đây", "chưa nhận được đường link ảnh")
    tg_say(bo_stack, chat, PHOTO, "số điện thoại hoặc email")
    tg_say(bo_stack, chat, "gọi tôi nhé", "chưa đúng")
    summary = tg_say(bo_stack, chat, "0912 345 678", "Gửi phản ánh này?")
    assert "Rác đổ bừa bãi ở đầu ngõ 12 đã ba ngày" in summary and "0912345678" in summary
    created = tg_say(bo_stack, chat, "đồng ý", "Mã phản ánh của bạn")
    code = CODE.search(created).group(0)
    ticket = bo_stack.store.ticket(code)
    assert ticket["category"] == "moi-truong" and ticket["channel"] == "telegram"
    assert ticket["description"] == "Rác đổ bừa bãi ở đầu ngõ 12 đã ba ngày"
    assert ticket["contact"] == "0912345678" and ticket["photo"] == PHOTO

    page = staff_page(browser, bo_stack)
    page.goto(f"{bo_stack.console}/tickets?status=new&category=moi-truong")
    page.click(f"text={code}")
    page.select_option("#update select[name=status]", "in_progress")
    page.select_option("#update select[name=assignee]", "can_bo")
    page.fill("#update textarea[name=note]", "Đã chuyển đội vệ sinh môi trường phường.")
    page.click("#update button")
    page.wait_for_selector("text=Đã lưu và báo người dân.")
    assert page.text_content("#ticket-status") == "Đang xử lý"
    screenshot(page, "backoffice-ticket.png")
    page.goto(f"{bo_stack.console}/tickets")
    listed = page.text_content("#tickets")
    assert "0912***678" in listed and "0912345678" not in listed  # masked in the list
    screenshot(page, "backoffice-tickets.png")
    page.close()

    bo_stack.wait(lambda: any(f"Phản ánh {code} của bạn đã chuyển sang: đang xử lý" in t
                              for t in tg_texts(bo_stack, chat)), "the status notification")
    audit = bo_stack.store.ticket_history(ticket["id"])
    assert [e["status"] for e in audit] == ["new", "in_progress"] and audit[1]["actor"] == "can_bo"

    answer = tg_say(bo_stack, chat, f"phản ánh {code} tới đâu rồi", "đang xử lý")
    assert "Đã chuyển đội vệ sinh môi trường phường." in answer
    answer = tg_say(bo_stack, chat, "phản ánh của tôi tới đâu rồi", f"Phản ánh {code} (")
    assert "đang xử lý" in answer  # without a code: the sender's latest ticket

    # Someone else with the code sees the status only; forged codes are not found.
    other = f"rest-other-{time.monotonic_ns()}"
    replies = " ".join(bo_stack.rest(f"phản ánh {code.lower()} tới đâu rồi", other))
    assert f"Phản ánh {code}: đang xử lý." in replies
    assert "ngõ 12" not in replies and "vệ sinh" not in replies and "0912" not in replies
    replies = " ".join(bo_stack.rest("phản ánh PA-9912-9999 tới đâu rồi", other))
    assert "Không tìm thấy phản ánh có mã PA-9912-9999" in replies


def test_a_report_can_be_cancelled(bo_stack: BackOfficeStack) -> None:
    sender = f"rest-cancel-{time.monotonic_ns()}"
    assert any("Bạn phản ánh về việc gì" in r for r in bo_stack.rest("tôi muốn phản ánh", sender))
    assert any("chọn một loại" in r for r in bo_stack.rest("con mèo", sender))
    assert any("Đã hủy" in r for r in bo_stack.rest("hủy", sender))
    assert [t for t in bo_stack.store.tickets() if t["sender_id"] == f"rest:{sender}"] == []
    assert any("Xin chào" in r for r in bo_stack.rest("xin chào", sender))  # the form is over
