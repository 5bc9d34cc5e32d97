"""Reading a question: facets from the words (with their accents), clauses of long messages,
accent-aware matching and the admin alias table in the search."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.knowledge import search as search_module
from bot.knowledge.importer import import_national, load_curated
from bot.knowledge.question import clauses, read_question
from bot.knowledge.reading import accented_words, kept_stopwords, name_head
from bot.knowledge.resolve import (
    already_done,
    name_in,
    objects_meant,
    search_topic,
    with_objects,
)
from bot.knowledge.search import ProcedureSearch
from bot.knowledge.store import SQLiteProcedureStore
from bot.nlu.normalization import normalize

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "facets", "topic"),
    [
        ("cần giấy tờ gì", ["documents"], ""),
        # a phrase with a gap: the words in it stay to name the procedure
        ("o cung 1 nha thi co dc tach ho ko", ["conditions"], "o cung 1 nha tach ho"),
        ("Trường hợp tôi có được rút không?", ["conditions"], "trường hợp tôi rút"),
        # "cần xin giấy" asks for papers, but not when "phép" follows: the permit is the topic
        ("nhà 2 tầng có cần xin giấy phép xây dựng không", ["conditions"],
         "nhà 2 tầng xin giấy phép xây dựng không"),
        ("can giay to gi", ["documents"], ""),
        ("lam lai can cuoc can giay to gi", ["documents"], "lam lai can cuoc"),
        ("làm lại căn cước thủ tục thế nào, phí bao nhiêu, bao lâu thì có ạ?",
         ["steps", "documents", "fee", "time"], "làm lại căn cước có"),
        ("chuyển mục đích sử dụng đất phi nông nghiệp lệ phí", ["fee"],
         "chuyển mục đích sử dụng đất phi nông nghiệp"),
        ("căn cứ pháp lý của thủ tục đăng ký thường trú", ["legal"], "của đăng ký thường trú"),
        ("mẫu tờ khai đăng ký kết hôn", ["forms"], "đăng ký kết hôn"),
        ("đăng kí kết hon cần nhửng gì", ["documents"], "đăng kí kết hon"),
        ("mất mấy ngày?", ["time"], ""),
        # what the citizen has besides ("ngoài X") is not what they ask about
        ("Ngoài đăng ký hộ kinh doanh tôi có phải xin giấy phép karaoke không", ["conditions"],
         "tôi xin giấy phép karaoke không"),
        ("ngoài giờ hành chính có làm không", [], "ngoài giờ hành chính có làm không"),
        # between whom names no procedure ("cha mẹ và con" is no "nhận cha, mẹ, con")
        ("tặng cho đất giữa cha mẹ và con hồ sơ gồm những gì", ["documents"], "tặng cho đất"),
        # "trước/sau khi X" says when, it asks for no X
        ("Tách khẩu ra riêng sau khi cưới thì làm ở đâu", ["where"], "tách khẩu ra riêng"),
        ("sau khi có kết quả giám định thì hưởng chế độ tai nạn lao động gồm những bước nào",
         ["steps"], "hưởng chế độ tai nạn lao động nào"),  # a when of five syllables
        # "gồm" of "gồm những bước nào" asks too: it names nothing
        ("chuyen truong cho con gom nhung buoc nao", ["steps"], "chuyen truong cho con nao"),
        # whether a tax is waived is a question about what it costs
        ("tặng cho đất có được miễn thuế không", ["conditions", "fee"], "tặng cho đất"),
        # a place and "được không": may it be done there
        ("lam can cuoc o ha noi dc ko", ["where"], "lam can cuoc ha noi"),
        ("chứng thực bản sao có lấy ngay trong ngày được không", ["time"],
         "chứng thực bản sao có được không"),
        ("đăng ký khai sinh", [], "đăng ký khai sinh"),
        # teencode is spelt out before reading: "bn" bao nhiêu, "j" gì, "lm onl dc k"
        ("sang ten xe may khac tinh phi bn a", ["fee"], "sang ten xe may khac tinh"),
        ("lam giay khai sinh cho be can j ak", ["documents"], "lam giay khai sinh cho be"),
        ("doi bang lai lm onl dc k", ["online"], "doi bang lai lam duoc khong"),
        # "tiền thai sản" is the allowance, not a fee
        ("tiền thai sản hồ sơ phải nộp những gì", ["documents"], "tiền thai sản"),
        ("đổi thẻ làm ngay ở xã được không hay phải lên tỉnh", ["where"],
         "đổi thẻ làm ngay tỉnh"),
        ("làm xong được nhận những giấy gì", ["result"], "được"),
        # "xong", "trực tiếp" ask about the one talked about; they name no procedure
        ("nộp xong thì bao lâu có quyết định hưởng", ["time"], "hưởng"),
        ("nộp online dc ko hay phải nộp trực tiếp", ["online", "where"],
         "nộp duoc khong hay phải"),
        ("làm hộ chiếu phải lên đâu, hết bao nhiêu tiền", ["where", "fee"], "làm hộ chiếu"),
        # with accents, "tôi đã" is no "tối đa" (folded both are "toi da"); words typed
        # without accents in an accented message still read as the phrase
        ("Căn cước và bằng lái tôi đã làm lại xong rồi", [],
         "căn cước và bằng lái tôi đã làm lại rồi"),
        ("làm hộ chiếu mat bao lau", ["time"], "làm hộ chiếu"),
        ("khai thuế cho thuê nhà nộp cho cơ quan thuế nào", ["where"],
         "khai thuế cho thuê nhà nộp cho thuế"),
        # what an insurance costs is "mức đóng"; "có phải lên X" asks where, not whether
        ("mức đóng bảo hiểm y tế hộ gia đình", ["fee"], "bảo hiểm y tế hộ gia đình"),
        ("đổi sổ bhxh có phải lên huyện không", ["where"],
         "đổi sổ bao hiem xa hoi huyện không"),
    ],
)
def test_facets_and_topic(text: str, facets: list[str], topic: str) -> None:
    question = read_question(text)
    assert question.facets == facets
    assert question.topic == topic


def test_accents_are_trusted_only_when_typed() -> None:
    # accented "phí" is a fee; folded "phi" alone is not (đất phi nông nghiệp)
    assert read_question("phí bao nhiêu").facets == ["fee"]
    assert read_question("dat phi nong nghiep").facets == []
    assert read_question("đất phi nông nghiệp").facets == []


def test_clauses_split_sentences_and_joined_questions() -> None:
    text = ("Chào anh chị, em quê Nghệ An vào Bình Dương làm công nhân 2 năm, giờ muốn nhập hộ "
            "khẩu cho 2 đứa con. Cần giấy tờ gì?")
    assert clauses(text) == [
        "Chào anh chị, em quê Nghệ An vào Bình Dương làm công nhân 2 năm",
        "giờ muốn nhập hộ khẩu cho 2 đứa con", "Cần giấy tờ gì",
    ]
    # a full stop inside a name or a code is not the end of a sentence
    assert clauses("Em ở TP.HCM, mã hồ sơ 000.00.31.H12-251103-0042. Xem ở đâu?") == [
        "Em ở TP.HCM, mã hồ sơ 000.00.31.H12-251103-0042", "Xem ở đâu"]
    # "..., nhưng" turns from the story to what the citizen still has to do
    assert clauses("Được miễn thuế, nhưng vẫn phải đăng ký biến động") == [
        "Được miễn thuế", "nhưng vẫn phải đăng ký biến động"]


def test_accented_words_keep_only_words_with_diacritics() -> None:
    assert accented_words("Cấp đổi sổ đỏ online") == (
        ("cấp", "cap"), ("đổi", "doi"), ("sổ", "so"), ("đỏ", "do"))


@pytest.fixture(scope="module")
def full_engine(tmp_path_factory: pytest.TempPathFactory, national_data: Path) -> ProcedureSearch:
    path = tmp_path_factory.mktemp("question") / "knowledge.db"
    with SQLiteProcedureStore(path) as store:
        import_national(store, national_data / "catalog.csv", national_data / "details")
        load_curated(store, ROOT / "data" / "catalog")
    return ProcedureSearch(SQLiteProcedureStore(path, create=False))


@pytest.mark.parametrize(
    ("text", "code", "facets"),
    [
        # the story's words (places, jobs) must not steer the search
        ("Chào anh chị, em quê Nghệ An vào Bình Dương làm công nhân 2 năm, giờ muốn nhập hộ "
         "khẩu cho 2 đứa con vào chỗ trọ thì có được không, cần giấy tờ gì và mất bao lâu ạ?",
         "1.004222", ["conditions", "documents", "time"]),
        # the question's context is in the sentence before it
        ("Mẹ em làm mất thẻ căn cước hôm đi chợ. Làm lại thì nộp ở đâu ạ?", "1.014064", ["where"]),
        ("dang ky khai sinh", "1.001193", []),
        # "sổ" in the question is the sổ hồng of the story
        ("Nhà tôi bị cháy hết đồ đạc, cuốn sổ hồng cũng không còn. Giờ muốn làm lại sổ thì "
         "làm sao?", "1.012786", ["steps", "documents"]),
        # a sale in the story: "sang tên" is of the plot the story names, not a first register
        ("Bố tôi có thửa ruộng ở Nam Định đã có sổ đỏ. Nay bố bán cho chú hàng xóm, chú phải "
         "sang tên ở đâu?", "1.013831", ["where"]),
        # what is already done or had is the story ("đã kích hoạt VNeID"), not the question
        ("Em đã kích hoạt tài khoản VNeID mức 2 rồi, căn cước gắn chip cũng có rồi. Tháng sau "
         "em đi du lịch Thái Lan. Làm hộ chiếu lần đầu mất bao lâu ạ?", "1.001456", ["time"]),
        # the clause that says what the citizen wants and asks is the question, however often
        # the story names another procedure
        ("Vợ chồng mình đăng ký kết hôn năm 2022 ở quê chồng tại Thái Bình, giấy kết hôn thì "
         "chồng mình giữ. Chồng đi làm xa đến Tết mới về. Mình muốn tự đi làm khai sinh cho con "
         "thì cần mang gì?", "1.001193", ["documents"]),
        # ... and so is the clause that asks about "thủ tục X"
        ("Con tôi sinh năm 2019, hai vợ chồng chưa đăng ký kết hôn nên khai sinh để trống tên "
         "cha. Nay nhà trường yêu cầu bổ sung hồ sơ. Sau này còn muốn đổi họ cho cháu theo họ "
         "bố. Cho hỏi thủ tục nhận cha con cần những giấy tờ gì?", "1.001022", ["documents"]),
        # "có đăng ký qua mạng được không" names nothing: the reading that names a procedure
        # wins over it
        ("Hộ kinh doanh cũ thì tôi để vợ đứng tên tiếp. Xin hỏi thành lập công ty TNHH một "
         "thành viên cần những hồ sơ gì, và có đăng ký qua mạng được không?", "2.001583",
         ["documents", "online"]),
        # ... but not one that tells what was already done ("xã đã hướng dẫn làm thủ tục X")
        ("Xã đã hướng dẫn tôi làm thủ tục đăng ký giám hộ cho cháu, nhưng tôi chưa rõ cháu có "
         "được trợ cấp hàng tháng không. Xin hỏi thủ tục để cháu được nhận trợ cấp trẻ mồ côi "
         "gồm những bước nào?", "1.001776", ["steps", "documents"]),
        # a question that names nothing asks about the wish said just before it
        ("Bố mẹ tôi ngoài 60, không có lương hưu, chưa đến tuổi nhận trợ cấp người cao tuổi. "
         "Tôi muốn mua bảo hiểm y tế hộ gia đình cho bố mẹ. Xin hỏi đăng ký ở đâu?",
         "1.014137", ["where"]),
    ],
)
def test_the_question_in_a_long_message(full_engine, text, code, facets) -> None:
    found = name_in(full_engine, text)
    assert found.procedure is not None and found.procedure.code == code
    assert found.facets == facets


def test_common_words_name_no_procedure_unless_said_in_full(full_engine) -> None:
    # "cấp phép" (of "cấp phép mất bao lâu") is not "Thủ tục cấp phép bay"
    assert search_topic(full_engine, "và cấp phép").procedure is None
    assert search_topic(full_engine, "hộ chiếu").procedure is not None
    assert search_topic(full_engine, "kết hôn").procedure is not None


def test_accented_query_does_not_match_other_accents(full_engine) -> None:
    """"đổi" (exchange) is not the "đối" of "đối với" in the first-registration name."""
    best = full_engine.search("cấp đổi giấy chứng nhận quyền sử dụng đất", top=1)[0]
    assert best.code == "1.012783"


def test_an_accented_message_keeps_words_that_only_fold_to_a_stop_word() -> None:
    assert kept_stopwords("cấp chứng chỉ hành nghề dược để mở nhà thuốc") == {"chi", "duoc"}
    assert kept_stopwords("hội người cao tuổi đi chợ") == {"hoi", "cho"}
    # who types "đ" writes "di" for another word: "di chúc", not "đi"
    assert kept_stopwords("lập di chúc để lại nhà") == {"di"}
    # the stop word itself, or a message typed without accents, keeps nothing
    assert kept_stopwords("làm được không ạ") == frozenset()
    assert kept_stopwords("cap chung chi hanh nghe duoc") == frozenset()
    # one form used as the stop word keeps the stop word: "cho" in "cho con"; a word typed
    # without marks in an accented message may be the stop word typed plainly ("nay" = "này")
    assert kept_stopwords("làm giấy tờ cho con đi chợ") == frozenset()
    assert kept_stopwords("Nay bố bán đất cho chú") == frozenset()


def test_a_name_is_also_read_without_its_bracketed_remark(full_engine) -> None:
    assert name_head("Cấp Chứng chỉ hành nghề dược (bao gồm cả trường hợp cấp lại)") == (
        "cap chung chi hanh nghe duoc")
    assert name_head("Cấp thẻ căn cước") == ""
    # a name that lists cases: the first one is what citizens name
    assert name_head("Đăng ký biến động đối với trường hợp đổi tên; thay đổi hạn chế") == (
        "dang ky bien dong doi voi truong hop doi ten")
    # "dược" typed with its accents is not the stop word "được", and the long bracketed name
    # of the pharmacist's certificate is not outscored by the short veterinary one
    best = full_engine.search("cấp chứng chỉ hành nghề dược để mở nhà thuốc", top=1)[0]
    assert best.code in {"1.014092", "1.014084"}


def test_a_mortgage_is_the_catalog_s_security_interest(full_engine) -> None:
    assert full_engine.search("thế chấp sổ đỏ vay ngân hàng", top=1)[0].code == "1.011441"
    # the alias "thế chấp sổ đỏ" does not say "xóa": its procedure is not the one asked for
    assert full_engine.search("xoa the chap so do", top=1)[0].code == "1.011443"


def test_an_alias_without_the_action_asked_for_counts_less(full_engine) -> None:
    """"làm sổ bảo hiểm xã hội" is the first issue; "mất sổ ... cấp lại" asks for the reissue."""
    assert full_engine.search("mat so bhxh xin cap lai dc ko", top=1)[0].code == "1.002759"


def test_a_guessed_word_names_no_action(full_engine) -> None:
    """"xóm" is no catalog word; read as its nearest one, "xóa", it must not ask to delete."""
    reading = full_engine.index.read("bố bán đất cho chú hàng xóm")
    assert "xoa" in reading.content and not reading.named_actions


def test_an_alias_said_with_a_word_inserted_still_counts(full_engine) -> None:
    exact = full_engine.search("tặng cho đất", top=1)[0]
    gapped = full_engine.search("tặng cho mảnh đất", top=1)[0]
    assert exact.code == gapped.code == "1.013831"
    assert gapped.score < exact.score
    # the words must come in the alias's order
    assert full_engine.search("đất tặng cho", top=1)[0].score < gapped.score


def test_alias_table_extends_names_and_is_reread(full_engine, tmp_path, monkeypatch) -> None:
    table = tmp_path / "aliases.yml"
    table.write_text('aliases:\n  "1.001193": [giấy chào đời cho em bé]\n', encoding="utf-8")
    monkeypatch.setattr(search_module, "ALIASES_FILE", table)
    assert full_engine.search("giấy chào đời cho em bé", top=1)[0].code == "1.001193"
    assert full_engine.search("giấy chào đời cho em bé", top=1)[0].matched == "alias"
    table.write_text("aliases: {}\n", encoding="utf-8")
    os.utime(table, ns=(table.stat().st_mtime_ns + 10**9,) * 2)
    best = full_engine.search("giấy chào đời cho em bé", top=1)[0]
    assert best.code != "1.001193" or best.matched != "alias"


def test_a_bare_head_noun_means_the_thing_named_in_full_elsewhere() -> None:
    story = normalize("Tôi mất cuốn sổ đỏ, còn thẻ bhyt thì hỏng. Giờ làm lại sổ và đổi thẻ ở đâu?")
    assert objects_meant("giờ làm lại sổ và đổi thẻ", story) == [
        ("sổ", "so do"), ("thẻ", "the bao hiem y te")]
    assert objects_meant("lam lai so", story) == [("so", "so do")]  # typed without accents
    assert objects_meant("làm lại sổ hồng", story) == []  # named in full: nothing to add
    assert objects_meant("làm lại sổ", "lam lai so") == []  # nothing to refer to
    assert objects_meant("nộp hồ sơ", story) == []  # "hồ sơ" has no "sổ" in it
    assert objects_meant("nop ho so o dau", story) == []  # nor typed without accents
    # "xe" said after "xe máy" is the xe máy, whichever was said last
    story = normalize("Tôi mua chiếc xe máy cũ, giấy tờ xe vẫn tên chủ cũ. Sang tên thế nào?")
    assert objects_meant("sang tên", story) == [("sang tên", "xe may")]
    # the "giấy chứng nhận" of a story about a sổ hồng is the land certificate
    story = normalize("Sổ hồng nhà tôi cấp năm 2009. Giờ muốn cấp đổi sang giấy chứng nhận mới")
    assert objects_meant("muốn cấp đổi sang giấy chứng nhận mới", story) == [
        ("giấy chứng nhận", "so hong")]
    # the name goes right after its head so that "sang tên xe máy" reads as one phrase
    assert with_objects("muốn sang tên cho con", [("sang tên", "xe may")]) == (
        "muốn sang tên xe may cho con")


@pytest.mark.parametrize(
    ("clause", "done"),
    [
        ("Nhà em đã có sổ đỏ", True),
        ("căn cước thì có rồi", True),
        ("da dang ky tam tru", False),  # sentence-first "da" is the polite "dạ"
        ("em da dang ky tam tru o phuong", True),
        ("Tôi muốn tách khẩu vì đã lập gia đình", False),  # wants something: not only story
        ("Dạ em hỏi đăng ký kết hôn", False),
        # "định danh" is no "định" (intend), "tỉnh" no "tính": typed with accents, trusted
        ("Con đã có mã định danh trong tài khoản VNeID của bố rồi", True),
        ("tôi đã đăng ký tạm trú ở tỉnh Bình Dương", True),
        ("mình đã tính làm lại", False),
        # a clause that ends in "rồi" tells what has been so for a while
        ("vợ chồng em đăng ký tạm trú ở đây 4 năm rồi", True),
        ("em muốn đăng ký tạm trú rồi mới đi làm", False),
    ],
)
def test_what_is_already_done_is_story(clause: str, done: bool) -> None:
    assert already_done(clause) is done


def test_an_action_that_happened_is_not_the_one_asked_for(full_engine) -> None:
    """"tài khoản bị khóa" says what happened; "khóa tài khoản" asks to lock it."""
    assert not full_engine.index.read("tài khoản vneid bị khóa rồi").named_actions
    assert full_engine.index.read("khóa tài khoản định danh điện tử").named_actions == {"khoa"}


def test_the_social_pension_and_the_monthly_allowance_stay_apart(full_engine) -> None:
    """Since 1 July 2025 an old person without a pension gets the social pension (75+); the
    monthly social allowance is another procedure, named by its own words."""
    assert full_engine.search("trợ cấp xã hội hàng tháng", top=1)[0].code == "1.001776"
    assert full_engine.search("tro cap nguoi cao tuoi", top=1)[0].code == "1.014027"


def test_a_typo_takes_the_syllable_the_names_pair_most_often(full_engine) -> None:
    """"khai sin" could be "khai sản" or "khai sinh"; the names say "khai sinh" far more."""
    assert full_engine.index.read("lam giay khai sin cho be").content[-2:] == ["khai", "sinh"]


def test_a_small_number_in_digits_meets_the_name_that_says_it_in_words(full_engine) -> None:
    assert full_engine.index.read("rut bhxh 1 lan").content[-2:] == ["mot", "lan"]
    best = full_engine.search("thanh lap cong ty tnhh 1 thanh vien can ho so gi", top=1)[0]
    assert best.code == "2.001583"
    # an age stays a number: the age ranges of names read it
    assert full_engine.index.read("lam can cuoc cho con 5 tuoi").age == 5


def test_the_reason_lost_does_not_outweigh_the_thing_lost(full_engine) -> None:
    """"bị mất" asks for a re-issue; the words of the reason do not pull in the land title's
    "Cấp lại Giấy chứng nhận do bị mất" when a work permit was lost."""
    assert full_engine.search("cấp lại giấy phép lao động bị mất", top=1)[0].code == "1.014200"
    assert full_engine.search("mất sổ đỏ", top=1)[0].code == "1.012786"


def test_one_word_left_names_no_procedure(full_engine) -> None:
    """"Cái này có bắt buộc không" points back at the story: "cái" is no procedure."""
    assert name_in(full_engine, "cái này và").procedure is None
    assert name_in(full_engine, "hokhau").procedure is not None  # glued: two words


def test_a_driving_licence_named_by_its_class(full_engine) -> None:
    """"bằng hạng C" is a driving licence, not the "Bằng Tổ quốc ghi công"; said once in the
    story, a later bare "đổi bằng" means it too."""
    assert full_engine.search("đổi bằng hạng C", top=1)[0].code == "3.000347"
    found = name_in(full_engine, "Tôi có bằng hạng C sắp hết hạn. Đổi bằng thì làm ở đâu?")
    assert found.procedure is not None and found.procedure.code == "3.000347"
