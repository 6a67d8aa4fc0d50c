"""What a quarterly return reports (its six figures), how hard a rule on them bites, and how
a figure is read from what people type: the names both the models and the rule evaluator
(rules.py) are written in, and the one parser of the grid's cells and the workbook's
(:func:`parse_figure`)."""

import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FIGURES = (
    "households",
    "registered_population",
    "resident_population",
    "volunteers",
    "activities",
    "one_stop_cases",
)


class Severity(models.TextChoices):
    ERROR = "error", _("Error (blocks)")
    WARNING = "warning", _("Warning (needs a comment)")


# A sign, then digits, plainly (2235) or grouped by thousands with commas (2,235 or 1,234,567).
_PLAIN = re.compile(r"[+-]?\d+", re.ASCII)
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?[\d,]*\.\d*", re.ASCII)
_DIGITS_AND_COMMAS = re.compile(r"[+-]?[\d,]+", re.ASCII)
# More digits than any count can have: refused before Python turns them into a number (the
# bounds themselves are the model's validators, which name the limit).
_MAX_DIGITS = 30


def parse_figure(value) -> int | None:
    """A figure from what a person typed or a spreadsheet cell holds; ``None`` when empty.

    Accepted: whole numbers (an int, or a float or Decimal without a fraction, as Excel
    stores them), and text of digits with optional thousands separators ("2,235"), in
    full-width forms too ("２，２３５", as a Chinese input method types them), with spaces
    around (ideographic spaces included). Anything else raises :class:`ValidationError` (code
    ``invalid``) with a reason for people. Negative numbers are read, so that the model's
    bounds say why they are refused.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(_not_a_number(value), code="invalid")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        number = Decimal(str(value)) if isinstance(value, float) else value
        if not number.is_finite():
            raise ValidationError(_not_a_number(value), code="invalid")
        if number != number.to_integral_value():
            raise ValidationError(_has_decimals(value), code="invalid")
        return int(number)
    typed = str(value)
    # NFKC: full-width digits, comma, plus and minus become their ASCII forms, the
    # ideographic space a space.
    text = unicodedata.normalize("NFKC", typed).strip()
    if not text:
        return None
    if sum(ch.isdigit() for ch in text) > _MAX_DIGITS:
        raise ValidationError(_not_a_number(typed), code="invalid")
    if _PLAIN.fullmatch(text) or _GROUPED.fullmatch(text):
        return int(text.replace(",", ""))
    if _DECIMAL.fullmatch(text) and any(ch.isdigit() for ch in text):
        raise ValidationError(_has_decimals(typed), code="invalid")
    if _DIGITS_AND_COMMAS.fullmatch(text) and any(ch.isdigit() for ch in text):
        raise ValidationError(
            gettext("“%(value)s”: a comma may only separate thousands (2,235 or 1,234,567).")
            % {"value": typed.strip()},
            code="invalid",
        )
    raise ValidationError(_not_a_number(typed), code="invalid")


def _not_a_number(value) -> str:
    return gettext(
        "“%(value)s” is not a whole number: type digits only, with commas between thousands "
        "if you like (2,235)."
    ) % {"value": str(value).strip()}


def _has_decimals(value) -> str:
    return gettext("“%(value)s” has a decimal part; a figure is a whole number.") % {
        "value": str(value).strip()
    }
