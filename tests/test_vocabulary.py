"""The one YAML loader for data files: cached until the file changes, never fatal."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest

from bot import vocabulary
from bot.vocabulary import built, load_yaml


def write(path: Path, body: str) -> None:
    path.write_text(body, encoding="utf-8")
    # a new mtime even on coarse file systems
    stamp = time.time_ns() + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))


def test_parsed_once_and_again_after_an_edit(tmp_path: Path) -> None:
    path = tmp_path / "table.yml"
    write(path, "words: [a, b]\n")
    first = load_yaml(path)
    assert first == {"words": ["a", "b"]}
    assert load_yaml(path) is first  # not parsed again
    write(path, "words: [a, b, c]\n")
    assert load_yaml(path) == {"words": ["a", "b", "c"]}


@pytest.mark.parametrize("body", ["words: [unclosed\n", "- a list\n- not a mapping\n"])
def test_a_broken_file_is_empty_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                           body: str) -> None:
    path = tmp_path / "table.yml"
    write(path, body)
    with caplog.at_level(logging.ERROR, logger="bot.vocabulary"):
        assert load_yaml(path, what="Word table") == {}
    assert f"Word table {path}" in caplog.text


def test_a_missing_file_is_empty_and_logged_unless_optional(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.vocabulary"):
        assert load_yaml(tmp_path / "optional.yml", missing_ok=True) == {}
        assert not caplog.records
        assert load_yaml(tmp_path / "needed.yml") == {}
    assert "needed.yml is missing" in caplog.text


def test_built_values_follow_the_file(tmp_path: Path) -> None:
    path = tmp_path / "stopwords.yml"
    write(path, "stopwords: [tôi, mình]\nkept_after:\n  di: [chuyen]\n")
    assert vocabulary.stopword_forms(path) == frozenset({"tôi", "mình"})
    assert vocabulary.kept_after(path) == {"di": frozenset({"chuyen"})}
    calls = []
    assert built(path, "count", lambda data: calls.append(1) or len(data)) == 2
    assert built(path, "count", lambda data: calls.append(1) or len(data)) == 2
    assert len(calls) == 1  # built once per version of the file
    write(path, "stopwords: tôi em\n")  # a plain string is split at spaces
    assert vocabulary.stopword_forms(path) == frozenset({"tôi", "em"})
    assert vocabulary.kept_after(path) == {}


def test_the_shipped_tables_load() -> None:
    """Every table the code reads at import is present (their contents are the admins')."""
    assert vocabulary.phrases() and vocabulary.objects()
    assert vocabulary.stopword_forms() and vocabulary.kept_after()
    assert vocabulary.follow_up_actions() and vocabulary.action_hints()
    assert vocabulary.death_subjects() and vocabulary.death_followers()
    assert vocabulary.loanwords()
    table = vocabulary.abbreviations()
    assert table.expansions and table.password_context and table.not_after and table.not_before
