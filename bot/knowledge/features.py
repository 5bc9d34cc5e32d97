"""Named signals about one candidate procedure for one query: what the learned ranker reads.

Each feature is a general signal, not a rule for a word: how much of the query the name covers
and the reverse, BM25, alias hits, fuzzy similarity, the meaning signal, who the procedure is
for, its level, the follow-up actions asked and named, the province, where in the message the
name's words stand. The hand-weighted sum the search used before the ranker is kept as
``hand`` (it still orders the hits when no ranker model is there) so the ablation table can
show what the ranker gains without it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from bot.nlu.normalization import fold_diacritics

# The order of the columns in the ranker's matrix; a model records the names it was fitted on.
FEATURES: tuple[str, ...] = (
    "bm25", "bm25_share", "details_bm25", "recall", "pair_recall", "precision", "similarity",
    "partial",
    "alias", "matched_information", "missing_information",
    "province", "named_province", "level", "commune", "abroad", "online_only", "curated",
    "field", "users", "follow_up_name", "follow_up_asked", "action_unsaid", "age_fit",
    "semantic", "name_words", "query_words", "query_information", "position", "hand",
)
INDEX = {name: i for i, name in enumerate(FEATURES)}
_LEVELS = {"xa": 0.0, "tinh": 1.0, "trung uong": 2.0, "huyen": 3.0}
_LEVEL_SUFFIX_RE = re.compile(r"(?:(?:thuc hien )?(?:tai|o) )?cap (xa|tinh|trung uong|huyen)$")


@dataclass(frozen=True)
class StaticFeatures:
    """What is known of a procedure before any query: computed once per index build."""

    level: float  # 0 commune, 1 province, 2 central, 3 district (gone since 2025), -1 unsaid
    commune: float  # done at the commune level
    abroad: float  # served only by missions abroad
    online_only: float  # the "toàn trình" online-only variant
    curated: float  # written or edited by us or an admin
    users: float  # +1 citizens, -1 organisations / businesses only, 0 unsaid
    name_words: float


def static_features(name: str, levels: tuple[str, ...], executing_agency: str, source: str,
                    target_users: str) -> StaticFeatures:
    suffix = _LEVEL_SUFFIX_RE.search(name)
    level_text = " ".join(fold_diacritics(level).lower() for level in levels)
    agency = fold_diacritics(executing_agency).lower()
    users = fold_diacritics(target_users).lower()
    return StaticFeatures(
        level=_LEVELS.get(suffix.group(1), -1.0) if suffix else -1.0,
        commune=float("cap xa" in level_text or "cap xa" in agency or "xa" in name.split()[-2:]),
        abroad=float("o nuoc ngoai" in agency and not re.search(r"\bxa\b|uy ban|tinh", agency)),
        online_only=float("toan trinh" in name),
        curated=float(source in ("curated", "admin")),
        users=1.0 if ("cong dan" in users or "ca nhan" in users) else (
            -1.0 if users and ("to chuc" in users or "doanh nghiep" in users) else 0.0),
        name_words=float(len(name.split())),
    )


def position(content: list[str], present: frozenset[str]) -> float:
    """Where the name's words stand in the message: 0 at its start, 1 at its end; NaN if none.
    A question usually closes a long message, its story comes first."""
    spots = [i for i, token in enumerate(content) if token in present]
    if not spots or len(content) < 2:
        return math.nan
    return float(np.mean(spots)) / (len(content) - 1)
