"""The first stage of every import: a workbook's real extent, measured before any reader
allocates for it.

A spreadsheet reader builds each sheet as a dense grid from A1 to its last cell with a value:
one cell at ``XFD1048576`` in a 5 KB .xlsx is a grid of 17 billion cells, and the process
dies. So before python-calamine opens the file, its parts are streamed (never loaded whole)
and measured:

- .xlsx: every worksheet's ``<dimension>`` and every cell with a value (its ``r`` reference,
  or its place after the previous cell), plus the length of the shared strings they repeat;
- .ods: rows and cells with their ``number-rows-repeated``/``number-columns-repeated``,
  counting the cells with content (the empty padding LibreOffice writes is not expanded by
  the reader and is not counted);
- .xls: the BIFF records of each sheet (cell positions, shared strings).

A sheet is refused, with the limit named, when it reaches past ``IMPORT_MAX_SHEET_ROWS``
rows, past ``MAX_COLUMNS`` columns, or spans more than ``IMPORT_MAX_CELLS`` cells (rows ×
columns, as the reader lays them out), or when its cells hold more than
``IMPORT_MAX_TEXT_CHARS`` characters. Every XML part is also read to its end for a DTD or an
entity declaration (the "billion laughs" trick), which is refused. CSV files need none of
this: their size bounds what they can hold.
"""

from __future__ import annotations

import re
import struct
import zipfile
from array import array
from pathlib import Path
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

MAX_COLUMNS = 512
CHUNK = 1 << 20


class ExtentError(ValueError):
    """The file is refused before it is read; the message names the limit."""


class _Refused(Exception):
    """Stops a parse early (expat passes exceptions of its handlers through)."""


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def limits() -> dict[str, int]:
    return {
        "rows": _limit("IMPORT_MAX_SHEET_ROWS", 120_000),
        "columns": MAX_COLUMNS,
        "cells": _limit("IMPORT_MAX_CELLS", 2_000_000),
        "text": _limit("IMPORT_MAX_TEXT_CHARS", 20_000_000),
    }


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_REF = re.compile(r"^\$?([A-Za-z]{1,7})\$?(\d{1,12})$")


