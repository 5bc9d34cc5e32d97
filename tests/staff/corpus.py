"""A test corpus of realistic internal documents, written as real DOCX, PDF and TXT files, and
the staff questions asked about it (tests and bench/staff_eval.py).

The documents imitate what a province's one-stop desk works with: the province's one-stop
regulation (Quy chế một cửa), the provincial council's fee resolution, an internal guidance note
and a department-only note. Figures in them are invented for testing; they are never shown to
citizens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core

Clause = str | tuple[str, list[str]]  # a khoản, or a khoản with its điểm a), b), ...


@dataclass
class Article:
    title: str
    clauses: list[Clause]


@dataclass
class CorpusDocument:
    key: str
    title: str
    number: str
    issued: str
    department: str
    kind: str  # file type written: "docx" | "pdf" | "txt"
    header: list[str]
    chapters: list[tuple[str, list[Article]]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)  # documents without articles

    @property
    def filename(self) -> str:
        return f"{self.key}.{self.kind}"

    def lines(self) -> list[str]:
        """The document as plain lines, numbered the way Vietnamese legal texts are."""
        out = list(self.header)
        number = 0
        for chapter, articles in self.chapters:
            if chapter:
                out.append(chapter)
            for article in articles:
                number += 1
                out.append(f"Điều {number}. {article.title}")
                if len(article.clauses) == 1 and isinstance(article.clauses[0], str):
                    out.append(article.clauses[0])
                    continue
                for index, clause in enumerate(article.clauses, start=1):
                    text, points = (clause, []) if isinstance(clause, str) else clause
                    out.append(f"{index}. {text}")
                    out.extend(f"{letter}) {point}" for letter, point in zip("abcdđeghik",
                                                                           points, strict=False))
        out.extend(self.paragraphs)
        return out


ONE_STOP = CorpusDocument(
    key="quy-che-mot-cua", kind="docx", department="", issued="2025-08-15",
    number="25/2025/QĐ-UBND",
    title="Quy chế tiếp nhận, giải quyết thủ tục hành chính theo cơ chế một cửa, một cửa liên "
          "thông trên địa bàn tỉnh",
    header=["ỦY BAN NHÂN DÂN TỈNH", "QUY CHẾ",
            "Tiếp nhận, giải quyết thủ tục hành chính theo cơ chế một cửa, một cửa liên thông",
            "(Ban hành kèm theo Quyết định số 25/2025/QĐ-UBND ngày 15/8/2025 của Ủy ban nhân "
            "dân tỉnh)"],
    chapters=[
        ("Chương I", []),
        ("QUY ĐỊNH CHUNG", [
            Article("Phạm vi điều chỉnh", [
                "Quy chế này quy định việc tiếp nhận, giải quyết và trả kết quả thủ tục hành chính "
                "theo cơ chế một cửa, một cửa liên thông tại Trung tâm Phục vụ hành chính công "
                "tỉnh và Bộ phận Một cửa của Ủy ban nhân dân cấp xã.",
                "Việc tiếp nhận hồ sơ trực tuyến trên Cổng dịch vụ công quốc gia và Hệ thống "
                "thông tin giải quyết thủ tục hành chính của tỉnh cũng thực hiện theo Quy chế "
                "này."]),
            Article("Đối tượng áp dụng", [
                "Cán bộ, công chức, viên chức làm việc tại Bộ phận Một cửa các cấp.",
                "Cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh, Ủy ban nhân dân cấp xã và tổ "
                "chức, cá nhân có yêu cầu giải quyết thủ tục hành chính."]),
            Article("Nguyên tắc thực hiện", [
                "Lấy sự hài lòng của người dân, doanh nghiệp làm thước đo chất lượng phục vụ.",
                "Không yêu cầu người dân nộp lại giấy tờ đã có trong cơ sở dữ liệu quốc gia về "
                "dân cư hoặc đã được số hóa, trừ trường hợp pháp luật có quy định khác.",
                "Công chức không được tự ý yêu cầu bổ sung giấy tờ ngoài danh mục thành phần hồ "
                "sơ đã được công bố."]),
        ]),
        ("Chương II", []),
        ("TIẾP NHẬN HỒ SƠ", [
            Article("Thời gian làm việc của Bộ phận Một cửa", [
                "Bộ phận Một cửa làm việc từ thứ Hai đến thứ Sáu; buổi sáng từ 7 giờ 30 đến 11 "
                "giờ 30, buổi chiều từ 13 giờ 30 đến 17 giờ.",
                "Trung tâm Phục vụ hành chính công tỉnh tiếp nhận hồ sơ vào sáng thứ Bảy từ 7 giờ "
                "30 đến 11 giờ 30 đối với các thủ tục về đất đai, hộ tịch và cư trú."]),
            Article("Tiếp nhận và kiểm tra hồ sơ", [
                "Công chức tiếp nhận kiểm tra tính đầy đủ, hợp lệ của hồ sơ ngay khi tiếp nhận.",
                ("Trường hợp hồ sơ chưa đầy đủ, chưa hợp lệ, công chức tiếp nhận:", [
                    "hướng dẫn một lần, đầy đủ bằng Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ;",
                    "không được yêu cầu bổ sung quá một lần đối với cùng một hồ sơ;",
                    "ghi rõ lý do và ký tên trên Phiếu yêu cầu bổ sung."]),
                "Trường hợp từ chối tiếp nhận, công chức lập Phiếu từ chối tiếp nhận, giải quyết "
                "hồ sơ và nêu rõ lý do từ chối."]),
            Article("Số hóa hồ sơ, kết quả giải quyết", [
                "Hồ sơ nộp trực tiếp phải được số hóa ngay tại Bộ phận Một cửa trước khi chuyển "
                "đến cơ quan giải quyết; người dân không phải trả chi phí số hóa.",
                "Kết quả giải quyết thủ tục hành chính được số hóa và lưu vào Kho quản lý dữ liệu "
                "điện tử của tổ chức, cá nhân để sử dụng lại."]),
            Article("Chuyển hồ sơ đến cơ quan giải quyết", [
                "Chậm nhất 01 ngày làm việc kể từ ngày tiếp nhận, Bộ phận Một cửa chuyển hồ sơ "
                "giấy đến cơ quan có thẩm quyền giải quyết.",
                "Hồ sơ điện tử được chuyển ngay trong ngày qua Hệ thống thông tin giải quyết thủ "
                "tục hành chính của tỉnh."]),
        ]),
        ("Chương III", []),
        ("GIẢI QUYẾT VÀ TRẢ KẾT QUẢ", [
            Article("Thời hạn giải quyết", [
                "Thời hạn giải quyết được tính từ ngày Bộ phận Một cửa nhận đủ hồ sơ hợp lệ theo "
                "Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
                "Đối với hồ sơ nộp trực tuyến sau 16 giờ hoặc vào ngày nghỉ, thời điểm tiếp nhận "
                "được tính từ ngày làm việc tiếp theo.",
                "Các cơ quan phấn đấu giải quyết sớm hơn ít nhất 20% so với thời hạn quy định."]),
            Article("Xử lý hồ sơ quá hạn", [
                "Hồ sơ quá hạn giải quyết thì cơ quan gây ra quá hạn phải gửi Phiếu xin lỗi và hẹn "
                "lại ngày trả kết quả cho người nộp hồ sơ.",
                "Việc hẹn lại ngày trả kết quả chỉ được thực hiện một lần; thời gian gia hạn không "
                "quá thời hạn giải quyết ban đầu.",
                "Thủ trưởng cơ quan để hồ sơ quá hạn từ 03 lần trở lên trong một quý phải giải "
                "trình bằng văn bản với Chủ tịch Ủy ban nhân dân tỉnh."]),
            Article("Trả kết quả", [
                "Kết quả được trả tại Bộ phận Một cửa, qua dịch vụ bưu chính công ích hoặc trả bản "
                "điện tử vào tài khoản của người dân trên Cổng dịch vụ công.",
                "Kết quả chưa được nhận sau 03 tháng kể từ ngày hẹn trả được chuyển về lưu tại cơ "
                "quan giải quyết."]),
            Article("Thu phí, lệ phí", [
                "Phí, lệ phí được thu theo mức do Hội đồng nhân dân tỉnh quyết định và được nộp "
                "trực tuyến hoặc tại Bộ phận Một cửa.",
                "Khi thu phí, lệ phí, công chức phải cấp biên lai điện tử cho người nộp."]),
        ]),
        ("Chương IV", []),
        ("TRÁCH NHIỆM VÀ CHẾ ĐỘ", [
            Article("Trách nhiệm của công chức tại Bộ phận Một cửa", [
                "Mặc đồng phục, đeo thẻ công chức trong giờ làm việc.",
                "Không được gây phiền hà, sách nhiễu, nhận quà hoặc tiền của người nộp hồ sơ.",
                "Cập nhật đầy đủ trạng thái xử lý hồ sơ trên Hệ thống thông tin giải quyết thủ tục "
                "hành chính trong ngày làm việc."]),
            Article("Chế độ hỗ trợ đối với công chức Bộ phận Một cửa", [
                "Công chức làm việc tại Bộ phận Một cửa được hỗ trợ 50.000 đồng mỗi ngày làm việc "
                "thực tế tại Bộ phận.",
                "Công chức được bố trí đồng phục hai năm một lần."]),
            Article("Đánh giá, khen thưởng và xử lý vi phạm", [
                "Người dân đánh giá mức độ hài lòng sau mỗi lần giao dịch qua thiết bị đánh giá "
                "hoặc trên Cổng dịch vụ công.",
                "Công chức có tỷ lệ hài lòng dưới 80% trong hai quý liên tiếp bị xem xét điều "
                "chuyển khỏi Bộ phận Một cửa.",
                "Công chức vi phạm Quy chế này bị xử lý kỷ luật theo quy định của pháp luật về cán "
                "bộ, công chức."]),
        ]),
    ],
)

FEES = CorpusDocument(
    key="nghi-quyet-phi-le-phi", kind="pdf", department="", issued="2025-07-10",
    number="12/2025/NQ-HĐND",
    title="Nghị quyết quy định mức thu phí, lệ phí thuộc thẩm quyền quyết định của Hội đồng nhân "
          "dân tỉnh",
    header=["HỘI ĐỒNG NHÂN DÂN TỈNH", "NGHỊ QUYẾT",
            "Quy định mức thu, miễn, giảm, chế độ thu, nộp, quản lý và sử dụng các khoản phí, lệ "
            "phí thuộc thẩm quyền quyết định của Hội đồng nhân dân tỉnh",
            "Căn cứ Luật Phí và lệ phí ngày 25 tháng 11 năm 2015;"],
    chapters=[("", [
        Article("Phạm vi điều chỉnh và đối tượng áp dụng", [
            "Nghị quyết này quy định mức thu, miễn, giảm, chế độ thu, nộp, quản lý và sử dụng lệ "
            "phí hộ tịch, lệ phí đăng ký cư trú, lệ phí cấp giấy phép xây dựng và phí thẩm định "
            "hồ sơ cấp giấy chứng nhận quyền sử dụng đất trên địa bàn tỉnh.",
            "Nghị quyết áp dụng đối với người nộp, tổ chức thu phí, lệ phí và cơ quan, tổ chức, "
            "cá nhân khác có liên quan."]),
        Article("Mức thu lệ phí hộ tịch", [
            ("Tại Ủy ban nhân dân cấp xã:", [
                "khai sinh, kết hôn, khai tử đúng hạn: miễn lệ phí;",
                "đăng ký khai sinh, khai tử quá hạn: 8.000 đồng mỗi việc;",
                "cấp bản sao trích lục hộ tịch: 8.000 đồng mỗi bản;",
                "xác nhận tình trạng hôn nhân: 15.000 đồng mỗi việc."]),
            ("Tại cơ quan tư pháp cấp tỉnh:", [
                "đăng ký khai sinh có yếu tố nước ngoài: 75.000 đồng mỗi việc;",
                "đăng ký kết hôn có yếu tố nước ngoài: 1.500.000 đồng mỗi việc;",
                "thay đổi, cải chính hộ tịch cho người từ đủ 14 tuổi trở lên: 28.000 đồng."]),
        ]),
        Article("Mức thu lệ phí đăng ký cư trú", [
            "Đăng ký thường trú, đăng ký tạm trú theo hình thức nộp hồ sơ trực tiếp: 20.000 đồng "
            "mỗi lần đăng ký.",
            "Đăng ký thường trú, tạm trú qua Cổng dịch vụ công trực tuyến: 10.000 đồng mỗi lần "
            "đăng ký.",
            "Gia hạn tạm trú nộp trực tiếp: 15.000 đồng; nộp trực tuyến: 7.000 đồng mỗi lần."]),
        Article("Mức thu lệ phí cấp giấy phép xây dựng", [
            "Cấp giấy phép xây dựng nhà ở riêng lẻ: 75.000 đồng mỗi giấy phép.",
            "Cấp giấy phép xây dựng công trình khác: 150.000 đồng mỗi giấy phép.",
            "Gia hạn, cấp lại, điều chỉnh giấy phép xây dựng: 15.000 đồng mỗi giấy phép."]),
        Article("Phí thẩm định hồ sơ cấp giấy chứng nhận quyền sử dụng đất", [
            "Hộ gia đình, cá nhân: 500.000 đồng mỗi hồ sơ đối với đất ở tại phường; 250.000 đồng "
            "mỗi hồ sơ đối với đất ở tại xã.",
            "Tổ chức: 2.000.000 đồng mỗi hồ sơ.",
            "Trường hợp cấp đổi, cấp lại giấy chứng nhận: thu bằng 50% mức thu tương ứng."]),
        Article("Các trường hợp miễn, giảm", [
            ("Miễn lệ phí hộ tịch và lệ phí đăng ký cư trú đối với:", [
                "người thuộc hộ nghèo, hộ cận nghèo;",
                "người khuyết tật, trẻ em, người cao tuổi;",
                "người có công với cách mạng và thân nhân liệt sĩ."]),
            "Giảm 50% mức thu lệ phí cho hồ sơ nộp trực tuyến đối với thủ tục không có mức thu "
            "riêng cho hình thức trực tuyến."]),
        Article("Quản lý và sử dụng phí, lệ phí", [
            "Lệ phí thu được nộp 100% vào ngân sách nhà nước.",
            "Tổ chức thu phí thẩm định được để lại 70% số tiền phí thu được để chi cho hoạt động "
            "thu phí; 30% còn lại nộp ngân sách nhà nước."]),
        Article("Hiệu lực thi hành", [
            "Nghị quyết này có hiệu lực từ ngày 01 tháng 8 năm 2025 và thay thế Nghị quyết số "
            "08/2021/NQ-HĐND."]),
    ])],
)

GUIDANCE = CorpusDocument(
    key="huong-dan-ho-so-truc-tuyen", kind="txt", department="", issued="2025-09-02",
    number="345/HD-VP",
    title="Hướng dẫn nội bộ xử lý hồ sơ trực tuyến trên Hệ thống thông tin giải quyết thủ tục "
          "hành chính",
    header=["VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH", "HƯỚNG DẪN NỘI BỘ", ""],
    paragraphs=[
        "Mục đích: thống nhất cách tiếp nhận và xử lý hồ sơ nộp trực tuyến để không có hồ sơ bị "
        "bỏ sót trên hệ thống.",
        "",
        "Kiểm tra hồ sơ trực tuyến: trong 04 giờ làm việc kể từ khi hồ sơ được gửi, công chức "
        "phải kiểm tra và chọn Tiếp nhận hoặc Yêu cầu bổ sung trên hệ thống; không để hồ sơ ở "
        "trạng thái Chờ tiếp nhận qua ngày làm việc.",
        "",
        "Chữ ký số: Phiếu yêu cầu bổ sung và Phiếu từ chối gửi cho người dân phải được ký số "
        "bằng chứng thư số của cơ quan; không gửi bản chụp có chữ ký tay.",
        "",
        "Thanh toán trực tuyến: khi người dân đã thanh toán phí qua Cổng dịch vụ công, công chức "
        "đối soát trạng thái Đã thanh toán trên hệ thống trước khi chuyển xử lý; không thu tiền "
        "mặt lần nữa.",
        "",
        "Sự cố hệ thống: khi Hệ thống thông tin giải quyết thủ tục hành chính gặp sự cố quá 02 "
        "giờ, công chức báo ngay cho Trung tâm Phục vụ hành chính công qua số nội bộ và ghi sổ "
        "theo dõi; thời gian sự cố không tính vào thời hạn giải quyết.",
        "",
        "Lưu trữ: hồ sơ điện tử đã giải quyết xong được lưu trên hệ thống tối thiểu 05 năm; "
        "không xóa hồ sơ kể cả khi người dân rút hồ sơ.",
    ],
)

JUSTICE_ONLY = CorpusDocument(
    key="huong-dan-chung-thuc", kind="docx", department="Tư pháp", issued="2025-10-01",
    number="78/HD-STP",
    title="Hướng dẫn nghiệp vụ chứng thực bản sao điện tử từ bản chính",
    header=["SỞ TƯ PHÁP", "HƯỚNG DẪN NGHIỆP VỤ"],
    chapters=[("", [
        Article("Chứng thực bản sao điện tử", [
            "Người thực hiện chứng thực đối chiếu bản chính với bản chụp, ký số và ghi lời chứng "
            "theo mẫu trên hệ thống chứng thực điện tử.",
            "Không chứng thực bản sao điện tử từ bản chính bị tẩy xóa, sửa chữa hoặc đã hết hiệu "
            "lực."]),
        Article("Lưu sổ chứng thực điện tử", [
            "Mỗi việc chứng thực điện tử được cấp một số chứng thực riêng trong sổ chứng thực điện "
            "tử của năm."]),
    ])],
)

DOCUMENTS = [ONE_STOP, FEES, GUIDANCE, JUSTICE_ONLY]


def write_docx(document: CorpusDocument, path: Path) -> Path:
    import docx

    out = docx.Document()
    for line in document.lines():
        out.add_paragraph(line)
    out.save(str(path))
    return path


def write_pdf(document: CorpusDocument, path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    for line in document.lines():
        pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def write_txt(document: CorpusDocument, path: Path) -> Path:
    path.write_text("\n".join(document.lines()) + "\n", encoding="utf-8")
    return path


def write(document: CorpusDocument, folder: Path, kind: str | None = None) -> Path:
    kind = kind or document.kind
    writer = {"docx": write_docx, "pdf": write_pdf, "txt": write_txt}[kind]
    return writer(document, folder / f"{document.key}.{kind}")


@dataclass(frozen=True)
class Question:
    text: str
    number: str  # the document that answers it
    ref: str = ""  # its citation ("Điều 5, khoản 2"); "" when checked by ``phrase``
    phrase: str = ""  # a phrase of the right passage, for documents without articles


QUESTIONS = [
    # Quy chế một cửa (DOCX)
    Question("Quy chế một cửa áp dụng ở những nơi nào", "25/2025/QĐ-UBND", "Điều 1, khoản 1"),
    Question("Hồ sơ nộp trên Cổng dịch vụ công quốc gia có theo quy chế một cửa không",
             "25/2025/QĐ-UBND", "Điều 1, khoản 2"),
    Question("Quy chế một cửa áp dụng với cơ quan chuyên môn nào", "25/2025/QĐ-UBND",
             "Điều 2, khoản 2"),
    Question("Có được bắt dân nộp lại giấy tờ đã có trong cơ sở dữ liệu dân cư không",
             "25/2025/QĐ-UBND", "Điều 3, khoản 2"),
    Question("công chức có được yêu cầu thêm giấy tờ ngoài danh mục đã công bố không",
             "25/2025/QĐ-UBND", "Điều 3, khoản 3"),
    Question("Thước đo chất lượng phục vụ là gì", "25/2025/QĐ-UBND", "Điều 3, khoản 1"),
    Question("Bộ phận Một cửa làm việc mấy giờ", "25/2025/QĐ-UBND", "Điều 4, khoản 1"),
    Question("Trung tâm hành chính công có làm việc sáng thứ Bảy không", "25/2025/QĐ-UBND",
             "Điều 4, khoản 2"),
    Question("hồ sơ chưa hợp lệ thì hướng dẫn bổ sung mấy lần", "25/2025/QĐ-UBND",
             "Điều 5, khoản 2"),
    Question("Phiếu yêu cầu bổ sung hoàn thiện hồ sơ ghi những gì", "25/2025/QĐ-UBND",
             "Điều 5, khoản 2"),
    Question("Khi từ chối tiếp nhận hồ sơ phải làm gì", "25/2025/QĐ-UBND", "Điều 5, khoản 3"),
    Question("Người dân có phải trả tiền số hóa hồ sơ không", "25/2025/QĐ-UBND",
             "Điều 6, khoản 1"),
    Question("Kết quả giải quyết có được lưu vào kho dữ liệu điện tử không", "25/2025/QĐ-UBND",
             "Điều 6, khoản 2"),
    Question("Bao lâu thì phải chuyển hồ sơ giấy đến cơ quan giải quyết", "25/2025/QĐ-UBND",
             "Điều 7, khoản 1"),
    Question("Thời hạn giải quyết tính từ ngày nào", "25/2025/QĐ-UBND", "Điều 8, khoản 1"),
    Question("Hồ sơ nộp trực tuyến sau 16 giờ thì tính ngày tiếp nhận thế nào",
             "25/2025/QĐ-UBND", "Điều 8, khoản 2"),
    Question("Các cơ quan phấn đấu giải quyết sớm hơn bao nhiêu phần trăm", "25/2025/QĐ-UBND",
             "Điều 8, khoản 3"),
    Question("Hồ sơ trễ hạn thì có phải gửi phiếu xin lỗi không", "25/2025/QĐ-UBND",
             "Điều 9, khoản 1"),
    Question("hen lai ngay tra ket qua duoc may lan", "25/2025/QĐ-UBND", "Điều 9, khoản 2"),
    Question("Thủ trưởng để hồ sơ quá hạn nhiều lần trong quý phải giải trình với ai",
             "25/2025/QĐ-UBND", "Điều 9, khoản 3"),
    Question("Kết quả có được trả qua bưu chính công ích không", "25/2025/QĐ-UBND",
             "Điều 10, khoản 1"),
    Question("Kết quả người dân không đến nhận sau 3 tháng thì xử lý sao", "25/2025/QĐ-UBND",
             "Điều 10, khoản 2"),
    Question("Khi thu lệ phí có phải cấp biên lai điện tử không", "25/2025/QĐ-UBND",
             "Điều 11, khoản 2"),
    Question("Công chức một cửa có phải mặc đồng phục đeo thẻ không", "25/2025/QĐ-UBND",
             "Điều 12, khoản 1"),
    Question("Có được nhận quà của người nộp hồ sơ không", "25/2025/QĐ-UBND", "Điều 12, khoản 2"),
    Question("Trạng thái xử lý hồ sơ phải cập nhật trên hệ thống khi nào", "25/2025/QĐ-UBND",
             "Điều 12, khoản 3"),
    Question("Mức hỗ trợ mỗi ngày cho công chức bộ phận một cửa", "25/2025/QĐ-UBND",
             "Điều 13, khoản 1"),
    Question("Bao lâu thì được cấp đồng phục", "25/2025/QĐ-UBND", "Điều 13, khoản 2"),
    Question("Tỷ lệ hài lòng dưới 80% thì công chức bị xử lý thế nào", "25/2025/QĐ-UBND",
             "Điều 14, khoản 2"),
    Question("Người dân đánh giá mức độ hài lòng bằng cách nào", "25/2025/QĐ-UBND",
             "Điều 14, khoản 1"),
    Question("cong chuc vi pham quy che mot cua bi ky luat theo quy dinh nao", "25/2025/QĐ-UBND",
             "Điều 14, khoản 3"),
    # Nghị quyết phí, lệ phí (PDF)
    Question("Nghị quyết phí lệ phí áp dụng cho những khoản nào", "12/2025/NQ-HĐND",
             "Điều 1, khoản 1"),
    Question("Lệ phí đăng ký khai sinh quá hạn ở xã là bao nhiêu", "12/2025/NQ-HĐND",
             "Điều 2, khoản 1"),
    Question("Xác nhận tình trạng hôn nhân mất bao nhiêu tiền", "12/2025/NQ-HĐND",
             "Điều 2, khoản 1"),
    Question("Lệ phí cấp bản sao trích lục hộ tịch", "12/2025/NQ-HĐND", "Điều 2, khoản 1"),
    Question("Kết hôn có yếu tố nước ngoài lệ phí bao nhiêu", "12/2025/NQ-HĐND",
             "Điều 2, khoản 2"),
    Question("le phi cai chinh ho tich cho nguoi tu du 14 tuoi", "12/2025/NQ-HĐND",
             "Điều 2, khoản 2"),
    Question("Lệ phí đăng ký thường trú nộp trực tiếp", "12/2025/NQ-HĐND", "Điều 3, khoản 1"),
    Question("Đăng ký tạm trú qua mạng thì lệ phí bao nhiêu", "12/2025/NQ-HĐND",
             "Điều 3, khoản 2"),
    Question("Lệ phí gia hạn tạm trú", "12/2025/NQ-HĐND", "Điều 3, khoản 3"),
    Question("Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ", "12/2025/NQ-HĐND",
             "Điều 4, khoản 1"),
    Question("Giấy phép xây dựng cho công trình khác thu bao nhiêu", "12/2025/NQ-HĐND",
             "Điều 4, khoản 2"),
    Question("Điều chỉnh giấy phép xây dựng mất phí bao nhiêu", "12/2025/NQ-HĐND",
             "Điều 4, khoản 3"),
    Question("Phí thẩm định hồ sơ cấp sổ đỏ cho hộ gia đình ở phường", "12/2025/NQ-HĐND",
             "Điều 5, khoản 1"),
    Question("Tổ chức nộp phí thẩm định cấp giấy chứng nhận bao nhiêu", "12/2025/NQ-HĐND",
             "Điều 5, khoản 2"),
    Question("Cấp đổi giấy chứng nhận quyền sử dụng đất thu phí thẩm định thế nào",
             "12/2025/NQ-HĐND", "Điều 5, khoản 3"),
    Question("Hộ nghèo có được miễn lệ phí đăng ký cư trú không", "12/2025/NQ-HĐND",
             "Điều 6, khoản 1"),
    Question("Nộp trực tuyến có được giảm lệ phí không", "12/2025/NQ-HĐND", "Điều 6, khoản 2"),
    Question("Lệ phí thu được có phải nộp hết vào ngân sách không", "12/2025/NQ-HĐND",
             "Điều 7, khoản 1"),
    Question("Tổ chức thu phí thẩm định được để lại bao nhiêu phần trăm", "12/2025/NQ-HĐND",
             "Điều 7, khoản 2"),
    Question("Nghị quyết phí lệ phí có hiệu lực từ ngày nào", "12/2025/NQ-HĐND", "Điều 8"),
    Question("Nghị quyết 12/2025 thay thế nghị quyết nào", "12/2025/NQ-HĐND", "Điều 8"),
    # Hướng dẫn nội bộ (TXT, no articles)
    Question("Hồ sơ trực tuyến phải được kiểm tra trong bao lâu", "345/HD-VP",
             phrase="04 giờ làm việc"),
    Question("Phiếu từ chối gửi cho người dân có phải ký số không", "345/HD-VP",
             phrase="ký số"),
    Question("Người dân đã thanh toán phí trên Cổng dịch vụ công thì có thu tiền mặt nữa không",
             "345/HD-VP", phrase="Đã thanh toán"),
    Question("Hệ thống giải quyết thủ tục bị sự cố thì báo cho ai", "345/HD-VP",
             phrase="sự cố quá 02"),
    Question("Hồ sơ điện tử lưu trên hệ thống bao nhiêu năm", "345/HD-VP",
             phrase="tối thiểu 05 năm"),
    Question("Người dân rút hồ sơ thì có xóa hồ sơ điện tử không", "345/HD-VP",
             phrase="rút hồ sơ"),
    # Hướng dẫn của Sở Tư pháp (DOCX, department "Tư pháp" only)
    Question("Chứng thực bản sao điện tử từ bản chính làm thế nào", "78/HD-STP",
             "Điều 1, khoản 1"),
    Question("Bản chính bị tẩy xóa có được chứng thực bản sao điện tử không", "78/HD-STP",
             "Điều 1, khoản 2"),
    Question("Số chứng thực điện tử ghi vào sổ nào", "78/HD-STP", "Điều 2"),
]

# Questions nothing in the corpus answers: the assistant must say so rather than quote.
UNANSWERABLE = [
    "giá vàng hôm nay bao nhiêu",
    "đội bóng nào vô địch world cup",
    "cách nấu phở bò ngon",
]
