"""Where an application stands: repeat the receipt code the citizen gave and say where to look
it up (the portal's search by code). The texts are in data/content/status.yml."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.typed import typed_text
from bot.content import content

# The same shapes as the receipt_code regex in data/nlu/reports.yml, read from the text as well
# in case the classifier's entity extractor missed it (lower-case, spaces around dashes).
RECEIPT_RE = re.compile(
    r"\b(\d{3}\.\d{2}\.\d{2}\.[A-Za-z]\d{2}-\d{6}-\d{4}|[A-Za-z]\d{2}\.\d{2,3}-\d{6}-\d{4})\b"
)


def receipt_code(tracker: Tracker) -> str | None:
    for value in tracker.get_latest_entity_values("receipt_code"):
        return str(value).upper()
    match = RECEIPT_RE.search(typed_text(tracker))
    return match.group(1).upper() if match else None


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        code = receipt_code(tracker)
        if code:
            dispatcher.utter_message(text=content.text("status.with_code", code=code))
        else:
            dispatcher.utter_message(text=content.text("status.without_code"))
        return []
