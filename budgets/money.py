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


def round_units(value: int, exponent: int) -> int:
    """An exact integer amount in units of 10**-exponent yuan, rounded half up to whole fen.

    The integer twin of :func:`money` for the budget calculation, which keeps money as exact
    integers: ``round_units(2675, 3) == 268`` as ``money(Decimal("2.675")) == Decimal("2.68")``.
    """
    if exponent < 2:
        raise ValueError("exponent must be at least 2 (fen)")
    scale = 10 ** (exponent - 2)
    quotient, remainder = divmod(abs(value), scale)
    if remainder * 2 >= scale:
        quotient += 1
    return quotient if value >= 0 else -quotient


def yuan(fen: int) -> Decimal:
    """Whole fen as a Decimal amount in yuan (exact, two places)."""
    return Decimal(fen).scaleb(-2)
