"""The status answer repeats the receipt code and says where to look it up."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.status import ActionCheckStatus
from tests.actions.conftest import build_tracker


@pytest.mark.parametrize(("text", "entities", "code"), [
    ("hồ sơ 000.00.31.H12-251103-0042 của tôi tới đâu rồi",
     [{"entity": "receipt_code", "value": "000.00.31.H12-251103-0042"}],
     "000.00.31.H12-251103-0042"),
    # the entity extractor missed it (lower case): read from the text
    ("ma ho so h12.22-251103-0042 tra o dau", [], "H12.22-251103-0042"),
])
def test_code_is_repeated_with_where_to_look(text, entities, code) -> None:
    dispatcher = CollectingDispatcher()
    ActionCheckStatus().run(dispatcher, build_tracker(text, "check_application_status", entities),
                            {})
    [message] = dispatcher.messages
    assert message["text"].startswith(f"Mã hồ sơ của bạn: {code}")
    assert f"nhập đúng mã {code}" in message["text"]
    assert "https://dichvucong.gov.vn" in message["text"]


def test_without_a_code_explains_where_the_code_is() -> None:
    dispatcher = CollectingDispatcher()
    ActionCheckStatus().run(dispatcher, build_tracker("hồ sơ của tôi đến đâu rồi",
                                                      "check_application_status"), {})
    assert "mã hồ sơ (in trên giấy tiếp nhận" in dispatcher.messages[0]["text"]
