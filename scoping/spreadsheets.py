"""What every spreadsheet the application writes has in common."""

import decimal
import io
import re
import zipfile
from collections.abc import Iterable, Iterator

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


# The fast sheet writer ------------------------------------------------------------------------
# One writer for every big workbook (the register exports of imports.exports, the report
# workbooks of reports.rendering): openpyxl writes the package (content types, styles,
# workbook, the rows before and after the data: headers, titles, notes), and the data rows go
# straight into the worksheet's XML stream, exactly as openpyxl's write-only mode writes
# cells (inline strings, numbers, the same escaping and checks), without a cell object per
# value. A styled row gives each cell the index of a cell format (``s``) made once for its
# kind of row and its column (:func:`style_index`), never one per cell.

# What openpyxl refuses in a cell (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE), and what XML
# cannot hold at all (lone surrogates, U+FFFE, U+FFFF).
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
MAX_TEXT = 32767  # Excel's limit; openpyxl truncates longer text


def style_index(cell) -> int:
    """The workbook's cell-format index of an openpyxl (write-only) cell's style: what a
    styled row of :func:`sheet_xml` gives its cells. Registers the style in the workbook
    (once: equal styles share an index)."""
    return cell.style_id


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def sheet_xml(rows: Iterable, width: int, first: int = 2, styled: bool = False) -> Iterator[str]:
    """The ``<row>`` elements of ``rows`` as openpyxl's write-only mode writes them: text as
    inline strings (``xml:space="preserve"`` when it has outer spaces), numbers as numbers,
    no cell for ``None``; yields text by chunks of rows.

    ``styled``: each row is a pair ``(values, styles)``, ``styles`` a tuple of cell-format
    indexes, one per column (from :func:`style_index`; 0 is the default); a styled cell is
    written even when its value is ``None`` (an empty cell keeps its border and fill)."""
    from openpyxl.compat import safe_string
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import IllegalCharacterError

    starts = [f'<c r="{get_column_letter(i)}' for i in range(1, width + 1)]
    plain = [(start, '"', False) for start in starts]
    formats: dict[tuple, list] = {}
    parts: list[str] = []
    append = parts.append
    number = first - 1
    cells = plain
    for number, row in enumerate(rows, first):  # noqa: B007 (the last number is used below)
        if styled:
            row, styles = row
            cells = formats.get(styles)
            if cells is None:
                cells = formats[styles] = (
                    [
                        (start, f'" s="{index}"' if index else '"', bool(index))
                        for start, index in zip(starts, styles)  # noqa: B905 (short: no style)
                    ]
                    + plain[len(styles) :]
                )
        append(f'<row r="{number}">')
        for (start, mid, keep), value in zip(cells, row):  # noqa: B905 (short rows: empty)
            if value is None:
                if keep:
                    append(f"{start}{number}{mid}/>")
                continue
            kind = value.__class__
            if kind is str:
                if len(value) > MAX_TEXT:
                    value = value[:MAX_TEXT]
                if not value:
                    append(f'{start}{number}{mid} t="inlineStr"></c>')
                elif value in ERROR_CODES:
                    append(f'{start}{number}{mid} t="e"><v>{value}</v></c>')
                else:
                    space = ' xml:space="preserve"' if value != value.strip() else ""
                    if "&" in value or "<" in value or ">" in value or "\r" in value:
                        value = _escape(value)
                    append(f'{start}{number}{mid} t="inlineStr"><is><t{space}>{value}</t></is></c>')
            elif kind is int and -(10**15) < value < 10**15:
                append(f'{start}{number}{mid} t="n"><v>{value}</v></c>')
            elif kind is bool:
                append(f'{start}{number}{mid} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float | decimal.Decimal):
                append(f'{start}{number}{mid} t="n"><v>{safe_string(value)}</v></c>')
            else:
                raise TypeError(f"{type(value).__name__} is not written by the fast writer")
        append("</row>")
        if len(parts) > 20000:
            text = "".join(parts)
            if ILLEGAL_CHARACTERS.search(text):
                raise IllegalCharacterError(_illegal(text))
            yield text
            parts.clear()
    text = "".join(parts)
    if ILLEGAL_CHARACTERS.search(text):
        raise IllegalCharacterError(_illegal(text))
    yield text


def _illegal(text: str) -> str:
    """openpyxl's message for the cell holding an illegal character."""
    match = ILLEGAL_CHARACTERS.search(text)
    start = text.find(">", text.rfind("<t", 0, match.start())) + 1
    end = text.find("</", match.start())
    return f"{text[start:end]} cannot be used in worksheets."


ROW_NUMBER = re.compile(r'<row r="(\d+)"')


def write_sheet(
    package: bytes, out, rows: Iterable, *, width: int, first: int, styled: bool = False
) -> int:
    """Writes the package ``package`` (a workbook of one sheet saved by openpyxl) to ``out``
    (a path or a binary file), its sheet's data rows ``rows`` (see :func:`sheet_xml`)
    streamed in from row ``first`` on: before the package's own rows numbered after them (a
    report's notes and signature lines), after those before (titles, headers). Returns the
    number of rows written."""
    source = zipfile.ZipFile(io.BytesIO(package))
    sheet_name = next(n for n in source.namelist() if n.startswith("xl/worksheets/sheet"))
    sheet = (
        source.read(sheet_name).decode("utf-8").replace("<sheetData/>", "<sheetData></sheetData>")
    )
    end = sheet.index("</sheetData>")
    cut = next(
        (m.start() for m in ROW_NUMBER.finditer(sheet, 0, end) if int(m.group(1)) >= first), end
    )
    head, tail = sheet[:cut], sheet[cut:]
    count = 0

    def counted(rows):
        nonlocal count
        for row in rows:
            count += 1
            yield row

    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != sheet_name:
                target.writestr(info, source.read(info))
                continue
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with target.open(entry, "w") as stream:
                stream.write(head.encode("utf-8"))
                for text in sheet_xml(counted(rows), width, first, styled):
                    # as openpyxl's XML writer: ASCII, other characters as references
                    stream.write(text.encode("ascii", "xmlcharrefreplace"))
                stream.write(tail.encode("utf-8"))
    return count
