"""Sub-topic answers: the topic comes from a button entity, the message's key phrases, or a menu."""

from __future__ import annotations

import os
import shutil
import time

import pytest
import yaml

from actions.topics import (
    EID,
    PAYMENTS,
    VNEID_PROBLEMS,
    ActionCashlessPayment,
    ActionEidActivate,
    ActionEidTroubleshoot,
)
from bot.content import DEFAULT_DIR as CONTENT_DIR


def entity(name: str, value: str) -> dict:
    return {"entity": name, "value": value, "start": 0, "end": 1}


def test_button_entity_selects_the_problem(dispatcher, make_tracker):
    tracker = make_tracker(
        '/eid_troubleshoot{"vneid_problem":"new_phone"}',
        "eid_troubleshoot",
        [entity("vneid_problem", "new_phone")],
    )
    assert ActionEidTroubleshoot().run(dispatcher, tracker, {}) == []
    message, feedback = dispatcher.messages
    assert message["text"].startswith("Mỗi tài khoản VNeID chỉ dùng trên một thiết bị.")
    # The other problems stay one tap away.
    assert [b["payload"] for b in message["buttons"]] == [
        '/eid_troubleshoot{"vneid_problem":"change_phone"}',
        '/eid_troubleshoot{"vneid_problem":"no_sms"}',
        '/eid_troubleshoot{"vneid_problem":"forgot_passcode"}',
        '/eid_troubleshoot{"vneid_problem":"locked"}',
        '/eid_troubleshoot{"vneid_problem":"face_scan"}',
        '/eid_troubleshoot{"vneid_problem":"data_mismatch"}',
    ]
    # Then the 👍/👎 question, whose payloads analytics counts.
    assert [b["payload"] for b in feedback["buttons"]] == [
        '/rate_answer{"useful":"yes"}', '/rate_answer{"useful":"no"}']


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tôi quên mật khẩu VNeID", "forgot_passcode"),
        ("quen mk vneid", "forgot_passcode"),
        ("QUÊN PASSCODE", "forgot_passcode"),
        ("đăng ký 3 hôm rồi mà ko nhận dc mã kích hoạt", "no_sms"),
        ("vừa đổi điện thoại mới", "new_phone"),
        ("điện thoại bị hỏng, mua máy mới", "new_phone"),
        ("tài khoản bị khóa rồi", "locked"),
        ("không xác thực được khuôn mặt", "face_scan"),
        ("muốn đổi sdt trên vneid", "change_phone"),
        ("VNeID sai ngày sinh của tôi", "data_mismatch"),
    ],
)
def test_problem_found_in_the_message(text, expected):
    topic = VNEID_PROBLEMS.choose([], text)
    assert topic is not None and topic.key == expected


def test_extracted_entity_text_is_mapped_by_phrase():
    """DIET may return the span ("quen mat khau") when no synonym matched."""
    topic = VNEID_PROBLEMS.choose(["quen mat khau"], "xyz")
    assert topic is not None and topic.key == "forgot_passcode"


def test_unknown_problem_shows_the_menu(dispatcher, make_tracker):
    tracker = make_tracker("vneid bị lỗi", "eid_troubleshoot")
    ActionEidTroubleshoot().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["text"] == "Bạn đang gặp vấn đề gì với ứng dụng VNeID?"
    assert [b["title"] for b in message["buttons"]] == [
        "Đổi số điện thoại",
        "Không nhận được mã kích hoạt",
        "Quên mật khẩu/passcode",
        "Tài khoản bị khóa",
        "Không xác thực được khuôn mặt",
        "Đổi điện thoại mới",
        "Thông tin bị sai",
    ]


