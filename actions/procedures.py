"""The procedure answers: one action for the six facet intents (what it is, documents, fee, time,
where to submit, online or not).

Which procedure? In order: the ``procedure_code`` entity, the ``procedure`` entity, the raw message
text, and finally the ``current_procedure`` slot, so that "còn lệ phí thì sao?" answers about the
procedure talked about before. Question words ("lệ phí", "mấy ngày", "ở đâu"...) are removed
before searching: they name a facet, not a procedure, and would otherwise match procedures whose
names contain them ("Khai lệ phí trước bạ"). When the search hesitates between several
procedures the citizen picks one from buttons that re-ask the same facet with its code.

The procedure store is opened once per process (env ``KNOWLEDGE_DB``, default
``var/knowledge.db``); a missing or broken database is logged and answered politely.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.procedure_text import (
    FACETS,
    choice_buttons,
    choices_text,
    facet_buttons,
    facet_messages,
    not_found_text,
    unavailable_text,
)
from bot.knowledge.models import Procedure
from bot.knowledge.search import CONFIDENT, ProcedureSearch, SearchHit
from bot.knowledge.store import SQLiteProcedureStore, StoreError
from bot.nlu.normalization import normalize

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "var/knowledge.db"
SLOT = "current_procedure"
MAX_CHOICES = 3
# Search scores (0..1): below CHOICE_MIN a hit is noise; a hesitant search whose best hit
# reaches STRONG_CHOICE is taken as a new topic even when a procedure is remembered.
CHOICE_MIN = 0.5
STRONG_CHOICE = 0.75
# Two differently named hits this close are a tie, whatever the search's confidence says,
# unless the best one matches the words in full (a name or alias said exactly).
TIE = 0.02
FULL_MATCH = 0.999
# A procedure is named in a few words; searching a pasted 100 KB text would hold up the action
# server for seconds, so only its start is searched (the channels cut at 2,000, REST does not).
MAX_QUERY_CHARS = 500

# Words that ask about a facet or fill the sentence, in normalised form; longer phrases first.
# Folding makes some ambiguous ("cần"/"căn" -> "can", "thì"/"thi"): those are only removed
# inside phrases. Everyday verbs ("làm") stay, they are part of many aliases ("làm hộ chiếu").
_FACET_PHRASES = sorted(
    """
    thanh phan ho so|ho so gom|giay to gi|giay to|ho so|chuan bi|can nhung gi|can gi|gom nhung gi
    le phi|phi|bao nhieu tien|bao nhieu|het bao nhieu|ton bao nhieu|mat bao nhieu|tien|mien phi
    mat may ngay|mat bao lau|may ngay|bao nhieu ngay|bao lau|thoi gian|thoi han|bao gio|khi nao
    lau khong|co ket qua|nhan ket qua|ket qua|thi co|thi mat|thi duoc
    o dau|nop dau|lam dau|cho nao|noi nao|co quan nao|di dau
    truc tuyen|online|qua mang|tren mang|tai nha|dich vu cong|tren app
    duoc khong|co duoc|the nao|nhu the nao|ra sao|thi sao|sao vay|vay|thu tuc
    """.replace("\n", "|").split("|"),
    key=lambda phrase: -len(phrase.split()),
)
_FACET_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(p.strip()) for p in _FACET_PHRASES if p.strip()) + r")\b"
)
# Follow-up openers that are also ordinary words elsewhere ("còn" / "con", "sao" / "bản sao").
_LEADING_RE = re.compile(r"^(?:the |vay )?con\b")
_TRAILING_RE = re.compile(r"\bsao$")


def topic_text(text: str) -> str:
    """What is left of a message once facet and filler words are removed (normalised)."""
    normalised = _LEADING_RE.sub(" ", normalize(text))
    stripped = _FACET_RE.sub(" ", normalised)
    return " ".join(_TRAILING_RE.sub(" ", " ".join(stripped.split())).split())


# -- the knowledge base, opened once per process ---------------------------------------------

_lock = threading.Lock()
_engine: ProcedureSearch | None = None
_engine_path: Path | None = None
_last_error = ""


def knowledge_db_path() -> Path:
    path = Path(os.environ.get("KNOWLEDGE_DB") or DEFAULT_DB)
    return path if path.is_absolute() else ROOT / path


def knowledge() -> ProcedureSearch | None:
    """The procedure search over the store, opened on first use (and again if ``KNOWLEDGE_DB``
    now names another file); None when unavailable."""
    global _engine, _engine_path, _last_error
    with _lock:
        path = knowledge_db_path()
        if _engine is not None and _engine_path != path:
            _engine.store.close()
            _engine = None
        if _engine is None:
            try:
                _engine = ProcedureSearch(SQLiteProcedureStore(path, create=False))
                _engine_path = path
            except StoreError as exc:
                message = (f"Procedure database unavailable ({exc}); "
                           "build it with scripts/build_knowledge.sh")
                if message != _last_error:  # once per problem, not once per message
                    logger.error(message)
                    _last_error = message
                return None
        return _engine


def reset_knowledge() -> None:
    """Forget the opened store, so the next answer reopens ``KNOWLEDGE_DB`` (tests, reloads)."""
    global _engine, _last_error
    with _lock:
        if _engine is not None:
            _engine.store.close()
        _engine, _last_error = None, ""


# -- which procedure is meant ----------------------------------------------------------------


@dataclass
class Resolution:
    procedure: Procedure | None = None
    choices: list[SearchHit] = field(default_factory=list)
    named: bool = False  # the text had words that could name a procedure


def _choices(hits: list[SearchHit]) -> list[SearchHit]:
    """Up to three plausible hits with different names (province variants look alike)."""
    chosen: list[SearchHit] = []
    for hit in hits:
        if hit.score >= CHOICE_MIN and all(hit.name != c.name for c in chosen):
            chosen.append(hit)
    return chosen[:MAX_CHOICES]


def search_text(engine: ProcedureSearch, text: str) -> Resolution:
    """The procedure a piece of text names: one when the search is sure, else choices."""
    topic = topic_text(text[:MAX_QUERY_CHARS])
    if not topic or not engine.index.analyse(topic)[0]:
        return Resolution()
    hits = engine.search(topic, top=6)
    if hits and hits[0].confidence >= CONFIDENT and hits[0].score >= CHOICE_MIN:
        best = hits[0]
        tied = best.score < FULL_MATCH and any(
            hit.name != best.name and hit.score >= best.score - TIE for hit in hits[1:]
        )
        if not tied:
            return Resolution(best.procedure, named=True)
    return Resolution(choices=_choices(hits), named=True)


def resolve(engine: ProcedureSearch, tracker: Tracker, facet: str) -> Resolution:
    """Code entity, procedure entity, message text, then the remembered procedure.

    The remembered one is not used when a code was given, when the text strongly suggests
    other procedures, or when "what is X?" names an X that was not found.
    """
    codes = [str(v).strip() for v in tracker.get_latest_entity_values("procedure_code")]
    for code in codes:
        procedure = engine.store.get(code)
        if procedure is not None:
            return Resolution(procedure)
    candidates = [str(v) for v in tracker.get_latest_entity_values("procedure")]
    text = (tracker.latest_message or {}).get("text") or ""
    if not text.startswith("/"):  # a button payload carries entities, not words
        candidates.append(text)
    choices: list[SearchHit] = []
    named = False
    for candidate in candidates:
        found = search_text(engine, candidate)
        if found.procedure is not None:
            return found
        choices = choices or found.choices
        named = named or found.named
    remembered = tracker.get_slot(SLOT)
    strong_choice = bool(choices) and choices[0].score >= STRONG_CHOICE
    new_topic = facet == "ask_procedure" and named
    if remembered and not codes and not strong_choice and not new_topic:
        procedure = engine.store.get(str(remembered))
        if procedure is not None:
            return Resolution(procedure)
    return Resolution(choices=choices)


# -- the action ---------------------------------------------------------------------------


def facet_of(tracker: Tracker) -> str:
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""
    return intent if intent in FACETS else "ask_procedure"


class ActionAnswerProcedure(Action):
    def name(self) -> str:
        return "action_answer_procedure"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        facet = facet_of(tracker)
        engine = knowledge()
        if engine is None:
            dispatcher.utter_message(text=unavailable_text())
            return []
        try:
            found = resolve(engine, tracker, facet)
        except (StoreError, sqlite3.Error) as exc:
            logger.error("Procedure lookup failed: %s", exc)
            dispatcher.utter_message(text=unavailable_text())
            return []
        procedure = found.procedure
        if procedure is not None:
            messages = facet_messages(facet, procedure)
            for message in messages[:-1]:
                dispatcher.utter_message(text=message)
            buttons = facet_buttons(procedure, exclude=facet) if facet == "ask_procedure" else []
            dispatcher.utter_message(text=messages[-1], buttons=buttons)
            return [SlotSet(SLOT, procedure.code)]
        if found.choices:
            choices = [(hit.code, hit.name) for hit in found.choices]
            dispatcher.utter_message(text=choices_text(), buttons=choice_buttons(facet, choices))
            return []
        dispatcher.utter_message(text=not_found_text())
        return []
