"""Personal data in copy (CMP-4): mainland mobile numbers, e-mail, ID-card and bank-card numbers.

The detectors run on the folded text, so full-width digits, ``138-1234-5678``,
``138 1234 5678`` and ``abc＠ＱＱ．ｃｏｍ`` are all seen. A run of digits that the author
split with spaces or symbols is tried as a whole and then as every sequence of its written
groups, so "订单 20231020 13812345678" still finds the phone number inside.

* phone numbers (``1[3-9]`` + 9 digits, optionally after ``86`` / ``0086``): ``warn``;
* e-mail addresses: ``warn``;
* resident ID-card numbers (18 characters, valid region and birth date, ISO 7064
  MOD 11-2 check character): ``block``;
* bank-card numbers (15–19 digits with a card-scheme prefix and a valid Luhn digit):
  ``block``.
"""

from __future__ import annotations

import datetime as _dt
import re

PHONE = "phone_number"
EMAIL = "email_address"
ID_CARD = "id_card_number"
BANK_CARD = "bank_card_number"

#: category → (severity, suggestion)
DETECTED: dict[str, tuple[str, str]] = {
    PHONE: ("warn", "删除或打码手机号（如 138****5678），或改用官方客服渠道"),
    EMAIL: ("warn", "确认已获授权公开该邮箱，或改用官方联系方式"),
    ID_CARD: ("block", "删除身份证号码；确需展示时仅保留首尾各 1 位"),
    BANK_CARD: ("block", "删除银行卡号；确需展示时仅保留末 4 位"),
}

#: A run of digits in folded text, with an ID card's trailing check character "x".
#: (The first digit comes before the look-behind so that ``re`` can skip ahead to digits.)
DIGIT_RUN = re.compile(r"[0-9](?<![0-9][0-9])[0-9]{10,39}(?:x(?![a-z0-9]))?(?![0-9])")
#: An e-mail address in folded text ("-", "_" and "+" are already removed by folding).
EMAIL_RE = re.compile(
    r"(?<![a-z0-9.])[a-z0-9](?:[a-z0-9.]{0,62}[a-z0-9])?"
    r"@[a-z0-9]{1,63}(?:\.[a-z0-9]{1,63}){0,3}\.[a-z]{2,24}(?![a-z0-9])"
)
#: Longest local part before the "@" that EMAIL_RE accepts.
EMAIL_LOCAL_MAX = 64
#: Longest folded span a detector can match (bounds the streaming look-ahead).
MAX_SPAN = 400

_PHONE_RE = re.compile(r"1[3-9][0-9]{9}")
_ID_REGIONS = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83 91".split()
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"
_CARD_PREFIX = re.compile(r"(?:62|60|65|4|5[1-5]|2[2-7]|35)[0-9]{14,17}|3[47][0-9]{13}")


def id_card_valid(number: str) -> bool:
    """An 18-character resident ID number with a valid region, birth date and check char."""
    if len(number) != 18 or not number[:17].isdigit() or number[:2] not in _ID_REGIONS:
        return False
    try:
        birth = _dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if birth.year < 1900:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].lower()


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check used by bank cards."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = ord(char) - 48
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def classify_number(number: str) -> str | None:
    """The personal-data category of a folded digit string, or None."""
    size = len(number)
    if number.endswith("x"):
        return ID_CARD if id_card_valid(number) else None
    if size == 11:
        return PHONE if _PHONE_RE.fullmatch(number) else None
    if size == 13 and number.startswith("86") and _PHONE_RE.fullmatch(number[2:]):
        return PHONE
    if size == 15 and number.startswith("0086") and _PHONE_RE.fullmatch(number[4:]):
        return PHONE
    if size == 18 and id_card_valid(number):
        return ID_CARD
    if 15 <= size <= 19 and _CARD_PREFIX.fullmatch(number) and luhn_valid(number):
        return BANK_CARD
    return None


def split_candidates(number: str, cuts: list[int]) -> list[tuple[int, int, str]]:
    """Personal-data numbers in a digit run the author wrote in groups.

    ``cuts`` are the offsets inside ``number`` where the author had put something between
    two digits. The whole run is tried first, then every sequence of whole groups, longest
    first and left to right; found spans do not overlap. Returns (start, end, category).
    """
    whole = classify_number(number)
    if whole or not cuts:
        return [(0, len(number), whole)] if whole else []
    bounds = [0, *cuts, len(number)]
    found: list[tuple[int, int, str]] = []
    first = 0
    groups = len(bounds) - 1
    while first < groups:
        for last in range(groups, first, -1):
            start, end = bounds[first], bounds[last]
            category = classify_number(number[start:end])
            if category:
                found.append((start, end, category))
                first = last
                break
        else:
            first += 1
    return found
