"""The back-office store against SQLite and a real PostgreSQL (scripts/services.sh starts it;
the PostgreSQL case fails rather than skips when it cannot start, as in tests/test_scale_stores)."""

from __future__ import annotations

import stat
import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.backoffice.store import (
    ACTIVE,
    CLOSED,
    EXPIRED,
    QUEUED,
    Store,
    TicketFilter,
    TransitionError,
    normalise_code,
)
from tests.support.servers import ROOT

PG_URL = "postgresql://rasa:rasa-local-only@127.0.0.1:5432/rasa"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Store]:
    if request.param == "sqlite":
        yield Store(f"sqlite:///{tmp_path_factory.mktemp('bo') / 'backoffice.db'}")
        return
    result = subprocess.run(["bash", "scripts/services.sh", "start"], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"scripts/services.sh start failed:\n{result.stdout}\n{result.stderr}")
    yield Store(PG_URL)


def sender() -> str:
    return f"zalo:{uuid.uuid4().hex[:12]}"


def test_queue_positions_take_transfer_close(store: Store) -> None:
    first, second = sender(), sender()
    a = store.enqueue(first, "zalo")
    b = store.enqueue(second, "telegram", reason="fallback")
    assert store.enqueue(first, "zalo")["id"] == a["id"]  # asking twice keeps one place
    assert store.position(b["id"]) == store.position(a["id"]) + 1
    assert store.take(a["id"], "lan") and not store.take(a["id"], "minh")  # one winner
    assert store.position(a["id"]) == 0 and store.position(b["id"]) >= 1
    assert not store.transfer(a["id"], "minh", "hoa")  # only the current agent transfers
    assert store.transfer(a["id"], "lan", "hoa")
    assert store.close(a["id"], "hoa") and not store.close(a["id"], "hoa")
    assert store.handover(a["id"])["status"] == CLOSED
    assert store.rate_last(first, 4) and not store.rate_last(first, 5)  # rated once
    assert store.handover(a["id"])["rating"] == 4
    assert store.expire(b["id"], "timeout") and not store.take(b["id"], "lan")
    assert store.handover(b["id"])["status"] == EXPIRED
    actions = [e["action"] for e in store.handover_log(a["id"])]
    assert actions == ["queued", "take", "transfer", "close", "rate"]
    assert store.open_handover(first) is None
    assert {h["id"] for h in store.handovers((QUEUED, ACTIVE))}.isdisjoint({a["id"], b["id"]})


def test_only_one_of_many_concurrent_takes_wins(store: Store) -> None:
    item = store.enqueue(sender(), "web")
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda n: store.take(item["id"], f"agent{n}"), range(8)))
    assert wins.count(True) == 1


def test_ticket_codes_status_moves_and_filters(store: Store) -> None:
    owner = sender()
    with ThreadPoolExecutor(6) as pool:  # concurrent reports never share a code
        tickets = list(pool.map(lambda n: store.create_ticket(
            sender_id=owner, channel="zalo", category="ha-tang",
            description=f"Ổ gà số {n}", place="Phố Huế"), range(6)))
    codes = {t["code"] for t in tickets}
    assert len(codes) == 6 and all(normalise_code(c) == c for c in codes)
    code = tickets[0]["code"]
    with pytest.raises(TransitionError):
        store.update_ticket(code, "lan", status="resolved")  # new -> resolved is not a move
    store.update_ticket(code, "lan", status="in_progress", note="Đã giao đội", assignee="lan")
    done = store.update_ticket(code, "lan", status="resolved", note="Đã vá")
    assert done["status"] == "resolved" and done["note"] == "Đã vá" and done["assignee"] == "lan"
    with pytest.raises(TransitionError):
        store.update_ticket(code, "lan", status="in_progress")
    history = store.ticket_history(done["id"])
    assert [(h["status"], h["actor"]) for h in history] == [
        ("new", "citizen"), ("in_progress", "lan"), ("resolved", "lan")]
    resolved = store.tickets(TicketFilter(status="resolved", category="ha-tang"))
    assert code in {t["code"] for t in resolved}
    assert code not in {t["code"] for t in store.tickets(TicketFilter(status="new"))}
    assert store.tickets(TicketFilter(date_from="2000-01-01", date_to="2000-01-02")) == []
    assert store.ticket("PA-0000-0000") is None
    assert [t["code"] for t in store.tickets_of(owner, limit=2)] == sorted(codes)[::-1][:2]
    assert store.tickets_of(sender()) == []


def test_codes_are_read_from_free_text() -> None:
    assert normalise_code("phản ánh pa-2611-0042 tới đâu rồi") == "PA-2611-0042"
    assert normalise_code("PA-26-1") is None and normalise_code("") is None
    assert normalise_code("<b>PA-2611-0042</b>") == "PA-2611-0042"


def test_sqlite_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "backoffice.db"
    Store(f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sa.create_engine(f"sqlite:///{path}").connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert {"bo_handovers", "bo_tickets", "bo_ticket_events", "bo_handover_log"} <= tables
