"""action_answer_procedure on real SQLite stores: fixture procedures, the curated catalog, and
(when the national data is present) the full knowledge base that setup builds."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import procedures
from actions.procedure_text import (
    MAX_BUTTON_TITLE,
    choice_title,
    not_found_text,
    split_messages,
)
from actions.procedures import ActionAnswerProcedure, reset_knowledge
from bot.content import content
from bot.knowledge.importer import import_national, load_curated
from bot.knowledge.models import PORTAL_SEARCH_URL, Document, Procedure, SubmissionMethod
from bot.knowledge.store import SQLiteProcedureStore
from tests.actions.conftest import build_tracker

ROOT = Path(__file__).resolve().parents[2]
PORTAL = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/"
PERMANENT_URL = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bf7-7704-7449-9e95-fe7ebb959aa2"


def _long_documents() -> list[Document]:
    documents = [
        Document(f"Giấy tờ số {i} của trường hợp {case}", originals=1, group=f"Trường hợp {case}")
        for case in ("một", "hai")
        for i in range(1, 13)
    ]
    documents.append(Document("Giấy tờ nước ngoài phải hợp pháp hóa lãnh sự.", is_note=True))
    return documents


# Test fixtures, not facts: fake codes (9.99...) so nobody mistakes them for real procedures.
FIXTURES = [
    Procedure(
        code="9.990001", name="Cấp giấy chứng nhận nuôi ong mật", levels=["Cấp xã"],
        executing_agency="Ủy ban nhân dân cấp xã",
        summary="Người nuôi ong xin giấy chứng nhận tại UBND cấp xã.",
        aliases=["giấy nuôi ong", "chứng nhận nuôi ong"],
        methods=[
            SubmissionMethod("Trực tiếp", "5 ngày làm việc", "100.000 đồng", "Tại bộ phận một cửa"),
            SubmissionMethod("Trực tuyến", "3 ngày làm việc", "50.000 đồng",
                             "Qua Cổng Dịch vụ công quốc gia"),
        ],
        documents=[
            Document("Đơn đề nghị theo mẫu", originals=1, group="Giấy tờ phải nộp"),
            Document("Bản sao sổ theo dõi đàn ong", copies=1, group="Giấy tờ phải nộp"),
            Document("Đơn nộp online không cần chữ ký tay.", is_note=True, group="Lưu ý"),
        ],
        portal_url=PORTAL + "ong-mat",
    ),
    Procedure(
        code="9.990002", name="Đăng ký nuôi cá cảnh quý hiếm", levels=["Cấp tỉnh"],
        executing_agency="Sở Nông nghiệp", aliases=["nuôi cá cảnh"],
        methods=[SubmissionMethod("Trực tiếp")], documents=_long_documents(),
        portal_url=PORTAL + "ca-canh",
    ),
    *(
        Procedure(code=f"9.99000{i}", name=f"Cấp phép bay khí cầu loại nhỏ hạng {grade}",
                  portal_url=PORTAL + f"khi-cau-{grade}")
        for i, grade in ((3, "A"), (4, "B"), (5, "C"))
    ),
]


def _use(monkeypatch: pytest.MonkeyPatch, path: Path) -> Iterator[Path]:
    """Point the action at ``path``; it reopens only when the path changes, so the tests on
    the 5,600-procedure store share one search index."""
    monkeypatch.setenv("KNOWLEDGE_DB", str(path))
    yield path


@pytest.fixture(autouse=True, scope="module")
def _close_store_after_module() -> Iterator[None]:
    yield
    reset_knowledge()


@pytest.fixture
def fixture_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "knowledge.db"
    with SQLiteProcedureStore(path) as store:
        for procedure in FIXTURES:
            store.upsert(procedure, source="curated")
    yield from _use(monkeypatch, path)


@pytest.fixture(scope="module")
def curated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("curated") / "knowledge.db"
    with SQLiteProcedureStore(path) as store:
        load_curated(store, ROOT / "data" / "catalog")
    return path


@pytest.fixture
def curated_db(curated_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from _use(monkeypatch, curated_file)


@pytest.fixture(scope="module")
def full_file(tmp_path_factory: pytest.TempPathFactory, national_data: Path) -> Path:
    path = tmp_path_factory.mktemp("full") / "knowledge.db"
    with SQLiteProcedureStore(path) as store:
        import_national(store, national_data / "catalog.csv", national_data / "details")
        load_curated(store, ROOT / "data" / "catalog")
    return path


@pytest.fixture
def full_db(full_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from _use(monkeypatch, full_file)


Answer = tuple[list[dict[str, Any]], list[dict[str, Any]]]


@pytest.fixture
def ask() -> Callable[..., Answer]:
    """Run the action on one message; returns (events, messages sent)."""

    def run(text: str, intent: str, code: str | None = None, slot: str | None = None) -> Answer:
        dispatcher = CollectingDispatcher()
        entities = [{"entity": "procedure_code", "value": code}] if code else []
        tracker = build_tracker(text, intent, entities, slots={"current_procedure": slot})
        events = ActionAnswerProcedure().run(dispatcher, tracker, {})
        # the 👍/👎 question after a facet answer is checked in its own test
        messages = [m for m in dispatcher.messages if m["text"] != FEEDBACK_QUESTION]
        return events, messages

    return run


FEEDBACK_QUESTION = content.text("feedback.ask")


def test_a_facet_answer_asks_whether_it_helped_an_overview_does_not(fixture_db):
    def sent(text: str, intent: str) -> list[dict[str, Any]]:
        dispatcher = CollectingDispatcher()
        ActionAnswerProcedure().run(dispatcher, build_tracker(text, intent), {})
        return dispatcher.messages

    fee = sent("giấy nuôi ong lệ phí bao nhiêu", "ask_fee")
    assert fee[-1]["text"] == FEEDBACK_QUESTION
    assert [b["payload"] for b in fee[-1]["buttons"]] == [
        '/rate_answer{"useful":"yes"}', '/rate_answer{"useful":"no"}']
    overview = sent("giấy nuôi ong", "ask_procedure")
    assert all(m["text"] != FEEDBACK_QUESTION for m in overview)


def _text(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


def _payload(intent: str, code: str, facet: str | None = None) -> str:
    entities = {"procedure_code": code, **({"facet": facet} if facet else {})}
    return f"/{intent}" + json.dumps(entities, separators=(",", ":"))


# -- the "done when", on the curated catalog -----------------------------------------


@pytest.mark.parametrize("text", ["đăng ký thường trú cần giấy tờ gì",
                                  "dang ky thuong tru can giay to gi"])
def test_permanent_residence_documents_then_fee_follow_up(curated_db, ask, text):
    events, messages = ask(text, "ask_documents")
    assert events == [SlotSet("current_procedure", "1.004222")]
    answer = _text(messages)
    assert answer.startswith("Hồ sơ cho thủ tục Đăng ký thường trú (mã 1.004222):")
    assert "Hợp đồng thuê, mượn, cho ở nhờ có công chứng hoặc chứng thực" in answer
    assert "\nNhà thuê, mượn, ở nhờ:" in answer
    assert messages[-1]["text"].endswith(PERMANENT_URL)

    events, messages = ask("lệ phí bao nhiêu", "ask_fee", slot="1.004222")
    assert events == [SlotSet("current_procedure", "1.004222")]
    assert [(m["text"], m["buttons"]) for m in messages] == [(
        "Lệ phí thủ tục Đăng ký thường trú (mã 1.004222):\n"
        "Cổng Dịch vụ công quốc gia chưa công bố lệ phí cho thủ tục này. Bạn xem lại trên "
        "trang thủ tục hoặc hỏi trực tiếp nơi tiếp nhận hồ sơ.\n"
        f"\nChi tiết trên Cổng Dịch vụ công quốc gia: {PERMANENT_URL}",
        [],
    )]


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("còn lệ phí thì sao?", "ask_fee", "Lệ phí thủ tục Đăng ký thường trú"),
        ("nộp ở đâu?", "ask_where_to_submit", "Cơ quan thực hiện: Công an cấp xã"),
        ("mất mấy ngày?", "ask_processing_time", "• Trực tuyến: 7 ngày làm việc"),
        ("làm online được không?", "ask_submit_online",
         "Có, thủ tục Đăng ký thường trú (mã 1.004222) nộp trực tuyến được."),
    ],
)
def test_follow_ups_answer_about_the_remembered_procedure(curated_db, ask, text, intent, expected):
    events, messages = ask(text, intent, slot="1.004222")
    assert events == [SlotSet("current_procedure", "1.004222")]
    assert expected in _text(messages)


def test_a_new_procedure_replaces_the_remembered_one(curated_db, ask):
    events, messages = ask("thế còn đăng ký tạm trú thì sao", "ask_documents", slot="1.004222")
    assert events == [SlotSet("current_procedure", "1.004194")]
    assert "Đăng ký tạm trú (mã 1.004194)" in messages[0]["text"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("làm lại căn cước bị mất", "1.014064"),
        ("giấy xác nhận độc thân", "1.004873"),
        ("nhập hộ khẩu cho con", "1.004222"),
        ("định danh mức 2", "3.000228"),
        ("đổi bằng lái", "3.000347"),
    ],
)
def test_everyday_names_on_the_full_knowledge_base(full_db, ask, text, code):
    events, _ = ask(text, "ask_procedure")
    assert events[0] == SlotSet("current_procedure", code)


def test_a_procedure_with_a_topic_guide_hands_over_to_the_guide(full_db, ask, tmp_path,
                                                                monkeypatch):
    text = "muốn làm tài khoản định danh mức 2 cho bố mẹ già thì làm ở đâu"
    events, messages = ask(text, "ask_where_to_submit")
    assert events == [SlotSet("current_procedure", "3.000228"),
                      FollowupAction("action_eid_activate")]
    assert messages == []  # the guide answers, once
    events, _ = ask("đổi số điện thoại đăng ký tài khoản định danh mức 2", "ask_procedure")
    assert events[-1] == FollowupAction("action_eid_troubleshoot")
    broken = tmp_path / "guides.yml"
    broken.write_text("guides: [oops", encoding="utf-8")
    monkeypatch.setattr(procedures, "GUIDES_FILE", broken)
    events, messages = ask(text, "ask_where_to_submit")
    assert events == [SlotSet("current_procedure", "3.000228")]
    assert "3.000228" in _text(messages)  # without its table the procedure answer still comes


def test_full_knowledge_base_follow_up_is_not_hijacked_by_fee_procedures(full_db, ask):
    """"Lệ phí" appears in tax procedure names; a follow-up must still use the slot."""
    events, messages = ask("lệ phí bao nhiêu vậy", "ask_fee", slot="1.004222")
    assert events == [SlotSet("current_procedure", "1.004222")]
    assert "Đăng ký thường trú (mã 1.004222)" in messages[0]["text"]


@pytest.mark.parametrize(
    ("text", "intent", "slot"),
    [
        # "thẻ mới" alone names another card; "CMND cũ" names an ID procedure
        ("bao lâu có thẻ mới", "ask_processing_time", "1.002759"),
        ("có cần mang CMND cũ không", "ask_documents", "1.004873"),
        ("làm lại ở đâu", "ask_where_to_submit", "1.002759"),
    ],
)
def test_a_facet_follow_up_with_a_stray_word_keeps_the_procedure(full_db, ask, text, intent,
                                                                 slot):
    events, _ = ask(text, intent, slot=slot)
    assert events == [SlotSet("current_procedure", slot)]


def test_an_entity_does_not_turn_a_follow_up_into_a_new_topic(full_db):
    """The classifier marked "CMND" as a procedure: alone it is sure of an ID-card procedure,
    but it only picks among the search's choices, it does not name a new topic."""
    entities = [{"entity": "procedure", "value": "CMND", "start": 12, "end": 16}]
    tracker = build_tracker("có cần mang CMND cũ không", "ask_documents", entities,
                            slots={"current_procedure": "1.004873"})
    events = ActionAnswerProcedure().run(CollectingDispatcher(), tracker, {})
    assert events == [SlotSet("current_procedure", "1.004873")]


