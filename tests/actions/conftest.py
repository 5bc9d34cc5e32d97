"""Fixtures shared by the action tests: a collecting dispatcher and a tracker factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def build_tracker(
    text: str,
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    intent_ranking: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
) -> Tracker:
    """A tracker whose latest message is ``text`` classified as ``intent``."""
    message: dict[str, Any] = {
        "text": text,
        "intent": {
            "name": intent,
            "confidence": (intent_ranking or [{}])[0].get("confidence", 1.0),
        },
        "intent_ranking": intent_ranking or [{"name": intent, "confidence": 1.0}],
        "entities": entities or [],
    }
    return Tracker("citizen", slots or {}, message, [], False, None, {}, "action_listen")


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    return build_tracker