def _parse_ref(ref: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference, both from 1."""
    match = _REF.match(ref.strip())
    if not match:
        return None
    column = 0
    for char in match.group(1).upper():
        column = column * 26 + ord(char) - 64
    return int(match.group(2)), column


class Extent:
    """The extent of one sheet as the reader will lay it out, checked as it grows."""

    def __init__(self, sheet: str, bounds: dict[str, int]):
        self.sheet = sheet
        self.bounds = bounds
        self.rows = 0
        self.columns = 0

    def reach(self, row: int, column: int) -> None:
        bounds, values = self.bounds, {"sheet": self.sheet}
        if row > bounds["rows"]:
            values.update(row=f"{row:,}", limit=f"{bounds['rows']:,}")
            raise ExtentError(
                _(
                    "Sheet “%(sheet)s” reaches row %(row)s; at most %(limit)s rows can be "
                    "imported. Delete the rows below the table (or split the file); the file "
                    "was refused unopened."
                )
                % values
            )
        if column > bounds["columns"]:
            values.update(
                column=f"{column_letters(column)}（{column:,}）", limit=f"{bounds['columns']:,}"
            )
            raise ExtentError(
                _(
                    "Sheet “%(sheet)s” reaches column %(column)s; at most %(limit)s columns can "
                    "be imported. Delete the columns right of the table; the file was refused "
                    "unopened."
                )
                % values
            )
        self.rows, self.columns = max(self.rows, row), max(self.columns, column)
        if self.rows * self.columns > bounds["cells"]:
            values.update(
                rows=f"{self.rows:,}",
                columns=f"{self.columns:,}",
                limit=f"{bounds['cells']:,}",
            )
            raise ExtentError(
                _(
                    "Sheet “%(sheet)s” spans %(rows)s rows by %(columns)s columns; at most "
                    "%(limit)s cells can be imported. Delete what lies outside the table (or "
                    "split the file); the file was refused unopened."
                )
                % values
            )


class TextBudget:
    def __init__(self, bounds: dict[str, int]):
        self.limit = bounds["text"]
        self.used = 0

    def spend(self, chars: int) -> None:
        self.used += chars
        if self.used > self.limit:
            raise ExtentError(
                _(
                    "The workbook's cells hold more than %(limit)s characters of text; at most "
                    "that much can be imported. Split the file; it was refused unopened."
                )
                % {"limit": f"{self.limit:,}"}
            )


def _entity_refusal():
    return ExtentError(
        _(
            "The workbook declares its own XML entities, a trick to make readers expand it "
            "without end; it was refused unopened."
        )
    )


def _parse(archive: zipfile.ZipFile, name: str, start=None, end=None, text=None) -> None:
    """Streams one XML part through expat, refusing any DTD; handlers take local names."""
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def doctype(*_args):
        raise _Refused(_entity_refusal())

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        with archive.open(name) as part:
            while block := part.read(CHUNK):
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except _Refused as refused:
        raise refused.args[0] from None
    except expat.ExpatError as exc:
        raise ExtentError(
            _("The workbook is damaged and cannot be read (part %(part)s, %(reason)s).")
            % {"part": name, "reason": expat.ErrorString(exc.code)}
        ) from None


def _local(name: str) -> str:
    return name.rpartition(":")[2]


# --- .xlsx ---------------------------------------------------------------------------------


def _xlsx_sheet_names(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Worksheet part → the sheet's name, from the workbook and its relationships."""
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    sheets, targets = [], {}

    def on_book(name, attrs):
        if _local(name) == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), None)
            sheets.append((attrs.get("name", ""), rid))

    def on_rels(name, attrs):
        if _local(name) == "Relationship":
            target = attrs.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[attrs.get("Id")] = target

    _parse(archive, "xl/workbook.xml", start=on_book)
    _parse(archive, "xl/_rels/workbook.xml.rels", start=on_rels)
    return {targets[rid]: title for title, rid in sheets if rid in targets}


def _xlsx_shared_lengths(archive: zipfile.ZipFile, name: str) -> array:
    lengths = array("L")
    state = {"in_si": False, "length": 0}

    def start(tag, _attrs):
        if _local(tag) == "si":
            state["in_si"], state["length"] = True, 0

    def end(tag):
        if _local(tag) == "si":
            lengths.append(state["length"])
            state["in_si"] = False

    def text(data):
        if state["in_si"]:
            state["length"] += len(data)

    _parse(archive, name, start=start, end=end, text=text)
    return lengths


def _xlsx_sheet(archive, name, title, bounds, shared: array, budget: TextBudget) -> None:
    extent = Extent(title, bounds)
    cell = {"open": False, "value": False, "shared": False, "text": [], "in_value": False}
    cursor = {"row": 0, "column": 0}

    def start(tag, attrs):
        tag = _local(tag)
        if tag == "c":
            ref = _parse_ref(attrs["r"]) if "r" in attrs else None
            if ref is None:
                cursor["column"] += 1
            else:
                cursor["row"], cursor["column"] = ref
            cell.update(open=True, value=False, shared=attrs.get("t") == "s", text=[])
        elif cell["open"] and tag in ("v", "is", "f"):
            cell["value"] = True
            cell["in_value"] = tag in ("v", "is")
        elif tag == "row":
            number = attrs.get("r")
            cursor["row"] = int(number) if number and number.isdigit() else cursor["row"] + 1
            cursor["column"] = 0
        elif tag == "dimension":
            refs = [_parse_ref(part) for part in attrs.get("ref", "").split(":")]
            if refs and refs[-1] is not None:
                extent.reach(*refs[-1])

    def end(tag):
        tag = _local(tag)
        if tag == "c" and cell["open"]:
            cell["open"] = False
            if cell["value"]:
                extent.reach(cursor["row"], cursor["column"])
                content = "".join(cell["text"])
                if cell["shared"]:
                    index = int(content) if content.strip().isdigit() else -1
                    budget.spend(shared[index] if 0 <= index < len(shared) else 0)
                else:
                    budget.spend(len(content))
        elif tag in ("v", "is"):
            cell["in_value"] = False

    def text(data):
        if cell["in_value"]:
            cell["text"].append(data)

    _parse(archive, name, start=start, end=end, text=text)