def test_a_clearly_named_new_procedure_still_replaces_the_remembered_one(full_db, ask):
    events, _ = ask("còn đổi bằng lái xe thì làm ở đâu", "ask_where_to_submit", slot="1.002759")
    assert events == [SlotSet("current_procedure", "3.000347")]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # the question's clause alone ("làm được không, làm ở đâu") names nothing; the story
        # names the death registration twice
        ("Chồng tôi mất năm 2019 nhưng lúc đó gia đình chưa làm giấy chứng tử. Nay cần giấy "
         "chứng tử để làm thủ tục thừa kế đất thì có làm được không, làm ở đâu ạ?", "1.000656"),
        ("Tôi muốn tách khẩu ra khỏi hộ bố mẹ vì đã lập gia đình nhưng vẫn ở cùng nhà. Có cần "
         "sổ hộ khẩu gốc không, làm ở công an huyện hay xã?", "1.010038"),
    ],
)
def test_long_questions_go_with_what_the_message_names_most(full_db, ask, text, code):
    events, _ = ask(text, "ask_where_to_submit")
    assert events == [SlotSet("current_procedure", code)]


def test_an_entity_settles_a_hesitant_search_only_among_its_choices(fixture_db):
    def answer(value: str) -> list[dict[str, Any]]:
        dispatcher = CollectingDispatcher()
        entities = [{"entity": "procedure", "value": value, "start": 0, "end": 1}]
        tracker = build_tracker("cấp phép bay khí cầu loại nhỏ", "ask_fee", entities)
        ActionAnswerProcedure().run(dispatcher, tracker, {})
        return dispatcher.messages

    # an entity naming one of the choices picks it ...
    assert "mã 9.990004" in answer("khí cầu loại nhỏ hạng B")[0]["text"]
    # ... one naming something else does not replace the choices
    assert answer("giấy nuôi ong")[0]["text"].startswith("Bạn đang hỏi thủ tục nào dưới đây?")


