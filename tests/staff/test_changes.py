"""Every national import keeps a dated snapshot; two snapshots give new, removed and changed."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.knowledge.changes import SnapshotLog
from bot.knowledge.importer import import_national
from bot.knowledge.store import SQLiteProcedureStore
from tests.support.servers import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "national"


def next_month_catalog(folder: Path) -> Path:
    """The fixture catalog a month later: one procedure removed, one added, one moved."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURES / "details", folder / "details")
    lines = (FIXTURES / "catalog.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("9.000006,")]
    kept = [line.replace("Sở Xây dựng,Đường bộ", "Công an cấp tỉnh,Đường bộ") for line in kept]
    kept.append("9.000777,Thủ tục mới sau sắp xếp (mẫu thử),Bộ Nội vụ,UBND cấp xã,Nội vụ,"
                "https://example.invalid/p/777")
    (folder / "catalog.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return folder / "catalog.csv"


def import_twice(database: Path, tmp_path: Path) -> None:
    with SQLiteProcedureStore(database) as store:
        import_national(store, FIXTURES / "catalog.csv", FIXTURES / "details")
        import_national(store, next_month_catalog(tmp_path / "later"), tmp_path / "later/details")


def test_each_import_is_snapshotted_and_diffed(tmp_path: Path) -> None:
    database = tmp_path / "knowledge.db"
    import_twice(database, tmp_path)
    with SnapshotLog(database) as log:
        newer, older = log.list()
        assert newer.id > older.id and newer.taken_at >= older.taken_at
        diff = log.diff(older.id, newer.id)
    assert [c.code for c in diff.added] == ["9.000777"]
    assert [c.code for c in diff.removed] == ["9.000006"]
    changed = {c.code: c.fields for c in diff.changed}
    assert changed == {"9.000009": ["executing_agency"]}


def test_an_unchanged_reimport_diffs_empty(tmp_path: Path) -> None:
    database = tmp_path / "knowledge.db"
    with SQLiteProcedureStore(database) as store:
        for _ in range(2):
            import_national(store, FIXTURES / "catalog.csv", FIXTURES / "details")
    with SnapshotLog(database) as log:
        newer, older = log.list()
        diff = log.diff(older.id, newer.id)
    assert (diff.added, diff.removed, diff.changed) == ([], [], [])
