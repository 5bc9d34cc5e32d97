"""Office hours, holidays and queue limits (settings/province.yml, section `back_office`) and the
ticket categories (settings/ticket_categories.yml). Both are asked for on every call and parsed
again when the file changes (bot.vocabulary.load_yaml), so an administrator's edit applies without
a restart.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from actions.province import config_path
from bot.vocabulary import load_yaml

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES_ENV = "TICKET_CATEGORIES"
DEFAULT_CATEGORIES = ROOT / "settings" / "ticket_categories.yml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


@dataclass(frozen=True)
class Schedule:
    timezone: str = "Asia/Ho_Chi_Minh"
    periods: dict[str, list[tuple[time, time]]] = field(default_factory=dict)
    holidays: tuple[str, ...] = ()
    queue_timeout_minutes: float = 10.0
    minutes_per_conversation: float = 5.0

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_holiday(self, moment: datetime) -> bool:
        day = moment.astimezone(self.zone).date()
        return day.isoformat() in self.holidays or day.strftime("%m-%d") in self.holidays

    def is_open(self, moment: datetime | None = None) -> bool:
        local = (moment or datetime.now(self.zone)).astimezone(self.zone)
        if self.is_holiday(local):
            return False
        now = local.time()
        return any(start <= now < end for start, end in self.periods.get(WEEKDAYS[local.weekday()],
                                                                         []))

    def describe(self) -> str:
        """The weekly hours as one line per day with hours, for citizens."""
        lines = []
        for key, label in zip(WEEKDAYS, WEEKDAY_LABELS, strict=True):
            periods = self.periods.get(key) or []
            if periods:
                hours = ", ".join(f"{a.strftime('%H:%M')}–{b.strftime('%H:%M')}"
                                  for a, b in periods)
                lines.append(f"• {label}: {hours}")
        return "\n".join(lines)

    def next_opening(self, moment: datetime | None = None) -> datetime | None:
        local = (moment or datetime.now(self.zone)).astimezone(self.zone)
        for offset in range(0, 15):
            day = (local + timedelta(days=offset)).date()
            if self.is_holiday(datetime.combine(day, time(12), self.zone)):
                continue
            for start, _ in self.periods.get(WEEKDAYS[day.weekday()], []):
                candidate = datetime.combine(day, start, self.zone)
                if candidate > local:
                    return candidate
        return None


def _period(text: str) -> tuple[time, time] | None:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in str(text).split("-", 1))
    except ValueError:
        logger.error("Office hours: '%s' is not HH:MM-HH:MM, ignored", text)
        return None
    return (start, end) if start < end else None


def load_schedule(path: Path | None = None) -> Schedule:
    """The back-office schedule; a missing or broken section means always closed (no hours)."""
    raw = load_yaml(path or config_path(), what="Back-office settings")
    section: Any = raw.get("back_office")
    if not isinstance(section, dict):
        return Schedule()
    hours = section.get("office_hours") or {}
    periods = {
        day: [p for p in (_period(t) for t in (hours.get(day) or [])) if p]
        for day in WEEKDAYS if isinstance(hours, dict)
    }
    try:
        ZoneInfo(str(section.get("timezone") or "Asia/Ho_Chi_Minh"))
        zone = str(section.get("timezone") or "Asia/Ho_Chi_Minh")
    except (KeyError, ValueError):
        zone = "Asia/Ho_Chi_Minh"
    return Schedule(
        timezone=zone,
        periods=periods,
        holidays=tuple(str(d) for d in section.get("holidays") or []),
        queue_timeout_minutes=float(section.get("queue_timeout_minutes") or 10),
        minutes_per_conversation=float(section.get("minutes_per_conversation") or 5),
    )


@dataclass(frozen=True)
class Category:
    key: str
    title: str
    callback: bool = False


def categories_path() -> Path:
    return Path(os.environ.get(CATEGORIES_ENV) or DEFAULT_CATEGORIES)


def load_categories(path: Path | None = None) -> list[Category]:
    raw = load_yaml(path or categories_path(), what="Ticket categories")
    out = []
    for item in raw.get("categories") or []:
        if isinstance(item, dict) and item.get("key") and item.get("title"):
            out.append(Category(str(item["key"]), str(item["title"]), bool(item.get("callback"))))
    return out


def save_categories(categories: list[Category], path: Path | None = None) -> None:
    """Rewrite the list (the console's editor); keeps the explanatory header comment."""
    target = path or categories_path()
    header = "".join(line for line in _lines(target) if line.startswith("#"))
    body = yaml.safe_dump(
        {"categories": [{"key": c.key, "title": c.title, **({"callback": True} if c.callback
                                                              else {})} for c in categories]},
        allow_unicode=True, sort_keys=False,
    )
    target.write_text(header + body, encoding="utf-8")


def _lines(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    except OSError:
        return []
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    return header
