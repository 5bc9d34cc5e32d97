"""The staff assistant on Telegram, for staff whose Telegram user id an admin linked to their
console account.

It is a separate bot (its own token, ``STAFF_TELEGRAM_TOKEN``) whose webhook is served by the
admin console, never by Rasa: the citizens' Telegram bot cannot reach internal documents, and an
unlinked Telegram user only learns their id (to give to an admin), nothing else.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import httpx

from bot.content import content
from bot.staff.assistant import Answer

logger = logging.getLogger(__name__)
_LIMIT = 4000  # Telegram refuses messages over 4,096 characters


@dataclass(frozen=True)
class StaffTelegram:
    token: str
    secret: str
    api: str  # "https://api.telegram.org/bot"; a fake server in tests
    console_url: str  # public address of the console, for "open at this place" links

    @classmethod
    def from_env(cls) -> StaffTelegram:
        return cls(os.environ.get("STAFF_TELEGRAM_TOKEN", ""),
                   os.environ.get("STAFF_TELEGRAM_SECRET", ""),
                   os.environ.get("STAFF_TELEGRAM_API", "https://api.telegram.org/bot"),
                   os.environ.get("ADMIN_PUBLIC_URL", "").rstrip("/"))

    @property
    def enabled(self) -> bool:
        # A webhook without a secret would let anyone post as any linked user.
        return bool(self.token and self.secret)

    def send(self, chat_id: int, text: str) -> bool:
        try:
            response = httpx.post(f"{self.api}{self.token}/sendMessage", timeout=15,
                                  json={"chat_id": chat_id, "text": text[:_LIMIT],
                                        "disable_web_page_preview": True})
            return response.status_code == 200
        except httpx.HTTPError:
            logger.exception("Staff Telegram: sendMessage failed")
            return False


def render(answer: Answer, console_url: str) -> str:
    """An answer as plain text: the same sources and citations as the console page."""
    parts = [answer.text]
    for hit in answer.hits:
        link = (f"{console_url}/staff/documents/{hit.document.id}#p-{hit.passage.ordinal}"
                if console_url else "")
        parts.append(content.text("staff.telegram_quote", text=hit.passage.text,
                                  title=hit.document.title, number=hit.document.number or "—",
                                  ref=hit.passage.ref, link=link).strip())
    if answer.detail:
        detail, procedure = answer.detail, answer.detail.procedure
        parts.append(content.text(
            "staff.telegram_procedure", agency=procedure.executing_agency or "—",
            levels=", ".join(procedure.levels) or "—",
            legal=", ".join(detail.legal_numbers) or "—", url=procedure.portal_url or "—",
            variants="; ".join(f"{v.code} ({v.issuing_agency})" for v in detail.variants) or "—",
            day=detail.last_import.day if detail.last_import else "—"))
    if answer.diff:
        parts.append("\n".join(f"+ {c.code} {c.name}" for c in answer.diff.added[:10]))
        parts.append("\n".join(f"- {c.code} {c.name}" for c in answer.diff.removed[:10]))
    return "\n\n".join(part for part in parts if part)