# The fast measure reads parts whose cells are written the way Excel, WPS, LibreOffice and
# openpyxl write them: unprefixed elements, each cell with a value carrying its reference.
_PREFIXED_CELLS = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|v|is|f|row|dimension)[\s>/]")
_VALUE_CELL = re.compile(rb"<c[ >][^>]*>\s*<(?:v|is|f)[\s>/]")
_VALUE_CELL_R_FIRST = re.compile(  # how Excel, WPS, LibreOffice and openpyxl write it
    rb"<c r=\"([A-Za-z]{1,7})(\d{1,12})\"[^>]*>\s*<(?:v|is|f)[\s>/]"
)
_VALUE_CELL_AT = re.compile(
    rb"<c\s(?:[^>]*?\s)?r=\"\$?([A-Za-z]{1,7})\$?(\d{1,12})\"[^>]*>\s*<(?:v|is|f)[\s>/]"
)
_SHARED_CELL = re.compile(rb"<c\s[^>]*\bt=\"s\"[^>]*>\s*<v>\s*(\d{1,12})\s*<")
_DIMENSION = re.compile(rb"<dimension\s(?:[^>]*?\s)?ref=\"([^\"]*)\"")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def _xlsx_sheet_fast(archive, name, title, bounds, shared: array, budget: TextBudget) -> bool:
    """The same measure as :func:`_xlsx_sheet`, by regular expressions over the part's
    bytes (ten times faster than a parser's per-element callbacks). Returns False, having
    measured nothing for sure, when the part is not plain UTF-8 or has a cell with a value
    but no reference: the parser then measures it."""
    extent = Extent(title, bounds)
    carry = b""
    with archive.open(name) as part:
        first = True
        while True:
            block = part.read(CHUNK)
            if first:
                if block[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in block[:200]:
                    return False
                first = False
            data = carry + block
            if block:
                cut = data.rfind(b"</")  # never between a cell's tag and its value's
                if cut <= 0:
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            if b"<!" in data and _DTD.search(data):
                raise _entity_refusal()
            if _PREFIXED_CELLS.search(data):
                return False
            count = len(_VALUE_CELL.findall(data))
            cells = _VALUE_CELL_R_FIRST.findall(data)
            if len(cells) != count:
                cells = _VALUE_CELL_AT.findall(data)
                if len(cells) != count:
                    return False
            for ref in _DIMENSION.findall(data):
                last = _parse_ref(ref.decode("ascii", "replace").split(":")[-1])
                if last is not None:
                    extent.reach(*last)
            if cells:
                columns, rows = zip(*cells, strict=True)
                extent.reach(max(map(int, rows)), max(map(_column_number, set(columns))))
            indexes = _SHARED_CELL.findall(data)
            if indexes:
                size = len(shared)
                budget.spend(sum(shared[i] for i in map(int, indexes) if i < size))
            if not block:
                return True


def _xlsx(archive: zipfile.ZipFile, xml_parts: list[str], bounds) -> None:
    names = set(xml_parts)
    titles = _xlsx_sheet_names(archive, names)
    shared = array("L")
    sheets = []
    for name in xml_parts:
        kind = _root_element(archive, name)
        if kind == "sst":
            shared.extend(_xlsx_shared_lengths(archive, name))
        elif kind in ("worksheet", "dialogsheet"):
            sheets.append(name)
        else:
            _parse(archive, name)  # read to its end for a DTD
    budget = TextBudget(bounds)
    for name in sheets:
        title = titles.get(name, Path(name).stem)
        if not _xlsx_sheet_fast(archive, name, title, bounds, shared, budget):
            _xlsx_sheet(archive, name, title, bounds, shared, budget)


def _root_element(archive: zipfile.ZipFile, name: str) -> str:
    """The local name of a part's root element, from its first bytes (DTDs are refused
    later, when the part is read whole)."""
    with archive.open(name) as part:
        head = part.read(4096)
    match = re.search(rb"<([A-Za-z_][\w.:-]*)[\s/>]", re.sub(rb"<[?!][^>]*>", b"", head))
    return _local(match.group(1).decode("ascii", "replace")) if match else ""


# --- .ods ----------------------------------------------------------------------------------

_ODS_CELLS = ("table-cell", "covered-table-cell")


def _ods_content(archive: zipfile.ZipFile, name: str, bounds) -> None:
    budget = TextBudget(bounds)
    state = {
        "extent": None,
        "row": 0,
        "row_repeat": 1,
        "row_text": 0,
        "row_content": False,
        "row_reach": 0,
        "column": 0,
        "cell": None,  # [first column, repeat, has content, text length]
        "depth": 0,
    }

    def start(tag, attrs):
        tag = _local(tag)
        if state["cell"] is not None:
            state["depth"] += 1
            state["cell"][2] = True  # a paragraph or any other content inside the cell
            return
        if tag == "table":
            title = next((v for k, v in attrs.items() if _local(k) == "name"), "")
            state.update(extent=Extent(title, bounds), row=0)
        elif tag == "table-row":
            repeat = _repeat(attrs, "number-rows-repeated")
            state.update(row_repeat=repeat, row_text=0, row_content=False, row_reach=0, column=0)
        elif tag in _ODS_CELLS:
            repeat = _repeat(attrs, "number-columns-repeated")
            content = any(_local(k) == "value-type" for k in attrs)
            state["cell"] = [state["column"] + 1, repeat, content, 0]
            state["column"] += repeat

    def end(tag):
        tag = _local(tag)
        cell = state["cell"]
        if cell is not None:
            if state["depth"]:
                state["depth"] -= 1
                return
            first, repeat, content, length = cell
            state["cell"] = None
            if content:
                state["row_content"] = True
                state["row_reach"] = max(state["row_reach"], first + repeat - 1)
                state["row_text"] += length * repeat
            return
        if tag == "table-row":
            first_row = state["row"] + 1
            state["row"] += state["row_repeat"]
            if state["row_content"] and state["extent"] is not None:
                state["extent"].reach(first_row, state["row_reach"])  # each row is checked
                state["extent"].reach(state["row"], state["row_reach"])
                budget.spend(state["row_text"] * state["row_repeat"])

    def text(data):
        if state["cell"] is not None:
            state["cell"][3] += len(data)

    _parse(archive, name, start=start, end=end, text=text)


def _repeat(attrs, name: str) -> int:
    for key, value in attrs.items():
        if _local(key) == name:
            try:
                return max(int(value), 1)
            except ValueError:
                raise ExtentError(
                    _("The workbook is damaged and cannot be read (%(reason)s).")
                    % {"reason": f"{name}={value[:20]}"}
                ) from None
    return 1


def _ods(archive: zipfile.ZipFile, xml_parts: list[str], bounds) -> None:
    for name in xml_parts:
        if name == "content.xml":
            _ods_content(archive, name, bounds)
        else:
            _parse(archive, name)  # read to its end for a DTD


# --- .xls ----------------------------------------------------------------------------------

_BOF, _EOF, _SST, _CONTINUE, _BOUNDSHEET = 0x0809, 0x000A, 0x00FC, 0x003C, 0x0085
_VALUE_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0205, 0x0006}  # NUMBER, RK, ...
_MULRK = 0x00BD
_LABELSST = 0x00FD


