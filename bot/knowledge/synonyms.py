"""How citizens name procedures versus how the national catalog names them.

Keys and values are in the normalised form of :func:`bot.nlu.normalization.normalize` (folded,
lower-case, abbreviations already expanded: "cccd" arrives as "can cuoc cong dan"). This is a
general vocabulary of everyday Vietnamese for public services, written from the domain, not from
the evaluation queries; names that only fit one procedure belong in the curated catalog's
``aliases`` instead.
"""

from __future__ import annotations

from bot.nlu.normalization import fold_diacritics

# Everyday phrase -> the catalog's wording. Longer phrases are applied first.
PHRASES: dict[str, str] = {
    # residence (the household book was abolished in 2023, people still say "hộ khẩu")
    "nhap ho khau": "dang ky thuong tru",
    "nhap khau": "dang ky thuong tru",
    "chuyen ho khau": "dang ky thuong tru",
    "chuyen khau": "dang ky thuong tru",
    "cat ho khau": "xoa dang ky thuong tru",
    "xoa ho khau": "xoa dang ky thuong tru",
    "cat khau": "xoa dang ky thuong tru",
    "tach ho khau": "tach ho",
    "tach so ho khau": "tach ho",  # not "tách sổ" (a land plot) + "hộ khẩu"
    "tach khau": "tach ho",
    "ho khau": "thuong tru",
    "so ho khau": "thuong tru",
    "dang ky tam tru": "dang ky tam tru",
    "khai bao tam tru": "dang ky tam tru",
    "khai bao o tam": "dang ky tam tru",
    "dang ky o tam": "dang ky tam tru",
    "bao tam vang": "khai bao tam vang",
    "bao vang mat": "khai bao tam vang",
    "khai bao vang mat": "khai bao tam vang",
    # identity
    "can cuoc cong dan": "the can cuoc",
    "chung minh nhan dan": "the can cuoc",
    "chung minh thu": "the can cuoc",
    "can cuoc gan chip": "the can cuoc",
    "dinh danh muc 2": "dinh danh dien tu muc do 02",
    "dinh danh muc do 2": "dinh danh dien tu muc do 02",
    "vneid": "tai khoan dinh danh dien tu",
    "passport": "ho chieu pho thong",
    "ho chieu pho thong": "ho chieu pho thong",
    "ho chieu": "ho chieu pho thong",  # citizens mean the ordinary passport
    # civil status
    "ban sao giay khai sinh": "ban sao giay khai sinh",  # a copy, not a new registration
    "giay khai sinh": "dang ky khai sinh",
    "lam khai sinh": "dang ky khai sinh",
    "giay chung tu": "dang ky khai tu",
    "giay bao tu": "dang ky khai tu",
    "bao tu": "khai tu",
    "xac nhan doc than": "xac nhan tinh trang hon nhan",
    "giay doc than": "xac nhan tinh trang hon nhan",
    "doc than": "tinh trang hon nhan",
    "giay dang ky ket hon": "dang ky ket hon",
    "giay ket hon": "dang ky ket hon",
    "lam giay ket hon": "dang ky ket hon",
    "nhan con nuoi": "nuoi con nuoi",  # adoption, not "nhận cha, mẹ, con"
    "nhan con": "nhan cha me con",
    "xac nhan con": "xac nhan con",  # "giấy xác nhận con thương binh": no paternity
    "nhan cha cho con": "nhan cha me con",
    "doi ten": "thay doi cai chinh bo sung thong tin ho tich",
    "sua ten": "thay doi cai chinh bo sung thong tin ho tich",
    "sai ten": "thay doi cai chinh bo sung thong tin ho tich",
    "sua ngay sinh": "thay doi cai chinh bo sung thong tin ho tich",
    # ... but on a diploma it is the diploma's correction
    "sua ngay sinh tren bang": "chinh sua van bang",
    "sua ten tren bang": "chinh sua van bang",
    "sua giay khai sinh": "thay doi cai chinh bo sung thong tin ho tich",
    "sua lai giay khai sinh": "thay doi cai chinh bo sung thong tin ho tich",
    "cai chinh giay khai sinh": "thay doi cai chinh bo sung thong tin ho tich",
    "nhan nuoi": "nuoi con nuoi",
    "xin con nuoi": "nuoi con nuoi",
    # the father's name added to a birth record is the recognition of paternity
    **{f"{verb} ten {father}": "nhan cha me con"
       for verb in ("bo sung", "them", "ghi") for father in ("bo", "cha", "ba")},
    # a foreign spouse, said by nationality: "có yếu tố nước ngoài"
    **{f"nguoi {country}": "nguoi nuoc ngoai" for country in (
        "han quoc", "han", "trung quoc", "dai loan", "nhat ban", "nhat", "my", "uc", "phap",
        "duc", "nga", "lao", "campuchia", "thai lan", "singapore", "malaysia", "canada",
        "hong kong", "philippines", "indonesia", "an do", "tay")},
    "viet kieu": "nguoi viet nam dinh cu o nuoc ngoai",
    # driving and vehicles
    "bang lai xe": "giay phep lai xe",
    "bang lai": "giay phep lai xe",
    # "bằng hạng C", "bằng B2": a driving licence by its class
    "bang hang": "giay phep lai xe hang",
    **{f"bang {c}": f"giay phep lai xe hang {c}"
       for c in "a1 a2 a3 a4 b1 b2 c c1 d d1 d2 e fc".split()},
    "bang xe": "giay phep lai xe",
    "bien so xe": "bien so xe",
    "cavet xe": "chung nhan dang ky xe",
    "cavet": "chung nhan dang ky xe",
    "ca vet": "chung nhan dang ky xe",  # "cà vẹt"
    "giay dang ky xe": "chung nhan dang ky xe",
    "moi mua": "lan dau",  # "xe mới mua": the first registration
    "bam bien so": "dang ky bien so xe",  # "bấm biển": pick a plate number at the first
    "bam bien": "dang ky bien so xe",  # registration
    "xe may": "xe",
    "o to": "xe",
    "oto": "xe",
    # land and building
    "len tho cu": "chuyen muc dich su dung dat",
    "chuyen len tho cu": "chuyen muc dich su dung dat",
    "chuyen sang dat o": "chuyen muc dich su dung dat",
    "len dat o": "chuyen muc dich su dung dat",
    "sang dat o": "chuyen muc dich su dung dat",
    "sang tho cu": "chuyen muc dich su dung dat",
    "sang dat tho cu": "chuyen muc dich su dung dat",
    "len dat tho cu": "chuyen muc dich su dung dat",
    "dat tho cu": "dat o",
    # a mortgage is, in the catalog's words, a security interest (biện pháp bảo đảm)
    "the chap": "bien phap bao dam",
    "giai chap": "xoa dang ky bien phap bao dam",
    "rut bao hiem mot lan": "huong bao hiem xa hoi mot lan",
    "rut bao hiem xa hoi mot lan": "huong bao hiem xa hoi mot lan",
    "so do": "giay chung nhan quyen su dung dat",
    "so hong": "giay chung nhan quyen su dung dat",
    "bia do": "giay chung nhan quyen su dung dat",
    "so dat": "giay chung nhan quyen su dung dat",
    "sang ten": "dang ky bien dong chuyen nhuong",
    "mua ban dat": "chuyen nhuong quyen su dung dat",
    "tach thua": "tach thua",
    "tach so": "tach thua",
    "phep xay nha": "giay phep xay dung nha o",
    "xin phep xay dung": "giay phep xay dung",
    "xay nha": "giay phep xay dung nha o",
    # diplomas: a lost one is not issued again, a copy comes from the master register
    "xin lai bang tot nghiep": "cap ban sao van bang tu so goc",
    "lam lai bang tot nghiep": "cap ban sao van bang tu so goc",
    "mat bang tot nghiep": "cap ban sao van bang tu so goc",
    "ban sao bang tot nghiep": "cap ban sao van bang tu so goc",
    # certification
    "cong chung ban sao": "chung thuc ban sao tu ban chinh",
    "photo cong chung": "chung thuc ban sao tu ban chinh",
    "photo chung thuc": "chung thuc ban sao tu ban chinh",
    "photo": "ban sao",
    "pho to": "ban sao",
    "cong chung giay to": "chung thuc ban sao tu ban chinh",
    "sao y": "chung thuc ban sao tu ban chinh",
    "chung thuc chu ky": "chung thuc chu ky",
    # business, tax, insurance, social support
    "ho ca the": "ho kinh doanh",
    "kinh doanh ca the": "ho kinh doanh",
    "giay phep kinh doanh ho": "dang ky ho kinh doanh",
    "mo cong ty": "dang ky thanh lap doanh nghiep",
    "lap cong ty": "dang ky thanh lap doanh nghiep",
    "thanh lap cong ty": "dang ky thanh lap doanh nghiep",
    "ma so thue ca nhan": "ma so thue",
    "thue thu nhap ca nhan": "thue thu nhap ca nhan",
    "the bao hiem y te": "the bao hiem y te",
    "tien that nghiep": "tro cap that nghiep",
    "huong that nghiep": "huong tro cap that nghiep",
    "luong huu": "luong huu",
    "nghi de": "che do thai san",
    "sinh con": "thai san",
    # the husband's maternity allowance: the names say "lao động nam khi vợ sinh con"
    "thai san cho chong": "thai san lao dong nam",
    "tien mai tang": "mai tang phi",
    # "trợ cấp người cao tuổi" is not rewritten: since 1 July 2025 it is the social pension
    # (75+) as often as the monthly social allowance; the curated aliases say which
    "nguoi gia": "nguoi cao tuoi",
    "giay chung nhan khuyet tat": "giay xac nhan khuyet tat",
    "ho ngheo": "ho ngheo ho can ngheo",
    "visa": "thi thuc",
    "phieu ly lich tu phap": "phieu ly lich tu phap",
    "lam ho chieu": "cap ho chieu pho thong",
    "lam passport": "cap ho chieu pho thong",
    "lam can cuoc": "cap the can cuoc",
    "lam the can cuoc": "cap the can cuoc",
    "lam can cuoc cong dan": "cap the can cuoc",
    "lam bang lai": "cap giay phep lai xe",
    "thi bang lai": "cap giay phep lai xe",
    "mo ho kinh doanh": "dang ky thanh lap ho kinh doanh",
    "lap ho kinh doanh": "dang ky thanh lap ho kinh doanh",
    "lam lai": "cap lai",
    "xin lai": "cap lai",
    "doi lai": "cap doi",
    "lam moi": "cap moi",
    "gia han": "gia han",
    "bi mat": "bi mat",
    "lam mat": "bi mat",
    "danh mat": "bi mat",
    "bi hong": "bi hong",
    "het han": "cap doi",
    # typing variants and short forms ("đăng kí", "dki", "tk", "dn")
    "ki": "ky",
    "dki": "dang ky",
    "dangki": "dang ky",
    "dangky": "dang ky",
    "tk": "tai khoan",
    "dn": "doanh nghiep",
    "cty": "cong ty",
    "nvqs": "nghia vu quan su",
    "gpkd": "giay phep kinh doanh",
    "gpxd": "giay phep xay dung",
    "giay phep xd": "giay phep xay dung",
    "xd": "xay dung",
    # question words that look like content words
    "mat bao lau": "",
    "mat bao nhieu": "",
    "mat may ngay": "",
    "o dau": "",
    "cho con": "",
    "cho be": "",
    **{f"cho {person}": "" for person in (
        "me", "bo", "ba", "vo", "chong", "ong", "ba noi", "ba ngoai", "ong noi", "ong ngoai")},
    "cua con": "",
    "con toi": "",
    "con minh": "",
    "thu tuc": "",
    "ho so": "",
    "giay to": "",
    "bao nhieu": "",
    "huong dan": "",
    "vui long": "",
    "nhu the nao": "",
    "the nao": "",
    "lam sao": "",
    "tai sao": "",
    "vi sao": "",
    "bao lau": "",
    "truc tuyen": "",
    "can gi": "",
    "can nhung gi": "",
    "can chuan bi": "",
}

