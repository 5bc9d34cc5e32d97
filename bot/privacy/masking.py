"""Find and mask personal data in Vietnamese citizens' messages.

Masked: CCCD (12 digits) and CMND (9 digits) numbers, phone numbers (mobile and landline, with
0 / 84 / +84 and spaces, dots or dashes), e-mail addresses, card numbers (16 or 19 digits that
pass the Luhn check or start with the Napas prefix 9704), bank account numbers (10-19 digits, or
6-9 digits right after words such as "STK", "số tài khoản", a bank's name), and licence plates
("30A-123.45", "29B1-234.56", "51LD 12345"...).

Not personal data, and never touched: receipt codes such as 000.00.31.H12-251103-0042, procedure
codes such as 1.004222, dates, amounts written with dots ("1.500.000 đ"), hotlines 1800/1900.
Digit runs glued to dots, dashes, slashes or letters are parts of such codes, so every number
pattern below refuses them at both ends.

Masking is idempotent (a masked text masks to itself) and each kind has its own label, so staff
can still see what the citizen gave.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

LABELS = {
    "email": "[email]",
    "plate": "[biển số xe]",
    "card": "[số thẻ]",
    "phone": "[số điện thoại]",
    "id_number": "[số CCCD/CMND]",
    "account": "[số tài khoản]",
}

# A number must not continue a code: no word character, dot, dash or slash glued to its ends
# (a dot or dash followed by a space, or ending the text, is punctuation and fine).
_START = r"(?<![\w.\-/+])"
_END = r"(?![\w]|[.\-/][\w])"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# Province code 11-99, a series of one or two letters (or letter + digit for motorbikes), then
# 4 digits or 5 digits (often written 123.45).
PLATE = re.compile(
    _START + r"\d{2}\s?-?\s?[A-Z](?:[A-Z]|\d)?\s?[-.]?\s?(?:\d{3}\.\d{2}|\d{4,5})" + _END,
    re.IGNORECASE,
)

_SEP = r"[ .\-]?"
# 16 digits in groups of 4, or 19 digits (Napas) in groups 4-4-4-4-3 or unbroken.
CARD = re.compile(
    _START + r"(?:\d{4}" + _SEP + r"){3}\d{4}(?:" + _SEP + r"\d{3})?" + _END
)

# Mobile 0[35789]x, landline 02x (11 digits); with 0, 84 or +84; groups split by one separator.
PHONE = re.compile(
    r"(?<![\w.\-/])(?:\+84|84|0)" + _SEP
    + r"(?:[35789]\d(?:" + _SEP + r"\d){7}|2\d(?:" + _SEP + r"\d){8})" + _END
)

# CCCD: 12 digits, unbroken or in groups of 3 or 4; CMND: 9 digits, unbroken or 3-3-3.
ID_NUMBER = re.compile(
    _START + r"(?:\d{12}|\d{4}(?: \d{4}){2}|\d{3}(?: \d{3}){3}|\d{9}|\d{3}(?: \d{3}){2})" + _END
)

ACCOUNT_WORDS = (
    r"stk|số tk|so tk|tk|tài khoản|tai khoan|số tài khoản|so tai khoan|account|"
    r"vietcombank|vcb|vietinbank|bidv|agribank|techcombank|tcb|mb ?bank|mbb|acb|vpbank|tpbank|"
    r"sacombank|hdbank|vib|shb|ocb|msb|seabank|lpbank|eximbank|ngân hàng|ngan hang"
)
# 10-19 digits anywhere; 6-9 digits right after an account word (a few words may sit between).
ACCOUNT = re.compile(_START + r"\d{10,19}" + _END)
ACCOUNT_AFTER_WORD = re.compile(
    r"(?<!\w)(?:" + ACCOUNT_WORDS + r")(?!\w)\W{0,3}(?:[^\W\d]+\W{1,3}){0,3}?(?:là\W+|la\W+)?"
    + _START + r"(\d{6,9})" + _END,
    re.IGNORECASE,
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if luhn_ok(digits) or digits.startswith("9704"):
        return LABELS["card"]
    return match.group(0)  # left for the account / id patterns


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str] | None = None


def _account_after_word(match: re.Match[str]) -> str:
    start, end = match.span(1)
    whole, offset = match.group(0), match.start(0)
    return whole[: start - offset] + LABELS["account"] + whole[end - offset:]


# Order matters: specific shapes first; a short number after an account word is an account,
# not a CMND.
RULES = (
    Rule("email", EMAIL),
    Rule("card", CARD, _card),
    Rule("phone", PHONE),
    Rule("account", ACCOUNT_AFTER_WORD, _account_after_word),
    Rule("id_number", ID_NUMBER),
    Rule("account", ACCOUNT),
    Rule("plate", PLATE),
)


def mask(text: str) -> str:
    """``text`` with every piece of personal data replaced by its label."""
    if not text or not any(ch.isdigit() or ch == "@" for ch in text):
        return text
    for rule in RULES:
        text = rule.pattern.sub(rule.replace or (lambda _m, k=rule.kind: LABELS[k]), text)
    return text


def found(text: str) -> list[str]:
    """Kinds of personal data in ``text`` (for tests and the privacy doc's examples)."""
    kinds = []
    for kind, label in LABELS.items():
        if label in mask(text) and label not in text:
            kinds.append(kind)
    return kinds
