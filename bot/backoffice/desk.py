"""What staff do in the console, tied together: take, reply, transfer, close a handover; time
out waiting ones; change a ticket and tell its citizen. Used by the console's pages and by its
background sweeper (bot/admin/views/handover.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions.province import config_path
from bot.backoffice.config import (
    Category,
    Schedule,
    categories_path,
    load_categories,
    load_schedule,
)
from bot.backoffice.store import ACTIVE, QUEUED, Store, TransitionError
from bot.channels.push import PushError, RasaConversations, reachability
from bot.content import content

logger = logging.getLogger(__name__)
REPLY_LIMIT = 2000


@dataclass
class Outcome:
    ok: bool
    message: str


class Desk:
    def __init__(self, store: Store, rasa: RasaConversations, schedule_file: Path | None = None,
                 categories_file: Path | None = None) -> None:
        self.store = store
        self.rasa = rasa
        # Fixed when the console starts (from $PROVINCE_CONFIG / $TICKET_CATEGORIES or the
        # defaults); the files themselves are re-read on every use.
        self.schedule_file = schedule_file or config_path()
        self.categories_file = categories_file or categories_path()

    def schedule(self) -> Schedule:
        return load_schedule(self.schedule_file)

    def categories(self) -> list[Category]:
        return load_categories(self.categories_file)

    def _push(self, sender_id: str, text: str, staff: str) -> Outcome:
        try:
            tracker = self.rasa.tracker(sender_id)
            reach = reachability(tracker, sender_id)
            if not reach.can_push:
                self.rasa.append(sender_id, [{"event": "bot", "text": text,
                                              "metadata": {"staff": staff, "undelivered": True}}])
                return Outcome(False, reach.reason)
            self.rasa.send(sender_id, text, staff)
        except PushError as error:
            return Outcome(False, str(error))
        return Outcome(True, "")

    def take(self, handover_id: int, agent: str) -> Outcome:
        if not self.store.take(handover_id, agent):
            return Outcome(False, "Cuộc trò chuyện đã có người nhận hoặc đã kết thúc.")
        item = self.store.handover(handover_id) or {}
        sent = self._push(item["sender_id"], content.text("backoffice.staff_joined", agent=agent),
                          agent)
        return Outcome(True, "Đã nhận cuộc trò chuyện." + (
            "" if sent.ok else f" Chưa báo được người dân: {sent.message}"))

    def reply(self, handover_id: int, agent: str, text: str) -> Outcome:
        text = text.strip()
        if not text:
            return Outcome(False, "Tin nhắn trống.")
        if len(text) > REPLY_LIMIT:
            return Outcome(False, f"Tin nhắn dài quá {REPLY_LIMIT} ký tự.")
        item = self.store.handover(handover_id)
        if not item or item["status"] != ACTIVE or item["agent"] != agent:
            return Outcome(False, "Bạn không phụ trách cuộc trò chuyện này (hãy nhận nó trước).")
        sent = self._push(item["sender_id"], text, agent)
        self.store.log(handover_id, agent, "reply" if sent.ok else "reply_undelivered",
                       text[:200])
        return Outcome(sent.ok, "Đã gửi." if sent.ok else f"Chưa gửi được: {sent.message}")

    def transfer(self, handover_id: int, agent: str, to_agent: str) -> Outcome:
        if to_agent == agent or not self.store.transfer(handover_id, agent, to_agent):
            return Outcome(False, "Không chuyển được (bạn phải đang phụ trách cuộc trò chuyện).")
        return Outcome(True, f"Đã chuyển cho {to_agent}.")

    def close(self, handover_id: int, agent: str) -> Outcome:
        item = self.store.handover(handover_id)
        if not item or item["status"] != ACTIVE or item["agent"] != agent:
            return Outcome(False, "Bạn không phụ trách cuộc trò chuyện này.")
        self.store.close(handover_id, agent)
        return self._hand_back(item["sender_id"], "action_ask_rating",
                               "Đã kết thúc; trợ lý tự động hỏi người dân đánh giá.")

    def _hand_back(self, sender_id: str, action: str, done: str) -> Outcome:
        """Resume the paused conversation, then let the bot speak again (rating / callback)."""
        try:
            self.rasa.resume(sender_id)
            self.rasa.execute(sender_id, action)
        except PushError as error:
            logger.error("Handing %s back to the bot failed: %s", sender_id, error)
            return Outcome(False, f"Chưa trả được cuộc trò chuyện cho trợ lý: {error}")
        return Outcome(True, done)

    def expire_waiting(self, now: float | None = None) -> list[int]:
        """Queued chats past the timeout, or waiting when the office closes: offer a callback."""
        schedule = self.schedule()
        now = now or time.time()
        limit = schedule.queue_timeout_minutes * 60
        expired = []
        open_now = schedule.is_open()
        for item in self.store.handovers((QUEUED,)):
            if open_now and now - item["created_at"] < limit:
                continue
            detail = "timeout" if open_now else "closed"
            if self.store.expire(item["id"], detail):
                self._hand_back(item["sender_id"], "action_handover_timeout", "")
                expired.append(item["id"])
        return expired

    async def sweep_forever(self, every: float) -> None:
        while True:
            try:
                await asyncio.to_thread(self.expire_waiting)
            except Exception:  # a database or network hiccup must not stop the sweeper
                logger.exception("Back-office sweep failed")
            await asyncio.sleep(every)

    def update_ticket(self, code: str, actor: str, status: str, note: str,
                      assignee: str) -> tuple[dict[str, Any], Outcome]:
        """Change a ticket; when its status moved, tell the citizen on their channel."""
        before = self.store.ticket(code)
        if before is None:
            raise TransitionError("Không tìm thấy phản ánh.")
        after = self.store.update_ticket(code, actor, status=status or None, note=note,
                                         assignee=assignee)
        if after["status"] == before["status"]:
            return after, Outcome(True, "Đã lưu.")
        note_text = content.text("backoffice.status_note", note=note) if note else ""
        text = content.text("backoffice.status_changed", code=code, note=note_text,
                            status=content.text(f"backoffice.status_{after['status']}"))
        sent = self._push(after["sender_id"], text, actor)
        return after, Outcome(True, "Đã lưu và báo người dân." if sent.ok
                              else f"Đã lưu; chưa báo được người dân: {sent.message}")
