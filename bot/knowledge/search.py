"""Find the procedure a citizen means, from their own words.

Pipeline for one query (all on the normalised, diacritic-free form):

1. a procedure code anywhere in the text ("1.004222") wins outright;
2. everyday phrases are rewritten to the catalog's wording ("sổ đỏ" -> "giấy chứng nhận quyền
   sử dụng đất", see :mod:`bot.knowledge.synonyms`), question words are dropped, unknown words
   are corrected against the catalog vocabulary ("khai sin" -> "khai sinh", "hokhau" split);
3. BM25 over syllables and syllable pairs of the names picks candidates; curated aliases are
   matched as phrases and fuzzily;
4. candidates are rescored: how much of the query the name covers, how much of the name the
   query covers (short generic names beat long special cases), fuzzy similarity, and priors —
   other provinces' variants down, the home province's variants up, commune-level and curated
   entries slightly up;
5. optionally (:mod:`bot.knowledge.semantic`), the cosine of sentence embeddings between the
   query and each name/alias reorders the candidates and brings in the nearest names.

The modules: :mod:`bot.knowledge.reading` (reading a query and a name), :mod:`bot.knowledge.index`
(the index and the priors), :mod:`bot.knowledge.aliases` (alias matching),
:mod:`bot.knowledge.candidates` (candidates, features and order, with
:mod:`bot.knowledge.features` and :mod:`bot.knowledge.ranker`); this one searches a store.

The index is built once per store revision (a counter the store bumps on every change), so the
action server sees admin edits without a restart.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from bot.knowledge import semantic
from bot.knowledge.index import CitizenFields, SearchIndex, field_key
from bot.knowledge.models import Procedure
from bot.knowledge.ranker import Ranker
from bot.knowledge.ranker import load as ranker_load
from bot.knowledge.ranker import model_path as ranker_path
from bot.knowledge.store import IndexRow, ProcedureStore
from bot.vocabulary import load_yaml

logger = logging.getLogger(__name__)

CODE_RE = re.compile(r"(?<![\d.])(\d\.\d{6,})(?![\d])")
# A hit at or above this confidence can be answered directly; below it, offer choices.
CONFIDENT = 0.6


@dataclass
class SearchHit:
    code: str
    name: str
    score: float  # 0..1, comparable across queries
    procedure: Procedure
    # How sure the search is that this is THE procedure meant (0..1); see CONFIDENT.
    confidence: float = 0.0
    matched: str = "name"  # "code", "alias" or "name"
    # what the hits are ordered by: the learned ranker's score, else the hand-weighted one
    order: float = 0.0


def _confidence(scores: list[float], names: list[str]) -> float:
    """High when the best score is high AND clearly ahead of the best differently named hit."""
    if not scores:
        return 0.0
    rival = next((s for s, n in zip(scores[1:], names[1:], strict=True) if n != names[0]), 0.0)
    return max(0.0, min(1.0, 0.7 * scores[0] + 2.0 * (scores[0] - rival)))


ALIASES_FILE = Path(__file__).resolve().parents[2] / "data" / "vocabulary" / "aliases.yml"
FIELDS_FILE = ALIASES_FILE.with_name("citizen_fields.yml")


def extra_aliases(path: Path | None = None) -> dict[str, list[str]]:
    """The admin-kept alias table (code -> names people use); {} when absent or broken."""
    path = path or ALIASES_FILE
    data = load_yaml(path, what="Alias table")
    try:
        return {str(code): [str(a) for a in names or []]
                for code, names in (data.get("aliases") or {}).items()}
    except (AttributeError, TypeError) as exc:
        logger.error("Alias table %s unusable: %s", path, exc)
        return {}


def citizen_fields(path: Path | None = None) -> CitizenFields:
    """The admin-kept table of fields citizens mostly ask about; none when absent or broken."""
    path = path or FIELDS_FILE
    data = load_yaml(path, what="Field table")
    try:
        return CitizenFields(
            float(data.get("bonus") or 0.0),
            frozenset(field_key(f) for f in data.get("fields") or []),
            float(data.get("penalty") or 0.0),
            frozenset(field_key(f) for f in data.get("not_for_citizens") or []))
    except (AttributeError, TypeError, ValueError) as exc:
        logger.error("Field table %s unusable: %s", path, exc)
        return CitizenFields()


def with_aliases(rows: list[IndexRow], table: dict[str, list[str]]) -> list[IndexRow]:
    return [replace(row, aliases=(*row.aliases, *table[row.code])) if row.code in table else row
            for row in rows]


class ProcedureSearch:
    """Search over a store; rebuilds its index when the store or the alias table changes."""

    def __init__(self, store: ProcedureStore, *, home_province: str | None = None,
                 semantic_signal: bool | None = None, embeddings: Path | None = None,
                 learned: bool = True) -> None:
        self.store = store
        self.learned = learned  # False: the hand-weighted order even when a model exists
        # None: on unless SEMANTIC_SEARCH=0; False: lexical only, whatever is installed
        self.semantic_signal = semantic.enabled() if semantic_signal is None else semantic_signal
        self.embeddings = embeddings  # the embedding cache file; default: beside the database
        self.home_province = (
            home_province if home_province is not None else os.environ.get("HOME_PROVINCE", "")
        )
        self._index: SearchIndex | None = None
        self._revision: tuple[int, ...] = (-1,)
        self._lock = threading.Lock()
        self._embedding: threading.Thread | None = None

    def _ranker(self) -> Ranker | None:
        return ranker_load() if self.learned else None

    def _cache_path(self) -> Path | None:
        if self.embeddings is not None:
            return self.embeddings
        path = getattr(self.store, "path", None)  # SQLite: next to the database file
        return Path(f"{path}.emb.npz") if path else None

    def _start_semantic(self, index: SearchIndex) -> None:
        """Attach the semantic part: now when (nearly) everything is cached, else from a
        background thread, the search staying lexical until it is done."""
        self._embedding = None
        embed = semantic.embedder() if self.semantic_signal else None
        if embed is None:
            return
        cache = semantic.VectorCache(self._cache_path())
        texts = [semantic.prepare(t) for _, t in index.semantic_texts()]
        missing = cache.missing(texts)
        if missing <= semantic.SYNC_LIMIT:
            self._attach_semantic(index, cache, embed)
            return
        logger.info("Embedding %d procedure names in the background", missing)
        self._embedding = threading.Thread(target=self._attach_semantic,
                                           args=(index, cache, embed), daemon=True,
                                           name="semantic-index")
        self._embedding.start()

    def _attach_semantic(self, index: SearchIndex, cache: semantic.VectorCache,
                         embed: semantic.Embed) -> None:
        try:
            index.semantic = semantic.SemanticIndex.build(
                index.semantic_texts(), len(index.docs), cache, embed)
        except Exception:  # a failed build must not take the lexical search down with it
            logger.exception("Semantic index not built; lexical search only")

    def wait_semantic(self, timeout: float | None = None) -> bool:
        """Block until the current index's semantic part is built (benchmarks, tests)."""
        index = self.index
        thread = self._embedding
        if thread is not None:
            thread.join(timeout)
        return index.semantic is not None

    @property
    def index(self) -> SearchIndex:
        stamps = tuple(p.stat().st_mtime_ns if p.exists() else 0
                       for p in (ALIASES_FILE, FIELDS_FILE, ranker_path()))
        revision = (self.store.revision(), *stamps)
        with self._lock:
            if self._index is None or revision != self._revision:
                rows = with_aliases(self.store.index_rows(), extra_aliases())
                self._index = SearchIndex(rows, home_province=self.home_province,
                                          fields=citizen_fields(), ranker=self._ranker())
                self._revision = revision
                self._start_semantic(self._index)
            return self._index

    def search(self, text: str, top: int = 5) -> list[SearchHit]:
        index = self.index
        for code in CODE_RE.findall(text or ""):
            if code in index.by_code:
                procedure = self.store.get(code)
                if procedure is not None:
                    return [SearchHit(code, procedure.name, 1.0, procedure, 1.0, "code")]
        ranked = index.rank(text or "", top=max(top, 5))
        hits, evidence, order = [], [], []
        for doc_id, score, matched, support, key in ranked:
            row = index.docs[doc_id].row
            procedure = self.store.get(row.code)
            if procedure is not None:
                hits.append(SearchHit(row.code, procedure.name, round(score, 4), procedure,
                                      matched=matched, order=key))
                evidence.append(support)
                order.append(key)
        if hits:
            names = [index.docs[index.by_code[h.code]].core for h in hits]
            if index.ranker is not None:
                rival = next((o for o, n in zip(order[1:], names[1:], strict=True)
                              if n != names[0]), order[0] - 10.0)
                confidence = index.ranker.confidence(order[0], order[0] - rival, evidence[0],
                                                     index.information(index.read(text).content))
            else:
                # rivals count with their evidence: a default preference is no reason to be sure
                confidence = _confidence([hits[0].score] + evidence[1:], names)
            hits[0].confidence = round(confidence, 4)
            for hit in hits[1:]:
                hit.confidence = round(min(hits[0].confidence, hit.score * 0.5), 4)
        return hits[:top]

    def best(self, text: str) -> SearchHit | None:
        """The one procedure meant, when the search is confident enough; else None."""
        hits = self.search(text, top=2)
        return hits[0] if hits and hits[0].confidence >= CONFIDENT else None


_SEARCHES: dict[int, ProcedureSearch] = {}


def search(store: ProcedureStore, text: str, top: int = 5) -> list[SearchHit]:
    """Module-level convenience: one cached :class:`ProcedureSearch` per store object."""
    engine = _SEARCHES.get(id(store))
    if engine is None or engine.store is not store:
        engine = _SEARCHES[id(store)] = ProcedureSearch(store)
    return engine.search(text, top=top)