def test_a_one_word_entity_from_a_story_names_nothing(full_db):
    """DIET cut "sang" out of "sang ten"; alone it is "sáng chế" (a patent)."""
    text = ("xin chao, toi moi mua lai chiec xe may cu cua nguoi quen o Dong Nai, giay to xe van "
            "dung ten ho. Bay gio muon sang ten qua ten minh thi lam the nao?")
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "procedure", "value": value, "start": 0, "end": 1}
                for value in ("giay", "sang")]
    events = ActionAnswerProcedure().run(dispatcher, build_tracker(text, "ask_procedure",
                                                                   entities), {})
    assert SlotSet("current_procedure", "1.014999") not in events


def test_full_knowledge_base_unknown_procedure(full_db, ask):
    events, messages = ask("thủ tục về khủng long bạo chúa", "ask_procedure", slot="1.004222")
    assert events == []
    assert messages[0]["text"].startswith("Xin lỗi, mình chưa tìm thấy thủ tục bạn hỏi.")


# -- every facet, on fixture procedures -------------------------------------------------------


def test_ask_procedure_gives_summary_and_next_questions(fixture_db, ask):
    events, messages = ask("giấy nuôi ong", "ask_procedure")
    assert events == [SlotSet("current_procedure", "9.990001")]
    assert messages[0]["text"] == (
        "Cấp giấy chứng nhận nuôi ong mật (mã 9.990001)\n"
        "Người nuôi ong xin giấy chứng nhận tại UBND cấp xã.\n"
        f"\nChi tiết trên Cổng Dịch vụ công quốc gia: {PORTAL}ong-mat\n"
        "Bạn muốn biết thêm điều gì?"
    )
    assert messages[0]["buttons"] == [
        {"title": "Cần giấy tờ gì?", "payload": _payload("ask_documents", "9.990001")},
        {"title": "Lệ phí bao nhiêu?", "payload": _payload("ask_fee", "9.990001")},
        {"title": "Mất bao lâu?", "payload": _payload("ask_processing_time", "9.990001")},
        {"title": "Nộp ở đâu?", "payload": _payload("ask_where_to_submit", "9.990001")},
        {"title": "Làm online được không?", "payload": _payload("ask_submit_online", "9.990001")},
        {"title": "Các bước làm?", "payload": _payload("ask_procedure", "9.990001", "steps")},
    ]


