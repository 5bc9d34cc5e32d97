"""Setup scripts find a Python 3.10 interpreter or stop with a message naming what is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import ROOT


def run_lib(
    snippet: str, env: dict[str, str], root: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f"source scripts/lib.sh && {snippet}"],
        cwd=root, env=env, capture_output=True, text=True,
    )


def test_python310_found_through_the_variable() -> None:
    result = run_lib("find_python310", {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent",
                                        "PYTHON310": sys.executable})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == sys.executable


def test_missing_python310_stops_with_a_clear_message(tmp_path) -> None:
    # A "python3.10" that is really another version must not be accepted either.
    fake = tmp_path / "python3.10"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    result = run_lib("require_python310", {"PATH": f"{tmp_path}:/usr/bin:/bin",
                                           "HOME": str(tmp_path), "PYTHON310": ""})
    if Path("/usr/bin/python3.10").exists() or Path("/usr/local/bin/python3.10").exists():
        pytest.skip("this machine has a system-wide Python 3.10")
    assert result.returncode != 0
    assert "Python 3.10 not found" in result.stderr
    assert "PYTHON310=" in result.stderr


def test_model_fingerprint_changes_only_with_what_the_model_is_trained_from(tmp_path) -> None:
    for part in ("scripts", "data", "bot/nlu"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("config.yml", "domain.yml", "bot/vocabulary.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    env = {"PATH": "/usr/bin:/bin"}
    before = run_lib("model_fingerprint", env, tmp_path).stdout.strip()
    assert len(before) == 12
    (tmp_path / "README.md").write_text("not training data")
    # the search's tables are read at run time, the model is not trained on them
    with (tmp_path / "data" / "vocabulary" / "phrases.yml").open("a") as table:
        table.write("# an admin's edit\n")
    assert run_lib("model_fingerprint", env, tmp_path).stdout.strip() == before
    (tmp_path / "data" / "nlu" / "extra.yml").write_text('version: "3.1"\nnlu: []\n')
    after_nlu = run_lib("model_fingerprint", env, tmp_path).stdout.strip()
    assert after_nlu != before
    # the normaliser spells out the abbreviations in every training example
    with (tmp_path / "data" / "vocabulary" / "abbreviations.yml").open("a") as table:
        table.write("# an admin's edit\n")
    assert run_lib("model_fingerprint", env, tmp_path).stdout.strip() != after_nlu