# Words that carry the question, not the procedure ("tôi muốn làm ... thì cần giấy tờ gì"), as
# written with their accents: an accented message keeps the words that only fold to one of them
# ("dược" is not "được", "hội" not "hỏi", "chợ" not "cho"); an unaccented one loses them all.
STOPWORD_FORMS: frozenset[str] = frozenset(
    """
    tôi mình em anh chị cho muốn phải làm gì những nhưng nào như tiền à a ạ ah ơi với hỏi xin
    hãy hay giúp và để vậy rồi thì là có ai đi biết cách lâu nộp online này kia ấy được không
    chưa nhé admin ở về việc của các ông bà giùm dùm liệu
    """.split()
)
STOPWORDS: frozenset[str] = frozenset(fold_diacritics(w) for w in STOPWORD_FORMS)
# Stop words that carry meaning after these words: "chuyển đi" (moving away) is not "chuyển
# đến", as the names of the move-away and move-in registrations say.
KEPT_AFTER: dict[str, frozenset[str]] = {"di": frozenset({"chuyen"})}

# "mất" after one of these people means "died" ("bố tôi mất" -> khai tử), not "lost" ("mất
# cccd" -> cấp lại). Speaker pronouns (tôi, em, anh, chị) are left out: "em mất cccd" = lost.
DEATH_SUBJECTS: frozenset[str] = frozenset(
    "ba bo me cha ong chong vo nguoi cu noi ngoai chu bac thim cau mo duong ke".split()
)
# Words that may follow "mất" = died without naming a lost thing ("bố mất rồi", "mất năm ngoái").
DEATH_FOLLOWERS: frozenset[str] = frozenset(
    "roi can thi nen o tai vao nam ngay hom thang luc da duoc lam khai dang".split()
)

