"""Conversation review: filters, the "not understood" inbox, one-click examples, safe rendering."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from bot.admin.conversations import Filters, TrackerReader
from bot.admin.training_data import ProjectData
from bot.knowledge.models import Procedure
from bot.knowledge.search import ProcedureSearch
from bot.knowledge.store import open_store

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _event(conn, sender: str, kind: str, at: datetime, **data) -> None:
    conn.execute(
        "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (sender, kind, at.timestamp(), data.get("parse_data", {}).get("intent", {}).get("name"),
         None, json.dumps({"event": kind, **data}, ensure_ascii=False)))


def _user(conn, sender: str, text: str, intent: str, confidence: float, channel: str,
          at: datetime) -> None:
    _event(conn, sender, "user", at, text=text, input_channel=channel,
           parse_data={"intent": {"name": intent, "confidence": confidence}})


@pytest.fixture
def tracker_db(settings) -> Path:
    """A tracker store in Rasa's SQL layout, with a few conversations."""
    path = settings.tracker_db
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                 "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                 "action_name VARCHAR(255), data TEXT)")
    day1, day2 = datetime(2026, 3, 1, 9, 0), datetime(2026, 3, 2, 10, 0)
    _user(conn, "zalo-1", "xin chào", "greet", 0.98, "zalo", day1)
    _event(conn, "zalo-1", "bot", day1, text="Chào bạn!")
    _user(conn, "zalo-1", "con mèo của tôi bị lạc", "nlu_fallback", 0.3, "zalo", day1)
    _user(conn, "tg-7", "Con mèo của tôi bị lạc", "nlu_fallback", 0.2, "telegram", day2)
    _user(conn, "tg-7", "lệ phí làm hộ chiếu", "ask_fee", 0.4, "telegram", day2)
    _user(conn, "web-3", XSS, "nlu_fallback", 0.1, "socketio", day2)
    conn.commit()
    conn.close()
    return path


def test_filters(tracker_db: Path) -> None:
    reader = TrackerReader(tracker_db)
    assert {m.text for m in reader.user_messages(Filters(channel="zalo"))} == {
        "xin chào", "con mèo của tôi bị lạc"}
    assert [m.text for m in reader.user_messages(Filters(intent="ask_fee"))] == [
        "lệ phí làm hộ chiếu"]
    assert {m.sender_id for m in reader.user_messages(Filters(date_from="2026-03-02"))} == {
        "tg-7", "web-3"}
    assert len(reader.user_messages(Filters(date_to="2026-03-01"))) == 2
    assert {m.text for m in reader.user_messages(Filters(max_confidence=0.25))} == {
        "Con mèo của tôi bị lạc", XSS}
    assert "xin chào" not in {m.text for m in reader.user_messages(Filters(fallback_only=True))}
    assert reader.channels() == ["socketio", "telegram", "zalo"]


def test_inbox_groups_and_counts_not_understood(tracker_db: Path) -> None:
    items = TrackerReader(tracker_db).inbox(known_examples=set())
    assert items[0]["count"] == 2 and items[0]["text"].lower() == "con mèo của tôi bị lạc"
    # low confidence counts as not understood even with an intent
    assert "lệ phí làm hộ chiếu" in {i["text"] for i in items}
    known = TrackerReader(tracker_db).inbox(known_examples={"lệ phí làm hộ chiếu"})
    assert "lệ phí làm hộ chiếu" not in {i["text"] for i in known}


def test_missing_tracker_store_is_empty(tmp_path: Path) -> None:
    assert TrackerReader(tmp_path / "none.db").user_messages() == []


def test_messages_are_rendered_as_text(as_role, tracker_db: Path) -> None:
    viewer = as_role("viewer")
    for url in ("/conversations", "/inbox", "/conversations/web-3"):
        html = viewer.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html, url


def test_one_click_turns_a_message_into_an_example(as_role, app, project, tracker_db) -> None:
    editor = as_role("editor")
    assert "Con mèo của tôi bị lạc" in editor.get("/inbox").text
    response = editor.post("/inbox", {"text": "Con mèo của tôi bị lạc", "intent": "out_of_scope",
                                      "back": "/inbox"})
    assert "Đã thêm câu vào ý định out_of_scope" in response.text
    assert "Con mèo của tôi bị lạc" in ProjectData(project).entries("intent")[
        "out_of_scope"].examples
    assert "Con mèo của tôi bị lạc" not in response.text.split("Đã thêm")[1]  # left the inbox
    rows = app.state.db.query("SELECT * FROM audit WHERE action = 'data.intent.add_examples'")
    assert rows[-1]["target"] == "out_of_scope" and rows[-1]["username"] == "editor"


def test_conversation_filter_page(as_role, tracker_db) -> None:
    html = as_role("viewer").get("/conversations?channel=telegram").text
    assert "lệ phí làm hộ chiếu" in html and "xin chào" not in html


def test_a_not_understood_message_becomes_a_name_of_a_procedure(as_role, app, settings,
                                                                tracker_db) -> None:
    store = open_store(settings.knowledge_db)
    store.upsert(Procedure(code="1.000001", name="Cấp hộ chiếu phổ thông"), source="national")
    store.close()
    editor = as_role("editor")
    assert 'action="/inbox/alias"' in editor.get("/inbox").text
    response = editor.post("/inbox/alias", {"code": "1.000001", "text": "  lam  pasport "})
    assert "Đã thêm &#34;lam pasport&#34; làm tên gọi" in response.text
    search = ProcedureSearch(open_store(settings.knowledge_db))
    assert search.search("lam pasport", top=1)[0].code == "1.000001"
    # saying it again adds nothing; unknown codes, empty and pasted stories are refused
    editor.post("/inbox/alias", {"code": "1.000001", "text": "Lam Pasport"})
    assert open_store(settings.knowledge_db).get("1.000001").aliases == ["lam pasport"]
    assert "Không có thủ tục mã 9.9" in editor.post(
        "/inbox/alias", {"code": "9.9", "text": "abc"}).text
    assert "Tên gọi không được để trống" in editor.post(
        "/inbox/alias", {"code": "1.000001", "text": " "}).text
    assert "dài quá" in editor.post("/inbox/alias", {"code": "1.000001", "text": "x " * 100}).text
    audit = app.state.db.query("SELECT * FROM audit WHERE action = 'procedure.alias'")
    assert len(audit) == 1 and audit[0]["username"] == "editor"
    # viewers see no form and cannot post
    viewer = as_role("viewer")
    assert 'action="/inbox/alias"' not in viewer.get("/inbox").text
    assert viewer.post("/inbox/alias", {"code": "1.000001", "text": "x"}).status_code == 403
