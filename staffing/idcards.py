"""Resident ID-card numbers (居民身份证号码, GB 11643-1999): validation, masking, generation.

An 18-character number: 6 digits of the issuing area, 8 of the birth date (YYYYMMDD),
3 of a sequence (odd for men, even for women) and a check character computed from the
first 17 digits (ISO 7064 MOD 11-2), which is a digit or ``X``.
"""

from __future__ import annotations

import datetime
import operator
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
PATTERN = re.compile(r"^\d{17}[\dX]$")
MASK = "*" * 8


def normalize(value: str | None) -> str:
    """Strip spaces and upper-case a trailing ``x``."""
    return (value or "").strip().replace(" ", "").upper()


_ZERO_SUM = ord("0") * sum(WEIGHTS)


def check_character(first17: str) -> str:
    """The check character of the first 17 digits."""
    if len(first17) == 17 and first17.isascii() and first17.isdigit():
        # The digits' bytes times the weights, less the weights times ord("0"): the same
        # sum without an int() per digit (an import checks 10,000 numbers).
        total = sum(map(operator.mul, first17.encode(), WEIGHTS)) - _ZERO_SUM
    else:
        total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def birth_date_of(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def gender_of(number: str) -> str:
    """``"m"`` or ``"f"`` (the codes of :class:`staffing.models.Gender`)."""
    return "m" if int(number[16]) % 2 else "f"


def validate_id_number(value: str) -> None:
    """A model/form validator: 18 characters, a real birth date, the right check character."""
    number = normalize(value)
    if not PATTERN.match(number):
        raise ValidationError(
            _("An ID-card number has 18 characters: 17 digits and a last digit or X."),
            code="id_number_format",
        )
    birth = birth_date_of(number)
    if birth is None or birth.year < 1900:
        raise ValidationError(
            _("Characters 7 to 14 of an ID-card number must be a birth date (YYYYMMDD)."),
            code="id_number_birth_date",
        )
    if check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("The check digit of this ID-card number is wrong; please check the number."),
            code="id_number_check_digit",
        )


def is_masked(value: str | None) -> bool:
    return bool(value) and "*" in value


def mask_id_number(value: str | None) -> str:
    """``320105********1234``: the area code and the last four characters only."""
    if not value:
        return ""
    if len(value) <= 10:
        return MASK
    return value[:6] + MASK + value[-4:]


def make_id_number(area: str, birth: datetime.date, sequence: int) -> str:
    """Build a valid number (used by the demo data and the tests)."""
    first17 = f"{area}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_character(first17)
