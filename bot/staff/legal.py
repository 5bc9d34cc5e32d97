"""Split the text of a Vietnamese legal or internal document into citable passages.

Vietnamese legal texts are structured Chương (chapter) > Mục (section) > Điều (article) >
Khoản (clause, "1.") > Điểm (point, "a)"). A passage is one khoản with its điểm, or a whole
điều when it has no khoản; a very long khoản is split at its điểm. Each passage keeps its
citation ("Điều 5, khoản 2"), the article's title, the chapter and the PDF page, so an answer
can quote it and link to where it is. Text with no Điều at all (guidance notes) is cut into
paragraphs of moderate length ("Đoạn 3").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.staff.documents import Page

_CHAPTER = re.compile(r"^(?:CHƯƠNG|Chương)\s+([IVXLC]+|\d+)\b\.?\s*(.*)$")
_SECTION = re.compile(r"^(?:MỤC|Mục)\s+(\d+)\b\.?\s*(.*)$")
_ARTICLE = re.compile(r"^Điều\s+(\d+[a-z]?)\s*[.:]\s*(.*)$")
_CLAUSE = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")
_POINT = re.compile(r"^([a-zđ])\)\s+(\S.*)$")
# A khoản longer than this is split at its điểm so a quote stays readable.
_LONG_CLAUSE = 1200
_PARAGRAPH_TARGET = 280


@dataclass
class Passage:
    ref: str  # "Điều 5, khoản 2", "Điều 7", "Đoạn 3", "Phần mở đầu"
    text: str
    heading: str = ""  # "Điều 5. Thời hạn giải quyết"
    chapter: str = ""  # "Chương II. TIẾP NHẬN HỒ SƠ"
    page: int = 1
    ordinal: int = 0


@dataclass
class _Unit:
    """A khoản (or the part of an điều before its first khoản) while it is being read."""

    clause: str
    page: int
    lines: list[str] = field(default_factory=list)
    points: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, line: str) -> None:
        (self.points[-1][1] if self.points else self.lines).append(line)


@dataclass
class _Article:
    number: str
    title: str
    chapter: str
    page: int
    units: list[_Unit] = field(default_factory=list)


def _lines(pages: list[Page]) -> list[tuple[int, str]]:
    out = []
    for page in pages:
        for line in page.text.splitlines():
            line = re.sub(r"\s+", " ", line).strip()
            if line:
                out.append((page.number, line))
    return out


def _join(lines: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


def split(pages: list[Page]) -> list[Passage]:
    """Passages of a document, in reading order."""
    lines = _lines(pages)
    if not any(_ARTICLE.match(text) for _, text in lines):
        return _number(_paragraphs(pages))
    passages: list[Passage] = []
    preamble: list[str] = []
    chapter = ""
    section = ""
    article: _Article | None = None
    pending_title: str | None = None  # "chapter" | "section": its title is on the next line
    for page, text in lines:
        if pending_title and not _ARTICLE.match(text):
            if pending_title == "chapter":
                chapter = f"{chapter}. {text}"
            else:
                section = f"{section}. {text}"
            pending_title = None
            continue
        pending_title = None
        if match := _CHAPTER.match(text):
            chapter, section = f"Chương {match.group(1)}", ""
            if match.group(2):
                chapter += f". {match.group(2)}"
            else:
                pending_title = "chapter"
            continue
        if match := _SECTION.match(text):
            section = f"Mục {match.group(1)}"
            if match.group(2):
                section += f". {match.group(2)}"
            else:
                pending_title = "section"
            continue
        if match := _ARTICLE.match(text):
            if article:
                passages.extend(_article_passages(article))
            where = " — ".join(part for part in (chapter, section) if part)
            article = _Article(match.group(1), match.group(2).strip(), where, page,
                               [_Unit("", page)])
            continue
        if article is None:
            preamble.append(text)
            continue
        if match := _CLAUSE.match(text):
            article.units.append(_Unit(match.group(1), page, [text]))
            continue
        unit = article.units[-1]
        if (match := _POINT.match(text)) and unit.clause:
            unit.points.append((match.group(1), [text]))
            continue
        if not unit.lines and not unit.points and article.title and len(article.units) == 1 \
                and not article.title.endswith((".", ":")) and text[:1].islower():
            article.title += " " + text  # the article's title wrapped onto a second line
            continue
        unit.add(text)
    if article:
        passages.extend(_article_passages(article))
    if preamble:
        passages.insert(0, Passage("Phần mở đầu", _join(preamble), page=lines[0][0]))
    return _number(passages)


def _article_passages(article: _Article) -> list[Passage]:
    heading = f"Điều {article.number}. {article.title}".strip(". ")
    base = f"Điều {article.number}"
    intro, clauses = article.units[0], article.units[1:]
    if not clauses:
        body = _join(intro.lines) or article.title
        return [Passage(base, body, heading, article.chapter, article.page)]
    out = []
    lead = _join(intro.lines)
    for unit in clauses:
        whole = _join(unit.lines + [line for _, point in unit.points for line in point])
        ref = f"{base}, khoản {unit.clause}"
        if len(whole) <= _LONG_CLAUSE or not unit.points:
            out.append(Passage(ref, _prefix(lead, whole), heading, article.chapter, unit.page))
            continue
        clause_lead = _join(unit.lines)
        for letter, point in unit.points:
            out.append(Passage(f"{ref}, điểm {letter}", _prefix(clause_lead, _join(point)),
                               heading, article.chapter, unit.page))
    return out


def _prefix(lead: str, text: str) -> str:
    """A khoản keeps the article's opening sentence ("Hồ sơ gồm:") when there is one."""
    return f"{lead} {text}" if lead and len(lead) < 300 else text


def _paragraphs(pages: list[Page]) -> list[Passage]:
    out: list[Passage] = []
    for page in pages:
        buffer: list[str] = []
        for block in re.split(r"\n\s*\n|\n(?=[-•*] |\d+\. )", page.text):
            block = _join(block.splitlines())
            if not block:
                continue
            buffer.append(block)
            if sum(len(b) for b in buffer) >= _PARAGRAPH_TARGET:
                out.append(Passage("", " ".join(buffer), page=page.number))
                buffer = []
        if buffer:
            out.append(Passage("", " ".join(buffer), page=page.number))
    for index, passage in enumerate(out, start=1):
        passage.ref = f"Đoạn {index}"
    return out


def _number(passages: list[Passage]) -> list[Passage]:
    kept = [p for p in passages if p.text]
    for ordinal, passage in enumerate(kept):
        passage.ordinal = ordinal
    return kept