def _xls(path: Path, bounds) -> list[Extent]:
    from xlrd.book import unpack_SST_table
    from xlrd.compdoc import CompDoc, CompDocError

    try:
        document = CompDoc(path.read_bytes())
        stream = document.get_named_stream("Workbook") or document.get_named_stream("Book")
    except (CompDocError, struct.error, IndexError, ValueError, MemoryError) as exc:
        raise ExtentError(
            _("The workbook is damaged and cannot be read (%(reason)s).") % {"reason": exc}
        ) from None
    if not stream:
        raise ExtentError(_("The file is not a %(kind)s workbook, whatever its name says.")
                          % {"kind": "xls"})
    records = []
    position = 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        records.append((kind, position, length))
        position += 4 + length
    titles: dict[int, str] = {}
    shared_lengths: list[int] = []
    for index, (kind, offset, length) in enumerate(records):
        body = stream[offset + 4 : offset + 4 + length]
        if kind == _BOUNDSHEET and length >= 8:
            titles[struct.unpack_from("<I", body)[0]] = _xls_sheet_name(body)
        elif kind == _SST and length >= 8:
            parts = [body[8:]]
            for next_kind, next_offset, next_length in records[index + 1 :]:
                if next_kind != _CONTINUE:
                    break
                parts.append(stream[next_offset + 4 : next_offset + 4 + next_length])
            count = struct.unpack_from("<I", body, 4)[0]
            try:
                shared_lengths = [len(s) for s in unpack_SST_table(parts, count)]
            except Exception:  # noqa: BLE001 - a damaged table: no string is assumed long
                shared_lengths = []
    budget = TextBudget(bounds)
    extent = None
    extents = []
    for kind, offset, length in records:
        if kind == _BOF:
            extent = Extent(titles.get(offset, str(len(extents))), bounds)
            extents.append(extent)
            continue
        if extent is None or length < 4:
            continue
        body = stream[offset + 4 : offset + 4 + length]
        if kind in _VALUE_CELLS:
            row, column = struct.unpack_from("<HH", body)
            extent.reach(row + 1, column + 1)
            if kind == _LABELSST and length >= 10:
                index = struct.unpack_from("<I", body, 6)[0]
                budget.spend(shared_lengths[index] if index < len(shared_lengths) else 0)
            elif kind not in (0x0203, 0x027E, 0x0205):
                budget.spend(length)
        elif kind == _MULRK and length >= 6:
            row, first = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, length - 2)[0]
            extent.reach(row + 1, max(first, last) + 1)
    return extents


