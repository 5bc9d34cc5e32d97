"""Real PDF, DOCX and TXT files in, citable passages out; bad files get a clear reason."""

from __future__ import annotations

import io

import pytest

from bot.staff.documents import MAX_BYTES, DocumentError, extract
from bot.staff.legal import split
from tests.staff.corpus import FEES, ONE_STOP, write


def test_docx_regulation_splits_into_chapters_articles_and_clauses(corpus_files) -> None:
    document, path = corpus_files[ONE_STOP.key]
    extracted = extract(path.name, path.read_bytes())
    assert extracted.kind == "docx"
    passages = {p.ref: p for p in split(extracted.pages)}
    clause = passages["Điều 5, khoản 2"]
    assert clause.heading == "Điều 5. Tiếp nhận và kiểm tra hồ sơ"
    assert clause.chapter == "Chương II. TIẾP NHẬN HỒ SƠ"
    assert "không được yêu cầu bổ sung quá một lần" in clause.text  # its điểm b) stays with it
    assert "Điều 14, khoản 3" in passages and "Điều 15, khoản 1" not in passages


def test_pdf_keeps_page_numbers_and_articles_without_clauses(corpus_files) -> None:
    _, path = corpus_files[FEES.key]
    extracted = extract(path.name, path.read_bytes())
    assert extracted.kind == "pdf" and len(extracted.pages) >= 2
    passages = {p.ref: p for p in split(extracted.pages)}
    assert "1.500.000 đồng" in passages["Điều 2, khoản 2"].text
    assert passages["Điều 8"].page == len(extracted.pages)  # the last article is on the last page
    assert "08/2021/NQ-HĐND" in passages["Điều 8"].text


def test_text_without_articles_is_cut_into_paragraphs(corpus_files) -> None:
    _, path = corpus_files["huong-dan-ho-so-truc-tuyen"]
    passages = split(extract(path.name, path.read_bytes()).pages)
    assert [p.ref for p in passages] == [f"Đoạn {i}" for i in range(1, len(passages) + 1)]
    assert len(passages) >= 3
    assert any("tối thiểu 05 năm" in p.text for p in passages)


def _scanned_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(120, 120, 120)
    pdf.rect(20, 20, 150, 200, style="F")  # a page with only a picture, as a scanner makes
    return bytes(pdf.output())


def _encrypted_pdf(tmp_path) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(write(FEES, tmp_path, "pdf")))
    writer.encrypt(user_password="mat-khau", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "make", "key", "words"), [
    ("scan.pdf", lambda tmp: _scanned_pdf(), "no_text", "scan"),
    ("mat-khau.pdf", _encrypted_pdf, "encrypted", "mật khẩu"),
    ("hong.pdf", lambda tmp: b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage", "corrupt",
     "bị hỏng"),
    ("hong.docx", lambda tmp: b"PK\x03\x04" + b"\x00" * 200, "corrupt", "bị hỏng"),
    ("lon.pdf", lambda tmp: b"%PDF-1.7\n" + b"0" * (50 * 2**20), "too_big", "quá lớn"),
    ("anh.png", lambda tmp: b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "wrong_type", "PDF, DOCX"),
    ("virus.pdf", lambda tmp: b"MZ\x90\x00" + b"\x00" * 100, "corrupt", "bị hỏng"),
    ("nhi-phan.txt", lambda tmp: b"\x00\x01\x02" * 100, "wrong_type", "PDF, DOCX"),
    ("trong.docx", lambda tmp: b"", "empty", "trống"),
])
def test_bad_files_get_a_clear_vietnamese_reason(tmp_path, name, make, key, words) -> None:
    with pytest.raises(DocumentError) as caught:
        extract(name, make(tmp_path))
    assert caught.value.key == key
    assert words in caught.value.message and "Không có gì thay đổi" in caught.value.message


def test_size_limit_is_what_the_message_says() -> None:
    with pytest.raises(DocumentError) as caught:
        extract("a.txt", b"a" * (MAX_BYTES + 1))
    assert f"{MAX_BYTES // 2**20} MB" in caught.value.message


def test_docx_tables_stay_in_their_article(tmp_path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Điều 1. Mức thu lệ phí")
    document.add_paragraph("Mức thu như bảng sau:")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Khai sinh quá hạn", "8.000 đồng"
    table.cell(1, 0).text, table.cell(1, 1).text = "Trích lục hộ tịch", "8.000 đồng"
    document.add_paragraph("Điều 2. Hiệu lực thi hành")
    document.add_paragraph("Nghị quyết có hiệu lực từ ngày ký.")
    path = tmp_path / "bang.docx"
    document.save(str(path))
    passages = {p.ref: p.text for p in split(extract(path.name, path.read_bytes()).pages)}
    assert "Trích lục hộ tịch | 8.000 đồng" in passages["Điều 1"]
    assert "8.000" not in passages["Điều 2"]
