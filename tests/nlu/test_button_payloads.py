"""Button payloads ("/intent{...}") must survive the Vietnamese normaliser untouched.

Rasa resolves them after the NLU pipeline (RegexMessageHandler); a normaliser that rewrote
"/greet" to "greet" would send every button press through the classifier instead.
"""

from __future__ import annotations

import pytest
import requests
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import VietnameseNormalizer


def test_normaliser_leaves_intent_payloads_verbatim() -> None:
    payload = '/ask_fee{"procedure_code":"1.004222"}'
    message = Message(data={TEXT: payload})
    VietnameseNormalizer().process([message])
    assert message.get(TEXT) == payload


def test_normaliser_still_rewrites_ordinary_text() -> None:
    message = Message(data={TEXT: "Lệ phí BN?"})
    VietnameseNormalizer().process([message])
    assert message.get(TEXT) == "le phi bao nhieu"


@pytest.mark.e2e
def test_running_assistant_resolves_a_button_payload_to_its_intent(rasa_stack) -> None:
    rasa_stack.say('/ask_fee{"procedure_code":"1.004222"}', sender="payload-test")
    tracker = requests.get(
        f"{rasa_stack.rasa_url}/conversations/rest:payload-test/tracker", timeout=10
    ).json()
    latest = tracker["latest_message"]
    assert latest["intent"]["name"] == "ask_fee"
    assert [(e["entity"], e["value"]) for e in latest["entities"]] == [
        ("procedure_code", "1.004222")
    ]
