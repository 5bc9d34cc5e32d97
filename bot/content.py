"""Citizen- and staff-facing texts, kept as data in `data/content/*.yml` (admins edit them).

Each file holds named messages:

    messages:
      fee_missing:                     # key, addressed as "procedure.fee_missing"
        text: "Lệ phí của {name} ..."  # str.format placeholders, filled by the caller
        buttons:                       # optional
          - title: "Giấy tờ"
            payload: "/ask_documents"
        note: "When the portal publishes no fee."   # optional, shown to admins only

Files are re-read when they change on disk, so an edited text shows up in the next reply without
retraining or restarting. `CONTENT_DIR` points at another folder (tests, deployments).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from bot.vocabulary import load_yaml

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "content"


class ContentError(KeyError):
    """A message key that no content file defines (a bug or a deleted entry)."""


class _Placeholders(dict):
    """Leaves unknown {placeholders} as they are instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Content:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._stamp: tuple = ()
        self._messages: dict[str, dict[str, Any]] = {}

    def _dir(self) -> Path:
        return self.directory or Path(os.environ.get("CONTENT_DIR") or DEFAULT_DIR)

    def _refresh(self) -> None:
        files = sorted(self._dir().glob("*.yml"))
        stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
        if stamp == self._stamp:
            return
        messages: dict[str, dict[str, Any]] = {}
        for file in files:
            data = load_yaml(file, what="Content file")  # broken: its messages are missing
            for key, entry in (data.get("messages") or {}).items():
                if isinstance(entry, str):
                    entry = {"text": entry}
                messages[f"{file.stem}.{key}"] = entry
        self._messages, self._stamp = messages, stamp

    def messages(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            self._refresh()
            return dict(self._messages)

    def has(self, key: str) -> bool:
        return key in self.messages()

    def entry(self, key: str) -> dict[str, Any]:
        try:
            return self.messages()[key]
        except KeyError:
            raise ContentError(f"no content message '{key}' in {self._dir()}") from None

    def text(self, key: str, **values: Any) -> str:
        return str(self.entry(key).get("text", "")).format_map(_Placeholders(values))

    def buttons(self, key: str, **values: Any) -> list[dict[str, str]]:
        return [
            {"title": str(b["title"]).format_map(_Placeholders(values)),
             "payload": str(b["payload"]).format_map(_Placeholders(values))}
            for b in self.entry(key).get("buttons") or []
        ]

    def message(self, key: str, **values: Any) -> dict[str, Any]:
        """Keyword arguments for `dispatcher.utter_message(**content.message(key, ...))`."""
        out: dict[str, Any] = {"text": self.text(key, **values)}
        buttons = self.buttons(key, **values)
        if buttons:
            out["buttons"] = buttons
        return out


content = Content()
