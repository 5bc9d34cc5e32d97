"""Fixtures shared by every test area."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import ROOT, RasaStack, start_stack

SHARED_DATA = ROOT.parent / "shared" / "data" / "national-procedures"


@pytest.fixture(scope="session")
def national_data() -> Path:
    """The national procedure data beside the repo; tests needing it skip when it is absent."""
    if not (SHARED_DATA / "catalog.csv").exists():
        pytest.skip(f"national data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    """A real action server + Rasa server (REST channel) on free ports, shared by the session."""
    stack = start_stack(tmp_path_factory.mktemp("rasa-stack"))
    yield stack
    stack.stop()
