"""Admin-editable data files, read through one cached YAML loader.

:func:`load_yaml` is the one way code reads a YAML data file (the word tables in
``data/vocabulary/``, the content texts, the province settings): parsed again only when the file
changes on disk, so an administrator's edit shows without a restart, and never fatal: a missing or
broken file gives ``{}`` and an error in the log.

The word tables that used to be Python literals (the everyday phrases, the stop words, the action
words, the abbreviations) have typed accessors below; each is converted once per change of its
file. Nothing here imports the rest of the bot, so any module may use it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import yaml

logger = logging.getLogger(__name__)

VOCABULARY_DIR = Path(__file__).resolve().parents[1] / "data" / "vocabulary"
PHRASES_FILE = VOCABULARY_DIR / "phrases.yml"
STOPWORDS_FILE = VOCABULARY_DIR / "stopwords.yml"
ACTIONS_FILE = VOCABULARY_DIR / "actions.yml"
ABBREVIATIONS_FILE = VOCABULARY_DIR / "abbreviations.yml"
LOANWORDS_FILE = VOCABULARY_DIR / "loanwords.yml"

T = TypeVar("T")

_lock = threading.Lock()
# str(path) -> ((mtime_ns, size, inode), parsed mapping); the inode tells a file replaced by a
# rename (an editor's save) from the one it replaced
_files: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}
_MISSING = (-1, -1, -1)
# (str(path), name) -> (the mapping it was built from, the built value)
_built: dict[tuple[str, str], tuple[dict[str, Any], Any]] = {}


def load_yaml(path: Path | str, *, what: str = "Data file", missing_ok: bool = False
              ) -> dict[str, Any]:
    """The YAML mapping in ``path``, parsed again only when the file changes (mtime, size, inode).

    A missing file, broken YAML or a top level that is not a mapping gives ``{}`` and an error
    logged as "<what> <path> ...", once until the file changes (a missing file is not logged
    with ``missing_ok``). The mapping is shared between callers: read it, do not change it.
    """
    key = str(path)
    try:
        status = Path(path).stat()
        stamp = (status.st_mtime_ns, status.st_size, status.st_ino)
    except OSError as error:
        stamp = _MISSING
        missing = isinstance(error, FileNotFoundError)
        problem = "is missing" if missing else f"is unreadable: {error}"
    with _lock:
        cached = _files.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    if stamp == _MISSING:  # logged once, not on every call until it is back
        if not (missing_ok and missing):
            logger.error("%s %s %s; ignoring it", what, path, problem)
        with _lock:
            _files[key] = (stamp, {})
            return _files[key][1]
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        logger.error("%s %s is not valid YAML, ignoring it: %s", what, path, error)
        data = {}
    if data is None:
        data = {}
    if not isinstance(data, dict):
        logger.error("%s %s is not a mapping (name: value lines), ignoring it", what, path)
        data = {}
    with _lock:
        _files[key] = (stamp, data)
    return data


def built(path: Path | str, name: str, build: Callable[[dict[str, Any]], T]) -> T:
    """``build(load_yaml(path))``, built again only when the file changes; ``name`` tells apart
    the several values built from one file."""
    data = load_yaml(path, what="Vocabulary file")
    key = (str(path), name)
    with _lock:
        cached = _built.get(key)
        if cached is not None and cached[0] is data:
            return cached[1]
    value = build(data)
    with _lock:
        _built[key] = (data, value)
    return value


def _words(value: Any) -> tuple[str, ...]:
    """A list of words or phrases; a plain string is split at spaces."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value if item is not None)
    return (str(value),)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _mapping(data: dict[str, Any], section: str) -> dict[Any, Any]:
    value = data.get(section)
    return value if isinstance(value, dict) else {}


# -- the everyday phrases (data/vocabulary/phrases.yml) -------------------------------------------

def phrases(path: Path = PHRASES_FILE) -> dict[str, str]:
    """Everyday phrase -> the catalog's wording ("" drops it), in the file's order."""
    return built(path, "phrases", lambda data: {
        str(k): _text(v) for k, v in _mapping(data, "phrases").items()})


def objects(path: Path = PHRASES_FILE) -> dict[str, tuple[str, ...]]:
    """Head noun, as typed ("sổ") -> the full names it may stand for."""
    return built(path, "objects", lambda data: {
        str(k): _words(v) for k, v in _mapping(data, "objects").items()})


# -- the stop words (data/vocabulary/stopwords.yml) -----------------------------------------------

def stopword_forms(path: Path = STOPWORDS_FILE) -> frozenset[str]:
    """Words that carry the question, not the procedure, with their accents."""
    return built(path, "stopwords", lambda data: frozenset(_words(data.get("stopwords"))))


def kept_after(path: Path = STOPWORDS_FILE) -> dict[str, frozenset[str]]:
    """Stop word -> the words after which it is kept ("chuyển đi")."""
    return built(path, "kept_after", lambda data: {
        str(k): frozenset(_words(v)) for k, v in _mapping(data, "kept_after").items()})


# -- the action words (data/vocabulary/actions.yml) -----------------------------------------------

def follow_up_actions(path: Path = ACTIONS_FILE) -> dict[str, str]:
    """Phrase at the start of a procedure name -> its follow-up action group."""
    return built(path, "follow_up_actions", lambda data: {
        str(k): _text(v) for k, v in _mapping(data, "follow_up_actions").items()})


def action_hints(path: Path = ACTIONS_FILE) -> dict[str, tuple[str, ...]]:
    """Query word -> the action groups it asks for without naming them."""
    return built(path, "action_hints", lambda data: {
        str(k): _words(v) for k, v in _mapping(data, "action_hints").items()})


def death_subjects(path: Path = ACTIONS_FILE) -> frozenset[str]:
    """People after whom "mất" means "died"."""
    return built(path, "death_subjects", lambda data: frozenset(_words(data.get("death_subjects"))))


def death_followers(path: Path = ACTIONS_FILE) -> frozenset[str]:
    """Words that may follow "mất" = died without naming a lost thing."""
    return built(path, "death_followers",
                 lambda data: frozenset(_words(data.get("death_followers"))))


# -- abbreviations and teencode (data/vocabulary/abbreviations.yml) -------------------------------

class Abbreviations(NamedTuple):
    expansions: dict[str, str]  # abbreviation -> expansion
    password_context: frozenset[str]  # "mk" is "mật khẩu" after these words
    not_after: dict[str, frozenset[str]]  # abbreviation -> words after which it is not one
    not_before: dict[str, frozenset[str]]  # abbreviation -> words before which it is not one


def abbreviations(path: Path = ABBREVIATIONS_FILE) -> Abbreviations:
    """The abbreviation table and the contexts where a word is not an abbreviation."""
    def build(data: dict[str, Any]) -> Abbreviations:
        return Abbreviations(
            {str(k): _text(v) for k, v in _mapping(data, "abbreviations").items()},
            frozenset(_words(data.get("password_context"))),
            {str(k): frozenset(_words(v)) for k, v in _mapping(data, "not_after").items()},
            {str(k): frozenset(_words(v)) for k, v in _mapping(data, "not_before").items()},
        )
    return built(path, "abbreviations", build)


def loanwords(path: Path = LOANWORDS_FILE) -> frozenset[str]:
    """Loanwords and brand names that are no Vietnamese syllables but real words ("zalo")."""
    return built(path, "loanwords", lambda data: frozenset(_words(data.get("loanwords"))))
