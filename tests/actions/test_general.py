"""General actions: office / staff contacts from the province config, and fallback suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.events import FollowupAction

from actions.general import (
    ActionDefaultAskAffirmation,
    ActionFindOffice,
    ActionRequestHuman,
)
from actions.province import DEFAULT_PATH, is_configured, load_province_config

TWO_TIERS = (
    "Từ 01/07/2025 chính quyền địa phương chỉ còn hai cấp: tỉnh và xã/phường (không còn cấp "
    "huyện).\n"
    "• Thủ tục cấp xã (hộ tịch, chứng thực, trợ cấp...): bộ phận một cửa của UBND xã/phường "
    "nơi bạn ở. Căn cước, cư trú, định danh điện tử: Công an xã/phường.\n"
    "• Thủ tục cấp tỉnh: Trung tâm Phục vụ hành chính công của tỉnh/thành phố.\n"
    "• Nhiều thủ tục nộp trực tuyến được tại https://dichvucong.gov.vn.\n\n"
)
OFFICE_BUTTONS = [
    {"title": "Nộp trực tuyến", "payload": "/ask_submit_online"},
    {"title": "Gặp nhân viên", "payload": "/request_human"},
]
NATIONAL_FALLBACKS = (
    "Bạn cũng có thể:\n"
    "• Đến bộ phận một cửa của UBND xã/phường nơi bạn ở (căn cước, cư trú, VNeID: "
    "Công an xã/phường).\n"
    "• Gửi phản ánh, kiến nghị trên Cổng Dịch vụ công quốc gia: https://dichvucong.gov.vn."
)
CONFIGURED = """
province:
  name: "Tỉnh Thử Nghiệm"
one_stop_centre:
  name: "Trung tâm Phục vụ hành chính công"
  address: "Số 1 Đường Thử, phường Một"
  opening_hours: "Thứ 2 - thứ 6, 7h30 - 17h00"
  hotline: "0200 000 000"
  website: "https://dichvucong.thunghiem.gov.vn"
community_digital_teams:
  contact: "hỏi công chức văn hóa - xã hội của xã/phường"
staff_contact:
  hotline: "0200 111 111"
  zalo: "Zalo OA Dịch vụ công Thử Nghiệm"
  email: "<CHƯA CẤU HÌNH: địa chỉ email hỗ trợ>"
  hours: ""