def test_documents_grouped_with_notes_apart(fixture_db, ask):
    _, messages = ask("chứng nhận nuôi ong cần giấy tờ gì", "ask_documents")
    assert messages[0]["text"] == (
        "Hồ sơ cho thủ tục Cấp giấy chứng nhận nuôi ong mật (mã 9.990001):\n"
        "\nGiấy tờ phải nộp:\n"
        "• Đơn đề nghị theo mẫu (1 bản chính)\n"
        "• Bản sao sổ theo dõi đàn ong (1 bản sao)\n"
        "\nLưu ý:\n"
        "– Đơn nộp online không cần chữ ký tay.\n"
        f"\nChi tiết trên Cổng Dịch vụ công quốc gia: {PORTAL}ong-mat"
    )


def test_fee_time_where_and_online(fixture_db, ask):
    _, fee = ask("giấy nuôi ong lệ phí bao nhiêu", "ask_fee")
    assert "• Trực tiếp: 100.000 đồng\n• Trực tuyến: 50.000 đồng" in fee[0]["text"]
    _, time = ask("giấy nuôi ong mất mấy ngày", "ask_processing_time")
    assert "• Trực tiếp: 5 ngày làm việc\n• Trực tuyến: 3 ngày làm việc" in time[0]["text"]
    _, where = ask("giấy nuôi ong nộp ở đâu", "ask_where_to_submit")
    assert "Cơ quan thực hiện: Ủy ban nhân dân cấp xã\nCấp thực hiện: Cấp xã" in where[0]["text"]
    assert "• Trực tiếp — Tại bộ phận một cửa" in where[0]["text"]
    _, online = ask("giấy nuôi ong làm online được không", "ask_submit_online")
    assert online[0]["text"].startswith(
        "Có, thủ tục Cấp giấy chứng nhận nuôi ong mật (mã 9.990001) nộp trực tuyến được.\n"
        "• Qua Cổng Dịch vụ công quốc gia"
    )


