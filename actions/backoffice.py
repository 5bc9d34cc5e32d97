"""Back-office actions: handover to staff, the callback contact, tickets and their status.

The handover pauses the conversation (Rasa's ConversationPaused event): Rasa then stores the
citizen's messages without predicting anything, so the bot is silent while staff answer from the
console (bot/admin/views/handover.py), which resumes it on close. Why pausing rather than a slot:
docs/decisions.md. Texts are in data/content/backoffice.yml.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import (
    ActiveLoop,
    ConversationPaused,
    EventType,
    FollowupAction,
    SlotSet,
    UserUtteranceReverted,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.typed import typed_text
from bot.backoffice.config import Category, load_categories, load_schedule
from bot.backoffice.store import Store, normalise_code
from bot.content import content
from bot.vocabulary import load_yaml

# A message is taken as a question instead of the form's answer only when the NLU is at least
# this sure of an intent the slot's mapping lists under `not_intent` (domain.yml); below it the
# message stays the answer: a citizen in a form is most likely answering it.
QUESTION_CONFIDENCE = 0.6
# "hủy", "thôi không phản ánh nữa": the intent that cancels a form at any step.
STOP_INTENT = "stop"
REPORT_INTENT = "submit_feedback"

# Below the channels' 2,000-character input cap, so that overlong text is noticed.
DESCRIPTION_LIMIT = 1500
PLACE_LIMIT = 300
MIN_DESCRIPTION = 10
NOT_GIVEN = "-"
TICKET_SLOTS = ("ticket_category", "ticket_description", "ticket_place", "ticket_photo",
                "ticket_contact", "ticket_confirm", "ticket_cancelled")
FORM_SLOTS = {"ticket_form": TICKET_SLOTS, "contact_form": ("ticket_contact",)}
# Compared without diacritics and case ("Bỏ qua" == "bo qua").
SKIP_WORDS = {"bo qua", "khong", "khong co", "khong can", "skip", "k", "ko", "kg"}
CANCEL_WORDS = {"huy", "thoi", "dung lai", "huy bo", "cancel", "/stop"}
YES_WORDS = {"dong y", "gui", "co", "ok", "xac nhan", "yes", "dung", "gui di", "co gui"}
PHONE = re.compile(r"^(?:\+?84|0)\d{9,10}$")
EMAIL = re.compile(r"^[^@\s<>]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
TAG = re.compile(r"<[^>]{0,500}>")
URL = re.compile(r"^https?://[^\s<>\"']{4,1000}$")


@lru_cache(maxsize=1)
def store() -> Store:
    return Store()


def plain(text: str) -> str:
    """Lower case, no diacritics, single spaces: for matching short answers."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.lower().strip(" .!?").split())


def clean_text(text: str) -> str:
    """Text as staff should read it: HTML tags removed, whitespace collapsed."""
    return " ".join(TAG.sub(" ", text or "").split())


def valid_contact(text: str) -> str | None:
    value = (text or "").strip()
    digits = re.sub(r"[\s.\-()]", "", value)
    if PHONE.match(digits):
        return digits
    if EMAIL.match(value):
        return value
    return None


def contact_shaped(text: str) -> bool:
    return plain(text) in SKIP_WORDS or valid_contact(text) is not None


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or ""


def latest_intent(tracker: Tracker) -> tuple[str, float]:
    intent = tracker.latest_message.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def active_form(tracker: Tracker) -> str | None:
    return (tracker.active_loop or {}).get("name")


def not_answers(domain: DomainDict, slot: str, form: str | None) -> set[str]:
    """The intents the slot's mapping for `form` declares are no answer (`not_intent`)."""
    for mapping in (domain.get("slots", {}).get(slot) or {}).get("mappings") or []:
        forms = {c.get("active_loop") for c in mapping.get("conditions") or []}
        if form in forms:
            found = mapping.get("not_intent") or []
            return {found} if isinstance(found, str) else set(found)
    return set()


def asks_something_else(tracker: Tracker, domain: DomainDict, slot: str) -> bool:
    """The NLU is sure the message is one of the intents that are no answer to `slot`."""
    name, confidence = latest_intent(tracker)
    return (name in not_answers(domain, slot, active_form(tracker))
            and confidence >= QUESTION_CONFIDENCE)


