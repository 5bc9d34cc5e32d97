from __future__ import annotations

import pytest

from bot.knowledge.curated import CatalogError, load_catalog
from bot.knowledge.importer import import_national, load_curated
from bot.knowledge.store import SQLiteProcedureStore, StoreError


def test_curated_entry_survives_reimport_and_is_filled_from_national(
    store, national_files, curated_dir
):
    assert load_curated(store, curated_dir).outcomes["updated"] == 1
    report = import_national(store, *national_files)
    assert report.outcomes["kept"] == 1 and report.changed == 0
    procedure = store.get("9.000003")
    assert procedure.source == "curated"
    assert procedure.name == "Cấp đổi sổ đỏ (mẫu thử biên soạn)"
    assert procedure.aliases == ["sổ đỏ", "đổi sổ hồng"]
    assert procedure.portal_url == "https://example.invalid/p/3"  # empty in YAML: national fills
    assert store.get_national("9.000003").name.startswith("Cấp đổi Giấy chứng nhận")
    assert load_curated(store, curated_dir).changed == 0


def test_admin_edit_beats_national_and_curated(store, national_files, curated_dir):
    edited = store.get("9.000003")
    edited.summary = "Sửa bởi quản trị viên"
    edited.portal_url = ""
    assert store.upsert(edited, source="admin") == "updated"
    assert import_national(store, *national_files).outcomes["kept"] == 1
    assert load_curated(store, curated_dir).outcomes["kept"] == 1
    after = store.get("9.000003")
    assert after.source == "admin" and after.summary == "Sửa bởi quản trị viên"
    assert after.portal_url == ""  # admin entries are not filled from national data


def test_delete_count_and_revision(store):
    before = store.revision()
    assert store.count() == 8 and store.count("national") == 8
    assert store.delete("9.000009") is True and store.delete("9.000009") is False
    assert store.get("9.000009") is None and store.count() == 7
    assert store.revision() == before + 1


def test_second_connection_sees_changes(store):
    with SQLiteProcedureStore(store.path, create=False) as other:
        assert other.count() == store.count()
        store.delete("9.000001")
        assert other.get("9.000001") is None and other.revision() == store.revision()


def test_missing_and_malformed_database(tmp_path):
    with pytest.raises(StoreError):
        SQLiteProcedureStore(tmp_path / "absent.db", create=False)
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite")
    with pytest.raises(StoreError):
        SQLiteProcedureStore(junk, create=False)


def test_curated_validation_names_file_and_entry(tmp_path):
    (tmp_path / "bad.yml").write_text(
        "procedures:\n  - code: '1.1'\n    name: A\n  - code: '2.2'\n    colour: red\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match=r"bad.yml: entry #2 \(2.2\): unknown keys"):
        load_catalog(tmp_path)
    (tmp_path / "bad.yml").write_text("procedures: {}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="top-level 'procedures:' list"):
        load_catalog(tmp_path)
