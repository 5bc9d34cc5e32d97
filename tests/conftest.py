"""Fixtures shared by every test area."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import ROOT, RasaStack, start_stack

# The national data: NATIONAL_DATA, as for scripts/run.sh, else beside the repo.
SHARED_DATA = Path(os.environ.get("NATIONAL_DATA")
                   or ROOT.parent / "shared" / "data" / "national-procedures")

# The semantic search signal embeds every name of a new database (minutes for the national
# catalog, in a background thread): tests would change behaviour mid-run. Off unless asked for
# (SEMANTIC_SEARCH=1); tests/knowledge/test_semantic.py turns it on where it is tested.
os.environ.setdefault("SEMANTIC_SEARCH", "0")


@pytest.fixture(scope="session")
def national_data() -> Path:
    """The national procedure data beside the repo; tests needing it skip when it is absent."""
    if not (SHARED_DATA / "catalog.csv").exists():
        pytest.skip(f"national data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def curated_knowledge_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The knowledge base as `scripts/run.sh` builds it (curated catalog), in a temp folder."""
    database = tmp_path_factory.mktemp("knowledge") / "knowledge.db"
    subprocess.run(
        [sys.executable, "-m", "bot", "catalog", "load-curated", "--db", str(database),
         "--dir", str(ROOT / "data" / "catalog")],
        cwd=ROOT, check=True, capture_output=True,
    )
    return database


@pytest.fixture(scope="session")
def deployed_knowledge_db(
    tmp_path_factory: pytest.TempPathFactory, curated_knowledge_db: Path
) -> Path:
    """The knowledge base as `scripts/run.sh` builds it by default: the national catalog (when
    its files are beside the repo, as in CI) plus the curated catalog; else curated only."""
    if not (SHARED_DATA / "catalog.csv").exists():
        return curated_knowledge_db
    database = tmp_path_factory.mktemp("knowledge-full") / "knowledge.db"
    for command in (
        ["catalog", "import", "--catalog", str(SHARED_DATA / "catalog.csv"),
         "--details", str(SHARED_DATA / "details"), "--db", str(database), "--no-progress"],
        ["catalog", "load-curated", "--db", str(database), "--dir", str(ROOT / "data" / "catalog")],
    ):
        subprocess.run([sys.executable, "-m", "bot", *command], cwd=ROOT, check=True,
                       capture_output=True)
    return database


@pytest.fixture(scope="session")
def rasa_stack(
    tmp_path_factory: pytest.TempPathFactory, deployed_knowledge_db: Path
) -> Iterator[RasaStack]:
    """A real action server + Rasa server (REST channel) on free ports, shared by the session,
    over the knowledge base a deployment has by default."""
    stack = start_stack(tmp_path_factory.mktemp("rasa-stack"),
                        env={"KNOWLEDGE_DB": str(deployed_knowledge_db)})
    yield stack
    stack.stop()
