"""How citizens name procedures versus how the national catalog names them.

The tables are data that admins edit, in ``data/vocabulary/`` (read through
:mod:`bot.vocabulary` when this module is imported; restart after an edit):

- ``phrases.yml``: PHRASES (everyday phrase -> the catalog's wording) and OBJECTS (head nouns
  named by themselves after the full name: "sổ" after "sổ đỏ");
- ``stopwords.yml``: STOPWORD_FORMS (question words, with their accents; STOPWORDS is their
  folded form) and KEPT_AFTER (stop words that carry meaning after some words: "chuyển đi");
- ``actions.yml``: FOLLOW_UP_ACTIONS (re-issue, exchange, change... at the start of a name),
  ACTION_HINTS (question words that ask for them: "mất" -> re-issue), DEATH_SUBJECTS and
  DEATH_FOLLOWERS ("bố tôi mất" is a death, "mất cccd" a loss).

Keys and values are in the normalised form of :func:`bot.nlu.normalization.normalize` (folded,
lower-case, abbreviations already expanded: "cccd" arrives as "can cuoc cong dan"), except the
accented STOPWORD_FORMS and OBJECTS heads. This is a general vocabulary of everyday Vietnamese for
public services, written from the domain, not from the evaluation queries; names that only fit
one procedure belong in ``data/vocabulary/aliases.yml`` or the curated catalog's ``aliases``.
"""

from __future__ import annotations

from bot import vocabulary
from bot.nlu.normalization import fold_diacritics

# Everyday phrase -> the catalog's wording ("" drops it). Longer phrases are applied first.
PHRASES: dict[str, str] = vocabulary.phrases()
# Words that carry the question, not the procedure, as written with their accents.
STOPWORD_FORMS: frozenset[str] = vocabulary.stopword_forms()
STOPWORDS: frozenset[str] = frozenset(fold_diacritics(w) for w in STOPWORD_FORMS)
# Stop word -> the words after which it carries meaning ("chuyển đi").
KEPT_AFTER: dict[str, frozenset[str]] = vocabulary.kept_after()
# People after whom "mất" means "died"; words that may follow "mất" = died.
DEATH_SUBJECTS: frozenset[str] = vocabulary.death_subjects()
DEATH_FOLLOWERS: frozenset[str] = vocabulary.death_followers()
# Head noun as typed ("sổ") -> the full names (normalised form) it may stand for.
OBJECTS: dict[str, tuple[str, ...]] = vocabulary.objects()
# Phrase at the start of a procedure name -> its follow-up action group (cấp lại -> "lai").
FOLLOW_UP_ACTIONS: dict[str, str] = vocabulary.follow_up_actions()
# Query word -> the action groups it asks for without naming them ("mat" -> re-issue).
ACTION_HINTS: dict[str, tuple[str, ...]] = vocabulary.action_hints()
