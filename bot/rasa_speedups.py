"""Speed fixes for Rasa 3.6 internals, installed by the modules Rasa loads from our project.

1. Rasa 3.6 checks every action-server response with `jsonschema.validate`, which first validates
the *schema itself* against the JSON-Schema meta-schema on every call (jsonschema 4.17, pinned
by Rasa). Profiling the REST benchmark showed that meta-validation at about 30% of the Rasa
server's CPU. We validate against the same schema with a validator built once; behaviour
(accepted responses, the error raised for invalid ones) stays the same.
2. SQLite tracker stores get WAL mode (see `_sqlite_wal`).
"""

from __future__ import annotations

import sqlite3
from functools import cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction
from sqlalchemy import event
from sqlalchemy.engine import Engine


@cache
def _action_response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of on every response
    return validator_class(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _action_response_validator().validate(result)
        return True
    except ValidationError as error:  # same message as Rasa's own implementation
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise


def _sqlite_wal(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL journal + synchronous=NORMAL for SQLite tracker stores.

    Rasa's SQL tracker store commits synchronously inside the asyncio server, so each commit's
    fsync stalls every conversation. In WAL mode with synchronous=NORMAL a commit only appends to
    the log (still durable against a crash of the process; the last commits may be lost only on
    power loss), and readers no longer block the writer.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    if not event.contains(Engine, "connect", _sqlite_wal):
        event.listen(Engine, "connect", _sqlite_wal)
