"""What every spreadsheet the application writes has in common."""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """Text a spreadsheet will show as text, never run as a formula (OWASP CSV injection).

    Numbers are left alone (a negative number is a number, not a formula); text that starts
    with = + - @, a tab or a carriage return gets a leading apostrophe.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