"""


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "province.yml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PROVINCE_CONFIG", str(path))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<CHƯA CẤU HÌNH: địa chỉ>", False),
        ("  <placeholder>  ", False),
        ("", False),
        (None, False),
        (12345, False),
        ("Số 1 Đường Thử", True),
        ("0200 <sau giờ hành chính>", True),
    ],
)
def test_is_configured(value, expected):
    assert is_configured(value) is expected


def test_shipped_config_is_all_placeholders():
    """The repository must never ship an invented address or number."""
    assert load_province_config(DEFAULT_PATH).values == {}


def test_find_office_with_placeholder_config(dispatcher, make_tracker, monkeypatch):
    monkeypatch.setenv("PROVINCE_CONFIG", str(DEFAULT_PATH))
    events = ActionFindOffice().run(dispatcher, make_tracker("ở đâu", "find_office"), {})
    assert events == []
    assert dispatcher.messages[0]["text"] == TWO_TIERS + (
        "Tỉnh chưa cấu hình địa chỉ, giờ làm việc và số điện thoại của Trung tâm Phục vụ "
        "hành chính công cho trợ lý này. Bạn hỏi UBND xã/phường nơi bạn ở, hoặc tra cứu "
        "thủ tục và nơi nộp trên https://dichvucong.gov.vn."
    )
    assert dispatcher.messages[0]["buttons"] == OFFICE_BUTTONS
    assert "huyện" not in dispatcher.messages[0]["text"].split("(không còn cấp huyện)")[1]


def test_where_to_submit_after_a_procedure_is_that_procedure_s_question(dispatcher,
                                                                       make_tracker):
    tracker = make_tracker("giờ tôi ở phường khác rồi, nộp ở phường đang ở được không",
                           "find_office", slots={"current_procedure": "1.004746"})
    assert ActionFindOffice().run(dispatcher, tracker, {}) == [
        FollowupAction("action_answer_procedure")]
    assert dispatcher.messages == []


@pytest.mark.parametrize(("text", "slots"), [
    ("trung tâm hành chính công ở đâu", {"current_procedure": "1.004746"}),  # an office
    ("nộp hồ sơ ở đâu", {}),  # no procedure talked about
])
def test_other_office_questions_get_the_offices(dispatcher, make_tracker, text, slots):
    tracker = make_tracker(text, "find_office", slots=slots)
    assert ActionFindOffice().run(dispatcher, tracker, {}) == []
    assert "hai cấp" in dispatcher.messages[0]["text"]


def test_find_office_with_missing_config_file(dispatcher, make_tracker, tmp_path, monkeypatch):
    monkeypatch.setenv("PROVINCE_CONFIG", str(tmp_path / "absent.yml"))
    ActionFindOffice().run(dispatcher, make_tracker("ở đâu", "find_office"), {})
    assert "Tỉnh chưa cấu hình địa chỉ" in dispatcher.messages[0]["text"]


def test_find_office_with_configured_province(dispatcher, make_tracker, tmp_path, monkeypatch):
    write_config(tmp_path, monkeypatch, CONFIGURED)
    ActionFindOffice().run(dispatcher, make_tracker("ở đâu", "find_office"), {})
    # The answer, then the 👍/👎 question.
    assert len(dispatcher.messages) == 2
    assert dispatcher.messages[1]["text"] == "Câu trả lời có giúp ích cho bạn không?"
    assert dispatcher.messages[0]["text"] == TWO_TIERS + (
        "Trung tâm Phục vụ hành chính công Tỉnh Thử Nghiệm:\n"
        "• Địa chỉ: Số 1 Đường Thử, phường Một\n"
        "• Giờ làm việc: Thứ 2 - thứ 6, 7h30 - 17h00\n"
        "• Đường dây nóng: 0200 000 000\n"
        "• Cổng dịch vụ công của tỉnh: https://dichvucong.thunghiem.gov.vn"
    )
    assert dispatcher.messages[0]["buttons"] == OFFICE_BUTTONS


def test_find_office_names_the_missing_fields(dispatcher, make_tracker, tmp_path, monkeypatch):
    write_config(
        tmp_path,
        monkeypatch,
        'one_stop_centre:\n  address: "Số 1 Đường Thử"\n  hotline: "<CHƯA CẤU HÌNH: số>"\n',
    )
    ActionFindOffice().run(dispatcher, make_tracker("ở đâu", "find_office"), {})
    assert dispatcher.messages[0]["text"].endswith(
        "Trung tâm Phục vụ hành chính công:\n"
        "• Địa chỉ: Số 1 Đường Thử\n"
        "Tỉnh chưa cấu hình: giờ làm việc, đường dây nóng, cổng dịch vụ công của tỉnh."
    )


def test_request_human_with_placeholder_config(dispatcher, make_tracker, monkeypatch):
    monkeypatch.setenv("PROVINCE_CONFIG", str(DEFAULT_PATH))
    ActionRequestHuman().run(dispatcher, make_tracker("gặp nhân viên", "request_human"), {})
    assert dispatcher.messages[0]["text"] == (
        "Hiện trợ lý chưa chuyển được cuộc trò chuyện sang nhân viên.\n"
        "Tỉnh chưa cấu hình số điện thoại hay kênh liên hệ nhân viên cho trợ lý này.\n"
        + NATIONAL_FALLBACKS
    )
    assert dispatcher.messages[0]["buttons"] == []


def test_request_human_with_configured_province(dispatcher, make_tracker, tmp_path, monkeypatch):
    write_config(tmp_path, monkeypatch, CONFIGURED)
    ActionRequestHuman().run(dispatcher, make_tracker("gặp nhân viên", "request_human"), {})
    assert dispatcher.messages[0]["text"] == (
        "Hiện trợ lý chưa chuyển được cuộc trò chuyện sang nhân viên.\n"
        "Bạn có thể liên hệ cán bộ hỗ trợ:\n"
        "• Điện thoại hỗ trợ: 0200 111 111\n"
        "• Zalo: Zalo OA Dịch vụ công Thử Nghiệm\n"
        + NATIONAL_FALLBACKS
        + "\n• Nhờ Tổ công nghệ số cộng đồng giúp cài VNeID, nộp hồ sơ trực tuyến: "
        "hỏi công chức văn hóa - xã hội của xã/phường."
    )


@pytest.mark.parametrize("text", ["- just\n- a list\n", "staff_contact: [unclosed\n"])
def test_broken_config_is_logged_and_ignored(tmp_path, caplog, text):
    path = tmp_path / "province.yml"
    path.write_text(text, encoding="utf-8")
    assert load_province_config(path).values == {}
    assert f"Province config {path}" in caplog.text


def test_ask_affirmation_offers_top_guesses_with_entities(dispatcher, make_tracker):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "ask_fee", "confidence": 0.30},
        {"name": "affirm", "confidence": 0.12},
        {"name": "ask_documents", "confidence": 0.10},
        {"name": "greet", "confidence": 0.06},
        {"name": "help", "confidence": 0.05},
        {"name": "thank", "confidence": 0.01},
    ]
    entities = [{"entity": "procedure", "value": "làm hộ chiếu", "start": 0, "end": 12}]
    tracker = make_tracker("làm hộ chiếu tốn ko", "nlu_fallback", entities, ranking)
    assert ActionDefaultAskAffirmation().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages[0]["text"] == (
        "Xin lỗi, mình chưa chắc đã hiểu đúng. Có phải bạn muốn hỏi:"
    )
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "Lệ phí bao nhiêu", "payload": '/ask_fee{"procedure": "làm hộ chiếu"}'},
        {
            "title": "Cần chuẩn bị giấy tờ gì",
            "payload": '/ask_documents{"procedure": "làm hộ chiếu"}',
        },
        {"title": "Chào hỏi", "payload": '/greet{"procedure": "làm hộ chiếu"}'},
        {"title": "Không phải các ý trên", "payload": "/out_of_scope"},
    ]


def test_ask_affirmation_without_plausible_guesses(dispatcher, make_tracker):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.9},
        {"name": "deny", "confidence": 0.06},
        {"name": "help", "confidence": 0.02},
    ]
    tracker = make_tracker("asdfgh", "nlu_fallback", intent_ranking=ranking)
    ActionDefaultAskAffirmation().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"] == "Xin lỗi, mình chưa hiểu ý bạn."
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "Không phải các ý trên", "payload": "/out_of_scope"}
    ]


def test_every_domain_intent_has_a_label():
    import yaml

    from actions.general import NOT_SUGGESTED, intent_label

    domain = yaml.safe_load((DEFAULT_PATH.parent.parent / "domain.yml").read_text("utf-8"))
    suggestible = set(domain["intents"]) - NOT_SUGGESTED
    assert [i for i in sorted(suggestible) if not intent_label(i)] == []


def test_every_content_key_the_actions_use_exists():
    """A renamed or deleted message must fail here, not in a citizen's chat."""
    import re

    from actions.general import OFFICE_FIELDS, STAFF_FIELDS
    from bot.content import content

    source = "".join((DEFAULT_PATH.parent.parent / "actions" / name).read_text("utf-8")
                     for name in ("general.py", "topics.py"))
    keys = set(re.findall(r'"((?:offices|general|fallback|feedback)\.[a-z_]+)"', source))
    keys = {k for k in keys if not k.endswith("_")}  # prefixes, completed below
    keys |= {f"offices.field_{k}" for k in OFFICE_FIELDS}
    keys |= {f"general.staff_field_{k}" for k in STAFF_FIELDS}
    keys |= {f"{f}.menu" for f in ("eid", "vneid", "payments")}
    assert len(keys) > 20
    assert sorted(k for k in keys if not content.has(k)) == []