def wants_to_stop(value: Any, tracker: Tracker) -> bool:
    """ "hủy", "huy", "thôi", or any message the NLU reads as stop ("thôi không gửi nữa")."""
    name, confidence = latest_intent(tracker)
    return (plain(str(value or "")) in CANCEL_WORDS
            or (name == STOP_INTENT and confidence >= QUESTION_CONFIDENCE
                and str(value or "") == typed_text(tracker)))


def answer_to(slot: str, tracker: Tracker, domain: DomainDict,
              shaped: Callable[[str], bool]) -> dict[str, Any]:
    """Custom extraction behind the slot's `from_text` mapping.

    The mapping leaves out messages whose intent is listed under `not_intent`. Such a message is
    still the answer when it has the answer's shape (a phone number at the contact step, a
    link at the photo step, "hủy") or when the NLU is not sure of that intent; otherwise
    nothing is extracted, the form rejects the message and the rules answer it.
    """
    if tracker.get_slot("requested_slot") != slot or tracker.get_slot(slot) is not None:
        return {}
    text = typed_text(tracker)
    if not text.strip() or text.startswith("/"):
        return {}
    if wants_to_stop(text, tracker) or shaped(text) or not asks_something_else(
            tracker, domain, slot):
        return {slot: text}
    return {}


# --- reading a report's first message (data/content/backoffice.yml, section `report`) -----

def report_reading() -> dict[str, Any]:
    """The `report` section of the back-office content file (re-read when it changes)."""
    data = load_yaml(Path(content._dir()) / "backoffice.yml", what="Content file")
    return data.get("report") or {}


def has_marks(text: str) -> bool:
    return plain(text) != " ".join(text.lower().replace("đ", "d").strip(" .!?").split())


def is_report_text(text: str) -> bool:
    """A report that says what happened (long enough, not a question about how to report)."""
    reading = report_reading()
    words = clean_text(text).split()
    if len(words) < int(reading.get("description_min_words") or 7):
        return False
    if text.rstrip().endswith("?"):
        return False
    folded = f" {plain(text)}"
    return not any(folded.endswith(f" {plain(end)}")
                   for end in reading.get("question_endings") or [] if plain(end))


_WORD = re.compile(r"[\w/.-]+|[,;:!?()]")


def place_in(text: str) -> str | None:
    """The place a message names: a place word followed by a number or a name ("thôn 3 xã Tân
    Lập", "ngõ 12 phố Huế"), up to where the name ends. Typed without capitals or marks, a
    number must follow the place word and the place runs to the end of the clause."""
    text = clean_text(text)
    tokens = _WORD.findall(text)
    marked = has_marks(text)
    capitals = any(c.isupper() for c in text)
    units = {(w.lower() if marked else plain(w)) for w in report_reading().get("place_words") or []}
    lengths = sorted({len(u.split()) for u in units}, reverse=True)

    def unit_at(i: int) -> int:
        for n in lengths:
            chunk = " ".join(tokens[i:i + n])
            if i + n <= len(tokens) and (chunk.lower() if marked else plain(chunk)) in units:
                return n
        return 0

    def named(token: str) -> bool:
        return token[:1].isdigit() or (capitals and token[:1].isupper())

    for i in range(len(tokens)):
        n = unit_at(i)
        if not n or i + n >= len(tokens) or not named(tokens[i + n]):
            continue
        end = i + n
        if not capitals:  # no names to read: the clause
            while end < len(tokens) and tokens[end] not in {",", ";", ":", "!", "?", "(", ")"}:
                end += 1
        else:
            while end < len(tokens):
                if named(tokens[end]) or (tokens[end] == "," and end + 1 < len(tokens)
                                          and unit_at(end + 1)):
                    end += 1
                elif (m := unit_at(end)) and end + m < len(tokens) and named(tokens[end + m]):
                    end += m
                else:
                    break
        place = " ".join(tokens[i:end]).replace(" ,", ",").strip(" ,.")
        return place if 3 <= len(place) <= PLACE_LIMIT else None
    return None


