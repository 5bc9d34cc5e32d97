"""Vietnamese word segmentation as extra classifier features (measured, issue 8).

Vietnamese writes one syllable per space, so "đăng ký thường trú" is four tokens to the
WhitespaceTokenizer although it is two words. pyvi (what `spacy.blank("vi")` runs underneath)
joins syllables into words — but only in accented text; unaccented text stays syllables.

The component runs after VietnameseNormalizer, segments the text as typed (ORIGINAL_TEXT), folds
each multi-syllable word the same way and APPENDS it ("dang_ky thuong_tru") to the normalised
text, so the word-level CountVectorsFeaturizer sees syllables and words. Appending at the end keeps
every entity span valid; button payloads ("/intent") are not normalised and are left alone.
"""

from __future__ import annotations

from typing import Any

from pyvi import ViTokenizer
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.normalization import ORIGINAL_TEXT, normalize


def compound_words(text: str) -> list[str]:
    """Multi-syllable words of `text` in canonical form, joined by "_", first occurrence only."""
    words: list[str] = []
    for token in ViTokenizer.tokenize(text).split():
        if "_" not in token:
            continue
        word = "_".join(normalize(token.replace("_", " ")).split())
        if "_" in word and word not in words:
            words.append(word)
    return words


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class VietnameseWordJoiner(GraphComponent):
    """Appends pyvi's multi-syllable words to the normalised text (see the module docstring)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseWordJoiner:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._append(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._append(message)
        return messages

    @staticmethod
    def _append(message: Message) -> None:
        original = message.get(ORIGINAL_TEXT)
        if not original:  # not normalised: empty, or a "/intent" button payload
            return
        words = compound_words(original)
        if words:
            message.set(TEXT, f"{message.get(TEXT)} {' '.join(words)}")
