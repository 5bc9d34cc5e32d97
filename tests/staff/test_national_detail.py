"""Full procedure details on the real national catalog (5,600 procedures, 2,100 detail pages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.importer import import_national
from bot.knowledge.store import SQLiteProcedureStore
from bot.staff.assistant import StaffAssistant

STAFF = {"role": "viewer", "department": ""}


@pytest.fixture(scope="module")
def staff(national_data: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("national-detail")
    with SQLiteProcedureStore(folder / "knowledge.db") as store:
        import_national(store, national_data / "catalog.csv", national_data / "details")
    assistant = StaffAssistant(folder / "staff.db", folder / "knowledge.db")
    yield assistant
    assistant.close()


def test_detail_of_permanent_residence_registration(staff: StaffAssistant) -> None:
    answer = staff.ask("chi tiết 1.004222", STAFF)
    assert answer.kind == "procedure"
    detail = answer.detail
    procedure = detail.procedure
    assert procedure.name == "Đăng ký thường trú"
    assert procedure.executing_agency and procedure.steps and procedure.documents
    assert {"68/2020/QH14", "154/2024/NĐ-CP", "53/2025/TT-BCA"} <= set(detail.legal_numbers)
    assert detail.last_import is not None and len(detail.last_import.day) == 10


def test_every_variant_of_a_provincial_procedure_is_listed(staff: StaffAssistant) -> None:
    base = staff.ask("chi tiết 1.115633", STAFF).detail
    assert len(base.variants) >= 5
    codes = {v.code for v in base.variants}
    assert "1.115633" not in codes and len(codes) == len(base.variants)
    assert all(v.url.startswith("https://dichvucong.gov.vn/") for v in base.variants)
    assert len({v.issuing_agency for v in base.variants}) >= 3  # several provinces
    # Asking by name finds the same family.
    by_name = staff.ask(f"chi tiết {base.procedure.name}", STAFF).detail
    assert {by_name.procedure.code, *(v.code for v in by_name.variants)} == (
        {"1.115633", *codes})
