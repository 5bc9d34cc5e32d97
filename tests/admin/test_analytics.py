"""Analytics on a small known tracker database, in SQLite and in PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from starlette.testclient import TestClient

from bot.admin.analytics import Analytics, Period
from bot.admin.tracker_source import TrackerSource, sqlite_url
from tests.admin import tracker_data
from tests.admin.conftest import login
from tests.admin.tracker_data import CCCD, DAY1, DAY2, DAY3, PHONE, RECEIPT, user
from tests.support.servers import ROOT

PG_PASSWORD = "rasa-local-only"  # scripts/services.sh default for local runs
RANGE = Period(DAY1.date(), DAY2.date())


def _pg_store(schema: str) -> tuple[SQLTrackerStore, str]:
    query = {"options": f"-csearch_path={schema}"}
    store = SQLTrackerStore(dialect="postgresql", host="127.0.0.1", port=5432, db="rasa",
                            username="rasa", password=PG_PASSWORD, query=query)
    url = str(store.engine.url.render_as_string(hide_password=False))
    return store, url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.e2e)])
def source(request, tmp_path: Path) -> Iterator[TrackerSource]:
    """The known conversations, stored by Rasa's SQL tracker store in each database."""
    if request.param == "sqlite":
        path = tmp_path / "tracker.db"
        tracker_data.write(SQLTrackerStore(dialect="sqlite", db=str(path)))
        yield TrackerSource(sqlite_url(path))
        return
    result = subprocess.run(["bash", "scripts/services.sh", "start"], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"scripts/services.sh start failed:\n{result.stdout}\n{result.stderr}")
    schema = f"analytics_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(f"postgresql://rasa:{PG_PASSWORD}@127.0.0.1:5432/rasa")
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        store, url = _pg_store(schema)
        tracker_data.write(store)
        yield TrackerSource(url)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_counts_on_a_known_tracker_database(source: TrackerSource, tmp_path: Path) -> None:
    analytics = Analytics(source, tmp_path / "analytics.db")
    assert analytics.refresh() > 0
    report = analytics.report(RANGE)
    day1, day2 = DAY1.date().isoformat(), DAY2.date().isoformat()
    assert report.totals == {"conversations": 4, "messages": 10}
    assert [(r["day"], r["channel"], r["conversations"], r["messages"]) for r in report.daily] \
        == [(day1, "telegram", 1, 2), (day1, "zalo", 1, 2), (day2, "socketio", 1, 1),
            (day2, "telegram", 1, 5)]
    assert report.shares == {"understood": 5, "procedure": 2, "not_sure": 2, "out_of_scope": 1}
    assert report.intents[0] == ("eid_troubleshoot", 2)
    assert report.procedures == [("1.001193", 2)]
    [unanswered] = report.unanswered
    assert unanswered["count"] == 2 and CCCD not in unanswered["text"]
    assert unanswered["text_key"] == "con mèo cccd [số cccd/cmnd]"
    assert report.handovers == {"handover": 1, "ticket": 1, "rating:4": 1}
    assert report.help_rating == (4.0, 1)
    assert report.ratings == [{"topic": "eid_troubleshoot", "yes": 1, "no": 1, "total": 2,
                               "rate": 0.5}]
    # Day 3 counts only when the range includes it.
    assert analytics.report(Period(DAY3.date(), DAY3.date())).totals["messages"] == 1
    assert analytics.refresh() == 0  # nothing new


def test_new_events_are_folded_in_incrementally(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(dialect="sqlite", db=str(path))
    tracker_data.write(store)
    analytics = Analytics(TrackerSource(sqlite_url(path)), tmp_path / "analytics.db")
    analytics.refresh()
    # A later turn of an existing conversation: its procedure answer updates the summary.
    tracker = asyncio.run(store.retrieve("tg:3"))
    tracker.update(user("đăng ký khai sinh", "ask_procedure", 0.9, "telegram", DAY2))
    tracker.update(tracker_data.action("action_answer_procedure", DAY2))
    asyncio.run(store.save(tracker))
    assert analytics.refresh() == 2
    report = analytics.report(RANGE)
    assert report.totals["messages"] == 11 and report.shares["procedure"] == 3


def test_period_parsing() -> None:
    today = date(2026, 5, 31)
    assert Period.parse("", "", today) == Period(date(2026, 5, 2), today)
    assert Period.parse("2026-05-10", "2026-05-01", today) == Period(date(2026, 5, 1),
                                                                     date(2026, 5, 10))
    assert Period.parse("xyz", "<script>", today).end == today


@pytest.fixture
def console_with_data(app, settings):
    tracker_data.write(SQLTrackerStore(dialect="sqlite", db=str(settings.tracker_db)))
    return login(TestClient(app), "viewer")


def test_page_charts_and_csv_are_masked(console_with_data) -> None:
    query = f"date_from={DAY1.date()}&date_to={DAY2.date()}"
    page = console_with_data.get(f"/analytics?{query}")
    assert page.status_code == 200
    assert page.text.count('<svg class="chart"') >= 5
    assert 'id="total-conversations">4<' in page.text and 'id="understood-rate">70%<' in page.text
    for raw in (CCCD, PHONE):
        assert raw not in page.text
    assert "[số CCCD/CMND]" in page.text
    csv_parts = {}
    for part in ("daily", "shares", "intents", "procedures", "unanswered", "ratings",
                 "handovers"):
        response = console_with_data.get(f"/analytics.csv?part={part}&{query}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "text/csv")
        assert CCCD not in response.text and PHONE not in response.text
        csv_parts[part] = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert csv_parts["ratings"][1] == ["eid_troubleshoot", "1", "1", "2", "0.500"]
    assert csv_parts["unanswered"][1] == ["Con mèo  CCCD [số CCCD/CMND] ", "2",
                                          DAY2.date().isoformat()]
    assert console_with_data.get("/analytics.csv?part=nope").status_code == 404


def test_review_pages_never_show_personal_data(console_with_data) -> None:
    for url in ("/conversations", "/conversations/tg:2", "/conversations/zalo:1", "/inbox"):
        page = console_with_data.get(url)
        assert page.status_code == 200
        assert CCCD not in page.text and PHONE not in page.text, url
    assert RECEIPT in console_with_data.get("/conversations/tg:3").text


def test_page_shows_handovers_tickets_and_staff_rating(console_with_data) -> None:
    page = console_with_data.get(f"/analytics?date_from={DAY1.date()}&date_to={DAY2.date()}")
    assert 'id="handovers">1<' in page.text and 'id="tickets">1<' in page.text
    assert 'id="help-rating">4.0<' in page.text


def test_review_reader_reads_both_databases_masked(source: TrackerSource) -> None:
    from bot.admin.conversations import Filters, TrackerReader

    reader = TrackerReader(source.url)
    turns = reader.conversation("tg:2")
    assert [t["who"] for t in turns] == ["user", "user"]
    assert turns[1]["text"] == "con mèo CCCD [số CCCD/CMND]"
    assert reader.channels() == ["socketio", "telegram", "zalo"]
    [group] = [g for g in reader.inbox(set()) if "mèo" in g["text"]]
    assert group["count"] == 2 and CCCD not in group["text"]
    assert {m.sender_id for m in reader.user_messages(Filters(channel="zalo"))} == {"zalo:1"}
    assert reader.message(turns[0]["id"]).text == "lệ phí khai sinh"
