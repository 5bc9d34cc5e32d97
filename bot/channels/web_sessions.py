"""Web chat session ids that only the server can issue: "<id>.<signature>".

A session id used to be whatever the browser sent, so anyone who learnt one (it is the tracker's
sender id, shown in the console) could join that citizen's room, read the live replies and post
into the chat. Now the server signs each id it hands out with a key only it holds; a socket can
resume a session only by presenting the signed form, and the conversation (sender id
"web:<id>", room "<id>") carries only the unsigned part, so reading it does not grant access.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_KEY_FILE = Path("var/web_session.key")
_ID_BYTES = 16
_SIGNATURE_CHARS = 32


def room_of(session_id: str) -> str:
    """The conversation part of a signed session id (the socket.io room, the sender's id)."""
    return session_id.partition(".")[0]


class SessionSigner:
    def __init__(self, key: bytes) -> None:
        self.key = key

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any]) -> SessionSigner:
        """Key from `session_secret`, $WEB_SESSION_SECRET, or a file kept across restarts."""
        secret = credentials.get("session_secret") or os.environ.get("WEB_SESSION_SECRET")
        if secret:
            return cls(str(secret).encode())
        path = Path(credentials.get("session_secret_file") or DEFAULT_KEY_FILE)
        try:
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as file:
                    file.write(secrets.token_urlsafe(32))
            return cls(path.read_text().strip().encode())
        except OSError as error:
            logger.error("Web chat: cannot keep the session key in %s (%s); sessions will not "
                         "survive a restart", path, error)
            return cls.ephemeral()

    @classmethod
    def ephemeral(cls) -> SessionSigner:
        return cls(secrets.token_bytes(32))

    def _signature(self, conversation: str) -> str:
        return hmac.new(self.key, conversation.encode(), hashlib.sha256).hexdigest()[
            :_SIGNATURE_CHARS]

    def new(self) -> str:
        conversation = secrets.token_hex(_ID_BYTES)
        return f"{conversation}.{self._signature(conversation)}"

    def valid(self, session_id: Any) -> bool:
        if not isinstance(session_id, str) or len(session_id) != 2 * _ID_BYTES + 1 + \
                _SIGNATURE_CHARS:
            return False
        conversation, _, signature = session_id.partition(".")
        return hmac.compare_digest(signature, self._signature(conversation))
