"""Fixtures for the knowledge base tests: the synthetic national files and a filled store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.knowledge.importer import import_national
from bot.knowledge.store import SQLiteProcedureStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture()
def national_files() -> tuple[Path, Path]:
    return FIXTURES / "national" / "catalog.csv", FIXTURES / "national" / "details"


@pytest.fixture()
def curated_dir() -> Path:
    return FIXTURES / "curated"


@pytest.fixture()
def store(tmp_path: Path, national_files: tuple[Path, Path]) -> Iterator[SQLiteProcedureStore]:
    with SQLiteProcedureStore(tmp_path / "knowledge.db") as opened:
        import_national(opened, *national_files)
        yield opened
