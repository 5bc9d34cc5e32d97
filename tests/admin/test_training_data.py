"""Training data editing: Rasa-valid YAML, round-trip safe, nothing written on error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.admin.training_data import ProjectData
from bot.admin.yamlio import DataError, validate_domain, validate_nlu

SAMPLE = "data/nlu/zz_console_sample.yml"


def test_adding_examples_keeps_comments_and_order(project: Path) -> None:
    ProjectData(project).add_examples("intent", "chao_hoi_mau", ["chào buổi sáng"])
    text = (project / SAMPLE).read_text()
    assert "# Sample data kept by the console tests" in text
    assert "# greetings, with and without diacritics" in text
    positions = [text.index(k) for k in ("intent: chao_hoi_mau", "synonym: giấy", "lookup:")]
    assert positions == sorted(positions)
    assert "      - chao ban\n      - chào buổi sáng\n" in text
    validate_nlu(text, SAMPLE)


def test_new_intent_goes_to_admin_file_and_domain(project: Path) -> None:
    data = ProjectData(project)
    data.add_examples("intent", "hoi_gio_lam_viec", ["mấy giờ mở cửa", "giờ làm việc"])
    assert "hoi_gio_lam_viec" in data.domain_intents()
    assert data.entries("intent")["hoi_gio_lam_viec"].files == {
        "data/nlu/admin.yml": ["mấy giờ mở cửa", "giờ làm việc"]}
    domain_text = (project / "domain.yml").read_text()
    assert "# Intent names are a contract" in domain_text  # comments kept
    validate_domain(domain_text)


def test_direct_answer_adds_response_and_rule(project: Path) -> None:
    data = ProjectData(project)
    data.add_examples("intent", "hoi_gio_lam_viec", ["mấy giờ mở cửa"])
    data.set_direct_answer("hoi_gio_lam_viec", "Bộ phận một cửa làm việc giờ hành chính.")
    assert data.responses()["utter_hoi_gio_lam_viec"] == [
        {"text": "Bộ phận một cửa làm việc giờ hành chính."}]
    assert data.direct_answer("hoi_gio_lam_viec") == "utter_hoi_gio_lam_viec"
    data.set_direct_answer("hoi_gio_lam_viec", "Từ thứ Hai đến thứ Sáu.")
    rules = (project / "data/rules/admin.yml").read_text()
    assert rules.count("- intent: hoi_gio_lam_viec") == 1  # updating does not duplicate the rule


def test_invalid_name_writes_nothing(project: Path) -> None:
    before = {p: p.read_text() for p in project.rglob("*.yml")}
    with pytest.raises(DataError, match="không hợp lệ"):
        ProjectData(project).add_examples("intent", "Hỏi giờ", ["mấy giờ"])
    assert {p: p.read_text() for p in project.rglob("*.yml")} == before


def test_validation_failure_leaves_files_untouched(project: Path, monkeypatch) -> None:
    """A change Rasa rejects is not written, not even the files that were valid."""
    domain_before = (project / "domain.yml").read_text()

    def reject(text: str, name: str) -> None:
        raise DataError(f"{name} bị từ chối")

    monkeypatch.setattr("bot.admin.yamlio.validate_nlu", reject)
    with pytest.raises(DataError, match="bị từ chối"):
        ProjectData(project).add_examples("intent", "hoi_moi", ["một câu mới"])
    assert (project / "domain.yml").read_text() == domain_before
    assert not (project / "data/nlu/admin.yml").exists()


def test_rasa_rejects_broken_nlu() -> None:
    with pytest.raises(DataError):
        validate_nlu("nlu:\n- intent: a\n  examples: 5\n", "x.yml")


def test_edit_and_remove_example(project: Path) -> None:
    data = ProjectData(project)
    data.replace_example("intent", "chao_hoi_mau", SAMPLE, "chao ban", "chào bạn nhé")
    assert data.entries("intent")["chao_hoi_mau"].files[SAMPLE] == ["xin chào", "chào bạn nhé"]
    data.replace_example("intent", "chao_hoi_mau", SAMPLE, "xin chào", None)
    assert data.entries("intent")["chao_hoi_mau"].files[SAMPLE] == ["chào bạn nhé"]
    with pytest.raises(DataError, match="cuối cùng"):
        data.replace_example("intent", "chao_hoi_mau", SAMPLE, "chào bạn nhé", None)


def test_files_outside_nlu_are_refused(project: Path) -> None:
    with pytest.raises(DataError):
        ProjectData(project).replace_example("intent", "chao_hoi_mau", "../domain.yml", "a", "b")


def test_synonyms_and_lookups(project: Path) -> None:
    data = ProjectData(project)
    data.add_examples("synonym", "giấy căn cước mẫu", ["can cuoc"])
    data.add_examples("lookup", "tinh_mau", ["Cần Thơ"])
    assert data.entries("synonym")["giấy căn cước mẫu"].examples == ["cccd", "can cuoc"]
    assert data.entries("lookup")["tinh_mau"].examples == ["Hà Nội", "Cần Thơ"]
    data.delete_entry("lookup", "tinh_mau")
    assert "tinh_mau" not in data.entries("lookup")


def test_search_ignores_diacritics(project: Path) -> None:
    found = ProjectData(project).search("intent", "xin chao")
    assert "chao_hoi_mau" in found


def test_response_edit_keeps_buttons(project: Path) -> None:
    domain = project / "domain.yml"
    domain.write_text(domain.read_text().replace(
        "responses: {}",
        "responses:\n  utter_help:\n    - text: Tôi giúp được gì?\n      buttons:\n"
        "        - title: Hỏi thủ tục\n          payload: /ask_procedure\n"))
    data = ProjectData(project)
    data.save_response("utter_help", ["Bạn cần giúp gì?", "Tôi có thể giúp gì?"])
    variants = data.responses()["utter_help"]
    assert variants[0]["text"] == "Bạn cần giúp gì?" and variants[0]["buttons"]
    assert variants[1] == {"text": "Tôi có thể giúp gì?"}


def test_response_in_use_cannot_be_deleted(project: Path) -> None:
    data = ProjectData(project)
    data.add_examples("intent", "hoi_gio", ["mấy giờ"])
    data.set_direct_answer("hoi_gio", "Giờ hành chính.")
    with pytest.raises(DataError, match="đang được dùng"):
        data.delete_response("utter_hoi_gio")
    data.delete_entry("intent", "hoi_gio")
    data.delete_response("utter_hoi_gio")
    assert "utter_hoi_gio" not in data.responses()


def test_editor_adds_intent_with_answer_through_the_page(as_role, app, project) -> None:
    editor = as_role("editor")
    response = editor.post("/data/intent", {"name": "hoi_gio", "examples": "mấy giờ mở cửa\n"
                                            "giờ làm việc", "answer": "Giờ hành chính."})
    assert response.status_code == 200 and "Đã tạo" in response.text
    assert "mấy giờ mở cửa" in response.text
    assert ProjectData(project).direct_answer("hoi_gio") == "utter_hoi_gio"
    audit = app.state.db.query("SELECT * FROM audit WHERE action = 'data.intent.create'")
    assert audit[0]["username"] == "editor" and "mấy giờ mở cửa" in audit[0]["after"]


def test_page_shows_plain_error_for_bad_name(as_role, project) -> None:
    response = as_role("editor").post("/data/intent", {"name": "Hỏi Giờ", "examples": "a"})
    assert "chỉ dùng chữ thường không dấu" in response.text
    assert not (project / "data/nlu/admin.yml").exists()


def test_blank_huge_and_html_examples(as_role, project) -> None:
    editor = as_role("editor")
    sample = project / "data/nlu/zz_console_sample.yml"
    before = sample.read_text(encoding="utf-8")
    for blank in ("", "   \n \t"):
        response = editor.post("/data/intent/chao_hoi_mau", {"op": "add", "examples": blank})
        assert "Hãy nhập ít nhất một câu ví dụ." in response.text
    response = editor.post("/data/intent/chao_hoi_mau",
                           {"op": "add", "examples": "xin chào " * 12_800})  # ~100 KB
    assert "tối đa 500 ký tự" in response.text
    assert sample.read_text(encoding="utf-8") == before
    script = '<script>alert("x")</script>'
    response = editor.post("/data/intent/chao_hoi_mau", {"op": "add", "examples": script})
    assert "Đã thêm 1 câu." in response.text
    assert script not in response.text and "&lt;script&gt;" in response.text
    assert script in sample.read_text(encoding="utf-8")
