"""The procedure knowledge base as a running process sees it: opened once, on first use.

Both the Rasa server (the NLU router) and the action server (the answers) read it. The path is
``KNOWLEDGE_DB`` (default ``var/knowledge.db``); a missing or broken database is logged once and
the callers answer without it.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from bot.knowledge.search import ProcedureSearch
from bot.knowledge.store import SQLiteProcedureStore, StoreError

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = "var/knowledge.db"

_lock = threading.Lock()
_engine: ProcedureSearch | None = None
_engine_path: Path | None = None
_last_error = ""


def knowledge_db_path() -> Path:
    path = Path(os.environ.get("KNOWLEDGE_DB") or DEFAULT_DB)
    return path if path.is_absolute() else ROOT / path


def knowledge() -> ProcedureSearch | None:
    """The procedure search over the store (reopened if ``KNOWLEDGE_DB`` now names another
    file); None when unavailable."""
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
    """Forget the opened store, so the next use reopens ``KNOWLEDGE_DB`` (tests, reloads)."""
    global _engine, _last_error
    with _lock:
        if _engine is not None:
            _engine.store.close()
        _engine, _last_error = None, ""
