"""Custom Rasa NLU components for Vietnamese."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import rasa_speedups, vocabulary
from bot.nlu import normalization
from bot.nlu.normalization import ORIGINAL_TEXT, normalize_with_spans

# Every process that loads our model imports this module: the right place for Rasa speed fixes.
rasa_speedups.install()


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class VietnameseNormalizer(GraphComponent):
    """Rewrites the message text to its canonical form before tokenisation.

    Runs first in the pipeline, at training and at inference, so the classifier sees
    "dang ky thuong tru can giay to gi" whether the citizen typed it with diacritics, without,
    in NFD, in capitals or as "dk thuong tru can giay to j". Entity spans in training examples
    are moved to the rewritten text so entity extraction keeps learning from them. The tracker
    still stores what the user typed: Rasa builds the UserUttered event from the raw message.
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseNormalizer:
        return cls()

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The normalised text depends on the abbreviation table (data, not this class's code)
        and on normalization.py: Rasa's training cache must not reuse an output made with an
        older one."""
        digest = hashlib.sha256()
        for path in (vocabulary.ABBREVIATIONS_FILE, Path(normalization.__file__)):
            digest.update(path.read_bytes() if path.exists() else b"")
        return digest.hexdigest()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalize(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalize(message)
        return messages

    @staticmethod
    def _normalize(message: Message) -> None:
        text = message.get(TEXT)
        # "/intent{...}" is a button payload for Rasa's RegexMessageHandler, which runs after the
        # pipeline and needs it verbatim.
        if not text or text.startswith(INTENT_MESSAGE_PREFIX):
            return
        result = normalize_with_spans(text)
        entities = []
        for entity in message.get(ENTITIES) or []:
            span = result.map_span(entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END])
            if span is None:  # the entity was only punctuation; nothing left to learn from
                continue
            original = text[entity[ENTITY_ATTRIBUTE_START] : entity[ENTITY_ATTRIBUTE_END]]
            moved = {**entity, ENTITY_ATTRIBUTE_START: span[0], ENTITY_ATTRIBUTE_END: span[1]}
            if entity.get(ENTITY_ATTRIBUTE_VALUE) == original:  # not a synonym: follow the text
                moved[ENTITY_ATTRIBUTE_VALUE] = result.text[span[0] : span[1]]
            entities.append(moved)
        message.set(ORIGINAL_TEXT, text)
        message.set(TEXT, result.text)
        if entities or message.get(ENTITIES):
            message.set(ENTITIES, entities)
