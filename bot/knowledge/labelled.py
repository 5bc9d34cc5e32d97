"""Labelled citizens' questions: what the ranker is fitted on and what the benches measure.

Three sources, each a list of (text, acceptable procedure codes):

* ``bench/search_queries.yml``: short queries by split (dev, test, test2, dev3, dev4, dev5);
* ``tests/conversations/<split>/*.yml``: the first turn of each conversation that expects a
  procedure (later turns are follow-ups whose meaning depends on the dialogue);
* ``real-questions/questions.tsv`` in the shared data (``$REAL_QUESTIONS``, default
  ``../shared/data/real-questions``): questions citizens published, split by site into ``dev``
  (fit and study) and ``test`` (run once at the end, never fitted on). A ``re:<regex>`` label
  means every catalog name the regex matches.

Every source is read from where it lives; nothing here copies the shared files.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
QUERIES_FILE = ROOT / "bench" / "search_queries.yml"
CONVERSATIONS_DIR = ROOT / "tests" / "conversations"
# Never fitted on: the real questions' test split and the conversations written blind for it.
HELD_OUT = frozenset({"real-test", "conv-heldout2", "queries-test2"})


def real_questions_file() -> Path:
    base = os.environ.get("REAL_QUESTIONS") or ROOT.parent / "shared/data/real-questions"
    return Path(base) / "questions.tsv"


@dataclass(frozen=True)
class Labelled:
    text: str
    codes: tuple[str, ...]  # acceptable codes, the intended one first; () for a topic
    source: str  # "queries-dev", "conv-dev", "real-dev", ...
    intent: str = ""
    facets: tuple[str, ...] = field(default=())
    pattern: str = ""  # a "re:" label, resolved against the catalog's names by with_names()


def search_queries(path: Path = QUERIES_FILE) -> list[Labelled]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [Labelled(str(q["q"]), tuple(str(c) for c in q["expect"]), f"queries-{q['split']}")
            for q in data.get("queries") or []]


def conversation_openers(split: str, directory: Path = CONVERSATIONS_DIR) -> list[Labelled]:
    """The first turn of each conversation of a split that expects a procedure."""
    out = []
    for path in sorted((directory / split).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in data.get("conversations") or []:
            turns = entry.get("turns") or []
            expect = (turns[0].get("expect") or {}) if turns else {}
            if expect.get("procedure"):
                out.append(Labelled(str(turns[0]["user"]),
                                    tuple(str(c) for c in expect["procedure"]),
                                    f"conv-{split}", facets=tuple(expect.get("facets") or ())))
    return out


def real_questions(split: str, path: Path | None = None) -> list[Labelled]:
    """The real questions of one split ("dev" or "test"); [] when the file is not there."""
    path = path or real_questions_file()
    if not path.is_file():
        return []
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["split"] != split:
                continue
            label = row["procedure"].strip()
            pattern = label[3:] if label.startswith("re:") else ""
            codes = () if pattern or label in ("", "-") else tuple(
                c.strip() for c in label.split(",") if c.strip())
            out.append(Labelled(row["text"], codes, f"real-{split}", row["intent"],
                                tuple(row["facets"].split()), pattern))
    return out


def with_names(items: Iterable[Labelled], names: dict[str, str]) -> list[Labelled]:
    """Resolve "re:" labels to the codes whose catalog name matches, first in catalog order."""
    out = []
    for item in items:
        if item.pattern:
            regex = re.compile(item.pattern, re.IGNORECASE)
            item = Labelled(item.text, tuple(c for c, n in names.items() if regex.search(n)),
                            item.source, item.intent, item.facets, item.pattern)
        out.append(item)
    return out


def training_set(names: dict[str, str]) -> list[Labelled]:
    """Everything the ranker may be fitted on: every studied split, never a held-out one."""
    items = [q for q in search_queries() if q.source not in HELD_OUT]
    items += conversation_openers("dev")
    items += real_questions("dev")
    return [i for i in with_names(items, names) if i.codes and i.source not in HELD_OUT]
