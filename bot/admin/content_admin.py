"""Editing data/content/*.yml from the console: every file, every message, generically.

A message is `text`, optional `buttons` (title + payload), and for sub-topics a button `label`
and selecting `phrases`; `note` is the admin-only explanation. Saving checks that the text still
formats, uses only the {placeholders} the code fills (those the saved version uses), that each
button sends an intent the domain knows, and that the file still parses, then writes it
atomically with comments and order kept. The bot re-reads the file on its next reply: no
training needed.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from bot.admin.yamlio import DataError, atomic_write, dump, load, seq

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,60}$")
FILE_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,60}$")
PAYLOAD_PATTERN = re.compile(r"^/([A-Za-z_][A-Za-z0-9_]*)(\{.*\})?$", re.DOTALL)
MAX_TEXT = 4000  # Telegram caps a message at 4096 characters
MAX_TITLE = 60
MAX_BUTTONS = 10


@dataclass
class Message:
    file: str
    key: str
    text: str = ""
    buttons: list[dict[str, str]] = field(default_factory=list)
    label: str | None = None
    phrases: list[str] | None = None
    note: str = ""

    @property
    def address(self) -> str:
        return f"{self.file}.{self.key}"

    @property
    def placeholders(self) -> set[str]:
        found: set[str] = set()
        values = [self.text, *(b.get(k, "") for b in self.buttons for k in ("title", "payload"))]
        for value in values:
            found |= placeholders(value)
        return found

    def as_yaml(self) -> CommentedMap:
        entry = CommentedMap()
        if self.label is not None:
            entry["label"] = DoubleQuotedScalarString(self.label)
        entry["text"] = (LiteralScalarString(self.text) if "\n" in self.text or len(self.text) > 80
                         else DoubleQuotedScalarString(self.text))
        if self.buttons:
            entry["buttons"] = seq([CommentedMap(title=DoubleQuotedScalarString(b["title"]),
                                                 payload=DoubleQuotedScalarString(b["payload"]))
                                    for b in self.buttons])
        if self.phrases is not None:
            phrases = seq([DoubleQuotedScalarString(p) for p in self.phrases])
            phrases.fa.set_flow_style()
            entry["phrases"] = phrases
        if self.note:
            entry["note"] = self.note
        return entry


def placeholders(text: str) -> set[str]:
    """Names of the {placeholders} in ``text``; raises DataError when braces are unbalanced."""
    hint = ("Chỗ điền giá trị viết {ten}; dấu { } thật (ví dụ trong nút /y_dinh{\"x\":\"y\"}) "
            "phải viết đôi {{ }}.")
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise DataError(f"Dấu ngoặc nhọn không khớp trong “{text[:80]}”. {hint}") from error
    odd = sorted(n for n in names if not n.isidentifier())
    if odd:
        raise DataError(f"Dấu ngoặc nhọn {{{odd[0]}}} trong “{text[:80]}” không phải chỗ điền "
                        f"giá trị. {hint}")
    return names


def _message(file: str, key: str, entry: Any) -> Message:
    if not isinstance(entry, dict):
        entry = {"text": "" if entry is None else str(entry)}
    buttons = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
               for b in entry.get("buttons") or [] if isinstance(b, dict)]
    phrases = entry.get("phrases")
    return Message(file, key, str(entry.get("text") or ""), buttons,
                   str(entry["label"]) if "label" in entry else None,
                   [str(p) for p in phrases] if isinstance(phrases, list) else None,
                   str(entry.get("note") or ""))


class ContentAdmin:
    def __init__(self, directory: Path, intents: Any) -> None:
        self.directory = directory
        self.intents = intents  # callable: the domain's intent names

    def files(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("*.yml"))

    def path(self, file: str) -> Path:
        if not FILE_PATTERN.match(file) or not (self.directory / f"{file}.yml").exists():
            raise DataError(f"Không có tệp nội dung '{file}'.")
        return self.directory / f"{file}.yml"

    def messages(self, file: str) -> list[Message]:
        try:
            data = pyyaml.safe_load(self.path(file).read_text("utf-8")) or {}
        except pyyaml.YAMLError as error:
            raise DataError(f"Tệp {file}.yml không đọc được: {error}") from error
        return [_message(file, str(k), v) for k, v in (data.get("messages") or {}).items()]

    def all_messages(self) -> list[Message]:
        found = []
        for file in self.files():
            try:
                found.extend(self.messages(file))
            except DataError:
                continue  # a broken file is listed with its error on its own page
        return found

    def get(self, file: str, key: str) -> Message:
        for message in self.messages(file):
            if message.key == key:
                return message
        raise DataError(f"Không có nội dung '{file}.{key}'.")

    def chat(self, message: Message) -> list[Message]:
        """The bubbles a citizen sees for ``message``: a sub-topic answer also carries the other
        sub-topics as buttons (actions/topics.py) and is followed by the 👍/👎 question."""
        if message.label is None:
            return [message]
        others = [m for m in self.messages(message.file)
                  if m.label is not None and m.key != message.key]
        answer = Message(message.file, message.key, message.text,
                         [*message.buttons, *({"title": m.label, "payload": ""} for m in others)])
        try:
            return [answer, self.get("feedback", "ask")]
        except DataError:
            return [answer]

    # --- checks --------------------------------------------------------------------------

    def check(self, new: Message, old: Message | None) -> None:
        allowed = old.placeholders if old else set()
        if old is not None and old.text.strip() and not new.text.strip():
            raise DataError("Nội dung không được để trống.")
        if len(new.text) > MAX_TEXT:
            raise DataError(f"Nội dung dài {len(new.text)} ký tự; tối đa {MAX_TEXT}.")
        unknown = sorted(new.placeholders - allowed)
        if unknown:
            names = ", ".join("{" + n + "}" for n in sorted(allowed)) or "không có"
            raise DataError(
                "Chỗ điền " + ", ".join("{" + n + "}" for n in unknown) + " không được chương "
                f"trình điền cho mục này. Chỗ điền dùng được: {names}.")
        if len(new.buttons) > MAX_BUTTONS:
            raise DataError(f"Tối đa {MAX_BUTTONS} nút.")
        known = set(self.intents())
        # Some files name a value the code maps (procedure.yml: "fee", "documents"...) instead
        # of an intent payload; an editor may keep those but not invent new ones.
        values = {b["payload"] for b in (old.buttons if old else [])
                  if not b["payload"].startswith("/")}
        for button in new.buttons:
            if button["payload"].strip() in values and button["title"].strip():
                continue
            self._check_button(button, known)
        if new.label is not None and not new.label.strip():
            raise DataError("Chữ trên nút chọn chủ đề không được để trống.")
        if new.label is not None and len(new.label) > MAX_TITLE:
            raise DataError(f"Chữ trên nút dài quá {MAX_TITLE} ký tự.")

    def _check_button(self, button: dict[str, str], known: set[str]) -> None:
        title, payload = button["title"].strip(), button["payload"].strip()
        if not title or not payload:
            raise DataError("Mỗi nút cần cả chữ trên nút và lệnh (payload).")
        if len(title) > MAX_TITLE:
            raise DataError(f"Chữ trên nút “{title[:30]}…” dài quá {MAX_TITLE} ký tự.")
        filled = payload.format_map({n: "x" for n in placeholders(payload)})
        match = PAYLOAD_PATTERN.match(filled)
        if not match:
            raise DataError(f"Lệnh của nút “{title}” phải có dạng /ten_y_dinh hoặc "
                            "/ten_y_dinh{{\"thuc_the\":\"gia_tri\"}}.")
        if match.group(1) not in known:
            raise DataError(f"Nút “{title}” gửi ý định '{match.group(1)}' mà trợ lý không có.")
        if match.group(2):
            try:
                json.loads(match.group(2))
            except json.JSONDecodeError as error:
                raise DataError(f"Phần {{...}} của lệnh nút “{title}” không phải JSON hợp lệ: "
                                f"{error.msg}.") from error

    # --- writing -------------------------------------------------------------------------

    def save(self, new: Message, create: bool = False) -> tuple[dict | None, dict]:
        """Check and write one message; returns (before, after) for the audit log."""
        path = self.path(new.file)
        old = None if create else self.get(new.file, new.key)
        if create:
            if not KEY_PATTERN.match(new.key):
                raise DataError("Mã nội dung chỉ dùng chữ thường không dấu, số và dấu gạch dưới.")
            if any(m.key == new.key for m in self.messages(new.file)):
                raise DataError(f"'{new.address}' đã có.")
        self.check(new, old)
        document = load(path)
        if not isinstance(document, CommentedMap):
            raise DataError(f"Tệp {new.file}.yml không có dạng messages: ...")
        messages = document.setdefault("messages", CommentedMap())
        messages[new.key] = new.as_yaml()
        text = dump(document)
        try:
            written = pyyaml.safe_load(text)["messages"][new.key]
        except (pyyaml.YAMLError, KeyError, TypeError) as error:
            raise DataError(f"Tệp sau khi sửa không còn là YAML hợp lệ: {error}") from error
        if _message(new.file, new.key, written) != new:
            raise DataError("Nội dung ghi ra không giống nội dung đã nhập; chưa lưu.")
        atomic_write(path, text)
        return (_plain(old) if old else None), _plain(new)

    def delete(self, file: str, key: str) -> dict:
        """Only sub-topics (messages with a button label) may go: code never asks for them."""
        old = self.get(file, key)
        if old.label is None:
            raise DataError("Chỉ xoá được chủ đề con (mục có chữ trên nút); các mục khác do "
                            "chương trình dùng.")
        path = self.path(file)
        document = load(path)
        del document["messages"][key]
        atomic_write(path, dump(document))
        return _plain(old)


def _plain(message: Message) -> dict[str, Any]:
    data: dict[str, Any] = {"text": message.text}
    if message.buttons:
        data["buttons"] = message.buttons
    if message.label is not None:
        data["label"] = message.label
    if message.phrases is not None:
        data["phrases"] = message.phrases
    return data
