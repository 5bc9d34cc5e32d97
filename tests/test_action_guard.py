"""The action guard turns a failed or slow custom action into the apology (bot/action_guard.py).

The end-to-end version (a real Rasa server, action server down and hung) is
tests/test_hardening_e2e.py; these check the wrapper itself in milliseconds.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import action_guard
from bot.content import content
from tests.support.servers import free_port

APOLOGY = content.text("system.action_failed")


def run(action: RemoteAction) -> list:
    action_guard.install()
    tracker = DialogueStateTracker("rest:guard", slots=[])
    return asyncio.run(action.run(None, None, tracker, Domain.empty()))


def test_action_server_down_becomes_the_apology() -> None:
    endpoint = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")  # nothing listens
    events = run(RemoteAction("action_answer_procedure", endpoint))
    assert [type(e) for e in events] == [BotUttered]
    assert events[0].text == APOLOGY


def test_slow_action_is_cut_at_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    async def hangs(*args, **kwargs):
        await asyncio.sleep(60)

    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "0.2")
    monkeypatch.setattr(action_guard, "_original_run", hangs)
    started = time.monotonic()
    events = run(RemoteAction("action_answer_procedure", EndpointConfig("http://x/webhook")))
    assert events[0].text == APOLOGY
    assert time.monotonic() - started < 5


def test_form_rejections_still_reach_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    async def rejects(self, *args, **kwargs):
        raise ActionExecutionRejection(self.name())

    monkeypatch.setattr(action_guard, "_original_run", rejects)
    with pytest.raises(ActionExecutionRejection):
        run(RemoteAction("validate_form", EndpointConfig("http://x/webhook")))


def test_timeout_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACTION_TIMEOUT_SECONDS", raising=False)
    assert action_guard.action_timeout() == action_guard.DEFAULT_TIMEOUT_SECONDS < 300
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "5")
    assert action_guard.action_timeout() == 5
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "soon")
    assert action_guard.action_timeout() == action_guard.DEFAULT_TIMEOUT_SECONDS
