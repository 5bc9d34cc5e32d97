"""Seen message ids: once per key, bounded by age and count, kept across restarts in a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels import seen as seen_module
from bot.channels.seen import SeenIds


def test_each_key_is_new_once_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "var" / "seen.db"
    first = SeenIds(path)
    assert first.first_time("a") and not first.first_time("a") and first.first_time("b")
    first.close()
    again = SeenIds(path)
    assert not again.first_time("a") and not again.first_time("b")
    assert again.first_time("c")


def test_old_keys_expire(tmp_path: Path) -> None:
    ids = SeenIds(tmp_path / "seen.db", max_age=60)
    assert ids.first_time("a", now=1000.0)
    assert not ids.first_time("a", now=1059.0)
    assert ids.first_time("a", now=1200.0)  # a replay long after: handled (and refused elsewhere)


def test_table_stays_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seen_module, "PRUNE_EVERY", 10)
    ids = SeenIds(tmp_path / "seen.db", max_entries=25, max_age=100)
    for number in range(200):
        ids.first_time(f"k{number}", now=1000.0 + number)
    assert ids.count() <= 25 + 10
    assert not ids.first_time("k199", now=1200.0)  # the newest are kept
    ids.first_time("late", now=5000.0)  # every 10th insert prunes by age too
    for number in range(9):
        ids.first_time(f"x{number}", now=5000.0)
    assert ids.count() == 10


def test_unusable_file_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    ids = SeenIds(blocker / "seen.db")
    assert ids.first_time("a") and not ids.first_time("a")
