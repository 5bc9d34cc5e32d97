"""The forms' side of conversation repair (issue 21 §5), action by action.

A message the NLU is sure asks something else is no answer to the form's question: nothing is
extracted, so the form rejects it and the rules answer it. Answers keep their shape whatever the
intent. A report that says what and where fills those from its first message.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backoffice import (
    ActionPauseForm,
    ActionResumeForm,
    ActionStop,
    ValidateContactForm,
    ValidateTicketForm,
    is_report_text,
    place_in,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def form_tracker(text: str, intent: str, confidence: float, form: str = "ticket_form",
                 requested: str | None = "ticket_description",
                 slots: dict[str, Any] | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": confidence},
               "intent_ranking": [{"name": intent, "confidence": confidence}], "entities": []}
    return Tracker("citizen", {"requested_slot": requested, **(slots or {})}, message,
                   [{"event": "action", "name": form}], False, None,
                   {"name": form} if requested else {}, "action_listen")


def run(action: Any, tracker: Tracker, domain: dict[str, Any]
        ) -> tuple[list[dict[str, Any]], list[str]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, domain)
    if asyncio.iscoroutine(events):
        events = asyncio.run(events)
    return events, [m.get("text") or m.get("response") or "" for m in dispatcher.messages]


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


QUESTION = "thôi không phản ánh nữa, cho mình hỏi đăng ký kết hôn mất bao lâu"


def test_a_sure_question_at_the_description_step_is_no_answer(domain) -> None:
    tracker = form_tracker(QUESTION, "ask_processing_time", 0.95)
    events, said = run(ValidateTicketForm(), tracker, domain)
    assert slots_of(events) == {} and said == []  # nothing extracted: the form rejects it


def test_an_unsure_guess_stays_the_answer(domain) -> None:
    text = "cán bộ hẹn trả hồ sơ ba lần vẫn chưa có"
    events, _ = run(ValidateTicketForm(), form_tracker(text, "ask_processing_time", 0.4), domain)
    assert slots_of(events)["ticket_description"] == text


@pytest.mark.parametrize("text", ["hủy", "huy", "thôi", "Thôi."])
@pytest.mark.parametrize("requested", ["ticket_category", "ticket_description", "ticket_place",
                                       "ticket_photo", "ticket_contact", "ticket_confirm"])
def test_cancel_words_work_at_every_step_of_the_report(domain, text, requested) -> None:
    # whatever the NLU made of it, even a question intent
    tracker = form_tracker(text, "ask_procedure", 0.99, requested=requested)
    events, _ = run(ValidateTicketForm(), tracker, domain)
    assert slots_of(events)["ticket_cancelled"] is True


@pytest.mark.parametrize("requested", ["ticket_photo", "ticket_contact"])
def test_skip_is_no_cancel_even_read_as_stop(domain, requested) -> None:
    tracker = form_tracker("bỏ qua", "stop", 0.68, requested=requested)
    tracker.add_slots([{"event": "slot", "name": requested, "value": "bỏ qua"}])
    events, _ = run(ValidateTicketForm(), tracker, domain)
    assert slots_of(events)[requested] == "-" and "ticket_cancelled" not in slots_of(events)


def test_the_stop_intent_cancels_the_report(domain) -> None:
    # the slot mapping fills the text (stop is no question); validation reads the intent
    tracker = form_tracker("thôi mình không báo nữa đâu", "stop", 0.97)
    tracker.add_slots([{"event": "slot", "name": "ticket_description",
                        "value": "thôi mình không báo nữa đâu"}])
    events, _ = run(ValidateTicketForm(), tracker, domain)
    assert slots_of(events)["ticket_cancelled"] is True


def test_a_contact_keeps_its_shape_whatever_the_intent(domain) -> None:
    tracker = form_tracker("0912 345 678", "check_application_status", 0.9, form="contact_form",
                           requested="ticket_contact")
    events, said = run(ValidateContactForm(), tracker, domain)
    assert slots_of(events)["ticket_contact"] == "0912345678" and said == []


def test_a_question_at_the_contact_step_is_no_answer(domain) -> None:
    tracker = form_tracker("nộp ở đâu", "ask_where_to_submit", 0.93, form="contact_form",
                           requested="ticket_contact")
    events, said = run(ValidateContactForm(), tracker, domain)
    assert slots_of(events) == {} and said == []


@pytest.mark.parametrize("text", ["hủy", "huy", "thôi"])
def test_cancel_words_end_the_contact_form(domain, text) -> None:
    tracker = form_tracker(text, "deny", 0.8, form="contact_form", requested="ticket_contact")
    events, _ = run(ValidateContactForm(), tracker, domain)
    assert slots_of(events)["ticket_contact"] == "-"


def test_a_report_that_says_what_and_where_fills_both(domain) -> None:
    text = "rác thải đổ ở đầu thôn 3 xã Tân Lập"
    tracker = form_tracker(text, "submit_feedback", 0.98, requested=None)
    events, said = run(ValidateTicketForm(), tracker, domain)
    slots = slots_of(events)
    assert slots["ticket_description"] == text and slots["ticket_place"] == "thôn 3 xã Tân Lập"
    assert said == []


def test_a_report_without_a_place_fills_the_description_only(domain) -> None:
    text = "đèn đường trước ngõ nhà tôi hỏng cả tuần nay"
    events, _ = run(ValidateTicketForm(), form_tracker(text, "submit_feedback", 0.98,
                                                       requested=None), domain)
    slots = slots_of(events)
    assert slots["ticket_description"] == text and slots.get("ticket_place") is None


@pytest.mark.parametrize("text", ["tôi muốn phản ánh", "gửi phản ánh kiến nghị ở đâu",
                                  "muốn phản ánh tiếng ồn thì làm thế nào"])
def test_asking_to_report_is_no_description(domain, text) -> None:
    events, _ = run(ValidateTicketForm(), form_tracker(text, "submit_feedback", 0.98,
                                                       requested=None), domain)
    assert slots_of(events).get("ticket_description") is None


OLD = {"ticket_category": "moi-truong", "ticket_description": "rác ở chợ cũ bốc mùi lắm",
       "ticket_place": "chợ Đồng Xuân", "ticket_photo": "-"}


def test_a_new_report_replaces_one_left_waiting(domain) -> None:
    text = "đèn đường trước ngõ nhà tôi hỏng cả tuần nay"
    tracker = form_tracker(text, "submit_feedback", 0.98, requested=None, slots=OLD)
    tracker.add_slots([{"event": "slot", "name": k, "value": v} for k, v in OLD.items()])
    events, said = run(ValidateTicketForm(), tracker, domain)
    slots = slots_of(events)
    assert slots["ticket_description"] == text and slots["ticket_place"] is None
    assert slots["ticket_category"] is None and slots["ticket_photo"] is None and said == []


@pytest.mark.parametrize(("text", "intent"), [("tiếp tục", "continue_form"),
                                              ("tôi muốn phản ánh", "submit_feedback")])
def test_going_back_keeps_the_answers(domain, text, intent) -> None:
    tracker = form_tracker(text, intent, 0.99, requested=None, slots=OLD)
    tracker.add_slots([{"event": "slot", "name": k, "value": v} for k, v in OLD.items()])
    events, said = run(ValidateTicketForm(), tracker, domain)
    assert slots_of(events) == OLD and said == []


@pytest.mark.parametrize(("text", "place"), [
    ("rác thải đổ ở đầu thôn 3 xã Tân Lập", "thôn 3 xã Tân Lập"),
    ("rac thai do o dau thon 3 xa tan lap", "thon 3 xa tan lap"),
    ("ngõ 12 phố Huế, phường Hai Bà Trưng", "ngõ 12 phố Huế, phường Hai Bà Trưng"),
    ("đường Nguyễn Trãi bị ngập sâu, xe không qua được", "đường Nguyễn Trãi"),
    ("đèn đường trước ngõ nhà tôi hỏng cả tuần nay", None),
    ("tôi muốn cho Nam vay tiền", None),
    ("hàng xóm mở nhạc to quá", None),
])
def test_places_are_read_from_place_words(text, place) -> None:
    assert place_in(text) == place


def test_report_text_needs_words_and_no_question() -> None:
    assert is_report_text("đèn đường trước ngõ nhà tôi hỏng cả tuần nay")
    assert not is_report_text("đèn đường hỏng")
    assert not is_report_text("hàng xóm hát karaoke đến nửa đêm, phản ánh kiểu gì")
    assert not is_report_text("hàng xóm hát karaoke đến nửa đêm thì báo ai?")


def paused_tracker(form: str | None, events: list[dict[str, Any]] | None = None) -> Tracker:
    return Tracker("citizen", {"paused_form": form}, {"text": "", "intent": {}}, events or [],
                   False, None, {}, "action_listen")


def test_pausing_keeps_the_form_and_says_how_to_go_on(domain) -> None:
    events = [{"event": "active_loop", "name": "ticket_form"},
              {"event": "active_loop", "name": None}]
    out, said = run(ActionPauseForm(), paused_tracker(None, events), domain)
    assert out == [SlotSet("paused_form", "ticket_form")]
    assert "tiếp tục" in said[0] and "hủy" in said[0]


def test_the_paused_contact_form_has_its_own_words(domain) -> None:
    events = [{"event": "active_loop", "name": "contact_form"},
              {"event": "active_loop", "name": None}]
    _, said = run(ActionPauseForm(), paused_tracker(None, events), domain)
    assert "số điện thoại hoặc email" in said[0]


def test_going_back_reopens_the_waiting_form(domain) -> None:
    out, said = run(ActionResumeForm(), paused_tracker("contact_form"), domain)
    assert out == [SlotSet("paused_form", None), FollowupAction("contact_form")] and said == []
    out, said = run(ActionResumeForm(), paused_tracker(None), domain)
    assert out == [] and "không có" in said[0]


def test_stop_drops_the_waiting_report(domain) -> None:
    out, said = run(ActionStop(), paused_tracker("ticket_form"), domain)
    assert slots_of(out)["ticket_description"] is None and slots_of(out)["paused_form"] is None
    assert "Đã hủy" in said[0]
    out, said = run(ActionStop(), paused_tracker(None), domain)
    assert out == [] and said == ["utter_ok"]
