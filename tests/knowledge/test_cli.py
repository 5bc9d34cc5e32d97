from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "catalog", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def test_import_then_search_json(tmp_path, national_files):
    db = tmp_path / "k.db"
    catalog, details = national_files
    first = run("import", "--catalog", str(catalog), "--details", str(details), "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert "8 inserted" in first.stdout and "Skipped: 2" in first.stdout
    second = run("import", "--catalog", str(catalog), "--details", str(details), "--db", str(db))
    assert "Nothing changed" in second.stdout
    found = run("search", "lam lai can cuoc", "--db", str(db), "--top", "2", "--json")
    assert found.returncode == 0, found.stderr
    payload = json.loads(found.stdout)
    assert len(payload) <= 2 and set(payload[0]) == {"code", "name", "score"}
    assert payload[0]["code"] == "9.000002"
    assert payload[0]["score"] >= payload[-1]["score"]


def test_errors_exit_2_without_traceback(tmp_path):
    missing_db = run("search", "x", "--db", str(tmp_path / "none.db"), "--json")
    assert missing_db.returncode == 2
    assert "Lỗi:" in missing_db.stderr and "Error:" in missing_db.stderr
    assert "Traceback" not in missing_db.stderr
    junk = tmp_path / "junk.db"
    junk.write_text("junk")
    assert run("search", "x", "--db", str(junk)).returncode == 2
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("a,b\n1,2\n", encoding="utf-8")
    malformed = run("import", "--catalog", str(bad_csv), "--db", str(tmp_path / "k.db"))
    assert malformed.returncode == 2 and "unexpected header" in malformed.stderr
    assert "Traceback" not in malformed.stderr
    absent = run("import", "--catalog", str(tmp_path / "no.csv"), "--db", str(tmp_path / "k.db"))
    assert absent.returncode == 2 and "not found" in absent.stderr


def test_load_curated_reports_bad_file(tmp_path):
    (tmp_path / "x.yml").write_text("procedures:\n  - name: no code\n", encoding="utf-8")
    result = run("load-curated", "--db", str(tmp_path / "k.db"), "--dir", str(tmp_path))
    assert result.returncode == 2
    assert "x.yml: entry #1 (no code): 'code' is required" in result.stderr
