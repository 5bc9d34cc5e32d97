"""Answers for intents with sub-topics: e-ID level 2, VNeID problems, cashless payments.

One intent per area keeps the classifier simple; the sub-topic comes from an entity (set by a
button payload such as ``/eid_troubleshoot{"vneid_problem":"new_phone"}`` or extracted from the
message) or, failing that, from key phrases in the message. Without a sub-topic the citizen gets
a short menu of buttons.

All wording lives in ``data/content/<file>.yml`` (see bot/content.py): the ``menu`` message, and
one message per sub-topic with its button ``label``, answer ``text`` and selecting ``phrases``.
Admins add, reorder or reword sub-topics there; the next reply uses the new file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.content import Content, content
from bot.nlu.normalization import normalize

Button = dict[str, str]
MENU_KEY = "menu"


@dataclass(frozen=True)
class Topic:
    key: str
    label: str  # button title
    text: str
    # Folded, normalised phrases (see bot.nlu.normalization) that point to this topic.
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TopicSet:
    intent: str
    entity: str
    file: str  # data/content/<file>.yml
    # Topic answered when nothing more specific is asked; None means "show the menu".
    default: str | None = None
    source: Content = content

    @property
    def menu_text(self) -> str:
        return self.source.text(f"{self.file}.{MENU_KEY}")

    @property
    def topics(self) -> tuple[Topic, ...]:
        """The sub-topics in file order (button order, and phrase-matching priority)."""
        prefix = f"{self.file}."
        topics = []
        for key, entry in self.source.messages().items():
            name = key[len(prefix):]
            if not key.startswith(prefix) or name == MENU_KEY or "label" not in entry:
                continue
            phrases = tuple(normalize(str(p)) for p in entry.get("phrases") or [])
            topics.append(Topic(name, str(entry["label"]), self.source.text(key),
                                tuple(p for p in phrases if p)))
        return tuple(topics)

    def button(self, topic: Topic) -> Button:
        return {"title": topic.label, "payload": f'/{self.intent}{{"{self.entity}":"{topic.key}"}}'}

    def by_key(self, key: str | None, topics: tuple[Topic, ...] | None = None) -> Topic | None:
        return next((t for t in topics or self.topics if key and t.key == key), None)

    def match_text(self, text: str, topics: tuple[Topic, ...] | None = None) -> Topic | None:
        """First topic (in file order) with a key phrase in ``text``."""
        padded = f" {normalize(text)} "
        for topic in topics or self.topics:
            if any(f" {phrase} " in padded for phrase in topic.phrases):
                return topic
        return None

    def choose(self, entity_values: list[str], message_text: str) -> Topic | None:
        topics = self.topics
        for value in entity_values:
            topic = self.by_key(value, topics) or self.match_text(value, topics)
            if topic:
                return topic
        return self.match_text(message_text, topics) or self.by_key(self.default, topics)


EID = TopicSet(intent="eid_activate", entity="eid_topic", file="eid", default="overview")
VNEID_PROBLEMS = TopicSet(intent="eid_troubleshoot", entity="vneid_problem", file="vneid")
PAYMENTS = TopicSet(intent="cashless_payment", entity="payment_topic", file="payments")
# The guides by the action that answers them (data/vocabulary/guides.yml names these actions).
GUIDES: dict[str, TopicSet] = {
    "action_eid_activate": EID,
    "action_eid_troubleshoot": VNEID_PROBLEMS,
    "action_cashless_payment": PAYMENTS,
}


class TopicAnswer:
    """Answers the chosen sub-topic of ``topic_set``, or shows its menu of buttons.

    A mixin, not an Action subclass: rasa_sdk registers every Action subclass it finds, and this
    one has no name of its own.
    """

    topic_set: ClassVar[TopicSet]

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        values = [str(v) for v in tracker.get_latest_entity_values(self.topic_set.entity)]
        text = tracker.latest_message.get("text") or ""
        topic = self.topic_set.choose(values, text)
        others = [t for t in self.topic_set.topics if t != topic]
        buttons = [self.topic_set.button(t) for t in others]
        if topic is None:
            dispatcher.utter_message(text=self.topic_set.menu_text, buttons=buttons)
        else:
            dispatcher.utter_message(text=topic.text, buttons=buttons)
            # 👍/👎 after an answer (not after a menu): analytics shows the rate per topic.
            dispatcher.utter_message(**self.topic_set.source.message("feedback.ask"))
        return []


class ActionEidActivate(TopicAnswer, Action):
    topic_set = EID

    def name(self) -> str:
        return "action_eid_activate"


class ActionEidTroubleshoot(TopicAnswer, Action):
    topic_set = VNEID_PROBLEMS

    def name(self) -> str:
        return "action_eid_troubleshoot"


class ActionCashlessPayment(TopicAnswer, Action):
    topic_set = PAYMENTS

    def name(self) -> str:
        return "action_cashless_payment"