def test_eid_defaults_to_the_overview_with_facts_from_3_000228(dispatcher, make_tracker):
    ActionEidActivate().run(dispatcher, make_tracker("định danh mức 2", "eid_activate"), {})
    message, _feedback = dispatcher.messages
    text = message["text"]
    assert text.startswith("Tài khoản định danh điện tử mức 2 (thủ tục 3.000228):")
    assert "Công an xã/phường bất kỳ trong cả nước" in text
    assert "không quá 3 ngày làm việc; 7 ngày làm việc" in text
    assert [b["payload"] for b in message["buttons"]] == [
        '/eid_activate{"eid_topic":"children"}',
        '/eid_activate{"eid_topic":"level_compare"}',
        '/eid_activate{"eid_topic":"activation"}',
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("làm định danh cho con dưới 14 tuổi", "children"),
        ("muc 1 vs muc 2 khac j", "level_compare"),
        ("kích hoạt VNeID thế nào", "activation"),
        ("làm định danh mức 2 ở đâu", "overview"),
    ],
)
def test_eid_topic_from_the_message(text, expected):
    assert EID.choose([], text).key == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chợ 4.0 là gì", "cho40"),
        ("nhận lương hưu qua tài khoản", "pension"),
        ("đóng học phí cho con", "school_hospital"),
        ("trả tiền điện trên app", "utility_bills"),
        ("quét mã QR trả tiền", "qr"),
        ("nộp lệ phí trên dvc", "portal_fee"),
    ],
)
def test_payment_topic_from_the_message(text, expected):
    assert PAYMENTS.choose([], text).key == expected


def test_payment_menu_and_button(dispatcher, make_tracker):
    ActionCashlessPayment().run(
        dispatcher, make_tracker("thanh toán không dùng tiền mặt", "cashless_payment"), {}
    )
    menu = dispatcher.messages[0]
    assert menu["text"].startswith("Thanh toán không dùng tiền mặt giúp bạn")
    assert len(menu["buttons"]) == len(PAYMENTS.topics)
    chosen = make_tracker(
        menu["buttons"][0]["payload"], "cashless_payment", [entity("payment_topic", "cho40")]
    )
    ActionCashlessPayment().run(dispatcher, chosen, {})
    assert dispatcher.messages[1]["text"].startswith('"Chợ 4.0" là mô hình')


def test_menu_has_no_feedback_question(dispatcher, make_tracker):
    ActionEidTroubleshoot().run(dispatcher, make_tracker("vneid lỗi", "eid_troubleshoot"), {})
    assert len(dispatcher.messages) == 1


def test_edited_content_shows_up_in_the_next_reply(dispatcher, make_tracker, tmp_path,
                                                   monkeypatch):
    """An admin rewords "quên mật khẩu", adds a phrase with diacritics and a new sub-topic."""
    for file in CONTENT_DIR.glob("*.yml"):
        shutil.copy(file, tmp_path / file.name)
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path))
    tracker = make_tracker("quên mật khẩu vneid", "eid_troubleshoot")
    ActionEidTroubleshoot().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"].startswith("Trên màn hình đăng nhập VNeID")

    path = tmp_path / "vneid.yml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["messages"]["forgot_passcode"]["text"] = "Bản mới: mở VNeID, chọn Quên mật khẩu."
    data["messages"]["forgot_passcode"]["phrases"].append("Không nhớ mật khẩu")
    data["messages"]["nfc"] = {"label": "Lỗi đọc chip", "text": "Áp thẻ vào mặt sau máy.",
                               "phrases": ["đọc chip"]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    stamp = time.time_ns() + 2_000_000_000
    os.utime(path, ns=(stamp, stamp))

    for text in ("quên mật khẩu vneid", "toi khong nho mat khau"):
        dispatcher.messages.clear()
        ActionEidTroubleshoot().run(dispatcher, make_tracker(text, "eid_troubleshoot"), {})
        assert dispatcher.messages[0]["text"] == "Bản mới: mở VNeID, chọn Quên mật khẩu."
    assert dispatcher.messages[0]["buttons"][-1] == {
        "title": "Lỗi đọc chip", "payload": '/eid_troubleshoot{"vneid_problem":"nfc"}'}
    dispatcher.messages.clear()
    ActionEidTroubleshoot().run(dispatcher, make_tracker("VNeID không đọc chip được",
                                                         "eid_troubleshoot"), {})
    assert dispatcher.messages[0]["text"] == "Áp thẻ vào mặt sau máy."


def test_answers_never_send_people_to_the_district_level():
    for topic_set in (EID, VNEID_PROBLEMS, PAYMENTS):
        for topic in topic_set.topics:
            assert "huyện" not in topic.text
