"""Rasa's SQL tracker store, storing citizens' messages with personal data masked.

Configured in endpoints.yml (`type: bot.privacy.store.MaskingSQLTrackerStore`, same keys as
`type: SQL`). Rasa saves a tracker after the turn's actions ran, so actions still read the raw
message in the turn it was typed (e.g. a phone number for a callback ticket, which the ticket
keeps for the staff handling it); the stored copy, which later turns, the console and exports
read, is masked.

A deployment may store raw text only by saying why: `mask_personal_data: false` needs a
non-empty `raw_storage_reason`, which is logged at start-up (and the store refuses to start
without one). The environment variables PRIVACY_MASKING=off and PRIVACY_RAW_REASON do the same
without editing endpoints.yml.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.masking import mask

logger = logging.getLogger(__name__)


class PrivacyConfigError(ValueError):
    """Masking switched off without a recorded reason."""


def mask_event(data: dict[str, Any]) -> dict[str, Any]:
    """A serialised event with personal data masked in what people typed or were told."""
    if data.get("event") not in ("user", "bot"):
        return data
    data = dict(data)
    if isinstance(data.get("text"), str):
        data["text"] = mask(data["text"])
    parse = data.get("parse_data")
    if isinstance(parse, dict):
        parse = dict(parse)
        if isinstance(parse.get("text"), str):
            parse["text"] = mask(parse["text"])
        parse["entities"] = [
            {**e, "value": mask(e["value"])} if isinstance(e.get("value"), str) else e
            for e in parse.get("entities") or [] if isinstance(e, dict)
        ]
        data["parse_data"] = parse
    return data


def masking_setting(enabled: Any, reason: str | None,
                    environ: dict[str, str] | None = None) -> tuple[bool, str]:
    """(mask?, reason) from endpoints.yml values, overridden by the environment."""
    env = os.environ if environ is None else environ
    if env.get("PRIVACY_MASKING", "").strip().lower() in ("off", "false", "0"):
        enabled, reason = False, env.get("PRIVACY_RAW_REASON", reason or "")
    on = str(enabled).strip().lower() not in ("false", "0", "off", "no")
    reason = (reason or "").strip()
    if not on and not reason:
        raise PrivacyConfigError(
            "Tắt che dữ liệu cá nhân cần ghi lý do (raw_storage_reason / PRIVACY_RAW_REASON). "
            "/ Storing raw messages needs a recorded reason.")
    return on, reason


class MaskingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, mask_personal_data: Any = True,
                 raw_storage_reason: str = "", **kwargs: Any) -> None:
        self.masking, reason = masking_setting(mask_personal_data, raw_storage_reason)
        if not self.masking:
            logger.warning("Personal data is stored UNMASKED in the tracker store. Reason: %s",
                           reason)
        super().__init__(*args, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """As SQLTrackerStore.save, with each new event masked before it is written."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                if self.masking:
                    data = mask_event(data)
                intent = (data.get("parse_data") or {}).get("intent", {}).get("name")
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id, type_name=event.type_name,
                    timestamp=data.get("timestamp"), intent_name=intent,
                    action_name=data.get("name"), data=json.dumps(data)))
            session.commit()