def utter(dispatcher: CollectingDispatcher, key: str, **values: Any) -> None:
    dispatcher.utter_message(**content.message(f"backoffice.{key}", **values))


def closed_hours_text() -> str:
    schedule = load_schedule()
    opening = schedule.next_opening()
    following = content.text("backoffice.next_opening",
                             when=opening.strftime("%H:%M %d/%m/%Y")) if opening else ""
    return content.text("backoffice.closed_hours", hours=schedule.describe(), next=following)


def start_handover(dispatcher: CollectingDispatcher, tracker: Tracker,
                   reason: str) -> list[EventType]:
    """Join the queue in office hours (and pause); outside them offer a callback instead."""
    existing = store().open_handover(tracker.sender_id)
    if existing:
        position = store().position(existing["id"])
        if position:
            utter(dispatcher, "already_queued", position=position)
        return [ConversationPaused()]
    schedule = load_schedule()
    if not schedule.is_open():
        dispatcher.utter_message(text=closed_hours_text())
        return [SlotSet("ticket_contact", None), SlotSet("ticket_cancelled", None),
                FollowupAction("contact_form")]
    item = store().enqueue(tracker.sender_id, channel_of(tracker), reason)
    position = store().position(item["id"])
    minutes = max(1, round(position * schedule.minutes_per_conversation))
    utter(dispatcher, "queued", position=position, minutes=minutes)
    return [ConversationPaused()]


class ActionHandoverRequest(Action):
    def name(self) -> str:
        return "action_handover_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        return start_handover(dispatcher, tracker, "asked")


class ActionDefaultFallback(Action):
    """The two-stage fallback failed (the assistant missed twice in a row): hand over."""

    def name(self) -> str:
        return "action_default_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        utter(dispatcher, "fallback_handover")
        return [UserUtteranceReverted(), *start_handover(dispatcher, tracker, "fallback")]


class ActionHandoverTimeout(Action):
    """Run by the console when nobody took the chat in time or office hours ended."""

    def name(self) -> str:
        return "action_handover_timeout"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        if load_schedule().is_open():
            utter(dispatcher, "timeout")
        else:  # the office closed while the citizen waited
            dispatcher.utter_message(text=closed_hours_text())
        utter(dispatcher, "ask_contact")
        # Run through the HTTP API, outside a prediction loop: start the form by hand.
        return [SlotSet("ticket_contact", None), SlotSet("ticket_cancelled", None),
                ActiveLoop("contact_form"), SlotSet("requested_slot", "ticket_contact")]


class ActionAskRating(Action):
    def name(self) -> str:
        return "action_ask_rating"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        utter(dispatcher, "handover_closed")
        utter(dispatcher, "ask_rating")
        return []


class ActionSaveRating(Action):
    def name(self) -> str:
        return "action_save_rating"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        value = str(next(tracker.get_latest_entity_values("rating"), "")).strip()
        if value not in {"1", "2", "3", "4", "5"}:
            utter(dispatcher, "rating_invalid")
            return []
        store().rate_last(tracker.sender_id, int(value))
        utter(dispatcher, "rating_thanks")
        return []


# --- callback contact (outside hours / nobody free) -----------------------------------------

def _last_citizen_messages(tracker: Tracker, count: int = 3) -> str:
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    texts = [clean_text(t) for t in texts if t and not t.startswith("/")]
    return " | ".join(texts[-count:])[:500]


def callback_category(categories: list[Category]) -> str:
    return next((c.key for c in categories if c.callback), "lien-he-lai")


