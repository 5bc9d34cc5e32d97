"""Storage of handovers and tickets: SQLite by default (var/backoffice.db, beside the tracker
store), PostgreSQL or any SQLAlchemy URL from $BACKOFFICE_DB_URL. The same code serves both.

Every state change is a single conditional UPDATE ("... WHERE status = 'queued'"), so two staff
members taking the same chat, or the console and a restart racing, cannot both win; state lives
only here and in Rasa's tracker store, so nothing is lost when a process restarts.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

ROOT = Path(__file__).resolve().parents[2]
URL_ENV = "BACKOFFICE_DB_URL"
DEFAULT_SQLITE = ROOT / "var" / "backoffice.db"
CODE_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CODE_PATTERN = re.compile(r"\bPA-(\d{4})-(\d{4,6})\b", re.IGNORECASE)

# Handover states: queued -> active (a staff member took it) -> closed; queued -> expired.
QUEUED, ACTIVE, CLOSED, EXPIRED = "queued", "active", "closed", "expired"
# Ticket states and the moves staff may make.
NEW, IN_PROGRESS, RESOLVED, REJECTED = "new", "in_progress", "resolved", "rejected"
TICKET_STATUSES = (NEW, IN_PROGRESS, RESOLVED, REJECTED)
TRANSITIONS = {NEW: {IN_PROGRESS, REJECTED}, IN_PROGRESS: {RESOLVED, REJECTED},
               RESOLVED: set(), REJECTED: set()}

metadata = sa.MetaData()
handovers = sa.Table(
    "bo_handovers", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(32), nullable=False, default=""),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("reason", sa.String(16), nullable=False, default="asked"),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("taken_at", sa.Float),
    sa.Column("closed_at", sa.Float),
    sa.Column("agent", sa.String(64)),
    sa.Column("rating", sa.Integer),
)
handover_log = sa.Table(
    "bo_handover_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("handover_id", sa.Integer, sa.ForeignKey("bo_handovers.id"), nullable=False,
              index=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)
tickets = sa.Table(
    "bo_tickets", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(20), nullable=False, unique=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(32), nullable=False, default=""),
    sa.Column("category", sa.String(64), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("place", sa.Text, nullable=False, default=""),
    sa.Column("photo", sa.Text, nullable=False, default=""),
    sa.Column("contact", sa.Text, nullable=False, default=""),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("assignee", sa.String(64)),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)
ticket_events = sa.Table(
    "bo_ticket_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.Integer, sa.ForeignKey("bo_tickets.id"), nullable=False,
              index=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("assignee", sa.String(64)),
    sa.Column("note", sa.Text, nullable=False, default=""),
)


class TransitionError(ValueError):
    """A change the ticket's or handover's current state does not allow."""


@dataclass
class TicketFilter:
    status: str = ""
    category: str = ""
    date_from: str = ""  # YYYY-MM-DD, local time
    date_to: str = ""


def database_url(default: Path | None = None) -> str:
    return os.environ.get(URL_ENV) or f"sqlite:///{default or DEFAULT_SQLITE}"


def normalise_code(text: str) -> str | None:
    """The ticket code in `text` in canonical form, or None when there is none."""
    match = CODE_PATTERN.search(text or "")
    return f"PA-{match.group(1)}-{match.group(2)}" if match else None


class Store:
    def __init__(self, url: str | None = None) -> None:
        self.url = url or database_url()
        if self.url.startswith("sqlite:///"):
            _private_file(Path(self.url.removeprefix("sqlite:///")))
        self.engine: Engine = sa.create_engine(self.url, future=True, pool_pre_ping=True)
        metadata.create_all(self.engine)

    # --- handovers ------------------------------------------------------------------------

    def open_handover(self, sender_id: str) -> dict[str, Any] | None:
        """The sender's queued or active handover, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(handovers).where(handovers.c.sender_id == sender_id,
                                           handovers.c.status.in_((QUEUED, ACTIVE)))
                .order_by(handovers.c.id.desc())).mappings().first()
        return dict(row) if row else None

    def enqueue(self, sender_id: str, channel: str, reason: str = "asked") -> dict[str, Any]:
        existing = self.open_handover(sender_id)
        if existing:
            return existing
        now = time.time()
        with self.engine.begin() as conn:
            new_id = conn.execute(handovers.insert().values(
                sender_id=sender_id, channel=channel or "", status=QUEUED, reason=reason,
                created_at=now)).inserted_primary_key[0]
            conn.execute(handover_log.insert().values(
                handover_id=new_id, at=now, actor="citizen", action="queued", detail=reason))
        return self.handover(new_id) or {}

    def handover(self, handover_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(handovers).where(handovers.c.id == handover_id)
                               ).mappings().first()
        return dict(row) if row else None

    def position(self, handover_id: int) -> int:
        """1 for the first waiting conversation; 0 when it is not waiting."""
        item = self.handover(handover_id)
        if not item or item["status"] != QUEUED:
            return 0
        with self.engine.connect() as conn:
            ahead = conn.execute(sa.select(sa.func.count()).select_from(handovers).where(
                handovers.c.status == QUEUED, handovers.c.id < handover_id)).scalar_one()
        return int(ahead) + 1

    def handovers(self, statuses: tuple[str, ...] = (QUEUED, ACTIVE),
                  limit: int = 200) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(handovers).where(handovers.c.status.in_(statuses))
                                .order_by(handovers.c.id.desc() if CLOSED in statuses
                                          else handovers.c.id).limit(limit)).mappings().all()
        return [dict(r) for r in rows]

    def _move(self, handover_id: int, actor: str, action: str, detail: str,
              where_status: str, values: dict[str, Any], where_agent: str | None = None) -> bool:
        query = handovers.update().where(handovers.c.id == handover_id,
                                         handovers.c.status == where_status)
        if where_agent is not None:
            query = query.where(handovers.c.agent == where_agent)
        with self.engine.begin() as conn:
            if conn.execute(query.values(**values)).rowcount != 1:
                return False
            conn.execute(handover_log.insert().values(handover_id=handover_id, at=time.time(),
                                                      actor=actor, action=action, detail=detail))
        return True

    def take(self, handover_id: int, agent: str) -> bool:
        return self._move(handover_id, agent, "take", "", QUEUED,
                          {"status": ACTIVE, "agent": agent, "taken_at": time.time()})

    def transfer(self, handover_id: int, agent: str, to_agent: str) -> bool:
        return self._move(handover_id, agent, "transfer", to_agent, ACTIVE, {"agent": to_agent},
                          where_agent=agent)

    def close(self, handover_id: int, agent: str) -> bool:
        return self._move(handover_id, agent, "close", "", ACTIVE,
                          {"status": CLOSED, "closed_at": time.time()})

    def expire(self, handover_id: int, detail: str) -> bool:
        return self._move(handover_id, "system", "expire", detail, QUEUED,
                          {"status": EXPIRED, "closed_at": time.time()})

    def log(self, handover_id: int, actor: str, action: str, detail: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(handover_log.insert().values(handover_id=handover_id, at=time.time(),
                                                      actor=actor, action=action, detail=detail))

    def handover_log(self, handover_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(handover_log).where(
                handover_log.c.handover_id == handover_id).order_by(handover_log.c.id)
            ).mappings().all()
        return [dict(r) for r in rows]

    def rate_last(self, sender_id: str, rating: int) -> bool:
        """Store the rating on the sender's latest closed, unrated handover."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(handovers.c.id).where(
                handovers.c.sender_id == sender_id, handovers.c.status == CLOSED,
                handovers.c.rating.is_(None)).order_by(handovers.c.id.desc())).first()
            if row is None:
                return False
            conn.execute(handovers.update().where(handovers.c.id == row[0]).values(rating=rating))
            conn.execute(handover_log.insert().values(handover_id=row[0], at=time.time(),
                                                      actor="citizen", action="rate",
                                                      detail=str(rating)))
        return True

    # --- tickets --------------------------------------------------------------------------

    def create_ticket(self, *, sender_id: str, channel: str, category: str, description: str,
                      place: str = "", photo: str = "", contact: str = "") -> dict[str, Any]:
        now = time.time()
        prefix = "PA-" + datetime.fromtimestamp(now, CODE_ZONE).strftime("%y%m") + "-"
        for _ in range(20):  # another process may take the same number: try the next one
            with self.engine.connect() as conn:
                last = conn.execute(sa.select(sa.func.max(tickets.c.code)).where(
                    tickets.c.code.like(prefix + "%"))).scalar_one()
            number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
            code = f"{prefix}{number:04d}"
            try:
                with self.engine.begin() as conn:
                    new_id = conn.execute(tickets.insert().values(
                        code=code, sender_id=sender_id, channel=channel or "", category=category,
                        description=description, place=place, photo=photo, contact=contact,
                        status=NEW, note="", created_at=now, updated_at=now,
                    )).inserted_primary_key[0]
                    conn.execute(ticket_events.insert().values(
                        ticket_id=new_id, at=now, actor="citizen", status=NEW, note=""))
            except IntegrityError:
                continue
            return self.ticket(code) or {}
        raise RuntimeError("could not allocate a ticket code")

    def ticket(self, code: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(tickets).where(tickets.c.code == code)).mappings().first()
        return dict(row) if row else None

    def tickets(self, filters: TicketFilter | None = None,
                limit: int = 500) -> list[dict[str, Any]]:
        filters = filters or TicketFilter()
        query = sa.select(tickets).order_by(tickets.c.id.desc()).limit(limit)
        if filters.status:
            query = query.where(tickets.c.status == filters.status)
        if filters.category:
            query = query.where(tickets.c.category == filters.category)
        if filters.date_from:
            query = query.where(tickets.c.created_at >= _day_start(filters.date_from))
        if filters.date_to:
            query = query.where(tickets.c.created_at < _day_start(filters.date_to) + 86400)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings().all()]

    def tickets_of(self, sender_id: str, limit: int = 3) -> list[dict[str, Any]]:
        """The sender's latest tickets, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(tickets).where(tickets.c.sender_id == sender_id)
                                .order_by(tickets.c.id.desc()).limit(limit)).mappings().all()
        return [dict(r) for r in rows]

    def ticket_history(self, ticket_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(ticket_events).where(
                ticket_events.c.ticket_id == ticket_id).order_by(ticket_events.c.id)
            ).mappings().all()
        return [dict(r) for r in rows]

    def update_ticket(self, code: str, actor: str, status: str | None = None,
                      note: str | None = None, assignee: str | None = None) -> dict[str, Any]:
        """Change status / note / assignee; the move must be allowed from the current status."""
        current = self.ticket(code)
        if current is None:
            raise TransitionError("Không tìm thấy phản ánh.")
        new_status = status or current["status"]
        if new_status != current["status"] and new_status not in TRANSITIONS[current["status"]]:
            raise TransitionError("Không thể chuyển trạng thái này.")
        values: dict[str, Any] = {"status": new_status, "updated_at": time.time()}
        if note is not None:
            values["note"] = note
        if assignee is not None:
            values["assignee"] = assignee or None
        with self.engine.begin() as conn:
            changed = conn.execute(tickets.update().where(
                tickets.c.id == current["id"], tickets.c.status == current["status"]
            ).values(**values)).rowcount
            if changed != 1:
                raise TransitionError("Phản ánh vừa được người khác cập nhật; hãy tải lại trang.")
            conn.execute(ticket_events.insert().values(
                ticket_id=current["id"], at=values["updated_at"], actor=actor, status=new_status,
                assignee=values.get("assignee", current["assignee"]),
                note=note if note is not None else ""))
        return self.ticket(code) or {}


def _day_start(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=CODE_ZONE).timestamp()


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only: it holds citizens' contacts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)
