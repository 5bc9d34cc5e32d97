"""bot/nlu/words.py: pyvi's multi-syllable words appended to the normalised text."""

from __future__ import annotations

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import VietnameseNormalizer
from bot.nlu.words import VietnameseWordJoiner, compound_words


def joined(message: Message) -> Message:
    return VietnameseWordJoiner().process([message])[0]



def test_accented_words_are_folded_and_appended_once():
    assert compound_words("Đăng ký thường trú, đăng ký tạm trú cần giấy tờ gì?") == [
        "dang_ky", "thuong_tru", "tam_tru", "giay_to"]
    message = Message.build(text="Đăng ký thường trú cần giấy tờ gì?")
    VietnameseNormalizer().process([message])
    assert joined(message).get(TEXT) == (
        "dang ky thuong tru can giay to gi dang_ky thuong_tru giay_to")



def test_unaccented_text_and_button_payloads_are_left_alone():
    for text in ["dang ky thuong tru can giay to gi", '/inform{"topic": "cư trú"}']:
        message = Message.build(text=text)
        VietnameseNormalizer().process([message])
        before = message.get(TEXT)
        assert joined(message).get(TEXT) == before



def test_entity_spans_stay_on_their_words():
    text = "Tôi muốn làm hộ chiếu ở Hà Nội"
    entity = {"start": text.index("Hà Nội"), "end": len(text), "value": "Hà Nội",
              "entity": "province"}
    message = Message.build(text=text, **{ENTITIES: [entity]})
    data = TrainingData([message])
    VietnameseWordJoiner.create({}, None, None, None).process_training_data(
        VietnameseNormalizer().process_training_data(data))
    moved = message.get(ENTITIES)[0]
    assert message.get(TEXT)[moved["start"]:moved["end"]] == moved["value"] == "ha noi"
    assert message.get(TEXT).endswith("ho_chieu ha_noi")