def _xls_sheet_name(body: bytes) -> str:
    try:
        count, flags = body[6], body[7]
        raw = body[8 : 8 + count * (2 if flags & 1 else 1)]
        return raw.decode("utf-16-le" if flags & 1 else "latin-1")
    except (IndexError, UnicodeDecodeError):
        return ""


# --- the entry point -------------------------------------------------------------------------


def xls_rows(path: Path) -> int:
    """The rows of an .xls workbook's sheets (an upper bound, from A1), measured without a
    reader; raises :class:`ExtentError` like :func:`check_extent`."""
    return sum(extent.rows for extent in _xls(Path(path), limits()))


def check_extent(path: Path, kind: str) -> None:
    """Refuses (:class:`ExtentError`) a workbook whose sheets, read, would be too large.
    ``kind`` is ``xlsx``, ``ods`` or ``xls``; anything else has nothing to measure."""
    bounds = limits()
    path = Path(path)
    if kind == "xls":
        _xls(path, bounds)
        return
    if kind not in ("xlsx", "ods"):
        return
    with zipfile.ZipFile(path) as archive:
        xml_parts = [
            entry.filename
            for entry in archive.infolist()
            if entry.filename.endswith((".xml", ".rels", ".vml")) and entry.file_size
        ]
        if kind == "xlsx":
            _xlsx(archive, xml_parts, bounds)
        else:
            _ods(archive, xml_parts, bounds)
