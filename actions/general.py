"""General actions: where to go, how to reach a person, and the fallback's "did you mean...?".

Province contacts come from `settings/province.yml` (see actions/province.py); every sentence
around them lives in data/content/offices.yml, general.yml and fallback.yml. While a province
value is still a placeholder the answer says so and gives only the national fallbacks that
always hold: the national portal and the commune's People's Committee / police.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.province import ProvinceConfig, load_province_config
from actions.typed import typed_text
from bot.content import content
from bot.knowledge.question import read_question
from bot.nlu.normalization import normalize

# Intents that make no sense as "did you mean ...?" suggestions.
NOT_SUGGESTED = {"nlu_fallback", "affirm", "deny", "out_of_scope", "rate_answer", "rate_help"}
MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.05

OFFICE_FIELDS = ("address", "opening_hours", "hotline", "website")
STAFF_FIELDS = ("hotline", "zalo", "email", "hours")


def _configured_lines(config: ProvinceConfig, section: str, fields: tuple[str, ...],
                      line_key: str, label_prefix: str) -> list[str]:
    return [
        content.text(line_key, label=content.text(label_prefix + key),
                     value=config.get(section, key))
        for key in fields
        if config.get(section, key)
    ]


def office_text(config: ProvinceConfig) -> str:
    """Where to go: the two-tier rule, then the province's centre if configured."""
    lines = [content.text("offices.two_tiers"), ""]
    centre = _configured_lines(config, "one_stop_centre", OFFICE_FIELDS, "offices.field_line",
                               "offices.field_")
    if centre:
        name = config.get("one_stop_centre", "name") or content.text("offices.centre_default_name")
        where = f" {config.name}" if config.name and config.name not in name else ""
        lines.append(content.text("offices.centre_heading", name=name, where=where))
        lines.extend(centre)
        missing = [content.text(f"offices.field_{key}").lower() for key in OFFICE_FIELDS
                   if not config.get("one_stop_centre", key)]
        if missing:
            lines.append(content.text("offices.centre_missing", fields=", ".join(missing)))
    else:
        lines.append(content.text("offices.centre_unconfigured"))
    return "\n".join(lines)


def staff_text(config: ProvinceConfig) -> str:
    """How to reach a person: configured channels, else the national fallbacks."""
    lines = [content.text("general.staff_intro")]
    staff = _configured_lines(config, "staff_contact", STAFF_FIELDS, "general.staff_field_line",
                              "general.staff_field_")
    if staff:
        lines.append(content.text("general.staff_configured"))
        lines.extend(staff)
    else:
        lines.append(content.text("general.staff_unconfigured"))
    lines.append(content.text("general.staff_national"))
    team = config.get("community_digital_teams", "contact")
    if team:
        lines.append(content.text("general.staff_digital_team", contact=team))
    return "\n".join(lines)


_SUBMIT_RE = re.compile(r"\bnop\b")


def asks_where_to_submit(text: str) -> bool:
    """The message asks where to submit an application ("nộp ở đâu", "nộp ở phường đang ở được
    không"), not where an office is."""
    return "where" in read_question(text).facets and bool(_SUBMIT_RE.search(normalize(text)))


class ActionFindOffice(Action):
    def name(self) -> str:
        return "action_find_office"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # "nộp ở phường đang ở được không" after a procedure: where to submit THAT one
        if tracker.get_slot("current_procedure") and asks_where_to_submit(typed_text(tracker)):
            return [FollowupAction("action_answer_procedure")]
        dispatcher.utter_message(text=office_text(load_province_config()),
                                 buttons=content.buttons("offices.two_tiers"))
        dispatcher.utter_message(**content.message("feedback.ask"))
        return []


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=staff_text(load_province_config()))
        return []


def intent_label(intent: str) -> str | None:
    """The suggestion button's title for ``intent``, or None when it has no label."""
    key = f"fallback.suggest_{intent}"
    return content.text(key) if content.has(key) else None


def suggestion_buttons(message: dict[str, Any]) -> list[dict[str, str]]:
    """Buttons for the top intent guesses of ``message``, keeping its entities in the payload."""
    entities = {
        e["entity"]: e["value"]
        for e in message.get("entities") or []
        if e.get("entity") and e.get("value") is not None
    }
    suffix = json.dumps(entities, ensure_ascii=False) if entities else ""
    buttons = []
    for guess in message.get("intent_ranking") or []:
        name = str(guess.get("name") or "")
        label = None if name in NOT_SUGGESTED else intent_label(name)
        if not label or (guess.get("confidence") or 0.0) < MIN_SUGGESTION_CONFIDENCE:
            continue
        buttons.append({"title": label, "payload": f"/{name}{suffix}"})
        if len(buttons) == MAX_SUGGESTIONS:
            break
    # The two-stage fallback reads out_of_scope as "none of these": it then asks to rephrase.
    buttons.extend(content.buttons("fallback.none_of_these"))
    return buttons


class ActionDefaultAskAffirmation(Action):
    """First stage of the two-stage fallback: offer the best guesses as buttons."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        buttons = suggestion_buttons(tracker.latest_message)
        guesses = len(buttons) > len(content.buttons("fallback.none_of_these"))
        key = "fallback.ask_affirmation" if guesses else "fallback.not_understood"
        dispatcher.utter_message(text=content.text(key), buttons=buttons)
        return []


class ActionRateAnswer(Action):
    """Thanks the citizen for a 👍/👎; analytics reads the rating from the tracker store."""

    def name(self) -> str:
        return "action_rate_answer"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        useful = next(tracker.get_latest_entity_values("useful"), None)
        key = "feedback.thanks_no" if str(useful).lower() == "no" else "feedback.thanks_yes"
        dispatcher.utter_message(**content.message(key))
        return []
