"""Fixtures for the staff assistant: the written test corpus and consoles with users by role."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.admin.conftest import app, as_role, project, settings  # noqa: F401 (fixtures)
from tests.staff.corpus import DOCUMENTS, CorpusDocument, write


@pytest.fixture(scope="session")
def corpus_files(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[CorpusDocument, Path]]:
    """Every corpus document written once per session as its real file type."""
    folder = tmp_path_factory.mktemp("staff-corpus")
    return {doc.key: (doc, write(doc, folder)) for doc in DOCUMENTS}
