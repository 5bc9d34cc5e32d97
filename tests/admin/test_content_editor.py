"""The content editor: every data/content file, preview, checks, audit, and the next reply."""

from __future__ import annotations

import sqlite3

import yaml

from actions.topics import ActionEidTroubleshoot, TopicSet
from bot.content import Content
from tests.actions.conftest import build_tracker

NEW_TEXT = "Cách mới: mở VNeID, bấm Quên mật khẩu, nhập mã OTP."
URL = "/content/vneid/forgot_passcode"


def _audit(settings, action: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(settings.admin_db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM audit WHERE action = ?", (action,)).fetchall()
    finally:
        conn.close()


def test_every_content_file_and_message_is_listed(as_role, project) -> None:
    page = as_role("viewer").get("/content")
    assert page.status_code == 200
    for file in sorted((project / "data" / "content").glob("*.yml")):
        data = yaml.safe_load(file.read_text("utf-8"))
        for key in data["messages"]:
            assert f"{file.stem}.{key}" in page.text
    assert "cần huấn luyện lại" in page.text and "không cần huấn luyện lại" in page.text
    # A file added later (e.g. by another module) shows up without code changes.
    (project / "data" / "content" / "zz_new.yml").write_text(
        'messages:\n  hello: "Chào {name}"\n', "utf-8")
    assert "zz_new.hello" in as_role("viewer").get("/content").text


def test_admin_changes_the_vneid_answer_and_the_next_reply_shows_it(as_role, project,
                                                                     settings) -> None:
    console = as_role("editor")
    page = console.get(URL)
    assert "Trên màn hình đăng nhập VNeID" in page.text and 'id="preview"' in page.text
    preview = console.post(URL, {"op": "preview", "text": NEW_TEXT, "label": "Quên mật khẩu",
                                 "phrases": "quen mat khau\nkhông nhớ mật khẩu"})
    assert "Xem trước (chưa lưu)" in preview.text and NEW_TEXT in preview.text
    path = project / "data" / "content" / "vneid.yml"
    assert NEW_TEXT not in path.read_text("utf-8")  # preview writes nothing

    saved = console.post(URL, {"op": "save", "text": NEW_TEXT, "label": "Quên mật khẩu",
                               "phrases": "quen mat khau\nkhông nhớ mật khẩu"})
    assert saved.status_code == 200 and "không cần huấn luyện lại" in saved.text
    text = path.read_text("utf-8")
    assert text.startswith("# Lỗi thường gặp với ứng dụng VNeID")  # comments kept
    assert yaml.safe_load(text)["messages"]["forgot_passcode"]["text"] == NEW_TEXT

    # The action, reading this folder, answers with the new text on the next message.
    source = Content(project / "data" / "content")
    topics = TopicSet(intent="eid_troubleshoot", entity="vneid_problem", file="vneid",
                      source=source)

    class Edited(ActionEidTroubleshoot):
        topic_set = topics

    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    Edited().run(dispatcher, build_tracker("tôi không nhớ mật khẩu", "eid_troubleshoot"), {})
    assert dispatcher.messages[0]["text"] == NEW_TEXT

    [row] = _audit(settings, "content.save")
    assert row["target"] == "vneid.forgot_passcode" and row["username"] == "editor"
    assert "Trên màn hình đăng nhập" in row["before"] and NEW_TEXT in row["after"]


def test_checks_refuse_bad_edits_and_write_nothing(as_role, project) -> None:
    console = as_role("editor")
    path = project / "data" / "content" / "offices.yml"
    before = path.read_text("utf-8")
    url = "/content/offices/centre_heading"
    cases = {
        "{name}{where} {hotline}:": "{hotline}",            # the code does not fill it
        "{name{where}:": "ngoặc nhọn",                      # broken format
        "": "không được để trống",
    }
    for text, problem in cases.items():
        response = console.post(url, {"op": "save", "text": text})
        assert response.status_code == 400 and problem in response.text, text
    assert path.read_text("utf-8") == before
    ok = console.post(url, {"op": "save", "text": "Nơi làm thủ tục: {name}{where}:"})
    assert ok.status_code == 200 and "{name}{where}" in path.read_text("utf-8")

    url = "/content/feedback/thanks_no"
    bad_buttons = {
        ("Gặp", ""): "cả chữ trên nút và lệnh",
        ("Gặp", "request_human"): "phải có dạng",
        ("Gặp", "/khong_co_y_dinh"): "không có",
        ("Gặp", '/request_human{"a":1}'): "ngoặc nhọn",
        ("Gặp", '/request_human{{"a":}}'): "JSON",
    }
    for (title, payload), problem in bad_buttons.items():
        response = console.post(url, {"op": "save", "text": "Cảm ơn.", "button_title": title,
                                      "button_payload": payload})
        assert response.status_code == 400 and problem in response.text, payload


def test_html_in_content_is_shown_as_text(as_role) -> None:
    console = as_role("editor")
    script = '<script>alert("x")</script>'
    console.post("/content/general/staff_intro", {"op": "save", "text": script})
    page = console.get("/content/general/staff_intro")
    assert script not in page.text and "&lt;script&gt;" in page.text


def test_add_and_delete_a_sub_topic_viewers_cannot_edit(as_role, project) -> None:
    assert as_role("viewer").post("/content/vneid/menu", {"text": "x"}).status_code == 403
    console = as_role("editor")
    response = console.post("/content/vneid", {"key": "nfc", "label": "Lỗi đọc chip",
                                               "text": "Áp thẻ vào mặt sau điện thoại.",
                                               "phrases": "đọc chip\nnfc"})
    assert response.status_code == 200
    source = Content(project / "data" / "content")
    topics = TopicSet(intent="eid_troubleshoot", entity="vneid_problem", file="vneid",
                      source=source)
    assert topics.choose([], "không đọc chip được").key == "nfc"
    assert console.post("/content/vneid", {"key": "nfc", "text": "x"}).status_code == 200
    assert console.post("/content/vneid/menu", {"op": "delete"}).status_code == 200
    assert source.has("vneid.menu")  # code needs it: refused
    console.post("/content/vneid/nfc", {"op": "delete"})
    assert not Content(project / "data" / "content").has("vneid.nfc")


def test_code_mapped_button_values_can_be_kept_not_invented(as_role, project) -> None:
    """A file whose buttons carry values the code maps (not intent payloads) stays editable."""
    (project / "data" / "content" / "zz_facets.yml").write_text(
        'messages:\n  buttons:\n    text: ""\n    buttons:\n'
        '      - {title: "Lệ phí?", payload: "fee"}\n', "utf-8")
    console = as_role("editor")
    ok = console.post("/content/zz_facets/buttons", {"op": "save", "text": "",
                                                     "button_title": "Lệ phí bao nhiêu?",
                                                     "button_payload": "fee"})
    assert ok.status_code == 200
    assert "Lệ phí bao nhiêu?" in (project / "data" / "content" / "zz_facets.yml").read_text()
    bad = console.post("/content/zz_facets/buttons", {"op": "save", "text": "",
                                                      "button_title": "Giờ?",
                                                      "button_payload": "hours"})
    assert bad.status_code == 400 and "phải có dạng" in bad.text


def test_every_shipped_message_passes_the_checks_unchanged(app) -> None:
    """Files other modules add (procedure.yml, staff.yml...) must stay editable in the console."""
    admin = app.state.content
    messages = admin.all_messages()
    assert len(messages) > 60
    for message in messages:
        admin.check(message, message)
