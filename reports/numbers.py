"""Numbers as the bureau writes them in text: thousands separated by commas (2,031,600).

Django's zh-hans locale groups digits without a separator; reports written for people
(the dashboard, the yearly basic situation) use commas, as the bureau's documents do.
"""

from decimal import ROUND_HALF_UP, Decimal


def grouped(value, places: int = 0) -> str:
    """``value`` rounded half up to ``places`` decimals, with comma thousands separators."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    exponent = Decimal(1).scaleb(-places)
    number = number.quantize(exponent, rounding=ROUND_HALF_UP)
    return f"{number:,.{places}f}"