# Things citizens name in full once and then by their head noun ("... mất luôn cuốn sổ đỏ. Giờ
# muốn làm lại sổ thì ..."): head -> the full names it may stand for (normalised form). Heads keep
# their accents, matched as typed in accented messages: "hồ sơ" has no "sổ" in it.
OBJECTS: dict[str, tuple[str, ...]] = {
    "sổ": ("so do", "so hong", "so ho khau", "so bao hiem xa hoi"),
    "thẻ": ("the can cuoc", "can cuoc cong dan", "the bao hiem y te"),
    "bằng": ("bang lai xe", "bang lai", "bang hang", "bang tot nghiep"),
    "giấy": ("giay chung nhan", "giay khai sinh", "giay chung sinh", "giay phep lai xe",
             "giay phep xay dung", "giay xac nhan tinh trang hon nhan",
             "giay xac nhan khuyet tat"),
    "xe": ("xe may", "xe o to", "xe tai"),
    # "cấp đổi sang giấy chứng nhận mẫu mới" after "sổ hồng nhà tôi cấp năm 2009"
    "giấy chứng nhận": ("so do", "so hong", "bia do"),
    # a transfer is of the property the story names ("bán cho hàng xóm ... phải sang tên")
    "sang tên": ("so do", "so hong", "bia do", "manh dat", "thua dat", "can nho", "xe may",
                 "xe o to", "o to", "xe"),
}
# A procedure name that STARTS with one of these phrases is a follow-up of the base procedure
# (re-issue, exchange, change, stop, extend, lock...). A citizen who names only the object
# ("đăng ký hộ kinh doanh", "thẻ căn cước") means the base procedure, so follow-ups whose
# action the query does not mention are ranked down. Phrase -> action group.
FOLLOW_UP_ACTIONS: dict[str, str] = {
    "cap lai": "lai",
    "dang ky lai": "lai",
    "cap doi": "doi",
    "doi": "doi",
    "dang ky thay doi": "sua",
    "thay doi": "sua",
    "dieu chinh": "sua",
    "cap dieu chinh": "sua",
    "dinh chinh": "sua",
    "sua doi": "sua",
    "cai chinh": "sua",
    "dang ky cap nhat": "sua",
    "dung": "dung",
    "tam dung": "dung",
    "tam ngung": "dung",
    "cham dut": "dung",
    "dang ky cham dut": "dung",
    "thu hoi": "dung",
    "huy": "dung",
    "xoa": "dung",
    "giai the": "dung",
    "gia han": "gia han",
    "khoa": "khoa",
    "mo khoa": "mo khoa",
    "khoi phuc": "khoi phuc",
    "trinh bao mat": "bao mat",  # not "báo mất" alone: folded, it is also "bảo mật"
}
# Query words that ask for action groups without naming them ("mất" -> a re-issue; "đổi" in a
# question also means "change": "đổi họ cho con").
ACTION_HINTS: dict[str, tuple[str, ...]] = {
    "mat": ("lai", "bao mat"),
    "hong": ("doi", "lai"),
    "doi": ("sua",),
    "sua": ("sua",),
    "sai": ("sua",),
    "ngung": ("dung",),
    "bien dong": ("sua",),  # "sang tên" is rewritten to "đăng ký biến động": a change
}
