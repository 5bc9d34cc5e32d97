from __future__ import annotations

import csv
from pathlib import Path

from bot.knowledge.importer import import_national
from bot.knowledge.national import extract_fee
from bot.knowledge.store import SQLiteProcedureStore


def test_import_reports_merges_skips_and_detail_only_pages(tmp_path, national_files):
    with SQLiteProcedureStore(tmp_path / "k.db") as store:
        report = import_national(store, *national_files)
        text = report.render()
        assert report.outcomes["inserted"] == 8  # 7 distinct usable rows + 1 detail-only page
        assert store.codes() == {
            "9.000001", "9.000002", "9.000003", "9.000004", "9.000005", "9.000006", "9.000009",
            "9.000099",
        }
        assert any("9.000002: lines 3 and 8 merged" in m for m in report.merged)
        assert len(report.skipped) == 2 and all("broken row" in s for s in report.skipped)
        assert "9.000099: detail page without a catalog row" in text
        # the duplicate filled the agency the first row left as "Không có thông tin"
        assert store.get("9.000002").executing_agency == "Công an cấp xã"


def test_detail_page_fields_notes_and_fees(store):
    procedure = store.get("9.000001")
    assert procedure.levels == ["Cấp xã"]
    assert procedure.portal_url == "https://example.invalid/p/1"
    direct, online = procedure.methods
    assert direct.fee == "Lệ phí: 20.000 đồng/lần đăng ký."  # found in the description
    assert online.fee == "10.000 đồng" and online.description == ""  # "Không có thông tin"
    assert procedure.requirements == ""
    names = {d.name: d for d in procedure.documents}
    assert names["Tờ khai thay đổi thông tin cư trú (mẫu CT01)"].is_note is False
    assert names["Tờ khai thay đổi thông tin cư trú (mẫu CT01)"].group.startswith("Trường hợp")
    assert names["Trường hợp không khai thác được thông tin, hồ sơ gồm:"].is_note is True
    note = names["Lưu ý: không yêu cầu xuất trình giấy khai sinh."]
    assert note.is_note is True and note.group == ""  # a table without a heading of its own
    assert procedure.legal_basis == ["Luật Cư trú 2020 (68/2020/QH14)"]
    assert procedure.result == "Thông báo kết quả giải quyết"
    assert procedure.steps[0] == "Bước 1: Chuẩn bị hồ sơ."


def test_fallback_layout_detail_without_row(store):
    procedure = store.get("9.000099")
    assert procedure.name == "Thủ tục chỉ có trang chi tiết (mẫu thử)"
    assert [m.channel for m in procedure.methods] == ["Trực tiếp", "Trực tuyến"]
    assert procedure.methods[0].fee == "Lệ phí: 50.000 đồng"
    assert [(d.name, d.originals, d.copies) for d in procedure.documents] == [
        ("Đơn đề nghị", 1, 0), ("Bản sao giấy tờ tùy thân", 0, 1)
    ]


def test_second_import_changes_nothing(store, national_files):
    revision = store.revision()
    report = import_national(store, *national_files)
    assert report.changed == 0 and report.outcomes["unchanged"] == 8
    assert "Nothing changed" in report.render()
    assert store.revision() == revision


def test_extract_fee_ignores_descriptions_without_fee():
    assert extract_fee("Nộp hồ sơ tại bộ phận một cửa.") == ""
    assert extract_fee("Lệ phí: ĐồngXem chi tiết") == ""
    assert extract_fee("Miễn lệ phí đối với trẻ em.") == "Miễn lệ phí đối với trẻ em."


def test_real_national_subset_imports(tmp_path: Path, national_data: Path):
    """The first 300 rows of the real catalog.csv (read in place, written only to tmp_path)."""
    with (national_data / "catalog.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[:301]
    subset = tmp_path / "catalog.csv"
    with subset.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with SQLiteProcedureStore(tmp_path / "k.db") as store:
        report = import_national(store, subset, national_data / "details")
        assert store.count() >= 300
        assert report.outcomes["inserted"] == store.count()
        detail_only = {"1.001692", "2.001904", "1.005108"}
        assert detail_only <= store.codes()
        assert import_national(store, subset, national_data / "details").changed == 0
