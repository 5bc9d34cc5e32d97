"""Conversation repair in the forms (issue 21 §5), end to end through the REST channel.

A real Rasa server, action server and trained model. Inside the report form and the callback
contact form, a question is answered instead of being filed as the form's answer, and the
citizen goes back to the form ("tiếp tục") or leaves it ("hủy"). The report form opens for
reports, not for procedure questions; a report that says what and where is not asked for them
again; a private dispute gets mediation and legal aid, not a procedure.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from bot.backoffice.store import Store
from tests.support.servers import ROOT, RasaStack, start_stack

pytestmark = pytest.mark.e2e

ASK_CATEGORY = "Bạn phản ánh về việc gì"
ASK_DESCRIPTION = "mô tả ngắn gọn"
ASK_PLACE = "xảy ra ở đâu"
ASK_PHOTO = "Nếu có ảnh"
PAUSED_REPORT = "Phản ánh của bạn chưa được gửi"
PAUSED_CONTACT = "Bạn vẫn có thể để lại số điện thoại hoặc email"
BAD_CONTACT = "Số điện thoại hoặc email chưa đúng"


class Stack:
    def __init__(self, rasa: RasaStack, store: Store) -> None:
        self.rasa, self.store = rasa, store

    def say(self, text: str, sender: str) -> str:
        return "\n".join(m.get("text") or "" for m in self.rasa.say(text, sender))

    def intent(self, sender: str) -> str:
        tracker = requests.get(f"{self.rasa.rasa_url}/conversations/rest:{sender}/tracker",
                               timeout=10).json()
        return tracker["latest_message"]["intent"]["name"]

    def tickets(self, sender: str) -> list[dict]:
        return [t for t in self.store.tickets() if t["sender_id"] == f"rest:{sender}"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, deployed_knowledge_db: Path
          ) -> Iterator[Stack]:
    """The office is closed, so "gặp nhân viên" opens the callback contact form."""
    workdir = tmp_path_factory.mktemp("form-repair")
    province = yaml.safe_load((ROOT / "settings" / "province.yml").read_text(encoding="utf-8"))
    province["back_office"].update(office_hours={}, holidays=[])
    (workdir / "province.yml").write_text(yaml.safe_dump(province, allow_unicode=True),
                                          encoding="utf-8")
    shutil.copy(ROOT / "settings" / "ticket_categories.yml", workdir / "categories.yml")
    database = f"sqlite:///{workdir / 'backoffice.db'}"
    rasa = start_stack(workdir / "stack", env={
        "KNOWLEDGE_DB": str(deployed_knowledge_db),
        "PROVINCE_CONFIG": str(workdir / "province.yml"),
        "TICKET_CATEGORIES": str(workdir / "categories.yml"), "BACKOFFICE_DB_URL": database})
    try:
        yield Stack(rasa, Store(database))
    finally:
        rasa.stop()


def new_sender() -> str:
    return f"repair-{uuid.uuid4().hex[:8]}"


def test_a_question_at_the_description_step_is_answered_not_filed(stack: Stack) -> None:
    sender = new_sender()
    assert ASK_CATEGORY in stack.say("tôi muốn phản ánh", sender)
    assert ASK_DESCRIPTION in stack.say("Môi trường, rác thải, tiếng ồn", sender)
    reply = stack.say("thôi không phản ánh nữa, cho mình hỏi đăng ký kết hôn mất bao lâu", sender)
    assert "kết hôn" in reply.lower()  # the procedure action answered the question
    assert PAUSED_REPORT in reply and ASK_PLACE not in reply
    assert stack.tickets(sender) == []
    # the form is left: the next message is a new question, not the report's place
    reply = stack.say("đăng ký khai sinh cần giấy tờ gì", sender)
    assert "khai sinh" in reply.lower() and ASK_PLACE not in reply and ASK_PHOTO not in reply
    # ... and the citizen can go back to the report where it stopped, then cancel it
    assert ASK_DESCRIPTION in stack.say("tiếp tục", sender)
    assert "Đã hủy" in stack.say("hủy", sender)
    assert stack.tickets(sender) == []


def test_a_question_at_the_contact_step_is_answered_then_the_contact_is_left(stack: Stack) -> None:
    sender = new_sender()
    reply = stack.say("cho tôi gặp nhân viên", sender)
    assert "ngoài giờ làm việc" in reply and "số điện thoại hoặc email" in reply
    reply = stack.say("nộp ở đâu", sender)
    assert BAD_CONTACT not in reply
    assert stack.intent(sender) == "ask_where_to_submit"
    assert PAUSED_CONTACT in reply and "tiếp tục" in reply and "hủy" in reply
    assert "số điện thoại hoặc email" in stack.say("tiếp tục", sender)
    assert "đã ghi nhận yêu cầu liên hệ lại" in stack.say("0912 345 678", sender)
    assert [t["contact"] for t in stack.tickets(sender)] == ["0912345678"]


@pytest.mark.parametrize("word", ["hủy", "huy", "thôi"])
def test_cancel_words_leave_every_form(stack: Stack, word: str) -> None:
    sender = new_sender()
    stack.say("cho tôi gặp nhân viên", sender)
    reply = stack.say(word, sender)
    assert BAD_CONTACT not in reply and "Dạ vâng" in reply
    assert ASK_CATEGORY in stack.say("tôi muốn phản ánh", sender)
    assert "Đã hủy" in stack.say(word, sender)
    stack.say("đường làng ngập sâu sau mưa, xe máy không đi được", sender)  # a new report
    stack.say("Đường sá, điện chiếu sáng, cấp thoát nước", sender)
    assert "Đã hủy" in stack.say(word, sender)  # at the place step
    assert stack.tickets(sender) == []


def test_a_report_that_says_what_and_where_is_not_asked_again(stack: Stack) -> None:
    sender = new_sender()
    text = "rác thải đổ ở đầu thôn 3 xã Tân Lập"
    assert ASK_CATEGORY in stack.say(text, sender)
    assert ASK_PHOTO in stack.say("Môi trường, rác thải, tiếng ồn", sender)  # no description,
    stack.say("bỏ qua", sender)                                                 # no place asked
    summary = stack.say("bỏ qua", sender)
    assert text in summary and "thôn 3 xã Tân Lập" in summary
    assert "Mã phản ánh của bạn" in stack.say("đồng ý", sender)
    [ticket] = stack.tickets(sender)
    assert ticket["description"] == text and ticket["place"] == "thôn 3 xã Tân Lập"


def test_a_report_without_a_place_asks_only_the_place(stack: Stack) -> None:
    sender = new_sender()
    assert ASK_CATEGORY in stack.say("đèn đường trước ngõ nhà tôi hỏng cả tuần nay", sender)
    reply = stack.say("Đường sá, điện chiếu sáng, cấp thoát nước", sender)
    assert ASK_PLACE in reply and ASK_DESCRIPTION not in reply


@pytest.mark.parametrize("question", [
    "con tôi chuyển trường thì làm hồ sơ gì",
    "Gia đình tôi có mảnh đất ông bà để lại từ năm 1990, nay bố mẹ muốn tách thửa chia cho hai "
    "anh em tôi mỗi người một phần thì phải làm những giấy tờ gì và nộp ở đâu ạ",
])
def test_procedure_questions_do_not_open_the_report_form(stack: Stack, question: str) -> None:
    sender = new_sender()
    reply = stack.say(question, sender)
    assert stack.intent(sender) != "submit_feedback"
    assert ASK_CATEGORY not in reply and reply.strip()


@pytest.mark.parametrize("question", [
    "bố tôi mất không để lại di chúc, mấy anh em tranh nhau mảnh đất thì ai được hưởng",
    "nhà bên cạnh mượn tiền tôi cả năm nay không trả thì tôi phải làm sao",
    "hai nhà cãi nhau về bức tường rào chung, bên kia đòi phá đi, ai đúng",
])
def test_a_private_dispute_points_to_legal_aid(stack: Stack, question: str) -> None:
    sender = new_sender()
    reply = stack.say(question, sender)
    assert stack.intent(sender) == "private_dispute"
    assert "trợ giúp pháp lý" in reply and "hòa giải" in reply
    assert "công chứng" not in reply.lower() and ASK_CATEGORY not in reply
