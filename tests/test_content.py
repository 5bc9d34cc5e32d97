"""The content loader: texts as data, re-read when an admin edits a file."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bot.content import Content, ContentError


def write(path: Path, body: str) -> None:
    path.write_text(body, encoding="utf-8")
    # Make sure the new mtime differs even on coarse file systems.
    stamp = time.time_ns() + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


def test_text_buttons_and_reload(tmp_path: Path) -> None:
    write(tmp_path / "demo.yml", """
messages:
  hello:
    text: "Chào {name}, mã {code}"
    buttons:
      - title: "Lệ phí {code}"
        payload: "/ask_fee"
  plain: "Một câu"
""")
    content = Content(tmp_path)
    assert content.text("demo.hello", name="bạn", code="1.004222") == "Chào bạn, mã 1.004222"
    assert content.message("demo.hello", name="A", code="X")["buttons"] == [
        {"title": "Lệ phí X", "payload": "/ask_fee"}]
    assert content.message("demo.plain") == {"text": "Một câu"}
    # An unknown placeholder stays visible instead of crashing the action.
    assert content.text("demo.hello", name="A") == "Chào A, mã {code}"

    write(tmp_path / "demo.yml", "messages:\n  plain: \"Câu đã sửa\"\n")
    assert content.text("demo.plain") == "Câu đã sửa"
    with pytest.raises(ContentError):
        content.text("demo.hello")
