"""Keyboard mashes are not Vietnamese words; real messages, codes and loanwords are."""

from __future__ import annotations

import pytest

from bot.nlu.syllables import is_gibberish, is_syllable


@pytest.mark.parametrize("text", ["asdfgh jkl", "qwertyuiop", "kkkkkkkkkkk", "zxcvb", "??!!", "…"])
def test_gibberish(text: str) -> None:
    assert is_gibberish(text)


@pytest.mark.parametrize("text", [
    "dang ky khai sinh", "đăng ký thường trú cần giấy tờ gì", "DK THUONG TRU CAN GIAY TO J",
    "hồ sơ 000.00.31.H12-251103-0042 tới đâu", "vneid loi otp", "ok ok ok kkk", "nghiêng",
    "thanks ad", "", "alo alo", "hihi",
])
def test_not_gibberish(text: str) -> None:
    assert not is_gibberish(text)


@pytest.mark.parametrize(("word", "valid"), [
    ("nghiệp", True), ("khuyến", True), ("quyền", True), ("a", True), ("xyz", False),
    ("bcd", False), ("2025", True), ("qr", True),
])
def test_syllable_shape(word: str, valid: bool) -> None:
    assert is_syllable(word) is valid