def test_missing_facts_are_said_plainly(fixture_db, ask):
    _, fee = ask("nuôi cá cảnh phí bao nhiêu", "ask_fee")
    assert "Cổng Dịch vụ công quốc gia chưa công bố lệ phí cho thủ tục này." in fee[0]["text"]
    _, time = ask("nuôi cá cảnh bao lâu", "ask_processing_time")
    assert "chưa công bố thời hạn giải quyết" in time[0]["text"]
    _, online = ask("nuôi cá cảnh làm online được không", "ask_submit_online")
    assert "chưa có hình thức nộp trực tuyến" in online[0]["text"]
    assert online[0]["text"].endswith(f"{PORTAL}ca-canh")


def test_long_document_lists_are_split(fixture_db, ask):
    _, messages = ask("nuôi cá cảnh cần giấy tờ gì", "ask_documents")
    assert len(messages) >= 3
    for message in messages:
        assert len(message["text"]) <= 1500
        assert message["text"].count("\n•") + message["text"].startswith("•") <= 10
    everything = _text(messages)
    assert everything.count("• Giấy tờ số") == 24
    assert "\nLưu ý:\n– Giấy tờ nước ngoài phải hợp pháp hóa lãnh sự." in everything
    assert "Đăng ký nuôi cá cảnh quý hiếm (mã 9.990002)" in messages[0]["text"]
    assert messages[-1]["text"].endswith(f"{PORTAL}ca-canh")


def test_code_entity_wins(fixture_db, ask):
    events, messages = ask(_payload("ask_fee", "9.990002"), "ask_fee", code="9.990002",
                           slot="9.990001")
    assert events == [SlotSet("current_procedure", "9.990002")]
    assert "Đăng ký nuôi cá cảnh quý hiếm (mã 9.990002)" in messages[0]["text"]


def test_several_matches_offer_buttons(fixture_db, ask):
    events, messages = ask("cấp phép bay khí cầu loại nhỏ", "ask_fee")
    # the likeliest choice is remembered for a facet asked next
    assert [e["name"] for e in events] == ["current_procedure"]
    assert messages[0]["text"].startswith("Bạn đang hỏi thủ tục nào dưới đây?")
    buttons = messages[0]["buttons"]
    assert {b["payload"] for b in buttons} == {
        _payload("ask_fee", f"9.99000{i}") for i in (3, 4, 5)
    }
    assert all(len(b["title"]) <= MAX_BUTTON_TITLE for b in buttons)


