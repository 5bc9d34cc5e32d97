"""Masking tracker store, retention purge and erasure (console, CLI), in SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from starlette.testclient import TestClient

from bot.admin.analytics import Analytics, Period
from bot.admin.app import create_app
from bot.admin.settings import AdminSettings
from bot.admin.storage import AdminDB
from bot.admin.tracker_source import TrackerSource, sqlite_url
from bot.cli import main as cli
from bot.privacy.retention import erase_and_record, purge, purge_and_record
from bot.privacy.store import MaskingSQLTrackerStore, PrivacyConfigError, masking_setting
from tests.admin import tracker_data
from tests.admin.conftest import PASSWORD, copy_project, login
from tests.admin.tracker_data import CCCD, DAY1, DAY2, DAY3, PHONE, RECEIPT
from tests.support.servers import ROOT

PG_PASSWORD = "rasa-local-only"
NOW = DAY3 + timedelta(hours=1)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.e2e)])
def db(request, tmp_path: Path) -> Iterator[tuple[type, dict, str]]:
    """(store class kwargs, SQLAlchemy URL) of an empty tracker database of each kind."""
    if request.param == "sqlite":
        yield {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}, \
            sqlite_url(tmp_path / "tracker.db")
        return
    result = subprocess.run(["bash", "scripts/services.sh", "start"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    schema = f"privacy_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(f"postgresql://rasa:{PG_PASSWORD}@127.0.0.1:5432/rasa")
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    kwargs = {"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "db": "rasa",
              "username": "rasa", "password": PG_PASSWORD,
              "query": {"options": f"-csearch_path={schema}"}}
    url = (f"postgresql://rasa:{PG_PASSWORD}@127.0.0.1:5432/rasa"
           f"?options=-csearch_path%3D{schema}")
    try:
        yield kwargs, url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def stored_texts(url: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT data FROM events WHERE type_name = 'user' "
                                    "ORDER BY id")).fetchall()
    engine.dispose()
    return [json.loads(r[0])["text"] for r in rows]


def test_store_saves_messages_masked_but_the_turn_had_the_raw_text(db) -> None:
    kwargs, url = db
    store = MaskingSQLTrackerStore(**kwargs)
    data = tracker_data.conversations()
    tracker_data.write(store, {"zalo:1": data["zalo:1"], "tg:3": data["tg:3"]})
    texts = stored_texts(url)
    assert f"tôi quên mật khẩu, sđt {PHONE}" not in texts
    assert "tôi quên mật khẩu, sđt [số điện thoại]" in texts
    assert not any(CCCD in t for t in texts)
    assert f"hồ sơ {RECEIPT} vneid lỗi" in texts  # receipt codes are not personal data
    # What the next turn loads is masked too.
    tracker = asyncio.run(store.retrieve("tg:3"))
    assert all(CCCD not in (e.as_dict().get("text") or "") for e in tracker.events)


def test_switching_masking_off_needs_a_recorded_reason(db, caplog) -> None:
    kwargs, url = db
    with pytest.raises(PrivacyConfigError):
        MaskingSQLTrackerStore(mask_personal_data=False, **kwargs)
    store = MaskingSQLTrackerStore(mask_personal_data=False,
                                   raw_storage_reason="Điều tra sự cố #12, đến 31/12", **kwargs)
    assert "Điều tra sự cố #12" in caplog.text
    tracker_data.write(store, {"tg:2": tracker_data.conversations()["tg:2"]})
    assert f"con mèo CCCD {CCCD}" in stored_texts(url)
    assert masking_setting(True, "", {"PRIVACY_MASKING": "off", "PRIVACY_RAW_REASON": "x"}) \
        == (False, "x")
    with pytest.raises(PrivacyConfigError):
        masking_setting(True, "", {"PRIVACY_MASKING": "off"})


def test_purge_removes_exactly_the_old_events_and_is_audited(db, tmp_path: Path) -> None:
    kwargs, url = db
    tracker_data.write(SQLTrackerStore(**kwargs))
    source = TrackerSource(url)
    analytics = Analytics(source, tmp_path / "analytics.db")
    analytics.refresh()
    admin_db = AdminDB(tmp_path / "admin.db")
    # Cut-off between day 1 and day 2: zalo:1 and tg:2 (day 1 only) go; tg:3 stays whole;
    # web:4 keeps its day-2 and day-3 events.
    now = DAY2 - timedelta(hours=1) + timedelta(days=2)
    assert purge(source, 2, now, dry_run=True).events > 0
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        before = dict(conn.execute(sa.text(
            "SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id")).fetchall())
    result = purge_and_record(source, analytics, admin_db, 2, now=now)
    with engine.connect() as conn:
        after = dict(conn.execute(sa.text(
            "SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id")).fetchall())
        oldest = conn.execute(sa.text("SELECT MIN(timestamp) FROM events")).scalar_one()
    engine.dispose()
    assert result.conversations == 2
    assert result.events == before["zalo:1"] + before["tg:2"]
    assert after == {"tg:3": before["tg:3"], "web:4": before["web:4"]}
    assert oldest >= (now - timedelta(days=2)).timestamp()
    [row] = admin_db.query("SELECT * FROM audit WHERE action = 'privacy.purge'")
    assert json.loads(row["after"])["conversations"] == 2
    assert analytics.report(Period(DAY1.date(), DAY1.date())).totals["messages"] == 0
    assert analytics.report(Period(DAY2.date(), DAY2.date())).totals["messages"] == 6

    assert erase_and_record(source, analytics, admin_db, "tg:3", "admin") == before["tg:3"]
    assert analytics.report(Period(DAY2.date(), DAY2.date())).totals["messages"] == 1
    [row] = admin_db.query("SELECT * FROM audit WHERE action = 'privacy.erase'")
    assert row["target"] == "tg:3" and row["username"] == "admin"


def test_cli_purge(tmp_path: Path, monkeypatch, capsys) -> None:
    root = copy_project(tmp_path / "project", sample=False)
    (root / "var").mkdir()
    tracker_data.write(SQLTrackerStore(dialect="sqlite", db=str(root / "var" / "tracker.db")))
    monkeypatch.setenv("ASSISTANT_ROOT", str(root))
    # The cut-off falls on day 1 after its events (09:00-09:02) and before day 2's 09:00.
    days = (datetime.now() - DAY1).days
    assert cli(["privacy", "purge", "--days", str(days), "--dry-run"]) == 0
    assert "2 cuộc hội thoại" in capsys.readouterr().out
    assert cli(["privacy", "purge", "--days", str(days)]) == 0
    assert "Đã xoá 2 cuộc hội thoại" in capsys.readouterr().out
    conn = sqlite3.connect(root / "var" / "tracker.db")
    senders = {r[0] for r in conn.execute("SELECT DISTINCT sender_id FROM events")}
    audit = sqlite3.connect(root / "var" / "admin.db").execute(
        "SELECT username, action FROM audit WHERE action = 'privacy.purge'").fetchall()
    assert senders == {"tg:3", "web:4"} and audit == [("system", "privacy.purge")]
    assert cli(["privacy", "purge", "--days", "0"]) == 2


def test_console_erases_one_conversation_admin_only(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project", sample=False)
    settings = AdminSettings(root=root, env="test", secret_key="k",
                             national_data=tmp_path / "national")
    (root / "var").mkdir()
    tracker_data.write(SQLTrackerStore(dialect="sqlite", db=str(settings.tracker_db)))
    app = create_app(settings)
    app.state.users.set_password("admin", PASSWORD)
    app.state.users.create("editor", PASSWORD, "editor")
    assert login(TestClient(app), "editor").post(
        "/privacy/erase", {"sender_id": "tg:2"}).status_code == 403
    admin = login(TestClient(app), "admin")
    page = admin.get("/conversations/tg:2")
    assert "Xoá cuộc hội thoại này" in page.text
    response = admin.post("/privacy/erase", {"sender_id": "tg:2"})
    assert response.status_code == 200 and "Đã xoá cuộc hội thoại tg:2" in response.text
    assert "tg:2" not in admin.get("/conversations").text
    audit = admin.get("/audit").text
    assert "privacy.erase" in audit


def test_console_purges_on_start_and_folds_analytics(tmp_path: Path) -> None:
    """The scheduled job: the console's lifespan purges past the retention and logs the count."""
    import time

    root = copy_project(tmp_path / "project", sample=False)
    settings = AdminSettings(root=root, env="test", secret_key="k",
                             national_data=tmp_path / "national",
                             retention_days=(datetime.now() - DAY1).days)
    (root / "var").mkdir()
    tracker_data.write(SQLTrackerStore(dialect="sqlite", db=str(settings.tracker_db)))
    app = create_app(settings)
    with TestClient(app):
        for _ in range(100):
            rows = app.state.db.query("SELECT after FROM audit WHERE action = 'privacy.purge'")
            if rows:
                break
            time.sleep(0.1)
    assert json.loads(rows[0]["after"])["conversations"] == 2
    senders = sqlite3.connect(settings.tracker_db).execute(
        "SELECT DISTINCT sender_id FROM events").fetchall()
    assert sorted(s for (s,) in senders) == ["tg:3", "web:4"]
