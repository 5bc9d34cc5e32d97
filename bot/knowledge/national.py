"""Parsers for the national portal's published formats: the list CSV and the detail markdown.

The files are scraped and imperfect (see the data README): "Không có thông tin" for missing
values, notes mixed into document tables, fees only inside descriptions, rows cut by stray
quotes, 55 detail pages in a flattened "fallback" layout. Parsers never raise on content; they
return what they could read plus a list of problems for the import report.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.models import Document, Procedure, SubmissionMethod

NO_INFO = "không có thông tin"
CSV_HEADER = ("Mã số", "Tên", "Cơ quan ban hành", "Cơ quan thực hiện", "Lĩnh vực", "URL")
CODE_RE = re.compile(r"^\d\.\d{6,}(?:-\w+)?$")
# A quoted field rarely spans lines; a row still unbalanced after this many lines is broken.
_MAX_ROW_LINES = 8


def clean(value: str | None) -> str:
    """Trim, collapse spaces, and turn the portal's "no value" markers into ""."""
    text = re.sub(r"[ \t\u00a0]+", " ", (value or "").replace("<br>", "\n")).strip()
    text = re.sub(r" *\n *", "\n", text)
    if text.lower().strip(" .") in (NO_INFO, "không có", "không", "-", "n/a"):
        return ""
    return text


@dataclass
class CatalogRow:
    """One usable line of catalog.csv."""

    line: int
    code: str
    name: str
    issuing_agency: str
    executing_agency: str
    field: str
    url: str


