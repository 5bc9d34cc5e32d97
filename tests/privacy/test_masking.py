"""Masking of personal data in Vietnamese formats: each kind with valid and near-miss examples."""

from __future__ import annotations

import pytest

from bot.privacy.masking import LABELS, found, luhn_ok, mask

VALID = [
    ("id_number", "CCCD của tôi là 001203004567"),
    ("id_number", "cccd 001 203 004 567 nhé"),
    ("id_number", "số căn cước 0012 0300 4567"),
    ("id_number", "cmnd cũ 123456789"),
    ("id_number", "CMND: 123 456 789."),
    ("phone", "sđt 0912345678 nhé"),
    ("phone", "gọi lại cho tôi 0912.345.678"),
    ("phone", "số 091-234-5678"),
    ("phone", "+84 912 345 678"),
    ("phone", "84987654321"),
    ("phone", "máy bàn 024 3825 1234"),
    ("phone", "Zalo 0388888888."),
    ("email", "email: nguyen.van.a@gmail.com"),
    ("email", "gửi vào Tran_Thi-B+dvc@so.hanoi.gov.vn giúp"),
    ("account", "stk vietcombank 0071000123456"),
    ("account", "STK: 12345678"),
    ("account", "tk techcombank là 19036541234567"),
    ("account", "chuyển vào tài khoản Agribank số 123456789 rồi"),
    ("card", "thẻ 4111 1111 1111 1111"),
    ("card", "thẻ ATM 9704 1234 5678 9012"),
    ("card", "9704123456789012345"),
    ("plate", "xe 30A-123.45 bị phạt nguội"),
    ("plate", "biển 29B1-234.56"),
    ("plate", "biển số 51F 12345"),
    ("plate", "xe máy 59X2-12345"),
    ("plate", "30a12345"),
    ("plate", "xe 51LD-123.45"),
]

NEAR_MISSES = [
    ("id_number", "mã 1.004222 và 001203004567-01"),   # glued to a code
    ("id_number", "0012030045"),                     # 10 digits: not a CCCD
    ("phone", "gọi tổng đài 1900 1234"),                 # hotline, not a person
    ("phone", "0612345678"),                          # no Vietnamese mobile starts with 06
    ("phone", "091234567"),                           # one digit short
    ("email", "gặp tôi @ bộ phận một cửa"),
    ("email", "nguyen.van.a@gmail"),                  # no domain
    ("account", "STK chưa có, lệ phí 1.500.000 đồng"),
    ("account", "tk 12345"),                          # too short for an account
    ("card", "4111 1111 1111 1112"),                  # fails Luhn, not a Napas card
    ("plate", "Thông tư 01/2025/TT-BCA"),
    ("plate", "năm 2025 tôi 35 tuổi, nhà số 12A"),
    ("plate", "mã hồ sơ 000.00.31.H12-251103-0042"),
]

NOT_PERSONAL = [
    "mã hồ sơ 000.00.31.H12-251103-0042",
    "mã 000.00.31.H12-251103-0042.",
    "thủ tục 1.004222 và 2.002154",
    "lệ phí 1.500.000 đồng, nộp trước ngày 12/03/2025",
    "gọi 1900 1234 hoặc 18001234",
    "đăng ký khai sinh cho con",
    "<script>alert(1)</script>",
    "",
]


@pytest.mark.parametrize(("kind", "text"), VALID)
def test_valid_examples_are_masked(kind: str, text: str) -> None:
    masked = mask(text)
    assert LABELS[kind] in masked, masked
    digits = [c for c in masked if c.isdigit()]
    # No run of the personal number survives next to the label.
    assert not any(part in masked for part in text.split() if sum(c.isdigit() for c in part) > 6)
    assert mask(masked) == masked  # idempotent
    assert len(digits) <= len([c for c in text if c.isdigit()])


@pytest.mark.parametrize(("kind", "text"), NEAR_MISSES)
def test_near_misses_are_not_taken_for_that_kind(kind: str, text: str) -> None:
    assert kind not in found(text), mask(text)


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_codes_dates_amounts_and_hotlines_survive(text: str) -> None:
    assert mask(text) == text


def test_several_kinds_in_one_message() -> None:
    text = ("Tôi Nguyễn Văn A, CCCD 001203004567, sđt 0912345678, mail a.nguyen@gmail.com, "
            "xe 30A-123.45, hồ sơ 000.00.31.H12-251103-0042, thủ tục 1.004222")
    assert mask(text) == (
        "Tôi Nguyễn Văn A, CCCD [số CCCD/CMND], sđt [số điện thoại], mail [email], "
        "xe [biển số xe], hồ sơ 000.00.31.H12-251103-0042, thủ tục 1.004222")


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
