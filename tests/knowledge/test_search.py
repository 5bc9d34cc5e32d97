from __future__ import annotations

from bot.knowledge.importer import load_curated
from bot.knowledge.resolve import search_topic
from bot.knowledge.search import CONFIDENT, ProcedureSearch


def codes(engine: ProcedureSearch, text: str, top: int = 3) -> list[str]:
    return [hit.code for hit in engine.search(text, top=top)]


def test_accented_and_unaccented_queries_rank_the_same(store):
    engine = ProcedureSearch(store, home_province="")
    accented = engine.search("đăng ký thường trú")
    plain = engine.search("dang ky thuong tru")
    assert [h.code for h in accented] == [h.code for h in plain]
    assert accented[0].code == "9.000001"
    assert [h.score for h in accented] == [h.score for h in plain]


def test_code_anywhere_in_text_wins(store):
    hits = ProcedureSearch(store).search("cho hỏi thủ tục 9.000006 cần gì")
    assert [h.code for h in hits] == ["9.000006"]
    assert hits[0].matched == "code" and hits[0].confidence == 1.0


def test_national_variant_beats_other_provinces_and_home_province_wins(store):
    assert codes(ProcedureSearch(store, home_province=""), "cap doi giay chung nhan")[0] == (
        "9.000003"
    )
    home = ProcedureSearch(store, home_province="Lạng Sơn")
    assert codes(home, "cấp đổi giấy chứng nhận quyền sử dụng đất")[0] == "9.000004"
    assert codes(ProcedureSearch(store, home_province=""), "cap doi so do o gia lai")[0] == (
        "9.000005"
    )


def test_typos_abbreviations_and_everyday_words(store):
    engine = ProcedureSearch(store, home_province="")
    assert codes(engine, "dang ky khai sin")[0] == "9.000006"
    assert codes(engine, "nhập hộ khẩu")[0] == "9.000001"
    assert codes(engine, "lam lai cccd")[0] == "9.000002"
    assert codes(engine, "doi bang lai xe")[0] == "9.000009"


def test_curated_aliases_and_index_refresh(store, curated_dir):
    engine = ProcedureSearch(store, home_province="")
    engine.search("x")  # build the index before the catalog changes
    load_curated(store, curated_dir)
    hits = engine.search("đổi sổ hồng")
    # the fixture's curated entry is renamed ("Cấp đổi sổ đỏ"), so the provincial variants keep
    # the full name match; the alias must reach the index without a restart all the same
    curated = next(hit for hit in hits if hit.code == "9.000003")
    assert curated.matched == "alias" and curated.procedure.source == "curated"


def test_confidence_separates_clear_and_vague_queries(store):
    engine = ProcedureSearch(store, home_province="")
    assert engine.best("đăng ký khai sinh").code == "9.000006"
    # one generic word names no procedure: on a catalog of nine the ranker may still be sure of
    # its first hit, so this is the dialogue's call (resolve), which asks instead of answering
    assert search_topic(engine, "giấy").procedure is None
    assert engine.search("đăng ký khai sinh")[0].confidence >= CONFIDENT
    assert engine.search("xin chào") == []
