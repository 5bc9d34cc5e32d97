"""Retention: delete conversations older than N days (default 180); erase one sender on request.

Both work on Rasa's `events` table through SQLAlchemy (SQLite or PostgreSQL), then make the
console's analytics summary forget the same rows, and record the counts in the audit log.
A long-running conversation loses only its events older than the limit; a conversation whose
every event is older disappears (and is counted as one conversation purged).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.admin.analytics import Analytics
from bot.admin.storage import AdminDB
from bot.admin.tracker_source import TrackerSource

logger = logging.getLogger(__name__)
DAY_SECONDS = 24 * 3600


@dataclass
class PurgeResult:
    cutoff: datetime
    conversations: int
    events: int


def purge(source: TrackerSource, days: int, now: datetime | None = None,
          dry_run: bool = False) -> PurgeResult:
    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = (now or datetime.now()) - timedelta(days=days)
    if not source.available():
        return PurgeResult(cutoff, 0, 0)
    limit = {"cutoff": cutoff.timestamp()}
    with source.connect() as conn:
        conversations = conn.execute(sa.text(
            "SELECT COUNT(*) FROM (SELECT sender_id FROM events GROUP BY sender_id "
            "HAVING MAX(timestamp) < :cutoff) AS old"), limit).scalar_one()
        if dry_run:
            events = conn.execute(sa.text(
                "SELECT COUNT(*) FROM events WHERE timestamp < :cutoff"), limit).scalar_one()
        else:
            events = conn.execute(sa.text("DELETE FROM events WHERE timestamp < :cutoff"),
                                  limit).rowcount
    return PurgeResult(cutoff, int(conversations), int(events))


def erase(source: TrackerSource, sender_id: str) -> int:
    """Delete every event of one conversation; returns how many."""
    if not source.available():
        return 0
    with source.connect() as conn:
        return int(conn.execute(sa.text("DELETE FROM events WHERE sender_id = :sender"),
                                {"sender": sender_id}).rowcount)


def purge_and_record(source: TrackerSource, analytics: Analytics, db: AdminDB, days: int,
                     username: str = "system", now: datetime | None = None) -> PurgeResult:
    result = purge(source, days, now)
    analytics.forget(before_day=result.cutoff.date().isoformat())
    db.audit(username, "privacy.purge", f"older than {days} days", None,
             {"cutoff": result.cutoff.isoformat(timespec="seconds"),
              "conversations": result.conversations, "events": result.events})
    logger.info("Purged %s conversations (%s events) older than %s days", result.conversations,
                result.events, days)
    return result


def erase_and_record(source: TrackerSource, analytics: Analytics, db: AdminDB, sender_id: str,
                     username: str) -> int:
    events = erase(source, sender_id)
    analytics.forget(sender_ids=[sender_id])
    db.audit(username, "privacy.erase", sender_id, None, {"events": events})
    return events


async def run_daily(source: TrackerSource, analytics: Analytics, db: AdminDB,
                    days: int) -> None:
    """The scheduled job the console runs: purge now, then once a day."""
    while True:
        try:
            await asyncio.to_thread(purge_and_record, source, analytics, db, days)
        except Exception:  # a failed purge must not stop the console: log, retry tomorrow
            logger.exception("Retention purge failed; retrying in a day")
        await asyncio.sleep(DAY_SECONDS)