class ValidateContactForm(FormValidationAction):
    def name(self) -> str:
        return "validate_contact_form"

    def extract_ticket_contact(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        return answer_to("ticket_contact", tracker, domain,
                         contact_shaped)

    def validate_ticket_contact(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "ticket_contact":
            # The form is opening: the message that opened it ("gặp nhân viên") is the request,
            # not an answer to a question not yet asked.
            return {"ticket_contact": None}
        answer = plain(str(value or ""))
        if answer in SKIP_WORDS or wants_to_stop(value, tracker):
            return {"ticket_contact": NOT_GIVEN}
        contact = valid_contact(str(value or ""))
        if contact is None:
            utter(dispatcher, "contact_invalid")
        return {"ticket_contact": contact}


class ActionSubmitContact(Action):
    def name(self) -> str:
        return "action_submit_contact"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        contact = tracker.get_slot("ticket_contact")
        if not contact or contact == NOT_GIVEN:
            utter(dispatcher, "contact_skipped")
            return [SlotSet("ticket_contact", None), SlotSet("paused_form", None)]
        timed_out = any(e.get("event") == "action" and e.get("name") == "action_handover_timeout"
                        for e in tracker.events[-30:])
        reason = content.text("backoffice.reason_timeout" if timed_out
                              else "backoffice.reason_closed")
        ticket = store().create_ticket(
            sender_id=tracker.sender_id, channel=channel_of(tracker),
            category=callback_category(load_categories()), contact=contact,
            description=content.text("backoffice.callback_description", reason=reason,
                                     last=_last_citizen_messages(tracker)),
        )
        utter(dispatcher, "contact_saved", code=ticket["code"])
        return [SlotSet("ticket_contact", None), SlotSet("paused_form", None)]


# --- tickets ----------------------------------------------------------------------------------

def reportable_categories() -> list[Category]:
    return [c for c in load_categories() if not c.callback]


def match_category(text: str, categories: list[Category]) -> Category | None:
    answer = plain(text)
    if answer.isdigit() and 1 <= int(answer) <= len(categories):
        return categories[int(answer) - 1]
    for category in categories:
        if answer in (plain(category.title), plain(category.key)):
            return category
    partial = [c for c in categories if len(answer) >= 3 and answer in plain(c.title)]
    return partial[0] if len(partial) == 1 else None


class ValidateTicketForm(FormValidationAction):
    def name(self) -> str:
        return "validate_ticket_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        return [] if tracker.get_slot("ticket_cancelled") else domain_slots

    @staticmethod
    def _opening(tracker: Tracker) -> bool:
        return tracker.get_slot("requested_slot") is None

    @staticmethod
    def _new_report(tracker: Tracker) -> bool:
        """The form opens on a message that reports a problem itself ("đèn đường trước ngõ nhà
        tôi hỏng cả tuần nay"): a new report. Opened by "tôi muốn phản ánh" or "tiếp tục", the
        report left waiting (after a question, a request for staff) goes on where it stopped."""
        return (latest_intent(tracker)[0] == REPORT_INTENT
                and is_report_text(typed_text(tracker)))

    def _fresh(self, slot: str, tracker: Tracker, domain: DomainDict,
               shaped: Callable[[str], bool]) -> dict[str, Any]:
        if self._opening(tracker):
            new = self._new_report(tracker) and tracker.get_slot(slot) is not None
            return {slot: None} if new else {}
        return answer_to(slot, tracker, domain, shaped)

    # --- extraction: what the message answers --------------------------------------------

    def extract_ticket_category(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict[str, Any]:
        return self._fresh("ticket_category", tracker, domain,
                           lambda text: match_category(text, reportable_categories()) is not None)

    def extract_ticket_description(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        if self._opening(tracker):
            new = self._new_report(tracker)
            return {"ticket_description": typed_text(tracker)} if new else {}
        return answer_to("ticket_description", tracker, domain, lambda text: False)

    def extract_ticket_place(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        if self._opening(tracker):
            new = self._new_report(tracker)
            return {"ticket_place": place_in(typed_text(tracker))} if new else {}
        return answer_to("ticket_place", tracker, domain, lambda text: place_in(text) is not None)

    def extract_ticket_photo(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        return self._fresh("ticket_photo", tracker, domain,
                           lambda text: plain(text) in SKIP_WORDS or bool(URL.match(text.strip())))

    def extract_ticket_contact(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        return self._fresh("ticket_contact", tracker, domain,
                           contact_shaped)

    def extract_ticket_confirm(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        return self._fresh("ticket_confirm", tracker, domain,
                           lambda text: plain(text) in YES_WORDS | SKIP_WORDS)

    # --- validation: is the answer usable ------------------------------------------------

    @staticmethod
    def _settled(slot: str, value: Any, tracker: Tracker) -> bool:
        """Nothing to check: a slot emptied, or kept from before while another is asked
        (the form reopened after a question)."""
        return value is None or (value == NOT_GIVEN
                                 and tracker.get_slot("requested_slot") != slot)

    def validate_ticket_category(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if self._settled("ticket_category", value, tracker):
            return {"ticket_category": value}
        if wants_to_stop(value, tracker):
            return {"ticket_cancelled": True}
        category = match_category(str(value or ""), reportable_categories())
        if category is None:
            utter(dispatcher, "category_invalid")
            return {"ticket_category": None}
        return {"ticket_category": category.key}

    def validate_ticket_description(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if self._settled("ticket_description", value, tracker):
            return {"ticket_description": value}
        if wants_to_stop(value, tracker):
            return {"ticket_cancelled": True}
        text = clean_text(str(value or ""))
        if len(text) < MIN_DESCRIPTION:
            utter(dispatcher, "description_empty")
            return {"ticket_description": None}
        if len(text) > DESCRIPTION_LIMIT:
            utter(dispatcher, "description_too_long", limit=DESCRIPTION_LIMIT)
            return {"ticket_description": None}
        return {"ticket_description": text}

    def validate_ticket_place(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if self._settled("ticket_place", value, tracker):
            return {"ticket_place": value}
        if wants_to_stop(value, tracker):
            return {"ticket_cancelled": True}
        text = clean_text(str(value or ""))
        if not 3 <= len(text) <= PLACE_LIMIT:
            utter(dispatcher, "place_invalid", limit=PLACE_LIMIT)
            return {"ticket_place": None}
        return {"ticket_place": text}

    def validate_ticket_photo(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if self._settled("ticket_photo", value, tracker):
            return {"ticket_photo": value}
        text = str(value or "").strip()
        if plain(text) in SKIP_WORDS:  # before stop: the classifier reads "bỏ qua" as one
            return {"ticket_photo": NOT_GIVEN}
        if wants_to_stop(value, tracker):
            return {"ticket_cancelled": True}
        if URL.match(text):
            return {"ticket_photo": text}
        utter(dispatcher, "photo_invalid")
        return {"ticket_photo": None}

    def validate_ticket_contact(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if self._settled("ticket_contact", value, tracker):
            return {"ticket_contact": value}
        if plain(str(value or "")) in SKIP_WORDS:
            return {"ticket_contact": NOT_GIVEN}
        if wants_to_stop(value, tracker):
            return {"ticket_cancelled": True}
        contact = valid_contact(str(value or ""))
        if contact is None:
            utter(dispatcher, "contact_invalid")
        return {"ticket_contact": contact}

    def validate_ticket_confirm(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value is None:
            return {"ticket_confirm": None}
        answer = plain(str(value or ""))
        if answer in YES_WORDS:
            return {"ticket_confirm": "yes"}
        if wants_to_stop(value, tracker) or answer in SKIP_WORDS:
            return {"ticket_cancelled": True}
        return {"ticket_confirm": None}


class AskTicketSlot:
    """Mixin: asks for one slot with its text from the content file (`ask_<slot>`)."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        utter(dispatcher, f"ask_{self.slot}", limit=DESCRIPTION_LIMIT)
        return []


class AskTicketDescription(AskTicketSlot, Action):
    slot = "ticket_description"


class AskTicketPlace(AskTicketSlot, Action):
    slot = "ticket_place"


class AskTicketPhoto(AskTicketSlot, Action):
    slot = "ticket_photo"


class AskTicketContact(AskTicketSlot, Action):
    slot = "ticket_contact"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        in_callback = (tracker.active_loop or {}).get("name") == "contact_form"
        utter(dispatcher, "ask_contact" if in_callback else "ask_ticket_contact")
        return []


class AskTicketCategory(AskTicketSlot, Action):
    slot = "ticket_category"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(
            text=content.text("backoffice.ask_ticket_category"),
            buttons=[{"title": c.title, "payload": c.title} for c in reportable_categories()],
        )
        return []


class AskTicketConfirm(AskTicketSlot, Action):
    slot = "ticket_confirm"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        titles = {c.key: c.title for c in load_categories()}
        none = content.text("backoffice.not_given")

        def shown(slot: str) -> str:
            value = tracker.get_slot(slot)
            return none if not value or value == NOT_GIVEN else str(value)

        utter(dispatcher, "ask_ticket_confirm",
              category=titles.get(tracker.get_slot("ticket_category"), none),
              description=shown("ticket_description"), place=shown("ticket_place"),
              photo=shown("ticket_photo"), contact=shown("ticket_contact"))
        return []


class ActionSubmitTicket(Action):
    def name(self) -> str:
        return "action_submit_ticket"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in (*TICKET_SLOTS, "paused_form")]
        if tracker.get_slot("ticket_cancelled") or tracker.get_slot("ticket_confirm") != "yes":
            utter(dispatcher, "ticket_cancelled")
            return reset

        def given(slot: str) -> str:
            value = tracker.get_slot(slot) or ""
            return "" if value == NOT_GIVEN else str(value)

        ticket = store().create_ticket(
            sender_id=tracker.sender_id, channel=channel_of(tracker),
            category=given("ticket_category"), description=given("ticket_description"),
            place=given("ticket_place"), photo=given("ticket_photo"),
            contact=given("ticket_contact"),
        )
        utter(dispatcher, "ticket_created", code=ticket["code"])
        return reset


# --- a question in the middle of a form (rules in data/rules/backoffice.yml) ---------------

def last_form(tracker: Tracker) -> str | None:
    """The form that was active last (action_deactivate_loop has just closed it)."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") in FORM_SLOTS:
            return str(event["name"])
    return None


class ActionPauseForm(Action):
    """After the question that interrupted a form is answered: the form waits, its answers
    kept, and the citizen is told how to go back to it or leave it."""

    def name(self) -> str:
        return "action_pause_form"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        form = last_form(tracker)
        if form is None:
            return []
        utter(dispatcher, f"paused_{form}")
        return [SlotSet("paused_form", form)]


class ActionResumeForm(Action):
    """ "tiếp tục": back to the form that waits, at the question it had reached."""

    def name(self) -> str:
        return "action_resume_form"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        form = tracker.get_slot("paused_form")
        if form not in FORM_SLOTS:
            utter(dispatcher, "nothing_paused")
            return []
        return [SlotSet("paused_form", None), FollowupAction(form)]


class ActionStop(Action):
    """ "hủy" / "thôi" outside a form: drops a form left waiting, else just acknowledges."""

    def name(self) -> str:
        return "action_stop"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        form = tracker.get_slot("paused_form")
        if form not in FORM_SLOTS:
            dispatcher.utter_message(response="utter_ok")
            return []
        utter(dispatcher, "ticket_cancelled" if form == "ticket_form" else "contact_skipped")
        return [SlotSet(slot, None) for slot in (*FORM_SLOTS[form], "paused_form")]


def status_label(status: str) -> str:
    return content.text(f"backoffice.status_{status}")


def note_suffix(note: str) -> str:
    return content.text("backoffice.status_note", note=note) if note else ""


class ActionTicketStatus(Action):
    """Status by code on any channel; only the sender of the ticket sees more than its status."""

    def name(self) -> str:
        return "action_ticket_status"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        text = " ".join([*map(str, tracker.get_latest_entity_values("ticket_code")),
                         tracker.latest_message.get("text") or ""])
        code = normalise_code(text)
        if code is None:
            mine = store().tickets_of(tracker.sender_id, limit=3)
            if not mine:
                utter(dispatcher, "status_ask_code")
                return []
            code = mine[0]["code"]  # "phản ánh của tôi tới đâu rồi": the latest one
        ticket = store().ticket(code)
        if ticket is None:
            utter(dispatcher, "status_not_found", code=code)
            return []
        if ticket["sender_id"] != tracker.sender_id:
            utter(dispatcher, "status_other", code=code, status=status_label(ticket["status"]))
            return []
        titles = {c.key: c.title for c in load_categories()}
        utter(dispatcher, "status_owner", code=code, status=status_label(ticket["status"]),
              category=titles.get(ticket["category"], ticket["category"]),
              note=note_suffix(ticket["note"]))
        return []
