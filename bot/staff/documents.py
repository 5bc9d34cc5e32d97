"""Text out of uploaded files (PDF, DOCX, TXT), or a clear reason why not.

Checks run before anything is stored, so a bad file changes nothing: size, type by content (not
only by name), password protection, corruption, and PDFs without a text layer (scans).
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

from bot.content import content

MAX_BYTES = 20 * 1024 * 1024
KINDS = {"pdf": "PDF", "docx": "DOCX", "txt": "TXT"}
# An encrypted Office file is an OLE compound file, not a ZIP.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Fewer letters than this in the whole file means there is no real text layer.
_MIN_LETTERS = 40

logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-file chatter; we report ourselves


class DocumentError(ValueError):
    """A file that cannot be used; ``message`` is the Vietnamese text for the uploader."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.message = content.text(f"staff.error_{key}", **values)
        super().__init__(self.message)


@dataclass
class Page:
    number: int  # 1-based page in a PDF; 1 for DOCX and TXT
    text: str


@dataclass
class Extracted:
    kind: str  # "pdf" | "docx" | "txt"
    pages: list[Page]


def kind_of(filename: str, data: bytes) -> str:
    """The file's type from its extension, confirmed by its first bytes."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "pdf" and data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if extension == "docx" and data[:4] == b"PK\x03\x04":
        return "docx"
    if extension == "docx" and data[:8] == _OLE_MAGIC:
        raise DocumentError("encrypted", filename=filename)
    if extension == "pdf" and data[:4] == b"PK\x03\x04":
        raise DocumentError("wrong_type", filename=filename)
    if extension in ("pdf", "docx"):
        raise DocumentError("corrupt", filename=filename, kind=KINDS[extension])
    if extension == "txt" and b"\x00" not in data[:4096]:
        return "txt"
    raise DocumentError("wrong_type", filename=filename)


def _pdf(filename: str, data: bytes) -> list[Page]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError("encrypted", filename=filename)
        return [Page(i + 1, page.extract_text() or "") for i, page in enumerate(reader.pages)]
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            NotImplementedError, RecursionError, OSError) as error:
        # pypdf reports AES files it cannot decrypt without `cryptography` as NotImplemented too
        if "crypt" in str(error).lower():
            raise DocumentError("encrypted", filename=filename) from error
        raise DocumentError("corrupt", filename=filename, kind="PDF") from error


def _docx(filename: str, data: bytes) -> list[Page]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise DocumentError("corrupt", filename=filename, kind="DOCX") from error
    except Exception as error:  # lxml raises its own XMLSyntaxError family on broken XML
        raise DocumentError("corrupt", filename=filename, kind="DOCX") from error
    lines: list[str] = []
    # Paragraphs and tables in reading order: fee tables belong to the article they sit in.
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            lines.extend(" | ".join(cell.text.strip() for cell in row.cells)
                         for row in block.rows)
    return [Page(1, "\n".join(lines))]


def _txt(filename: str, data: bytes) -> list[Page]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError("wrong_type", filename=filename) from error
    return [Page(1, text)]


def extract(filename: str, data: bytes) -> Extracted:
    """The text of an uploaded file, page by page; raises :class:`DocumentError`."""
    if not data:
        raise DocumentError("empty")
    if len(data) > MAX_BYTES:
        raise DocumentError("too_big", size_mb=round(len(data) / 2**20, 1),
                            limit_mb=MAX_BYTES // 2**20)
    kind = kind_of(filename, data)
    pages = {"pdf": _pdf, "docx": _docx, "txt": _txt}[kind](filename, data)
    letters = sum(ch.isalpha() for page in pages for ch in page.text)
    if letters < _MIN_LETTERS:
        raise DocumentError("no_text" if kind == "pdf" else "empty", filename=filename)
    return Extracted(kind, pages)
