"""A short timeout and an apology for failed custom actions, patched into Rasa 3.6's RemoteAction.

Rasa waits up to 300 s for the action server (DEFAULT_REQUEST_TIMEOUT), and when the server is
down, answers an error or hangs, `MessageProcessor._run_action` logs the exception and drops the
action's events: the citizen hears nothing on any channel (REST answers `[]`), and a REST call
held past the client's patience is cancelled before the tracker is saved, so the message is lost.

The wrapper below bounds each call to ACTION_TIMEOUT_SECONDS and turns any failure (except
Rasa's own ActionExecutionRejection, which forms rely on) into one BotUttered event carrying the
apology from data/content/system.yml. Rasa then stores it like any reply and sends it through
the message's output channel, so every channel gets it, the user message stays in the tracker,
and the next message is handled normally. See docs/decisions.md.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.events import BotUttered, Event

from bot.content import content

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 20.0
APOLOGY_KEY = "system.action_failed"
_original_run = RemoteAction.run


def action_timeout() -> float:
    """$ACTION_TIMEOUT_SECONDS, or 20 s (a search answers in well under a second)."""
    try:
        return max(0.1, float(os.environ.get("ACTION_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)))
    except ValueError:
        return DEFAULT_TIMEOUT_SECONDS


async def _guarded_run(self: RemoteAction, *args: Any, **kwargs: Any) -> list[Event]:
    try:
        return await asyncio.wait_for(_original_run(self, *args, **kwargs), action_timeout())
    except ActionExecutionRejection:
        raise
    except asyncio.TimeoutError:
        logger.error("Custom action '%s' took longer than %.0f s; the citizen gets an apology",
                     self.name(), action_timeout())
    except Exception:  # server down, 5xx, invalid response: Rasa would answer nothing
        logger.exception("Custom action '%s' failed; the citizen gets an apology", self.name())
    return [BotUttered(content.text(APOLOGY_KEY), metadata={"action_failed": self.name()})]


def install() -> None:
    RemoteAction.run = _guarded_run  # type: ignore[method-assign]
