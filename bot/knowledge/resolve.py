"""Which procedure a message names: one when the search is sure, else a few choices.

Shared by the NLU (bot.nlu.router, to tell a procedure question from a "not sure") and the
procedure action (to answer it). A long message is searched clause by clause as well as whole,
and the clause that names a procedure most clearly wins, so the citizen's story ("em quê Nghệ An
vào Bình Dương làm công nhân...") does not steer the search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.knowledge.models import Procedure
from bot.knowledge.question import clauses, is_accented, read_question
from bot.knowledge.search import CONFIDENT, ProcedureSearch, SearchHit
from bot.knowledge.synonyms import OBJECTS
from bot.nlu.normalization import fold_diacritics, normalize

MAX_CHOICES = 3
# Search scores (0..1): below CHOICE_MIN a hit is noise.
CHOICE_MIN = 0.5
# Two differently named hits this close are a tie, whatever the search's confidence says,
# unless the best one matches the words in full (a name or alias said exactly).
TIE = 0.02
# ... and, with the learned ranker, this close in its score
ORDER_TIE = 0.01
FULL_MATCH = 0.999
# Fewer content words than this, or words this common in the catalog's names (summed rarity
# in units of the rarest word's, see SearchIndex.information; over the full catalog "cấp phép"
# 0.29, "sổ đỏ" 0.50, "hộ chiếu" 0.92), name a procedure only when they are a name said in full.
MIN_WORDS = 2
MIN_INFORMATION = 0.425
# A procedure is named in a few words; searching a pasted 100 KB text would hold up the server.
MAX_QUERY_CHARS = 600
MAX_CLAUSES = 8
# Preferences between readings of a long message: the part that holds the question, and a sure
# answer over a "which one?".
QUESTION_BONUS = 0.05
SURE_BONUS = 0.1
# ... and a reading whose words name nothing by themselves ("và có đăng ký được không") after
# any that does
VAGUE_PENALTY = 0.5
# How many score points the most voted procedure must lead by to overrule the best reading.
VOTE_MARGIN = 0.1
# "đã ..." (folded "da", not sentence-first where it is the polite "dạ"), "... có rồi", a clause
# ending in "rồi" ("đăng ký tạm trú ở đây 4 năm rồi"); a clause that also wants something
# ("muốn tách khẩu vì đã lập gia đình") is not only story
_DONE_RE = re.compile(r"(?<=\w )da \w|\b(?:co|xong) roi\b|\w roi$")
_WANT_RE = re.compile(r"\b(?:muon|dinh(?! danh)|tinh|can(?! cuoc))\b")
# the same with accents, trusted when typed: "tỉnh", "định danh" and "căn" want nothing
_WANT_ACCENTED_RE = re.compile(r"(?<!\w)(?:muốn|định(?! danh)|tính|cần)(?!\w)")
# what the citizen wants: "muốn ...", or "thủ tục X" asked about (not "để làm thủ tục X", a
# purpose: "cần giấy chứng tử để làm thủ tục thừa kế")
_WISH_RE = re.compile(r"\bmuon\b|(?<!\bde )(?<!\bde lam )\bthu tuc\b")


@dataclass
class Resolution:
    procedure: Procedure | None = None
    choices: list[SearchHit] = field(default_factory=list)
    named: bool = False  # the text had words that could name a procedure
    score: float = 0.0  # the best hit's score
    facets: list[str] = field(default_factory=list)  # facets the words ask for
    words: int = 0  # content words of the reading chosen: one generic word names little
    vague: bool = False  # the words name no procedure by themselves (see _vague)
    hits: list[SearchHit] = field(default_factory=list, repr=False)  # the search's top hits


def _choices(hits: list[SearchHit]) -> list[SearchHit]:
    """Up to three plausible hits with different names (province variants look alike)."""
    chosen: list[SearchHit] = []
    for hit in hits:
        if hit.score >= CHOICE_MIN and all(hit.name != c.name for c in chosen):
            chosen.append(hit)
    return chosen[:MAX_CHOICES]


def search_topic(engine: ProcedureSearch, topic: str) -> Resolution:
    """Search words that are left once the facet and filler words are gone."""
    content = engine.index.analyse(topic)[0] if topic else []
    if not content:
        return Resolution()
    words = len(set(content))
    hits = engine.search(topic, top=6)
    if not hits:
        return Resolution(named=True, words=words)
    best = hits[0]
    # one content word ("cái này" -> "cái") or a few common ones ("cấp phép" of "Thủ tục cấp
    # phép bay") name no procedure, unless they are a name said in full
    if _vague(engine, content) and best.score < FULL_MATCH:
        return Resolution(choices=_choices(hits), named=True, score=best.score, words=words,
                          hits=hits, vague=True)
    # with the learned ranker, a tie is a differently named hit the ranker cannot tell apart
    # from the best one (the same features: "hạng A" or "hạng B" when neither is said)
    learned = engine.index.ranker is not None
    if best.confidence >= CONFIDENT and best.score >= CHOICE_MIN:
        tied = best.score < FULL_MATCH and any(
            hit.name != best.name and (best.order - hit.order < ORDER_TIE if learned
                                       else hit.score >= best.score - TIE)
            for hit in hits[1:]
        )
        if not tied:
            return Resolution(best.procedure, named=True, score=best.score, words=words,
                              hits=hits)
    choices = _choices(hits)
    if learned and len(choices) == 1 and choices[0] is best:
        # "which one?" with a single option asks nothing: answer it
        return Resolution(best.procedure, named=True, score=best.score, words=words, hits=hits)
    return Resolution(choices=choices, named=True, score=best.score, words=words, hits=hits)


def name_in(engine: ProcedureSearch, text: str) -> Resolution:
    """The procedure a message names, looking at the whole message and at runs of clauses.

    Runs of one to three neighbouring clauses keep a question's context ("Mẹ em làm mất thẻ
    bảo hiểm y tế... Làm lại thẻ thì nộp ở đâu?"); a run that holds the question itself (facet
    words or a question mark) is preferred over the story around it. Clauses that only tell
    what is already done ("đã đăng ký tạm trú") are left out, and a clause that says what the
    citizen wants and asks about it is the answer when the search is sure of it.
    """
    text = text[:MAX_QUERY_CHARS]
    searched: dict[str, Resolution] = {}  # a clause's topic comes up in several readings

    def lookup(topic: str) -> Resolution:
        if topic not in searched:
            searched[topic] = search_topic(engine, topic)
        return searched[topic]

    question = read_question(text)
    parts = clauses(text)[:MAX_CLAUSES]
    candidates: dict[str, bool] = {question.topic: True}
    if len(parts) > 1:
        readings = [read_question(part) for part in parts]
        asks = [bool(r.facets) or asked
                for r, asked in zip(readings, _question_marked(text, parts), strict=True)]
        # what the citizen says is already done ("đã đăng ký tạm trú", "đã có sổ đỏ") is the
        # story, not the question: left out while something else names a procedure
        done = [not asking and already_done(part)
                for part, asking in zip(parts, asks, strict=True)]
        if any(done) and not all(done):
            kept = [part for part, story in zip(parts, done, strict=True) if not story]
            found = name_in(engine, ". ".join(kept))
            if found.procedure is not None:
                found.facets = question.facets
                return found
        whole = normalize(text)
        for reading in readings:
            # the topic, not the clause: "giấy" of "giấy tờ gì" asks, it names no paper
            reading.topic = with_objects(reading.topic, objects_meant(reading.topic, whole))
        # the clause that says what the citizen wants and asks about it is the question: what
        # the story names around it ("bọn em chưa đăng ký kết hôn") does not outvote it
        # "Tôi muốn mua bảo hiểm y tế hộ gia đình. Xin hỏi đăng ký ở đâu?": a question that
        # names nothing asks about the wish just before it
        vague = [_vague(engine, engine.index.analyse(r.topic)[0] if r.topic else [])
                 for r in readings]
        asks_here = [asking or (i + 1 < len(parts) and asks[i + 1] and vague[i + 1])
                     for i, asking in enumerate(asks)]
        wishes = [lookup(r.topic) for r, part, asking
                  in zip(readings, parts, asks_here, strict=True)
                  if asking and _WISH_RE.search(normalize(part)) and not already_done(part)]
        sure = [found for found in wishes if found.procedure is not None]
        if sure:
            found = max(sure, key=lambda found: found.score)
            found.facets = question.facets
            return found
        for size in (1, 2, 3):
            for start in range(len(parts) - size + 1):
                topic = " ".join(r.topic for r in readings[start : start + size])
                has_question = any(asks[start : start + size])
                candidates[topic] = candidates.get(topic, False) or has_question
    best: Resolution | None = None
    best_rank = -1.0
    readings: list[Resolution] = []
    for topic, has_question in candidates.items():
        if not topic:
            continue
        found = lookup(topic)
        readings.append(found)
        rank = found.score + (QUESTION_BONUS if has_question else 0.0) + (
            SURE_BONUS if found.procedure is not None else 0.0) - (
            VAGUE_PENALTY if found.vague else 0.0)
        if best is None or rank > best_rank + 1e-9:
            best, best_rank = found, rank
    best = _vote(readings, best) or best or Resolution()
    best.facets = question.facets
    return best


def _vague(engine: ProcedureSearch, content: list[str]) -> bool:
    """The content words name no procedure by themselves: too few, or too common in names."""
    return len(set(content)) < MIN_WORDS or engine.index.information(content) < MIN_INFORMATION


def _question_marked(text: str, parts: list[str]) -> list[bool]:
    """For each clause, whether a question mark ends it in the message."""
    marked, cursor = [], 0
    for part in parts:
        start = text.find(part, cursor)
        cursor = start + len(part) if start >= 0 else cursor
        marked.append(start >= 0 and text[cursor:].lstrip().startswith("?"))
    return marked


def already_done(clause: str) -> bool:
    """The clause tells of something done or had already ("đã đăng ký", "có rồi")."""
    words = normalize(clause)
    wants = (_WANT_ACCENTED_RE.search(clause.lower()) if is_accented(clause)
             else _WANT_RE.search(words))
    return bool(_DONE_RE.search(words)) and not wants


# typed without accents, the "so" of "ho so" is "hồ sơ", no "sổ"
_NOT_A_HEAD_AFTER = {"so": "ho"}


def _head_spots(text: str, head: str) -> list[int]:
    return [at for at in _mentions(text, head)
            if text[:at].split()[-1:] != [_NOT_A_HEAD_AFTER.get(head)]]


def _mentions(text: str, phrase: str) -> list[int]:
    return [m.start() for m in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)]


def objects_meant(topic: str, whole: str) -> list[tuple[str, str]]:
    """(head as said, full name) for each bare head noun in a clause's topic, the name taken
    from the whole (normalised) message: "làm lại sổ" after "mất luôn cuốn sổ đỏ" means the sổ
    đỏ."""
    accented = is_accented(topic)
    said = topic.lower() if accented else normalize(topic)
    folded = normalize(topic)
    meant = []
    for head, names in OBJECTS.items():
        spoken = head if accented else fold_diacritics(head)
        if not _head_spots(said, spoken) or any(_mentions(folded, name) for name in names):
            continue
        mentioned = [name for name in names if _mentions(whole, name)]
        # "xe" said after "xe máy" is the xe máy: a name inside a longer one mentioned counts
        # as the longer one
        named = [
            (position, max((longer for longer in mentioned if _mentions(longer, name)), key=len))
            for name in mentioned for position in _mentions(whole, name)
        ]
        if named:
            meant.append((spoken, max(named)[1]))  # the one named last
    return meant


def with_objects(topic: str, meant: list[tuple[str, str]]) -> str:
    """The topic with each head noun followed by the name it stands for, so that names and
    aliases ("sang tên" + "xe máy") match as one phrase."""
    for head, name in meant:
        spots = _head_spots(topic if is_accented(head) else fold_diacritics(topic), head)
        if spots:
            end = spots[-1] + len(head)
            topic = f"{topic[:end]} {name}{topic[end:]}"
    return topic


def _vote(readings: list[Resolution], best: Resolution | None) -> Resolution | None:
    """The procedure most readings point to, when it clearly outvotes the others.

    Each reading (the whole message, each run of clauses) votes for its top hit with the hit's
    score, so what the message names in several readings ("... chưa làm giấy chứng tử. Nay cần
    giấy chứng tử để làm thủ tục thừa kế đất ...": the death registration) outweighs one clause
    that scores higher on its own (the land inheritance). The winner must be a procedure some
    reading is sure of.
    """
    if len(readings) < 2:
        return None
    support: dict[str, float] = {}
    top: dict[str, SearchHit] = {}
    for found in readings:
        if not found.hits:
            continue
        hit = found.hits[0]
        support[hit.code] = support.get(hit.code, 0.0) + hit.score
        if hit.code not in top or hit.score > top[hit.code].score:
            top[hit.code] = hit
    if not support:
        return None
    ranked = sorted(support.values(), reverse=True)
    if len(ranked) > 1 and ranked[0] - ranked[1] < VOTE_MARGIN:
        return None
    winner = top[max(support, key=lambda code: support[code])]
    if best is not None and best.procedure is not None and best.procedure.code == winner.code:
        return best
    if not any(found.procedure is not None and found.procedure.code == winner.code
               for found in readings):
        return None  # no reading is sure of it
    words = max(found.words for found in readings)
    return Resolution(winner.procedure, named=True, score=winner.score, words=words,
                      hits=[winner])
