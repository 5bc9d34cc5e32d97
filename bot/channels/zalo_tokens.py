"""Persistent store for the Zalo OA access and refresh tokens.

A Zalo refresh token is single-use: each refresh returns a new one and the old one stops working.
Losing the new token (crash mid-write, two processes racing) locks the OA out until an admin
re-authorises it, so the file is replaced atomically (write a temporary file, fsync, rename) and is
readable by its owner only (mode 600).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_TOKEN_FILE = Path("var") / "zalo_tokens.json"


@dataclass
class ZaloTokens:
    access_token: str
    refresh_token: str
    # Unix time after which the access token should be refreshed; 0 = unknown (use until rejected).
    expires_at: float = 0.0

    def expires_soon(self, margin: float = 300.0, now: float | None = None) -> bool:
        return bool(self.expires_at) and (now or time.time()) + margin >= self.expires_at


class TokenStore:
    """Tokens from the file if it exists (they are newer), else from the credentials."""

    def __init__(self, path: Path, initial: ZaloTokens) -> None:
        self.path = path
        self.tokens = self._load() or initial

    def _load(self) -> ZaloTokens | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return ZaloTokens(
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                expires_at=float(data.get("expires_at", 0)),
            )
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError, OSError) as error:
            logger.error("Zalo token file %s is unreadable (%s); using credentials",
                         self.path, error)
            return None

    def save(self, tokens: ZaloTokens) -> None:
        """Atomically replace the file (mode 600) and only then use the new tokens."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            prefix=".zalo_tokens.", dir=self.path.parent, text=True
        )
        try:
            os.fchmod(descriptor, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(asdict(tokens), handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.tokens = tokens