def test_unknown_procedure(fixture_db, ask):
    events, messages = ask("cho hỏi về xổ số kiến thiết", "ask_procedure")
    assert events == []
    assert messages[0]["text"].startswith("Xin lỗi, mình chưa tìm thấy thủ tục bạn hỏi.")
    assert PORTAL_SEARCH_URL in messages[0]["text"]


def test_facet_question_without_any_procedure(fixture_db, ask):
    events, messages = ask("lệ phí bao nhiêu", "ask_fee")
    assert events == []
    assert messages[0]["text"].startswith("Xin lỗi, mình chưa tìm thấy thủ tục bạn hỏi.")


def test_how_to_submit_online_naming_no_procedure_gets_the_portal_guide(fixture_db, ask):
    events, messages = ask("nộp trực tuyến thì làm thế nào", "ask_submit_online")
    assert events == [FollowupAction("utter_portal_account")]
    assert messages == []


def test_the_guide_for_unnamed_questions_is_read_from_the_table(tmp_path):
    table = tmp_path / "guides.yml"
    table.write_text("unnamed:\n  ask_submit_online: utter_portal_account\n", encoding="utf-8")
    assert procedures.guide_for_unnamed("ask_submit_online", table) == "utter_portal_account"
    assert procedures.guide_for_unnamed("ask_fee", table) is None
    table.write_text("unnamed: [", encoding="utf-8")  # broken: "not found" as before
    os.utime(table, ns=(table.stat().st_mtime_ns + 10**9,) * 2)
    assert procedures.guide_for_unnamed("ask_submit_online", table) is None


def test_the_shipped_guides_for_unnamed_questions_exist_in_the_domain():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    known = set(domain.get("responses") or {}) | set(domain.get("actions") or [])
    shipped = yaml.safe_load(procedures.GUIDES_FILE.read_text(encoding="utf-8"))["unnamed"]
    assert shipped and set(shipped.values()) <= known


# -- the database is missing or broken: a polite answer, a log line, no crash ----------------


@pytest.mark.parametrize("content", [None, b"this is not a database" * 100])
def test_missing_or_broken_database(tmp_path, monkeypatch, caplog, ask, content):
    path = tmp_path / "knowledge.db"
    if content is not None:
        path.write_bytes(content)
    for _ in _use(monkeypatch, path):
        with caplog.at_level(logging.ERROR, logger="bot.knowledge.runtime"):
            events, messages = ask("đăng ký thường trú", "ask_procedure")
        assert events == []
        assert messages[0]["text"].startswith("Xin lỗi, hiện mình chưa tra cứu được dữ liệu")
        assert "Procedure database unavailable" in caplog.text


# -- pure helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "facets"),
    [
        ("đăng ký thường trú: thủ tục thế nào, phí bao nhiêu, bao lâu", "ask_procedure",
         ["Trình tự thực hiện", "Hồ sơ cho thủ tục", "Lệ phí thủ tục", "Thời hạn giải quyết"]),
        ("căn cứ pháp lý của thủ tục đăng ký thường trú", "ask_procedure",
         ["Căn cứ pháp lý của thủ tục Đăng ký thường trú (mã 1.004222):", "68/2020/QH14"]),
        ("đăng ký thường trú có những bước nào", "ask_procedure", ["Trình tự thực hiện"]),
        ("dang ky thuong tru dieu kien gi", "ask_fee", ["Điều kiện, yêu cầu"]),
    ],
)
def test_facets_come_from_the_words_not_only_the_intent(curated_db, ask, text, intent, facets):
    events, messages = ask(text, intent)
    assert events == [SlotSet("current_procedure", "1.004222")]
    answer = _text(messages)
    for heading in facets:
        assert heading in answer
    assert answer.index(facets[0]) <= answer.index(facets[-1])
    assert messages[-1]["text"].endswith(PERMANENT_URL)


def test_a_follow_up_with_accents_keeps_the_remembered_procedure(curated_db, ask):
    """Folded, "cần" is "căn" (căn cước): the remembered procedure must win."""
    events, messages = ask("cần giấy tờ gì", "ask_documents", slot="1.004194")
    assert events == [SlotSet("current_procedure", "1.004194")]
    assert messages[0]["text"].startswith("Hồ sơ cho thủ tục Đăng ký tạm trú")


