"""The procedure answers: one action for every question about a procedure.

Which procedure? In order: the ``procedure_code`` entity (buttons, codes typed), the
``procedure`` entity, the message text (whole and clause by clause, bot.knowledge.resolve), and
finally the ``current_procedure`` slot, so that "còn lệ phí thì sao?" answers about the
procedure talked about before.

Which facets? The words of the message ("thủ tục thế nào, phí bao nhiêu, bao lâu" asks for three),
else the ``facet`` entity of a button, else the classifier's facet intent; a bare name gets the
overview with buttons for the next questions. When the search hesitates between several
procedures the citizen picks one from buttons that re-ask the same facet with its code.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.procedure_text import (
    ALL_FACETS,
    INTENT_FACETS,
    answer_messages,
    choice_buttons,
    choices_text,
    facet_buttons,
    not_found_text,
    unavailable_text,
)
from actions.topics import GUIDES
from actions.typed import typed_text
from bot.content import content
from bot.knowledge.resolve import MIN_WORDS, Resolution, name_in
from bot.knowledge.runtime import knowledge, reset_knowledge
from bot.knowledge.search import ProcedureSearch
from bot.knowledge.store import StoreError

logger = logging.getLogger(__name__)

__all__ = ["ActionAnswerProcedure", "reset_knowledge", "resolve", "facets_of"]

SLOT = "current_procedure"
# A hesitant search whose best hit reaches this score is taken as a new topic even when a
# procedure is remembered (and, like any switch, named in at least MIN_WORDS content words).
STRONG_CHOICE = 0.75
# A sure match scored below this does not replace a remembered procedure.
SWITCH_SCORE = 0.8
# ... and, with facet words, the search this sure of it (a calibrated probability): "có cần
# mang CMND cũ không" asks about the papers of the procedure talked about
SWITCH_CONFIDENCE = 0.9
GUIDES_FILE = Path(__file__).resolve().parents[1] / "data" / "vocabulary" / "guides.yml"


_guides_cache: tuple[Path, int, dict[str, Any]] | None = None


def _guide_data(path: Path) -> dict[str, Any]:
    """guides.yml as {"guides": {action: [codes]}, "unnamed": {intent: action}}, parsed again
    only when the file changes (every procedure answer asks)."""
    global _guides_cache
    stamp = path.stat().st_mtime_ns
    if _guides_cache is None or _guides_cache[:2] != (path, stamp):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        guides = data.get("guides") or {}
        unnamed = data.get("unnamed") or {}
        _guides_cache = (path, stamp, {
            "guides": {str(action): [str(c) for c in codes or []]
                       for action, codes in guides.items()},
            "unnamed": {str(intent): str(action) for intent, action in unnamed.items()},
        })
    return _guides_cache[2]


def _guide_table(path: Path | None, section: str) -> dict[str, Any]:
    try:
        return _guide_data(path or GUIDES_FILE)[section]
    except (OSError, yaml.YAMLError, AttributeError, TypeError) as exc:
        logger.error("Guide table %s unusable: %s", path or GUIDES_FILE, exc)
        return {}


def guide_for(code: str, text: str, path: Path | None = None) -> str | None:
    """The topic guide (an action) that answers questions about this procedure, if any.

    Of the guides listed for the code, the first whose sub-topics the words name ("đổi số
    điện thoại" -> the VNeID problems guide); otherwise the last one listed, the general guide.
    """
    listed = [action for action, codes in _guide_table(path, "guides").items() if code in codes]
    for action in listed:
        topics = GUIDES.get(action)
        if topics is not None and text and topics.match_text(text):
            return action
    return listed[-1] if listed else None


def guide_for_unnamed(intent: str, path: Path | None = None) -> str | None:
    """The guide that answers a question naming no procedure the catalog knows, by its intent
    ("nộp hồ sơ trực tuyến thì làm thế nào" -> how to submit on the national portal)."""
    return _guide_table(path, "unnamed").get(intent)


def _text(tracker: Tracker) -> str:
    text = typed_text(tracker)
    return "" if text.startswith("/") else text  # a button payload carries entities, not words


def resolve(engine: ProcedureSearch, tracker: Tracker, intent: str) -> Resolution:
    """Code entity, message text, procedure entity, then the remembered procedure.

    Once a procedure is remembered, a follow-up keeps it unless the message clearly names
    another one: a code, or at least two content words that the search is sure of with a good
    score (or, when no facet is asked, that strongly suggest a few procedures). One generic
    word ("thẻ", "xong") is not a new topic.
    """
    codes = [str(v).strip() for v in tracker.get_latest_entity_values("procedure_code")]
    for code in codes:
        procedure = engine.store.get(code)
        if procedure is not None:
            return Resolution(procedure)
    text = _text(tracker)
    found = name_in(engine, text) if text else Resolution()
    picked = False  # settled by the classifier's entity, not by the words' own search
    if found.procedure is None:
        # The classifier's `procedure` entity settles a hesitant search only by picking one of
        # its choices, and only when it has two words or more: fragments cut from a story
        # ("trợ cấp", "sang" of "sang tên") name the wrong procedure.
        offered = {hit.code for hit in found.choices}
        for value in tracker.get_latest_entity_values("procedure"):
            by_entity = name_in(engine, str(value))
            if by_entity.procedure is not None and by_entity.words >= MIN_WORDS and (
                not offered or by_entity.procedure.code in offered
            ):
                by_entity.facets = found.facets
                found, picked = by_entity, True
                break
    remembered = tracker.get_slot(SLOT)
    if not remembered or codes:
        return found
    # A question about the remembered procedure often carries a word or two that also name
    # something else ("bao lâu có thẻ mới", "có cần mang CMND cũ không"): with facet words, only
    # a sure, well-scored match is a new topic; a hesitant one (or the entity's pick among its
    # choices: "CMND" in "có cần mang CMND cũ không") is kept for bare new names.
    named_clearly = not (picked and found.facets) and found.words >= MIN_WORDS and (
        (found.procedure is not None and found.score >= SWITCH_SCORE
         and (not found.facets or _sureness(found) >= SWITCH_CONFIDENCE))
        or (bool(found.choices) and found.choices[0].score >= STRONG_CHOICE
            and not found.facets)
    )
    new_topic = intent == "ask_procedure" and found.named and not found.facets
    if named_clearly or new_topic:
        return found
    procedure = engine.store.get(str(remembered))
    if procedure is None:
        return found
    return Resolution(procedure, facets=found.facets)


def _sureness(found: Resolution) -> float:
    """The search's confidence in the procedure found (1.0 when it came from elsewhere)."""
    best = found.hits[0] if found.hits else None
    if best is None or found.procedure is None or best.code != found.procedure.code:
        return 1.0
    return best.confidence


def facets_of(found: Resolution, tracker: Tracker, intent: str) -> list[str]:
    """What the citizen asks about the procedure: the words first, then a button's facet.

    A message that names a procedure and asks nothing about it ("dang ky khai sinh") gets the
    overview, whichever facet intent the classifier leaned to; a bare follow-up without facet
    words falls back on the intent.
    """
    if found.facets:
        return found.facets
    entity = [str(v) for v in tracker.get_latest_entity_values("facet") if v in ALL_FACETS]
    if entity:
        return entity
    if found.named and found.procedure is not None and _text(tracker):
        return ["overview"]
    return [INTENT_FACETS.get(intent, "overview")]


class ActionAnswerProcedure(Action):
    def name(self) -> str:
        return "action_answer_procedure"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""
        engine = knowledge()
        if engine is None:
            dispatcher.utter_message(text=unavailable_text())
            return []
        try:
            found = resolve(engine, tracker, intent)
        except (StoreError, sqlite3.Error) as exc:
            logger.error("Procedure lookup failed: %s", exc)
            dispatcher.utter_message(text=unavailable_text())
            return []
        facets = facets_of(found, tracker, intent)
        procedure = found.procedure
        guide = guide_for(procedure.code, _text(tracker)) if procedure is not None else None
        if procedure is not None and guide:
            return [SlotSet(SLOT, procedure.code), FollowupAction(guide)]
        if procedure is not None:
            messages = answer_messages(facets, procedure)
            for message in messages[:-1]:
                dispatcher.utter_message(text=message)
            if facets == ["overview"]:  # the overview ends with buttons for the next question
                dispatcher.utter_message(text=messages[-1],
                                         buttons=facet_buttons(procedure, exclude=facets))
            else:  # a facet answered: ask whether it helped (👍/👎, counted in analytics)
                dispatcher.utter_message(text=messages[-1])
                dispatcher.utter_message(**content.message("feedback.ask"))
            return [SlotSet(SLOT, procedure.code)]
        if found.choices:
            choices = [(hit.code, hit.name) for hit in found.choices]
            dispatcher.utter_message(text=choices_text(), buttons=choice_buttons(facets, choices))
            # a facet asked next ("nộp ở đâu") is answered for the likeliest of them, which the
            # answer names, rather than "not found"
            return [SlotSet(SLOT, found.choices[0].code)]
        unnamed_guide = guide_for_unnamed(intent)
        if unnamed_guide:
            return [FollowupAction(unnamed_guide)]
        dispatcher.utter_message(text=not_found_text())
        return []
