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


# The header row of every workbook the application writes (the register exports, the import
# templates, the reports, the quarterly grid): bold on a light blue fill. Defined once here,
# used by each writer (openpyxl through the helpers below).
HEADER_FILL_RGB = "DDEBF7"
HEADER_BOLD = True


def header_font():
    """The header cells' font (an openpyxl ``Font``)."""
    from openpyxl.styles import Font

    return Font(bold=HEADER_BOLD)


def header_fill():
    """The header cells' fill (an openpyxl ``PatternFill``)."""
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=HEADER_FILL_RGB)


def style_header(cell):
    """Gives an openpyxl cell (or write-only cell) the header style; returns it."""
    cell.font = header_font()
    cell.fill = header_fill()
    return cell
