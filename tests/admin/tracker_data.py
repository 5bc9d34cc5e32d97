"""A small known tracker database, written through Rasa's own SQL tracker store."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

DAY1 = datetime(2026, 3, 1, 9, 0)
DAY2 = DAY1 + timedelta(days=1)
DAY3 = DAY1 + timedelta(days=2)
CCCD = "001203004567"
PHONE = "0912345678"
RECEIPT = "000.00.31.H12-251103-0042"


def user(text: str, intent: str, confidence: float, channel: str, at: datetime,
         entities: list[dict] | None = None) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": confidence}, entities or [],
                       timestamp=at.timestamp(), input_channel=channel)


def action(name: str, at: datetime) -> ActionExecuted:
    return ActionExecuted(name, timestamp=at.timestamp() + 0.1)


def conversations() -> dict[str, list]:
    """Per sender, its events. See tests/admin/test_analytics.py for the expected figures."""
    useful = {"yes": [{"entity": "useful", "value": "yes"}], "no": [{"entity": "useful",
                                                                     "value": "no"}]}
    t = timedelta(minutes=1)
    return {
        "zalo:1": [
            user("xin chào", "greet", 0.98, "zalo", DAY1), action("utter_greet", DAY1),
            BotUttered("Xin chào!", timestamp=DAY1.timestamp() + 0.2),
            user(f"tôi quên mật khẩu, sđt {PHONE}", "eid_troubleshoot", 0.9, "zalo", DAY1 + t),
            action("action_eid_troubleshoot", DAY1 + t),
            user('/rate_answer{"useful":"yes"}', "rate_answer", 1.0, "zalo", DAY1 + 2 * t,
                 useful["yes"]),
            action("action_rate_answer", DAY1 + 2 * t),
        ],
        "tg:2": [
            user("lệ phí khai sinh", "ask_fee", 0.8, "telegram", DAY1),
            action("action_answer_procedure", DAY1),
            SlotSet("current_procedure", "1.001193", timestamp=DAY1.timestamp() + 0.2),
            user(f"con mèo CCCD {CCCD}", "nlu_fallback", 0.3, "telegram", DAY1 + t),
            action("action_default_ask_affirmation", DAY1 + t),
        ],
        "tg:3": [
            user(f"Con mèo  CCCD {CCCD} ", "nlu_fallback", 0.2, "telegram", DAY2),
            user("thời tiết hôm nay", "out_of_scope", 0.9, "telegram", DAY2 + t),
            action("utter_default", DAY2 + t),
            user("gặp nhân viên", "request_human", 0.95, "telegram", DAY2 + 2 * t),
            action("action_handover_request", DAY2 + 2 * t),
            user('/rate_help{"rating":"4"}', "rate_help", 1.0, "telegram", DAY2 + 2 * t,
                 [{"entity": "rating", "value": "4"}]),
            action("action_save_rating", DAY2 + 2 * t),
            user("đường hỏng trước nhà", "submit_feedback", 0.9, "telegram", DAY2 + 2 * t),
            action("action_submit_ticket", DAY2 + 2 * t),
            user(f"hồ sơ {RECEIPT} vneid lỗi", "eid_troubleshoot", 0.9, "telegram", DAY2 + 3 * t),
            action("action_eid_troubleshoot", DAY2 + 3 * t),
            user("👎", "rate_answer", 0.9, "telegram", DAY2 + 4 * t, useful["no"]),
            action("action_rate_answer", DAY2 + 4 * t),
        ],
        "web:4": [
            user("khai sinh cần giấy gì", "ask_documents", 0.6, "socketio", DAY2),
            action("action_answer_procedure", DAY2),
            SlotSet("current_procedure", "1.001193", timestamp=DAY2.timestamp() + 0.2),
            user("cảm ơn", "thank", 0.99, "socketio", DAY3),
        ],
    }


def write(store: SQLTrackerStore, data: dict[str, list] | None = None) -> None:
    for sender, events in (data or conversations()).items():
        tracker = DialogueStateTracker(sender, [])
        for event in events:
            tracker.update(event)
        asyncio.run(store.save(tracker))
