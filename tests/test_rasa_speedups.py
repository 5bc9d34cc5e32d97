"""The cached action-response validator accepts and rejects exactly what Rasa's own does."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_speedups

VALID = {"events": [{"event": "slot", "name": "current_procedure", "value": "1.004222"}],
         "responses": [{"text": "Xin chào"}]}
INVALID = [
    {"events": [{"event": "slot", "name": 3}]},
    {"events": "not a list"},
    {"responses": ["not an object"]},
]


@pytest.fixture
def action() -> RemoteAction:
    rasa_speedups.install()
    return RemoteAction("action_answer_procedure", None)


def test_valid_response_passes(action) -> None:
    assert action._validate_action_result(VALID) is True
    jsonschema.validate(VALID, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize("response", INVALID)
def test_invalid_response_raises_the_same_error_as_rasa(action, response) -> None:
    with pytest.raises(jsonschema.ValidationError) as ours:
        action._validate_action_result(response)
    with pytest.raises(jsonschema.ValidationError) as reference:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    assert ours.value.message.startswith(reference.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_schema_is_checked_once_not_on_every_response(action, monkeypatch) -> None:
    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result
    action._validate_action_result(VALID)  # builds the cached validator
    validator_class = type(rasa_speedups._action_response_validator())
    calls = []
    monkeypatch.setattr(validator_class, "check_schema", classmethod(lambda *a: calls.append(a)))
    for _ in range(3):
        action._validate_action_result(VALID)
    assert calls == []


def test_sqlite_tracker_databases_use_wal(tmp_path) -> None:
    import sqlalchemy

    rasa_speedups.install()
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    assert (mode, synchronous) == ("wal", 1)  # 1 = NORMAL
