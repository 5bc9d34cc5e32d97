"""bot/nlu/normalization.py and the VietnameseNormalizer component.

The classifier only sees normalised text, so every way of typing the same words must give the
same output, and entity spans annotated on the raw text must land on the same words afterwards.
"""

from __future__ import annotations

import unicodedata

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import VietnameseNormalizer
from bot.nlu.normalization import (
    expand_abbreviations,
    fold_diacritics,
    normalize,
    normalize_with_spans,
)

SENTENCES = [
    "Đăng ký thường trú cần giấy tờ gì?",
    "Làm căn cước cho con dưới 14 tuổi ở đâu",
    "Quên mật khẩu VNeID thì phải làm sao",
    "Lệ phí cấp hộ chiếu phổ thông bao nhiêu tiền",
    "Thủ tục 1.004222 nộp trực tuyến được không?",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_every_way_of_typing_gives_one_form(sentence):
    expected = normalize(sentence)
    variants = [
        fold_diacritics(sentence),
        unicodedata.normalize("NFD", sentence),
        sentence.upper(),
        unicodedata.normalize("NFD", sentence.upper()),
        fold_diacritics(sentence).lower(),
        f"  {sentence}  ",
    ]
    assert [normalize(v) for v in variants] == [expected] * len(variants)


def test_canonical_form():
    assert normalize("Đăng ký thường trú cần giấy tờ gì?") == "dang ky thuong tru can giay to gi"
    assert normalize("ĐƯỢC, Ừ, ĐỒNG Ý!") == "duoc u dong y"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("làm cccd hết bn tiền", "lam can cuoc cong dan het bao nhieu tien"),
        ("dk thuong tru can giay to j", "dang ky thuong tru can giay to gi"),
        ("ko dc à", "khong duoc a"),
        ("đổi gplx ntn", "doi giay phep lai xe nhu the nao"),
        ("gia hạn BHYT", "gia han bao hiem y te"),
        ("quên mk vneid", "quen mat khau vneid"),
        ("mk muốn hỏi", "minh muon hoi"),
        ("tks ad", "cam on admin"),
        ("đăng ký mst cá nhân", "dang ky ma so thue ca nhan"),
        ("quyết toán thuế tncn", "quyet toan thue thu nhap ca nhan"),
        ("dang ky kt3", "dang ky tam tru"),
        ("hưởng chế độ TNLĐ", "huong che do tai nan lao dong"),
        ("ho kd muon doi dia chi", "ho kinh doanh muon doi dia chi"),
    ],
)
def test_teencode_and_abbreviations_are_expanded(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # "hồng"/"hỏng" fold to "hong", which is also teencode for "không".
        ("cấp sổ hồng", "cap so hong"),
        ("điện thoại bị hỏng", "dien thoai bi hong"),
        ("hong biết nữa", "khong biet nua"),
        ("xe hong nat ko di dc", "xe hong nat khong di duoc"),
        # "cả" folds to "ca", the abbreviation of "công an".
        ("tất cả giấy tờ", "tat ca giay to"),
        ("chẳng dùng gì cả", "chang dung gi ca"),
        ("đăng ký thuế cá nhân", "dang ky thue ca nhan"),
        ("hộ kinh doanh cá thể", "ho kinh doanh ca the"),
        ("ca doi lam ruong", "ca doi lam ruong"),
        ("lên ca phường", "len cong an phuong"),
        # "tỷ" / "công ty" are not "thank you".
        ("vốn 2 tỷ", "von 2 ty"),
        ("thành lập công ty", "thanh lap cong ty"),
    ],
)
def test_abbreviations_that_are_also_words(raw, expected):
    assert normalize(raw) == expected


def test_codes_urls_and_punctuation():
    assert normalize("Mã 1.004222, xem dichvucong.gov.vn!!!") == "ma 1.004222 xem dichvucong.gov.vn"
    assert normalize("") == ""
    assert normalize("?!...") == ""


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_spans_point_at_the_original_text(form):
    raw = unicodedata.normalize(form, "Tôi muốn đăng ký thường trú ạ")
    result = normalize_with_spans(raw)
    start = raw.index(unicodedata.normalize(form, "đăng"))
    end = raw.index(unicodedata.normalize(form, " ạ"))
    span = result.map_span(start, end)
    assert span is not None
    assert result.text[span[0] : span[1]] == "dang ky thuong tru"
    # No abbreviation in this sentence: each token is its original, folded.
    for original_start, original_end, new_start, new_end in result.spans:
        original = fold_diacritics(raw[original_start:original_end]).lower()
        assert original == result.text[new_start:new_end]


def test_span_of_an_abbreviation_covers_its_expansion():
    raw = "làm cccd ở đâu"
    result = normalize_with_spans(raw)
    span = result.map_span(raw.index("cccd"), raw.index("cccd") + 4)
    assert span is not None
    assert result.text[span[0] : span[1]] == "can cuoc cong dan"
    assert result.map_span(raw.index(" ở"), raw.index(" ở") + 1) is None  # only a space


def annotated(text: str, value: str, entity: str = "procedure", **extra) -> Message:
    start = text.index(value)
    return Message(
        data={
            TEXT: text,
            ENTITIES: [
                {"entity": entity, "start": start, "end": start + len(value), "value": value}
                | extra
            ],
        }
    )


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_component_moves_entities_after_expansion(form):
    text = unicodedata.normalize(form, "Làm CCCD cho con hết bn tiền")
    message = annotated(text, "CCCD")
    VietnameseNormalizer().process_training_data(TrainingData([message]))
    assert message.get(TEXT) == "lam can cuoc cong dan cho con het bao nhieu tien"
    [moved] = message.get(ENTITIES)
    assert (moved["start"], moved["end"]) == (4, 21)
    assert moved["value"] == "can cuoc cong dan"


def test_component_keeps_synonym_values_and_drops_punctuation_entities():
    text = "tôi quên mật khẩu VNeID !"
    message = annotated(text, "quên mật khẩu", entity="vneid_problem")
    message.get(ENTITIES)[0]["value"] = "forgot_passcode"
    bang = text.index("!")
    message.get(ENTITIES).append({"entity": "x", "start": bang, "end": bang + 1, "value": "!"})
    VietnameseNormalizer().process_training_data(TrainingData([message]))
    assert message.get(TEXT) == "toi quen mat khau vneid"
    assert message.get(ENTITIES) == [
        {"entity": "vneid_problem", "start": 4, "end": 17, "value": "forgot_passcode"}
    ]


def test_component_at_inference_and_on_empty_messages():
    messages = [Message(data={TEXT: "ĐỔI GPLX Ở ĐÂU"}), Message(data={TEXT: ""}), Message()]
    VietnameseNormalizer().process(messages)
    assert messages[0].get(TEXT) == "doi giay phep lai xe o dau"
    assert messages[0].get(ENTITIES) is None
    assert messages[1].get(TEXT) == ""
    assert messages[2].get(TEXT) is None


def test_expand_abbreviations_keeps_the_typed_words():
    assert expand_abbreviations("Phí bn, cần j ạ") == "Phí bao nhieu, cần gi ạ"
    assert expand_abbreviations("lm onl dc k") == "lam online duoc khong"
    assert expand_abbreviations("sổ hồng bị hỏng") == "sổ hồng bị hỏng"
    assert expand_abbreviations("so hong") == "so hong"  # "hồng" after "sổ" is not "không"
