"""`python -m bot privacy purge [--days N] [--dry-run]` and `python -m bot privacy erase SENDER`.

For cron or a systemd timer when the console (which purges daily itself) is not running.
Counts go to the console's audit log as user "system".
"""

from __future__ import annotations

import argparse

from bot.knowledge.commands import CliError


def add_privacy_commands(parser: argparse.ArgumentParser) -> None:
    """Register the `privacy` group of `python -m bot` (see bot/cli.py)."""
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    purge = commands.add_parser("purge", help="delete conversations older than the retention")
    purge.add_argument("--days", type=int, default=None,
                       help="retention in days (default: PRIVACY_RETENTION_DAYS or 180)")
    purge.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
    purge.set_defaults(func=run_purge)
    erase = commands.add_parser("erase", help="delete one sender's conversation")
    erase.add_argument("sender_id")
    erase.set_defaults(func=run_erase)


def _services() -> tuple:
    # Imported here so that other command groups start without SQLAlchemy and the console.
    from bot.admin.analytics import Analytics
    from bot.admin.settings import AdminSettings
    from bot.admin.storage import AdminDB
    from bot.admin.tracker_source import TrackerSource

    settings = AdminSettings.from_env()
    source = TrackerSource(settings.tracker_db_url)
    return settings, source, Analytics(source, settings.analytics_db), AdminDB(settings.admin_db)


def run_purge(args: argparse.Namespace) -> int:
    from bot.privacy.retention import purge, purge_and_record

    settings, source, analytics, db = _services()
    days = args.days if args.days is not None else settings.retention_days
    if days < 1:
        raise CliError("Số ngày lưu phải từ 1 trở lên.", "--days must be at least 1.")
    if args.dry_run:
        result = purge(source, days, dry_run=True)
        verb_vi, verb_en = "Sẽ xoá", "Would delete"
    else:
        result = purge_and_record(source, analytics, db, days)
        verb_vi, verb_en = "Đã xoá", "Deleted"
    print(f"{verb_vi} {result.conversations} cuộc hội thoại ({result.events} sự kiện) trước "
          f"{result.cutoff:%Y-%m-%d}. / {verb_en} {result.conversations} conversations "
          f"({result.events} events) older than {days} days.")
    return 0


def run_erase(args: argparse.Namespace) -> int:
    from bot.privacy.retention import erase_and_record

    _settings, source, analytics, db = _services()
    events = erase_and_record(source, analytics, db, args.sender_id, "system")
    print(f"Đã xoá {events} sự kiện của {args.sender_id}. / Deleted {events} events.")
    return 0
