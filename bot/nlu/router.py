"""Procedure-first routing: a message that names a procedure gets that procedure's answer.

The classifier spreads its confidence over six facet intents, and long messages with a personal
story drift to unrelated topics; the knowledge base, meanwhile, knows "dang ky khai sinh" at once.
This component runs after the classifier and the FallbackClassifier, with the message as the
citizen typed it (the normaliser keeps it), and:

- sends keyboard mashes and symbol-only messages to ``out_of_scope`` (never "yes");
- turns a short "not sure" that asks for a facet ("có mẫu đơn không ạ") into that facet's
  intent: a follow-up, answered about the procedure the conversation remembers;
- when the message names a procedure in the knowledge base, turns a "not sure", a small-talk
  guess (yes/no/hello/out of scope...) or a weak topic guess into the facet intent the words ask
  for (``ask_procedure`` for a bare name), so the procedure action answers it. A confident topic
  intent ("quên mật khẩu vneid") is left alone.

Thresholds are component settings in config.yml. Without a knowledge base it only does the first.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge.resolve import MIN_WORDS
from bot.nlu.normalization import ORIGINAL_TEXT
from bot.nlu.syllables import is_gibberish

logger = logging.getLogger(__name__)

FACET_INTENTS = {
    "overview": "ask_procedure", "documents": "ask_documents", "fee": "ask_fee",
    "time": "ask_processing_time", "where": "ask_where_to_submit", "online": "ask_submit_online",
}
PROCEDURE_INTENTS = set(FACET_INTENTS.values())


def _facet_intent(facets: list[str]) -> str:
    """The intent of the first facet asked that has one; a bare name is ``ask_procedure``."""
    return next((FACET_INTENTS[f] for f in facets if f in FACET_INTENTS), "ask_procedure")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ProcedureRouter(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # "not sure" gives way to any procedure the knowledge base finds
            "unsure_intents": ["nlu_fallback"],
            # small talk gives way below this confidence, or to a procedure named in at least
            # `min_words` content words (one word, "tạm" of "tạm biệt", names nothing)
            "weak_intents": ["affirm", "deny", "out_of_scope", "greet", "goodbye", "thank",
                             "help", "bot_challenge"],
            "weak_confidence": 0.8,
            "min_words": MIN_WORDS,
            "weak_score": 0.9,
            # other topic intents give way only below this confidence ...
            "topic_confidence": 0.8,
            # ... or below this one when the message is long (stories confuse the classifier)
            "long_topic_confidence": 0.95,
            "long_words": 14,
            # topic intents overridden only by a strong match (their words can also name
            # procedures: "làm sổ đỏ nhanh, chuyển cọc trước" is a scam)
            "protected_intents": ["scam_warning", "check_application_status", "request_human",
                                  "private_dispute"],
            # a strong match — the knowledge base is sure, the score is high and at least
            # `min_words` content words name it — overrides any intent the classifier is not
            # certain of (it is badly calibrated on bare names: "kết hôn với người nước ngoài"
            # came out as a report at 0.98)
            "strong_score": 0.95,
            "certain_confidence": 0.99,
            # search score a remembered-free "which one?" needs to count as naming a procedure
            "choice_score": 0.75,
            # a "not sure" (or a hesitant small-talk guess) this short that asks a facet ("có
            # mẫu đơn không ạ") is a follow-up about the procedure talked about before: the
            # action knows which one
            "follow_up_words": 12,
            # ... but not on words any yes/no question has ("có phải", "được không")
            "vague_facets": ["conditions"],
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ProcedureRouter:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            try:
                self._route(message)
            except Exception:  # routing is an improvement; never lose the message over it
                logger.exception("Procedure routing failed; keeping the classifier's intent")
        return messages

    def _route(self, message: Message) -> None:
        text = message.get(ORIGINAL_TEXT) or message.get(TEXT) or ""
        if not text.strip() or text.startswith(INTENT_MESSAGE_PREFIX):
            return
        intent = message.get(INTENT) or {}
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        if is_gibberish(text):
            self._set(message, "out_of_scope", 1.0)
            return
        if name in PROCEDURE_INTENTS or confidence >= self.config["certain_confidence"]:
            return
        from bot.knowledge.resolve import name_in  # the knowledge base is optional here
        from bot.knowledge.runtime import knowledge

        engine = knowledge()
        if engine is None:
            return
        found = name_in(engine, text)
        strong = (found.procedure is not None and found.score >= self.config["strong_score"]
                  and found.words >= self.config["min_words"])
        long = len(text.split()) >= self.config["long_words"]
        unsure = name in self.config["unsure_intents"]
        weak = name in self.config["weak_intents"]
        limit = self.config["long_topic_confidence" if long else "topic_confidence"]
        if name in self.config["protected_intents"] and not strong:
            return
        if not (unsure or weak or strong) and confidence >= limit:
            return
        hesitant = unsure or (weak and confidence < self.config["weak_confidence"])
        asked = [f for f in found.facets if f not in self.config["vague_facets"]]
        if (hesitant and found.procedure is None and asked
                and len(text.split()) <= self.config["follow_up_words"]):
            self._set(message, _facet_intent(asked), max(confidence, 0.9))
            return
        if found.procedure is None and not (
            found.choices and found.score >= self.config["choice_score"]
        ):
            return
        if weak and confidence >= self.config["weak_confidence"] and (
            found.procedure is None
            or found.words < self.config["min_words"]
            or found.score < self.config["weak_score"]
        ):
            return
        self._set(message, _facet_intent(found.facets), max(confidence, 0.9))

    @staticmethod
    def _set(message: Message, name: str, confidence: float) -> None:
        message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": confidence}, *ranking],
                    add_to_output=True)
