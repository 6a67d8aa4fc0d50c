"""Reading a register file: its first visible sheet with known columns, found below any title
rows, as a :class:`Sheet` of cleaned cells (python-calamine for .xlsx/.xls/.ods, the csv
module for CSV in UTF-8, UTF-16 or GBK). The file is checked first (:func:`check_file`)."""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.utils.translation import gettext as _

from scoping.spreadsheets import FORMULA_TRIGGERS

from .columns import normalise_header
from .errors import ImportFileError
from .file_checks import check_file, limit
from .file_safety import MAX_COLUMNS

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 20  # a header row below a title (often merged cells) is found


@dataclass
class Sheet:
    """The rows of one worksheet below its header row, blank rows left out."""

    title: str
    headers: list[str]
    rows: list[list]
    numbers: list[int]  # the Excel row number of each row


def clean_cell(value):
    """A cell as the resources want it: stripped text, apostrophe guards undone, an empty
    cell (calamine's "") as None."""
    if isinstance(value, str):
        if value == "":
            return None
        value = value.strip()
        if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
            value = value[1:]  # our own exports guard formula-like text this way
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def is_blank(row) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in row)


def _iter_workbook(path: Path):
    """The visible sheets of an .xlsx, .xls or .ods workbook, through python-calamine (Rust's
    calamine: one well-kept reader for the three formats, many times faster than openpyxl).
    Each row is the list of its cells from column A, from row 1, empty cells as "" (made
    None by :func:`clean_cell`)."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    book = CalamineWorkbook.from_path(str(path))
    try:
        for meta in book.sheets_metadata:
            if meta.visible != SheetVisibleEnum.Visible:
                continue
            rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            yield meta.name, rows
    finally:
        book.close()


def decode_csv(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK."))


def _iter_csv(path: Path):
    text = decode_csv(path.read_bytes())
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count) if any(c in first for c in ",\t;") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    yield path.stem, ([value or None for value in row] for row in reader)


READERS = {"xlsx": _iter_workbook, "xls": _iter_workbook, "ods": _iter_workbook, "csv": _iter_csv}


def _take_sheet(title, rows, aliases) -> Sheet | None:
    """The sheet's header row (the best match among its first rows) and its data rows."""
    max_rows = limit("IMPORT_MAX_ROWS", 100_000)
    head: list[tuple[int, list]] = []
    iterator = iter(rows)
    number = 0
    for number, row in enumerate(iterator, start=1):
        row = list(row)[:MAX_COLUMNS]
        if not is_blank(row):
            head.append((number, row))
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    if not head:
        return None

    def score(row):
        return sum(1 for value in row if normalise_header(value) in aliases)

    best = max(head, key=lambda item: score(item[1])) if aliases else head[0]
    if aliases and score(best[1]) == 0:
        best = head[0]
    header_number, header = best
    while header and (header[-1] is None or str(header[-1]).strip() == ""):
        header.pop()
    headers = [str(value).strip() if value is not None else "" for value in header]
    sheet = Sheet(title=title, headers=headers, rows=[], numbers=[])
    width = len(headers)

    def add(number, row):
        row = [clean_cell(value) for value in row[:width]]
        # Cleaned, a blank cell is None or "" (whitespace stripped): counted in C.
        if row.count(None) + row.count("") == len(row):
            return
        if len(sheet.rows) >= max_rows:
            raise ImportFileError(
                _("The sheet has more than %(limit)s rows; split it into smaller files.")
                % {"limit": max_rows}
            )
        row += [None] * (len(headers) - len(row))
        sheet.rows.append(row)
        sheet.numbers.append(number)

    last_read = number
    for number, row in head:
        if number > header_number:
            add(number, row)
    for number, row in enumerate(iterator, start=last_read + 1):
        add(number, row)
    return sheet


def read_sheet(path: Path, *, aliases: dict | None = None, file_name: str | None = None) -> Sheet:
    """The first visible sheet whose header row has known columns (else the first sheet).
    A CSV file's one sheet is named after ``file_name`` (the name the user gave the file;
    an upload is stored under a random name)."""
    path = Path(path)
    kind = check_file(path)
    aliases = aliases or {}
    first = None
    try:
        for title, rows in READERS[kind](path):
            if kind == "csv" and file_name:
                title = Path(file_name).stem
            sheet = _take_sheet(title, rows, aliases)
            if sheet is None:
                continue
            first = first or sheet
            if not aliases or any(normalise_header(h) in aliases for h in sheet.headers):
                return sheet
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is the file's fault
        # The reader's own words ("unrecognized entity", ...) are English and technical: they
        # go to the log; the user is told what to do.
        logger.warning("Import of %s: the reader failed: %s", path.name, exc)
        raise ImportFileError(
            _(
                "The file cannot be read: it is damaged or not saved the way Excel, WPS or "
                "LibreOffice save workbooks. Open it in one of them and save it again as .xlsx."
            )
        ) from exc
    if first is None:
        raise ImportFileError(_("The file has no rows."))
    return first


def read_dataset(path: Path) -> tablib.Dataset:
    """The first sheet as a ``tablib.Dataset``: header row as headers, blank rows dropped."""
    sheet = read_sheet(Path(path))
    dataset = tablib.Dataset(headers=sheet.headers, title=sheet.title)
    for row in sheet.rows:
        dataset.append(row)
    return dataset
