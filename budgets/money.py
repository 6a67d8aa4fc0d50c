"""Money: ``Decimal`` in yuan, rounded here and only here (to the fen, half up)."""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def money(value) -> Decimal:
    """Round an amount in yuan to 0.01, half up. Accepts Decimal, int or str (never float)."""
    if isinstance(value, float):
        raise TypeError("Money is never a float; pass a Decimal, an int or a str.")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