def test_no_published_fee_names_the_regulation_that_sets_it(full_db, ask):
    _, messages = ask("lệ phí", "ask_fee", slot="1.004222")
    answer = _text(messages)
    assert "chưa công bố lệ phí" in answer
    assert "75/2022/TT-BTC" in answer  # "quy định mức thu ... lệ phí đăng ký cư trú"


def test_split_messages_respects_both_limits():
    lines = [f"• dòng {i} " + "x" * 100 for i in range(30)]
    messages = split_messages("Đầu", lines, "Cuối", max_chars=500, max_lines=10)
    assert messages[0].startswith("Đầu\n") and messages[-1].endswith("Cuối")
    assert all(len(m) <= 500 and m.count("•") <= 10 for m in messages)
    assert sum(m.count("•") for m in messages) == 30


def test_choice_title_keeps_the_code():
    title = choice_title("Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận lần đầu",
                         "1.013978")
    assert len(title) <= MAX_BUTTON_TITLE and title.endswith("… (1.013978)")


@pytest.mark.parametrize("text", [
    "a" * 100_000,                       # one 100 KB "word"
    "thủ tục " * 12_800,                 # 100 KB of words
    "?!... ,,, ???", "   ", "",          # punctuation or nothing
    "\ud800 \x00\ufffd",                 # what invalid UTF-8 becomes after decoding
    '<script>alert("x")</script>',
], ids=["100kb-word", "100kb-words", "punctuation", "blank", "empty", "bad-unicode", "html"])
def test_odd_messages_get_a_polite_answer_quickly(fixture_db, ask, text):
    started = time.monotonic()
    events, messages = ask(text, "ask_procedure")
    assert time.monotonic() - started < 1.0
    assert events == []
    assert [m["text"] for m in messages] == [not_found_text()]


def test_a_procedure_named_at_the_start_of_a_huge_message_is_found(fixture_db, ask):
    events, _ = ask("giấy nuôi ong " + "xin cảm ơn " * 10_000, "ask_procedure")
    assert events == [SlotSet("current_procedure", "9.990001")]


def test_facets_are_read_from_the_text_as_typed(curated_db):
    """The NLU leaves a folded text in latest_message; accents decide "phí" (fee) vs "phi"."""
    from rasa_sdk import Tracker

    message = {"text": "phi lam ly lich tu phap bao nhieu",
               "intent": {"name": "ask_fee", "confidence": 0.9}, "entities": []}
    events = [{"event": "user", "text": "phí làm lý lịch tư pháp bao nhiêu", "parse_data": message}]
    tracker = Tracker("citizen", {}, message, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionAnswerProcedure().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"].startswith("Lệ phí thủ tục Cấp Phiếu Lý lịch tư pháp")
    assert dispatcher.messages[-1]["text"] == FEEDBACK_QUESTION


def test_an_edited_guide_table_is_used_without_a_restart(tmp_path):
    table = tmp_path / "guides.yml"
    table.write_text('guides:\n  action_eid_activate: ["3.000228"]\n', encoding="utf-8")
    assert procedures.guide_for("3.000228", "làm ở đâu", table) == "action_eid_activate"
    table.write_text("guides: {}\n", encoding="utf-8")
    os.utime(table, ns=(table.stat().st_mtime_ns + 10**9,) * 2)
    assert procedures.guide_for("3.000228", "làm ở đâu", table) is None


def test_a_facet_asked_after_a_menu_is_answered_for_the_likeliest_choice(fixture_db, ask):
    # "cấp phép bay" names two fixture procedures alike: the citizen gets a menu ...
    events, messages = ask("cấp phép bay khí cầu", "ask_procedure")
    assert messages[0]["text"].startswith("Bạn đang hỏi thủ tục nào dưới đây?")
    offered = [button["payload"] for button in messages[0]["buttons"]]
    (remembered,) = [event["value"] for event in events if event["name"] == "current_procedure"]
    assert remembered in offered[0]
    # ... and "nộp ở đâu" next is answered for the first of them, which the answer names
    _, follow = ask("nộp ở đâu", "ask_where_to_submit", slot=remembered)
    assert f"mã {remembered}" in follow[0]["text"]
