"""When a staff message can be pushed: REST never, Zalo only inside its reply window."""

from __future__ import annotations

import time

from bot.admin.views.tickets import mask
from bot.backoffice.config import load_schedule
from bot.channels.push import ZALO_FREE_REPLIES, RasaConversations, reachability
from tests.support.servers import ROOT

SHIPPED = ROOT / "settings" / "province.yml"


def tracker(channel: str, user_age: float, bots_after: int = 0) -> dict:
    now = time.time()
    events = [{"event": "user", "text": "alo", "input_channel": channel,
               "timestamp": now - user_age}]
    events += [{"event": "bot", "text": "ok", "timestamp": now}] * bots_after
    return {"events": events}


def test_rest_has_no_push_and_web_telegram_do() -> None:
    reach = reachability(tracker("rest", 5), "rest:me")
    assert not reach.can_push and "REST" in reach.reason
    assert reachability(tracker("web", 5), "abc").can_push
    assert reachability(tracker("telegram", 10 * 86400), "tg:1").can_push
    assert reachability({"events": []}, "tg:42").channel == "telegram"  # from the scoped id


def test_zalo_window_and_free_replies() -> None:
    assert reachability(tracker("zalo", 3600), "zalo:1").can_push
    late = reachability(tracker("zalo", 49 * 3600), "zalo:1")
    assert not late.can_push and "48 giờ" in late.reason
    spent = reachability(tracker("zalo", 60, ZALO_FREE_REPLIES), "zalo:1")
    assert not spent.can_push and "8 tin" in spent.reason
    assert reachability(tracker("zalo", 60, ZALO_FREE_REPLIES - 1), "zalo:1").can_push


def test_contacts_are_masked_for_lists() -> None:
    assert mask("0912345678") == "0912***678"
    assert mask("lan.nguyen@example.com") == "l***@example.com"
    assert mask("") == "" and mask("12345") == "***"


def test_shipped_schedule_has_office_hours_and_fixed_holidays() -> None:
    schedule = load_schedule(SHIPPED)
    assert schedule.periods["mon"] and not schedule.periods["sun"]
    assert "09-02" in schedule.holidays and schedule.queue_timeout_minutes > 0


def test_office_hours_weekends_and_holidays() -> None:
    from datetime import datetime

    schedule = load_schedule(SHIPPED)
    at = lambda text: datetime.fromisoformat(text + "+07:00")  # noqa: E731
    assert schedule.is_open(at("2026-12-07T09:00"))  # Monday morning
    assert not schedule.is_open(at("2026-12-07T12:00"))  # lunch break
    assert not schedule.is_open(at("2026-12-06T09:00"))  # Sunday
    assert not schedule.is_open(at("2027-09-02T09:00"))  # National Day (a Thursday)
    assert schedule.next_opening(at("2026-12-07T12:00")) == at("2026-12-07T13:30")


def test_scoped_ids_reach_rasa_unchanged() -> None:
    # Rasa does not unquote the conversation id: "zalo%3A1" would be another conversation.
    assert RasaConversations._path("zalo:1") == "/conversations/zalo:1"
    assert RasaConversations._path("web:a b/c") == "/conversations/web:a%20b%2Fc"
