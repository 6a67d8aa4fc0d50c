"""The import path shared by the browser, ``manage.py importxlsx`` and anything else.

It runs a register's django-import-export resource (the same one the admin uses, with the
same scoping by user) in two passes: a dry run that collects every error of the file, then —
only if there was none — the real import in one transaction. One bad row and nothing from the
file is written. Each import that writes (or is refused) is recorded in
:class:`imports.models.ImportRecord`.

Registers (the names ``importxlsx``, ``importtemplate`` and ``/imports/<register>/`` take):

==================== ==========================================================
``streets``          streets (街道)
``committees``       residents' committees (社区居委会)
``titles``           titles: star and characteristic communities (社区称号)
``centres``          community centres (社区服务中心)
``positions``        positions (岗位)
``pay-standards``    pay standards per position (岗位报酬标准)
``people``           people (人员)
``postings``         postings: who works where, from when (在岗记录)
``training``         training classes (培训班)
``attendance``       training attendance (培训出勤)
``exam-results``     skills exam results (职业资格考试)
``premises``         office and activity premises (办公和活动用房)
``function-standard`` the function-standard checklist items (功能标准项目)
``compliance``       each committee's compliance with the checklist (达标情况)
``area-standards``   area standards (用房面积标准)
``office-fund-rates`` office and activity fund rates (办公经费标准)
``cost-shares``      district/street cost shares (区街分担比例)
``party-allocations`` party-affairs allocations (党建经费)
``returns``          quarterly returns (季度报表)
==================== ==========================================================

Files as people make them: .xlsx/.xlsm (Excel, WPS, LibreOffice), .ods, .xls and CSV in
UTF-8, UTF-8 with BOM or GBK/GB18030 (also UTF-16 "Unicode text"), comma, semicolon or tab
separated. The header row may be in Chinese or English, in any order, below a title row;
unknown columns are ignored with a notice; blank rows are skipped; row numbers in messages
are those Excel shows.

Limits (settings): ``IMPORT_MAX_UPLOAD_BYTES`` (10 MB), ``IMPORT_MAX_ROWS`` (100,000),
``IMPORT_MAX_UNCOMPRESSED_BYTES`` (100 MB inside an .xlsx/.ods) and
``IMPORT_MAX_COMPRESSION_RATIO`` (200 for any entry larger than 1 MB).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

import tablib
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from audit.history import acting_user

from .spreadsheets import FORMULA_TRIGGERS

# Register name (as used on the command line and in URLs) → resource class.
REGISTERS = {
    "streets": "communities.resources.StreetResource",
    "committees": "communities.resources.CommitteeResource",
    "titles": "communities.resources.TitleResource",
    "centres": "communities.resources.CommunityCentreResource",
    "positions": "staffing.resources.PositionResource",
    "pay-standards": "staffing.resources.PayStandardResource",
    "people": "staffing.resources.PersonResource",
    "postings": "staffing.resources.PostingResource",
    "training": "staffing.resources.TrainingClassResource",
    "attendance": "staffing.resources.AttendanceResource",
    "exam-results": "staffing.resources.ExamResultResource",
    "premises": "facilities.resources.PremisesResource",
    "function-standard": "facilities.resources.FunctionStandardItemResource",
    "compliance": "facilities.resources.ComplianceResource",
    "area-standards": "facilities.resources.AreaStandardResource",
    "office-fund-rates": "budgets.resources.OfficeFundRateResource",
    "cost-shares": "budgets.resources.CostShareResource",
    "party-allocations": "budgets.resources.PartyAffairsAllocationResource",
    "returns": "returns.resources.QuarterlyReturnResource",
}

FORMATS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods", ".xls": "xls", ".csv": "csv"}
HEADER_SEARCH_ROWS = 20  # a header row below a title (often merged cells) is found
MAX_COLUMNS = 512


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class ImportFileError(ValueError):
    """The file cannot be imported at all (size, format, missing columns); nothing written."""


@dataclass
class RowError:
    row: int  # as Excel shows it: the header is row 1 (or wherever the header row is)
    column: str
    message: str
    sheet: str = ""

    def __str__(self):
        values = {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }
        if self.sheet and self.column:
            return _("Sheet “%(sheet)s”, row %(row)s, column “%(column)s”: %(message)s") % values
        if self.sheet:
            return _("Sheet “%(sheet)s”, row %(row)s: %(message)s") % values
        if self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % values
        return _("Row %(row)s: %(message)s") % values


@dataclass
class PreviewRow:
    """What the import does (or would do) with one row of the file."""

    row: int  # the row number Excel shows
    action: str  # "new", "update" or "skip" (unchanged)
    label: str  # the row's object, as the register's lists show it
    changes: list[str] = field(default_factory=list)  # the columns an update changes


@dataclass
class ImportOutcome:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    written: bool = False
    sheet: str = ""
    rows: int = 0
    record: object = None  # the ImportRecord of a real import (written or refused)
    preview: list[PreviewRow] = field(default_factory=list)  # one per row, in file order


@dataclass
class Sheet:
    """The rows of one worksheet below its header row, blank rows left out."""

    title: str
    headers: list[str]
    rows: list[list]
    numbers: list[int]  # the Excel row number of each row


def resource_class(register: str):
    try:
        dotted = REGISTERS[register]
    except KeyError:
        raise ImportFileError(
            _("Unknown register “%(name)s”. Registers: %(names)s.")
            % {"name": register, "names": ", ".join(sorted(REGISTERS))}
        ) from None
    module, _sep, name = dotted.rpartition(".")
    return getattr(import_module(module), name)


# --- checking the file before reading it ---------------------------------------------------


def check_file(path: Path) -> str:
    """The file's format, once it is known to be what its name says and within the limits."""
    suffix = path.suffix.lower()
    kind = FORMATS.get(suffix)
    if kind is None:
        raise ImportFileError(
            _("Files of type “%(suffix)s” cannot be imported; use .xlsx, .xls, .ods or .csv.")
            % {"suffix": suffix or path.name}
        )
    size = path.stat().st_size
    max_bytes = limit("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    if size > max_bytes:
        raise ImportFileError(
            _("The file is %(size)s MB; at most %(limit)s MB can be imported.")
            % {"size": round(size / 1048576, 1), "limit": round(max_bytes / 1048576, 1)}
        )
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    with path.open("rb") as handle:
        head = handle.read(8)
    is_zip, is_ole = head.startswith(b"PK\x03\x04"), head.startswith(b"\xd0\xcf\x11\xe0")
    if kind in ("xlsx", "ods") and not is_zip or kind == "xls" and not is_ole:
        if kind == "xlsx" and is_ole:
            raise ImportFileError(
                _("The file is an old Excel .xls workbook named .xlsx; rename it to .xls.")
            )
        raise ImportFileError(
            _("The file is not a %(kind)s workbook, whatever its name says.")
            % {"kind": suffix.lstrip(".")}
        )
    if kind == "csv" and (is_zip or is_ole):
        raise ImportFileError(_("The file is a workbook, not a CSV file; name it .xlsx or .xls."))
    if is_zip:
        check_zip(path, kind)
    return kind


def check_zip(path: Path, kind: str) -> None:
    """Refuses compressed entries that would expand past the bounds (zip bombs)."""
    max_total = limit("IMPORT_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
    max_ratio = limit("IMPORT_MAX_COMPRESSION_RATIO", 200)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ImportFileError(_("The workbook is damaged and cannot be read.")) from exc
    names = {entry.filename for entry in entries}
    needed = "[Content_Types].xml" if kind == "xlsx" else "content.xml"
    if needed not in names:
        raise ImportFileError(
            _("The file is not a %(kind)s workbook, whatever its name says.")
            % {"kind": path.suffix.lower().lstrip(".")}
        )
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if total > max_total or (entry.file_size > 1024 * 1024 and ratio > max_ratio):
            raise ImportFileError(
                _(
                    "The workbook expands to more than it should (a compressed part of "
                    "%(size)s MB); it was refused unopened."
                )
                % {"size": round(entry.file_size / 1048576)}
            )


# --- reading -----------------------------------------------------------------------------


def clean_cell(value):
    """A cell as the resources want it: stripped text, apostrophe guards undone."""
    if isinstance(value, str):
        value = value.strip()
        if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
            value = value[1:]  # our own exports guard formula-like text this way
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def is_blank(row) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in row)


def _iter_xlsx(path: Path):
    import openpyxl  # defusedxml, when installed, guards it against XML entity tricks

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            yield sheet.title, sheet.iter_rows(values_only=True)
    finally:
        book.close()


def _iter_xls(path: Path):
    import xlrd

    book = xlrd.open_workbook(path, on_demand=True)

    def rows(sheet):
        for index in range(sheet.nrows):
            values = []
            for cell in sheet.row(index)[:MAX_COLUMNS]:
                if cell.ctype == xlrd.XL_CELL_DATE:
                    values.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    values.append(None)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    values.append(None)
                else:
                    values.append(cell.value)
            yield values

    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            yield sheet.name, rows(sheet)
    finally:
        book.release_resources()


def _iter_ods(path: Path):
    from odf import opendocument
    from odf.namespaces import TABLENS
    from tablib.formats._ods import ODSFormat

    document = opendocument.load(str(path))

    def rows(table):
        for node in table.childNodes:
            if node.qname == (TABLENS, "table-row-group") or node.qname == (
                TABLENS,
                "table-header-rows",
            ):
                yield from rows(node)
                continue
            if node.qname != (TABLENS, "table-row"):
                continue
            values = []
            for cell in node.childNodes:
                if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                    continue
                repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
                value = ODSFormat.read_cell(cell) if cell.qname[1] == "table-cell" else None
                value = None if value == "" else value
                if value is None and len(values) + repeat > MAX_COLUMNS:
                    break  # LibreOffice pads rows to the last column with one repeated cell
                values.extend([value] * min(repeat, MAX_COLUMNS))
            repeat = int(node.getAttribute("numberrowsrepeated") or 1)
            if is_blank(values):
                yield from ([] for _ in range(repeat))  # cheap: blank rows, counted only
            else:
                yield from (list(values) for _ in range(min(repeat, 1000)))

    for table in document.spreadsheet.childNodes:
        if table.qname == (TABLENS, "table"):
            yield table.getAttribute("name"), rows(table)


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


READERS = {"xlsx": _iter_xlsx, "xls": _iter_xls, "ods": _iter_ods, "csv": _iter_csv}


def normalise_header(text) -> str:
    text = str(text or "").strip().lower()
    text = text.replace("（", "(").replace("）", ")").replace("²", "2").replace("：", ":")
    text = re.sub(r"\s+", " ", text).rstrip("*:").strip()
    return text


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

    def add(number, row):
        row = [clean_cell(value) for value in list(row)[: len(headers)]]
        if is_blank(row):
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


def read_sheet(path: Path, *, aliases: dict | None = None) -> Sheet:
    """The first visible sheet whose header row has known columns (else the first sheet)."""
    path = Path(path)
    kind = check_file(path)
    aliases = aliases or {}
    first = None
    try:
        for title, rows in READERS[kind](path):
            sheet = _take_sheet(title, rows, aliases)
            if sheet is None:
                continue
            first = first or sheet
            if not aliases or any(normalise_header(h) in aliases for h in sheet.headers):
                return sheet
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure is the file's fault
        raise ImportFileError(_("The file cannot be read: %(reason)s") % {"reason": exc}) from exc
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


# --- columns -----------------------------------------------------------------------------


def column_aliases(resource) -> dict[str, str]:
    """Every accepted spelling of each column (normalised) → the resource's column name.

    A column may be headed by its name in Chinese or English (the translated and the source
    ``column_name``) or by the field's own name.
    """
    aliases: dict[str, str] = {}
    for name, fld in resource.fields.items():
        canonical = str(fld.column_name)
        spellings = [canonical, name, fld.attribute or ""]
        for language in ("zh-hans", "en"):
            with translation.override(language):
                spellings.append(str(fld.column_name))
        for spelling in spellings:
            key = normalise_header(spelling)
            if key:
                aliases.setdefault(key, canonical)
    return aliases


def build_dataset(resource, sheet: Sheet, aliases: dict) -> tuple[tablib.Dataset, list[str]]:
    """The sheet with the resource's own column names; notices for ignored columns."""
    notices = []
    positions: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        canonical = aliases.get(normalise_header(header))
        if canonical is None:
            if header:
                notices.append(
                    _("The column “%(column)s” is not part of this register and was ignored.")
                    % {"column": header}
                )
            continue
        if canonical in positions:
            raise ImportFileError(_("The column “%(column)s” appears twice.") % {"column": header})
        positions[canonical] = index
    # The key columns must be there; any other column left out is left as it is (a file of
    # codes and households updates the households alone).
    required = [str(resource.fields[name].column_name) for name in resource.get_import_id_fields()]
    missing = [name for name in required if name not in positions]
    if missing or not positions:
        raise ImportFileError(
            _("The file lacks the column(s): %(columns)s.")
            % {"columns": "、".join(missing or required)}
        )
    dataset = tablib.Dataset(headers=list(positions), title=sheet.title)
    indexes = list(positions.values())
    for row in sheet.rows:
        dataset.append([row[i] for i in indexes])
    return dataset, notices


def duplicate_errors(resource, dataset, sheet: Sheet) -> list[RowError]:
    """Rows that repeat another row's key (the import-id columns) in the same file."""
    columns = [str(resource.fields[name].column_name) for name in resource.get_import_id_fields()]
    if not columns or not all(c in dataset.headers for c in columns):
        return []
    indexes = [dataset.headers.index(c) for c in columns]
    seen: dict[tuple, int] = {}
    errors = []
    for position, row in enumerate(dataset):
        key = tuple(normalise_header(row[i]) for i in indexes)
        if not any(key) or any("*" in part for part in key):
            continue  # no key, or a masked ID number: the resource matches by other columns
        number = sheet.numbers[position]
        if key in seen:
            errors.append(
                RowError(
                    number,
                    "、".join(columns),
                    _("This row repeats row %(row)s (the same %(columns)s).")
                    % {"row": seen[key], "columns": "、".join(columns)},
                    sheet.title,
                )
            )
        else:
            seen[key] = number
    return errors


def _row_errors(resource, result, sheet: Sheet) -> list[RowError]:
    columns = {f.attribute: str(f.column_name) for f in resource.get_import_fields()}

    def excel_row(number):
        return sheet.numbers[number - 1] if 0 < number <= len(sheet.numbers) else number + 1

    errors: list[RowError] = []
    for line, error in result.row_errors():
        for item in error:
            errors.append(RowError(excel_row(line), "", str(item.error), sheet.title))
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = columns.get(attribute, "" if attribute == "__all__" else attribute)
            for message in messages:
                text = message.messages[0] if hasattr(message, "messages") else str(message)
                errors.append(RowError(excel_row(invalid.number), column, text, sheet.title))
    return errors


def _sorted(errors):
    return sorted(errors, key=lambda e: (e.row, e.column, e.message))


def _totals(outcome, result, sheet=None):
    totals = result.totals
    outcome.new, outcome.updated = totals.get("new", 0), totals.get("update", 0)
    outcome.unchanged = totals.get("skip", 0)
    if sheet is not None:
        outcome.preview = [
            PreviewRow(sheet.numbers[index], row.import_type, row.object_repr or "")
            for index, row in enumerate(result.rows)
            if row.import_type in ("new", "update", "skip")
        ]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record(*, register, path, user, file_name, outcome):
    from imports.models import ImportRecord

    return ImportRecord.objects.create(
        user=user if getattr(user, "pk", None) else None,
        register=register,
        file_name=(file_name or Path(path).name)[:255],
        sha256=sha256_of(path),
        size=Path(path).stat().st_size,
        rows=outcome.rows,
        created=outcome.new,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        errors=len(outcome.errors),
        written=outcome.written,
    )


def import_file(
    *,
    register: str,
    path: Path,
    user,
    dry_run: bool = False,
    file_name: str | None = None,
    progress=None,
) -> ImportOutcome:
    """Imports ``path`` into ``register`` as ``user`` would: all rows or none.

    ``dry_run`` checks the whole file and counts what would change, writing nothing and
    recording nothing (the preview). Otherwise the file is checked, then imported in one
    transaction, and an :class:`imports.models.ImportRecord` says what happened.
    ``outcome.preview`` says, row by row, what was (or would be) done. ``progress``, if
    given, is called as ``progress(done, total)`` with the rows checked or written so far
    (a background import reports it to the user's progress bar).
    Raises :class:`ImportFileError` when the file cannot be imported at all.
    """
    path = Path(path)
    resource = resource_class(register)(user=user)
    aliases = column_aliases(resource)
    sheet = read_sheet(path, aliases=aliases)
    dataset, notices = build_dataset(resource, sheet, aliases)
    outcome = ImportOutcome(notices=notices, sheet=sheet.title, rows=len(dataset))
    duplicates = duplicate_errors(resource, dataset, sheet)
    # Pass 1: everything, nothing written.
    result = resource.import_data(dataset, dry_run=True, use_transactions=True, user=user)
    _totals(outcome, result, sheet)
    outcome.errors = _sorted(duplicates + _row_errors(resource, result, sheet))
    if dry_run:
        return outcome
    if outcome.errors:
        outcome.record = _record(
            register=register, path=path, user=user, file_name=file_name, outcome=outcome
        )
        return outcome
    # Pass 2: the same rows for real, in one transaction, with its record. ``acting_user``
    # (audit) records ``user`` in the history of every row written, as a request would.
    with transaction.atomic(), acting_user(user):
        resource = resource_class(register)(user=user)
        result = resource.import_data(dataset, dry_run=False, use_transactions=True, user=user)
        if result.has_errors() or result.has_validation_errors():
            outcome.errors = _sorted(_row_errors(resource, result, sheet))
            transaction.set_rollback(True)
            return outcome
        _totals(outcome, result)
        outcome.written = True
        if progress is not None:
            progress(outcome.rows, outcome.rows)
        outcome.record = _record(
            register=register, path=path, user=user, file_name=file_name, outcome=outcome
        )
    return outcome
