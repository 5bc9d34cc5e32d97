"""The curated catalog (data/catalog/*.yml) is loadable and agrees with the national data.

Codes, names and portal links are facts: they must match what the national portal publishes.
Summaries and aliases are ours, but every entry needs them to be findable and explainable.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from actions.procedures import GUIDES_FILE
from bot.knowledge.curated import load_catalog
from bot.knowledge.models import Procedure
from bot.knowledge.national import parse_catalog
from bot.knowledge.search import ALIASES_FILE, extra_aliases
from bot.nlu.normalization import fold_diacritics

CATALOG_DIR = Path(__file__).resolve().parents[2] / "data" / "catalog"


def _loose(text: str) -> str:
    """Compare names without case, diacritics, punctuation or a leading "Thủ tục"."""
    folded = fold_diacritics(unicodedata.normalize("NFC", text)).lower()
    folded = re.sub(r"^thu tuc\s+", "", folded.strip())
    return " ".join(re.findall(r"\w+", folded))


@pytest.fixture(scope="module")
def curated() -> list[Procedure]:
    return load_catalog(CATALOG_DIR)


@pytest.fixture(scope="module")
def national_rows(national_data: Path) -> dict[str, list]:
    rows = defaultdict(list)
    for row in parse_catalog(national_data / "catalog.csv").rows:
        rows[row.code].append(row)
    return rows


def test_catalog_has_enough_unique_entries(curated: list[Procedure]) -> None:
    codes = [p.code for p in curated]
    assert len(codes) >= 40
    assert len(set(codes)) == len(codes)
    files = {p.stem for p in CATALOG_DIR.glob("*.yml")}
    assert {"ho-tich", "cu-tru", "can-cuoc", "ho-chieu", "giao-thong", "dat-dai"} <= files


def test_every_entry_is_explained_and_findable(curated: list[Procedure]) -> None:
    for procedure in curated:
        assert procedure.summary, procedure.code
        assert len(procedure.summary) <= 400, procedure.code
        assert len(procedure.aliases) >= 2, procedure.code
        assert procedure.executing_agency, procedure.code
        assert procedure.updated == "2026-11-21", procedure.code
        assert procedure.portal_url.startswith("https://dichvucong.gov.vn/"), procedure.code


def test_no_district_level_agencies(curated: list[Procedure]) -> None:
    """Two-tier local government since 1 July 2025: never send people to "UBND huyện"."""
    for procedure in curated:
        text = " ".join([procedure.summary, procedure.executing_agency]
                        + [d.name for d in procedure.documents]
                        + [m.description for m in procedure.methods])
        assert "huyện" not in text.lower(), procedure.code


def test_codes_names_and_links_match_the_national_catalog(
    curated: list[Procedure], national_rows: dict[str, list]
) -> None:
    for procedure in curated:
        rows = national_rows.get(procedure.code)
        assert rows, f"{procedure.code} is not in the national catalog"
        assert _loose(procedure.name) in {_loose(r.name) for r in rows}, procedure.code
        assert procedure.portal_url in {r.url for r in rows}, procedure.code
        assert procedure.issuing_agency in {r.issuing_agency for r in rows}, procedure.code


def test_only_procedures_with_a_detail_page_carry_detail_facts(
    curated: list[Procedure], national_data: Path
) -> None:
    for procedure in curated:
        if not (national_data / "details" / f"{procedure.code}.md").exists():
            assert not procedure.documents, procedure.code
            assert not procedure.methods, procedure.code
        else:
            assert procedure.documents, procedure.code


def test_done_when_procedure_is_curated(curated: list[Procedure]) -> None:
    by_code = {p.code: p for p in curated}
    permanent = by_code["1.004222"]
    assert "nhập hộ khẩu" in permanent.aliases
    assert any(m.processing_time == "7 ngày làm việc" for m in permanent.methods)
    assert by_code["3.000228"].executing_agency == "Công an cấp xã"


def test_alias_and_guide_tables_name_real_procedures(national_data: Path) -> None:
    """data/vocabulary/aliases.yml and guides.yml are written by hand: a mistyped code would
    silently attach a name (or a guide) to nothing."""
    known = {row.code for row in parse_catalog(national_data / "catalog.csv").rows}
    aliases = extra_aliases(ALIASES_FILE)
    assert aliases and not set(aliases) - known
    guides = yaml.safe_load(GUIDES_FILE.read_text(encoding="utf-8"))["guides"]
    assert {str(c) for codes in guides.values() for c in codes} <= known