@dataclass
class CatalogParse:
    rows: list[CatalogRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _logical_rows(path: Path) -> Iterator[tuple[int, str]]:
    """Physical lines joined while a quote is open, so one stray quote cannot eat the file."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = handle.read().splitlines()
    index = 0
    while index < len(lines):
        start, buffer = index, lines[index]
        index += 1
        while buffer.count('"') % 2 and index < len(lines) and index - start < _MAX_ROW_LINES:
            buffer += "\n" + lines[index]
            index += 1
        if buffer.count('"') % 2:  # never closed: keep the first line alone, retry from the next
            index = start + 1
            buffer = lines[start]
        yield start + 1, buffer


def parse_catalog(path: Path) -> CatalogParse:
    """Read catalog.csv (``Mã số,Tên,Cơ quan ban hành,Cơ quan thực hiện,Lĩnh vực,URL``)."""
    result = CatalogParse()
    rows = _logical_rows(path)
    first = next(rows, None)
    if first is None:
        raise ValueError(f"{path}: empty file")
    header = next(csv.reader([first[1]]))
    if tuple(h.strip() for h in header) != CSV_HEADER:
        raise ValueError(f"{path}: unexpected header {header!r}; expected {','.join(CSV_HEADER)}")
    for line, text in rows:
        if not text.strip():
            continue
        cells = next(csv.reader([text]))
        if len(cells) != len(CSV_HEADER):
            result.problems.append(
                f"line {line}: broken row skipped ({len(cells)} columns instead of 6): "
                f"{text[:60]!r}"
            )
            continue
        code, name, issuing, executing, field_, url = (clean(c) for c in cells)
        if not code or not name:
            result.problems.append(f"line {line}: row without code or name skipped")
            continue
        if not CODE_RE.match(code):
            result.problems.append(f"line {line}: unusual code {code!r} kept as published")
        result.rows.append(CatalogRow(line, code, name, issuing, executing, field_, url))
    return result


# -- detail markdown ---------------------------------------------------------------------------

_FEE_LABEL_RE = re.compile(
    r"^[\s\-+*•]*(?:mức\s+(?:thu\s+)?)?(?:phí|lệ\s+phí|phí,\s*lệ\s+phí)\b[^:]{0,60}:", re.I
)
_AMOUNT_RE = re.compile(r"\d{1,3}(?:[.,]\d{3})+\s*(?:đồng|vnđ|vnd)|\d+\s*(?:đồng|%)", re.I)
_FREE_RE = re.compile(r"miễn\s+(?:phí|lệ\s+phí)|không\s+(?:thu|mất)\s+(?:phí|lệ\s+phí)", re.I)
_FEE_WORD_RE = re.compile(r"\b(?:lệ\s+phí|phí)\b", re.I)


def extract_fee(description: str) -> str:
    """Fee text hidden in a method description ("Lệ phí: 50.000 đồng/lần"), or ""."""
    text = re.sub(r"\s*Xem chi tiết\s*", "\n", description)  # scraper residue of a link
    segments = [s.strip() for s in re.split(r"\n|<br>|(?<=[.;])\s+(?=[-+A-ZĐ])", text)]
    picked: list[str] = []
    for segment in segments:
        label = _FEE_LABEL_RE.match(segment)
        if not segment or (label and not re.search(r"\d|miễn|không", segment[label.end():], re.I)):
            continue  # "Lệ phí: Đồng" — a label with no amount says nothing
        labelled = bool(label)
        amount = _AMOUNT_RE.search(segment) and _FEE_WORD_RE.search(segment)
        if labelled or amount or _FREE_RE.search(segment):
            picked.append(segment)
        elif picked and segment.startswith(("-", "+")) and _AMOUNT_RE.search(segment):
            picked.append(segment)  # "- Từ ngày 01/1/2027: 1.500.000 đồng/hồ sơ" continues a fee
        elif picked:
            break
    fee = " ".join(picked)
    return fee if len(fee) <= 600 else fee[:597].rsplit(" ", 1)[0] + "…"


def _sections(text: str) -> dict[str, str]:
    """Level-2 sections by heading, in lower case."""
    parts = re.split(r"^## +(.+)$", text, flags=re.M)
    return {parts[i].strip().lower(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


_HEADER_CELLS = ("Hình thức nộp", "Tên giấy tờ", "Tên văn bản pháp lý")


def _table_rows(block: str) -> list[list[str]]:
    """Cells of the markdown table rows in ``block`` (header and separator rows dropped)."""
    rows = []
    for line in block.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        if all(set(c) <= {"-", " "} for c in cells):
            continue
        rows.append(cells)
    if rows and rows[0][0] in _HEADER_CELLS:
        return rows[1:]
    return rows


def _int(value: str) -> int:
    match = re.search(r"\d+", value or "")
    return int(match.group()) if match else 0


_NOTE_RE = re.compile(r"^(?:lưu ý|ghi chú|chú ý|trường hợp|đối với|\(?\*)", re.I)


def _document(name: str, originals: int, copies: int, group: str) -> Document:
    raw = name.strip()
    text = clean(raw.strip("*").strip())
    is_note = bool(
        raw.startswith("*")
        or re.match(r"^(?:lưu ý|ghi chú|chú ý)\b", text, re.I)
        or (originals == 0 and copies == 0 and (_NOTE_RE.match(text) or text.endswith(":")))
    )
    return Document(text, originals, copies, group, is_note)


def _documents(block: str) -> list[Document]:
    documents: list[Document] = []
    group = ""
    pending_heading = False
    for chunk in re.split(r"\n\s*\n", block):
        chunk = chunk.strip()
        heading = re.match(r"^### +(.+)$", chunk)
        if heading:
            group, pending_heading = clean(heading.group(1)), True
            continue
        if not chunk.startswith("|"):
            continue
        if not pending_heading:  # a table with no heading of its own applies to every case
            group = ""
        pending_heading = False
        for cells in _table_rows(chunk):
            if not cells or not clean(cells[0]):
                continue
            originals = _int(cells[1]) if len(cells) > 1 else 0
            copies = _int(cells[2]) if len(cells) > 2 else 0
            documents.append(_document(cells[0], originals, copies, group))
    return documents


_CHANNELS = ("Trực tuyến", "Trực tiếp", "Dịch vụ bưu chính")


def _method(channel: str, time: str, fee: str, description: str) -> SubmissionMethod:
    description = clean(description)
    fee = clean(fee) or extract_fee(description)
    return SubmissionMethod(clean(channel), clean(time), fee, description)


def _methods(block: str) -> list[SubmissionMethod]:
    rows = _table_rows(block)
    if rows:
        return [_method(*(r + ["", "", "", ""])[:4]) for r in rows if clean(r[0])]
    # fallback layout: "Hình thức nộp ... Mô tả Trực tiếp 10 Ngày làm việc <description> ..."
    flat = re.sub(r"^Hình thức nộp.*?Mô tả\s*", "", " ".join(block.split()))
    parts = re.split(r"\b(" + "|".join(_CHANNELS) + r")\b", flat)
    methods = []
    for index in range(1, len(parts) - 1, 2):
        rest = parts[index + 1].strip()
        time = re.match(r"^([\d.,]+\s+(?:ngày làm việc|ngày|giờ|tháng|năm)\b)", rest, re.I)
        description = rest[time.end():].strip() if time else rest
        methods.append(_method(parts[index], time.group(1) if time else "", "", description))
    return methods


_ATTACHMENT_RE = re.compile(r"\s+\S+\.(?:docx?|pdf|xlsx?|rar|zip)$", re.I)


def _flat_documents(block: str) -> list[Document]:
    """Documents of a fallback page: "name [file.docx] Bản chính: 1 - Bản sao: 0 ..."."""
    flat = re.sub(r"^Bao gồm Tên giấy tờ Mẫu đơn, tờ khai Số lượng\s*", "", " ".join(block.split()))
    documents = []
    for match in re.finditer(r"(.+?)\s*Bản chính:\s*(\d+)\s*-\s*Bản sao:\s*(\d+)\s*", flat):
        name = re.sub(_ATTACHMENT_RE, "", match.group(1).strip())
        if clean(name):
            documents.append(_document(name, int(match.group(2)), int(match.group(3)), ""))
    return documents


def _steps(block: str) -> list[str]:
    steps = []
    for line in block.splitlines():
        line = clean(re.sub(r"^\s*\d+\.\s+", "", line, count=1) if not steps else line)
        if line:
            steps.append(line)
    return steps


def _legal_basis(block: str) -> list[str]:
    items = []
    for cells in _table_rows(block):
        name = clean(cells[0])
        number = clean(cells[1]) if len(cells) > 1 else ""
        if name and number and number not in name:
            name = f"{name} ({number})"
        if name or number:
            items.append(name or number)
    return items


def _results(block: str) -> str:
    lines = []
    for line in block.splitlines():
        line = clean(re.sub(r"\s*\(Mã: `[^`]*`\)\s*$", "", line.lstrip("*- ").strip()))
        if line:
            lines.append(line)
    return "\n".join(lines)


@dataclass
class Detail:
    """What a detail page says about a procedure (fields empty where it says nothing)."""

    code: str
    name: str
    procedure: Procedure
    fallback_layout: bool


def parse_detail(text: str, *, expected_code: str = "") -> Detail:
    """Parse one ``details/<code>.md`` page."""
    title = re.search(r"^# +(.+)$", text, flags=re.M)
    sections = _sections(text)
    general = sections.get("thông tin chung", "")
    info = {
        k.strip().lower(): clean(v)
        for k, v in re.findall(r"^\* \*\*(.+?):\*\*\s*(.*)$", general, flags=re.M)
    }
    code = info.get("mã thủ tục") or expected_code
    fallback = "nguồn fallback" in info
    method_block = sections.get("cách thức thực hiện", "")
    document_block = sections.get("thành phần hồ sơ", "")
    levels = [lvl.strip() for lvl in info.get("cấp thực hiện", "").split(",") if lvl.strip()]
    procedure = Procedure(
        code=code,
        name=clean(title.group(1)) if title else "",
        field=info.get("lĩnh vực", ""),
        levels=levels,
        executing_agency=clean(sections.get("cơ quan thực hiện"))
        or info.get("cơ quan có thẩm quyền", ""),
        target_users=info.get("đối tượng thực hiện", ""),
        methods=_methods(method_block),
        documents=_documents(document_block) if "|" in document_block
        else _flat_documents(document_block),
        steps=_steps(sections.get("trình tự thực hiện", "")),
        legal_basis=_legal_basis(sections.get("căn cứ pháp lý", "")),
        requirements=clean(sections.get("yêu cầu, điều kiện thực hiện")),
        result=_results(sections.get("kết quả xử lý", "")),
    )
    return Detail(code, procedure.name, procedure, fallback)


def merge_row_and_detail(row: CatalogRow | None, detail: Detail | None) -> Procedure:
    """One procedure from its catalog row (names, agencies, URL) and detail page (the rest)."""
    if detail is not None:
        procedure = Procedure.from_dict(detail.procedure.to_dict())
    else:
        procedure = Procedure(code=row.code if row else "", name=row.name if row else "")
    if row is not None:
        procedure.code = row.code
        procedure.name = row.name or procedure.name
        procedure.issuing_agency = row.issuing_agency
        procedure.executing_agency = row.executing_agency or procedure.executing_agency
        procedure.field = row.field or procedure.field
        procedure.portal_url = row.url
    procedure.source = "national"
    return procedure
