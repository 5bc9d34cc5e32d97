"""The procedure router on real messages: a named procedure beats "not sure" and small talk,
keyboard mashes go to out of scope, confident topics and button payloads are left alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge.runtime import reset_knowledge
from bot.nlu.normalization import ORIGINAL_TEXT
from bot.nlu.router import ProcedureRouter


@pytest.fixture(scope="module")
def router(curated_knowledge_db: Path) -> ProcedureRouter:
    return ProcedureRouter({})


@pytest.fixture(autouse=True)
def _knowledge(curated_knowledge_db: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KNOWLEDGE_DB", str(curated_knowledge_db))
    yield
    reset_knowledge()


def route(router: ProcedureRouter, text: str, intent: str, confidence: float) -> str:
    message = Message(data={TEXT: text.lower(), ORIGINAL_TEXT: text,
                            INTENT: {"name": intent, "confidence": confidence},
                            INTENT_RANKING_KEY: [{"name": intent, "confidence": confidence}]})
    router.process([message])
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == message.get(INTENT)["name"]
    return message.get(INTENT)["name"]


@pytest.mark.parametrize(("text", "intent", "confidence", "expected"), [
    ("dang ky khai sinh", "nlu_fallback", 0.3, "ask_procedure"),
    ("đăng ký thường trú lệ phí bao nhiêu", "nlu_fallback", 0.3, "ask_fee"),
    ("làm lại căn cước bị mất", "affirm", 0.6, "ask_procedure"),
    # a long story the classifier sent to another topic
    ("Chào anh chị, em quê Nghệ An vào Bình Dương làm công nhân 2 năm, giờ muốn nhập hộ khẩu "
     "cho 2 đứa con vào chỗ trọ, cần giấy tờ gì?", "eid_troubleshoot", 0.8, "ask_documents"),
    # the classifier is badly calibrated on bare names: an exact name beats an uncertain topic
    ("giấy xác nhận độc thân", "scam_warning", 0.69, "ask_procedure"),
    ("kết hôn với người nước ngoài", "submit_feedback", 0.98, "ask_procedure"),
    # left alone: small talk said clearly, confident topics, protected topics, unknown names
    ("tạm biệt", "goodbye", 0.95, "goodbye"),
    ("quên mật khẩu vneid", "eid_troubleshoot", 0.97, "eid_troubleshoot"),
    ("có người gọi bảo làm sổ đỏ nhanh, chuyển cọc trước", "scam_warning", 0.5, "scam_warning"),
    ("thủ tục nuôi khủng long", "nlu_fallback", 0.3, "nlu_fallback"),
    # a short "not sure" asking a facet is a follow-up on the remembered procedure
    ("có mẫu tờ khai sẵn không hay tự viết", "nlu_fallback", 0.4, "ask_procedure"),
    ("thế mất mấy ngày", "nlu_fallback", 0.4, "ask_processing_time"),
    ("đây có phải bot không", "bot_challenge", 0.6, "bot_challenge"),  # any question says so
    # keyboard mashes are never "yes"
    ("asdfgh jkl", "affirm", 0.93, "out_of_scope"),
    ("??!!", "affirm", 0.9, "out_of_scope"),
])
def test_routing(router, text, intent, confidence, expected) -> None:
    assert route(router, text, intent, confidence) == expected


def test_only_short_facet_questions_count_as_follow_ups() -> None:
    text = "có mẫu tờ khai sẵn không hay tự viết"
    assert route(ProcedureRouter({"follow_up_words": 5}), text, "nlu_fallback", 0.4) == (
        "nlu_fallback")
    assert route(ProcedureRouter({}), text, "out_of_scope", 0.6) == "ask_procedure"
    assert route(ProcedureRouter({}), text, "affirm", 0.95) == "affirm"  # said clearly


def test_button_payloads_are_not_rerouted(router) -> None:
    payload = '/ask_fee{"procedure_code":"1.004222"}'
    assert route(router, payload, "ask_fee", 1.0) == "ask_fee"


def test_without_a_knowledge_base_only_gibberish_is_routed(router, tmp_path, monkeypatch):
    monkeypatch.setenv("KNOWLEDGE_DB", str(tmp_path / "missing.db"))
    reset_knowledge()
    assert route(router, "dang ky khai sinh", "nlu_fallback", 0.3) == "nlu_fallback"
    assert route(router, "qwertyuiop", "affirm", 0.9) == "out_of_scope"
