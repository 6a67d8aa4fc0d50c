"""The import path shared by the browser, ``manage.py importxlsx`` and anything else.

Each row goes through its register's django-import-export resource (the same one the admin
uses, with the same scoping by user: its fields, widgets and hooks), but the loop is ours and
set-based: what the rows refer to (committees by code, streets by name, people by ID-card
number) and the existing rows the file's keys name are read once for the whole file; each
row is checked with the model's ``full_clean()``; uniqueness is checked for all rows at once;
then — only if no row has an error — every row is written in bulk with its history row, in
one transaction, and a database constraint that still refuses is reported on its row. One
bad row and nothing from the file is written. Each import that writes (or is refused) is
recorded in :class:`imports.models.ImportRecord`, and each history row it wrote names that
record ("import #<id>").

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
import logging
import re
import zipfile
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

import tablib
from django.conf import settings
from django.contrib.auth import get_permission_codename, get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from django.db.models.constants import LOOKUP_SEP
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import widgets

from .file_safety import MAX_COLUMNS, ExtentError, check_extent
from .spreadsheets import FORMULA_TRIGGERS

logger = logging.getLogger(__name__)

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
WRITE_BATCH = 1000


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


# --- who may import ----------------------------------------------------------------------


class ImportNotAllowed(ImportFileError):
    """The user may not import into this register; nothing was read or written."""


IMPORT_ACTIONS = ("add", "change")  # an import creates rows and changes rows


def import_permissions(register: str) -> list[str]:
    """The permissions an import into ``register`` needs: add and change of its model."""
    opts = resource_class(register)._meta.model._meta
    return [f"{opts.app_label}.{get_permission_codename(a, opts)}" for a in IMPORT_ACTIONS]


def can_import(register: str, user) -> bool:
    """Whether ``user`` may import into ``register``: the one rule of every caller (the
    admin's import page, ``importxlsx``, the background job, the returns grid)."""
    return user is not None and user.has_perms(import_permissions(register))


def ensure_can_import(register: str, user) -> None:
    if not can_import(register, user):
        model = resource_class(register)._meta.model
        raise ImportNotAllowed(
            _("User “%(user)s” may not import %(name)s (%(register)s).")
            % {
                "user": getattr(user, "username", "") or "-",
                "name": model._meta.verbose_name_plural,
                "register": register,
            }
        )


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
    try:
        check_extent(path, kind)
    except ExtentError as exc:
        raise ImportFileError(str(exc)) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise ImportFileError(_("The workbook is damaged and cannot be read.")) from exc
    return kind


def check_zip(path: Path, kind: str) -> None:
    """Refuses compressed entries that would expand past the bounds (zip bombs), unopened.
    What the parts hold (their extent, any entity declaration) is measured next, by
    :func:`jianye.file_safety.check_extent`."""
    max_total = limit("IMPORT_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
    max_ratio = limit("IMPORT_MAX_COMPRESSION_RATIO", 200)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise ImportFileError(_("The workbook is damaged and cannot be read.")) from exc


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


def _iter_workbook(path: Path):
    """The visible sheets of an .xlsx, .xls or .ods workbook, through python-calamine (Rust's
    calamine: one well-kept reader for the three formats, many times faster than openpyxl).
    Each row is the list of its cells from column A, from row 1, empty cells as None."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    book = CalamineWorkbook.from_path(str(path))
    try:
        for meta in book.sheets_metadata:
            if meta.visible != SheetVisibleEnum.Visible:
                continue
            rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            yield meta.name, (
                [None if value == "" else value for value in row[:MAX_COLUMNS]] for row in rows
            )
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


def build_rows(resource, sheet: Sheet, aliases: dict) -> tuple[list[dict], list[str]]:
    """The sheet's rows as dicts keyed by the resource's own column names; notices for
    ignored columns."""
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
    items = list(positions.items())
    rows = [{name: row[i] for name, i in items} for row in sheet.rows]
    return rows, notices


def duplicate_errors(resource, rows: list[dict], sheet: Sheet) -> list[RowError]:
    """Rows that repeat another row's key (the import-id columns) in the same file."""
    columns = [str(resource.fields[name].column_name) for name in resource.get_import_id_fields()]
    if not columns or not rows or not all(c in rows[0] for c in columns):
        return []
    seen: dict[tuple, int] = {}
    errors = []
    for position, row in enumerate(rows):
        key = tuple(normalise_header(row[c]) for c in columns)
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


def _sorted(errors):
    return sorted(errors, key=lambda e: (e.row, e.column, e.message))


# --- checking and writing the rows: set-based ---------------------------------------------


@dataclass
class Pending:
    """A row of the file, checked, about to be written."""

    number: int  # the Excel row number
    instance: object
    new: bool
    fields: list[str]  # for an update: the model fields it changes


def _snapshot(instance, attnames):
    return [getattr(instance, name) for name in attnames]


def _error_items(exc: ValidationError, columns: dict) -> list[tuple[str, str]]:
    """(column header, message) for each message of a validation error."""
    items = []
    if hasattr(exc, "error_dict"):
        for attribute, errors in exc.error_dict.items():
            column = columns.get(attribute, "" if attribute == "__all__" else attribute)
            for error in errors:
                for message in error.messages if hasattr(error, "messages") else [str(error)]:
                    items.append((column, message))
    else:
        items.extend(("", message) for message in exc.messages)
    return items


def check_rows(resource, rows: list[dict], sheet: Sheet, *, progress=None):
    """Every row through the register's resource — its fields and widgets, the model's
    ``full_clean()`` (``clean()`` included), the scope — with what the rows refer to read
    once for the whole file (:meth:`scoping.resources.ScopedResource.prepare_import`).

    Returns the rows to write, the preview of every row and the errors. Uniqueness and the
    database's constraints are checked for all rows together afterwards (:func:`write_rows`).
    """
    model = resource._meta.model
    concrete = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    present = [
        fld
        for fld in resource.get_import_fields()
        if fld.attribute and rows and str(fld.column_name) in rows[0]
        and not isinstance(fld.widget, widgets.ManyToManyWidget)
    ]
    columns = {fld.attribute: str(fld.column_name) for fld in resource.get_import_fields()}
    skip_unchanged = resource._meta.skip_unchanged
    resource.prepare_import(rows)
    pending: list[Pending] = []
    preview: list[PreviewRow] = []
    errors: list[RowError] = []
    user = resource.user
    step = max(len(rows) // 20, 500)
    checks = _check_constraints(model)
    for position, row in enumerate(rows):
        number = sheet.numbers[position]
        if progress is not None and position and position % step == 0:
            progress(position, len(rows) * 2)
        # Every check of the row runs, whatever an earlier one found: the user sees every
        # error of every row in one pass, each on its column where it has one.
        found: list[tuple[str, str]] = []
        failed_fields: set[str] = set()

        def note(exc, found=found, failed_fields=failed_fields):
            if isinstance(exc, ValidationError):
                found.extend(_error_items(exc, columns))
                if hasattr(exc, "error_dict"):
                    failed_fields.update(exc.error_dict)
            else:
                found.append(("", str(exc)))

        try:
            resource.before_import_row(row, user=user)
        except Exception as exc:  # noqa: BLE001 - a row the resource cannot take is the file's
            note(exc)
        try:
            instance, new = resource.get_or_init_instance(None, row)
        except Exception as exc:  # noqa: BLE001
            note(exc)
            instance, new = resource.init_instance(row), True  # its cells are checked still
        before = None if new else _snapshot(instance, concrete)
        field_errors = {}
        for fld in present:
            try:
                resource.import_field(fld, instance, row, user=user)
            except ValueError as exc:
                field_errors[fld.attribute] = ValidationError(str(exc))
        if not found and not new and not field_errors and skip_unchanged:
            if _snapshot(instance, concrete) == before:
                preview.append(PreviewRow(number, "skip", str(instance)))
                continue
        try:
            resource.validate_instance(instance, field_errors, validate_unique=False)
        except Exception as exc:  # noqa: BLE001
            note(exc)
        for constraint, names in checks:
            if names & failed_fields:
                continue  # a constraint on a cell already in error says nothing more
            message = _violated(constraint, model, instance)
            if message:
                found.append(("、".join(columns.get(n, n) for n in sorted(names)), message))
        if not found:
            try:
                resource.before_save_instance(instance, row, user=user)
            except Exception as exc:  # noqa: BLE001
                note(exc)
        if found:
            errors.extend(RowError(number, column, message, sheet.title) for column, message in found)
            continue
        changed = []
        if not new:
            after = _snapshot(instance, concrete)
            changed = [n for n, old, now in zip(concrete, before, after, strict=True) if old != now]
            changed += [f.attname for f in _unsaved_references(instance) if f.attname not in changed]
        pending.append(Pending(number, instance, new, changed))
        if new:
            for fld in present:
                if hasattr(fld.widget, "offer"):
                    fld.widget.offer(instance)
        labels = [columns.get(model._meta.get_field(n).name, n) for n in changed]
        preview.append(PreviewRow(number, "new" if new else "update", str(instance), labels))
    for instance, attribute, message in resource.file_errors([p.instance for p in pending]):
        number = next(p.number for p in pending if p.instance is instance)
        errors.append(RowError(number, columns.get(attribute, ""), message, sheet.title))
    errors.extend(unique_errors(model, pending, columns, sheet))
    return pending, preview, errors


# --- check constraints, in Python ----------------------------------------------------------


class _Unsupported(Exception):
    pass


_COMPARE = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _check_constraints(model) -> list[tuple[CheckConstraint, set[str]]]:
    """The model's check constraints, each with the fields it reads."""
    found = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, CheckConstraint):
            names = {
                name.split(LOOKUP_SEP)[0] for name in _referenced(constraint.condition)
            }
            found.append((constraint, {n for n in names if n and n != "pk"}))
    return found


def _referenced(node):
    if isinstance(node, Q):
        for child in node.children:
            yield from _referenced(child)
    elif isinstance(node, tuple):
        yield node[0]
        if isinstance(node[1], F):
            yield node[1].name
    else:
        for ref in getattr(node, "flatten", lambda: [])():
            if isinstance(ref, F):
                yield ref.name


def _attribute(model, instance, name):
    if name == "pk":
        return instance.pk
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        raise _Unsupported from None
    if field.is_relation and field.is_cached(instance):
        related = getattr(instance, field.name)  # maybe a row of the same file, unsaved yet
        return None if related is None else (related.pk if related.pk is not None else related)
    return getattr(instance, field.attname)


def _truth(model, instance, node):
    """SQL's three-valued truth of a constraint's condition on an unsaved row (None for
    unknown, which a CHECK constraint lets pass), for conditions of plain lookups."""
    if isinstance(node, Q):
        values = [_truth(model, instance, child) for child in node.children]
        if node.connector == Q.AND:
            value = False if False in values else (None if None in values else True)
        else:
            value = True if True in values else (None if None in values else False)
        if node.negated and value is not None:
            value = not value
        return value
    if not isinstance(node, tuple):
        raise _Unsupported
    path, right = node
    name, _sep, lookup = path.partition(LOOKUP_SEP)
    lookup = lookup or "exact"
    left = _attribute(model, instance, name)
    if isinstance(right, F):
        right = _attribute(model, instance, right.name)
    elif hasattr(right, "resolve_expression"):
        raise _Unsupported
    if lookup == "isnull":
        return (left is None) == bool(right)
    if lookup == "in":
        return None if left is None else left in right
    if lookup not in _COMPARE:
        raise _Unsupported
    if left is None or right is None:
        return None
    try:
        return _COMPARE[lookup](left, right)
    except TypeError:
        return None  # a cell of the wrong type is reported by its own check


def _violated(constraint: CheckConstraint, model, instance) -> str | None:
    """The constraint's message if the row breaks it: evaluated in Python (no query per
    row) where the condition is plain lookups, else by Django's own ``validate``."""
    try:
        broken = _truth(model, instance, constraint.condition) is False
    except _Unsupported:
        try:
            constraint.validate(model, instance)
            broken = False
        except ValidationError:
            broken = True
    return str(constraint.get_violation_error_message()) if broken else None


def _unique_sets(model) -> list[tuple[tuple[str, ...], object]]:
    """The model's unique field sets (``unique=True`` fields and unconditional
    ``UniqueConstraint``s on plain fields), each with what reports a clash."""
    sets = []
    for fld in model._meta.concrete_fields:
        if fld.unique and not fld.primary_key:
            sets.append(((fld.name,), None))
    for fields_ in model._meta.unique_together:
        sets.append((tuple(fields_), None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.fields and not (
            constraint.condition or constraint.expressions
        ):
            sets.append((tuple(constraint.fields), constraint))
    return sets


def unique_errors(model, pending: list[Pending], columns: dict, sheet: Sheet) -> list[RowError]:
    """Clashes of the rows to write with each other and with the stored rows, one query per
    unique field set (the per-row ``validate_unique`` would be one query per row)."""
    errors: list[RowError] = []
    if not pending:
        return errors
    for names, constraint in _unique_sets(model):
        attnames = [model._meta.get_field(name).attname for name in names]
        keys: dict[tuple, Pending] = {}
        for item in pending:
            key = tuple(getattr(item.instance, a) for a in attnames)
            if any(part is None for part in key):
                continue  # NULLs never clash
            if key in keys:
                continue  # repeats in the file are reported by duplicate_errors or below
            keys[key] = item
        if not keys:
            continue
        own = {item.instance.pk for item in pending if item.instance.pk is not None}
        firsts = sorted({key[0] for key in keys}, key=str)
        clashes = set()
        for start in range(0, len(firsts), 2000):
            stored = model._default_manager.filter(
                **{f"{attnames[0]}__in": firsts[start : start + 2000]}
            ).exclude(pk__in=own)
            clashes.update(stored.values_list(*attnames))
        for key in clashes & set(keys):
            item = keys[key]
            if constraint is not None:
                message = constraint.get_violation_error_message()
            else:
                message = item.instance.unique_error_message(model, names).messages[0]
            column = "、".join(columns.get(name, name) for name in names)
            errors.append(RowError(item.number, column, message, sheet.title))
    return errors


def constraint_errors(pending: list[Pending], columns: dict, sheet: Sheet) -> list[RowError]:
    """The database refused the rows: find which, row by row (only ever after a refusal)."""
    errors = []
    for item in pending:
        try:
            item.instance.validate_constraints()
            item.instance.validate_unique()
        except ValidationError as exc:
            for column, message in _error_items(exc, columns):
                errors.append(RowError(item.number, column, message, sheet.title))
    return errors


def _unsaved_references(instance):
    """The foreign keys of ``instance`` that point at a row of the same file not yet written."""
    return [
        f
        for f in instance._meta.concrete_fields
        if f.is_relation
        and f.is_cached(instance)
        and getattr(instance, f.name) is not None
        and getattr(instance, f.name).pk is None
    ]


def _in_order(objs):
    """``objs`` in batches such that a row another row names is written first."""
    remaining = list(objs)
    while remaining:
        ready = [o for o in remaining if not _unsaved_references(o)]
        if not ready:  # a cycle inside the file; the database will say which rows
            ready = remaining
        yield ready
        ready_ids = {id(o) for o in ready}
        remaining = [o for o in remaining if id(o) not in ready_ids]


def write_rows(model, pending: list[Pending], *, user, reason: str, progress=None) -> None:
    """Writes the checked rows in bulk, each with its history row (who, why), and says that
    the registers changed (bulk writes send no save signals; the cached report summaries
    and the dashboard are keyed on the data version, reports/freshness.py)."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from reports.freshness import data_changed

    if pending:
        data_changed()

    history_user = user if isinstance(user, get_user_model()) else None
    total = len(pending)
    creates = [item.instance for item in pending if item.new]
    updates = [item for item in pending if not item.new]
    written = 0
    for level in _in_order(creates):
        for start in range(0, len(level), WRITE_BATCH):
            batch = level[start : start + WRITE_BATCH]
            for obj in batch:  # foreign keys to rows written by an earlier batch
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
            bulk_create_with_history(
                batch,
                model,
                batch_size=WRITE_BATCH,
                default_user=history_user,
                default_change_reason=reason,
            )
            written += len(batch)
            if progress is not None:
                progress(total + written, total * 2)
    by_fields: dict[tuple, list] = {}
    for item in updates:
        names = tuple(model._meta.get_field(a).name for a in item.fields) if item.fields else ()
        by_fields.setdefault(names or ("pk",), []).append(item.instance)
    for names, objs in by_fields.items():
        if names == ("pk",):
            continue
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="bulk_update")
        bulk_update_with_history(
            objs,
            model,
            list(names),
            batch_size=WRITE_BATCH,
            default_user=history_user,
            default_change_reason=reason,
        )


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


def history_reason(record) -> str:
    """The change reason on every history row an import wrote (the record's own page lists
    those rows by it)."""
    return f"import #{record.pk}"


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

    One pass: every row is checked (fields, the model's rules, scope, uniqueness across the
    file and against the database), then — only if no row has an error — all are written in
    bulk in one transaction, with a history row each and an
    :class:`imports.models.ImportRecord` (a refused file gets its record too).
    ``dry_run`` checks and writes the same way, then rolls everything back and records
    nothing (the preview), so the preview finds what the real import would.

    ``outcome.preview`` says, row by row, what was (or would be) done. ``progress``, if
    given, is called as ``progress(done, total)`` while rows are checked and written
    (a background import reports it to the user's progress bar).
    Raises :class:`ImportFileError` when the file cannot be imported at all, and
    :class:`ImportNotAllowed` (one) when ``user`` may not import into ``register``
    (:func:`can_import`).
    """
    path = Path(path)
    ensure_can_import(register, user)  # a dry run too: the preview is the import's first half
    resource = resource_class(register)(user=user)
    aliases = column_aliases(resource)
    sheet = read_sheet(path, aliases=aliases, file_name=file_name)
    rows, notices = build_rows(resource, sheet, aliases)
    if not rows:
        raise ImportFileError(
            _(
                "Sheet “%(sheet)s” has a header row but no data rows below it; nothing was "
                "imported."
            )
            % {"sheet": sheet.title}
        )
    outcome = ImportOutcome(notices=notices, sheet=sheet.title, rows=len(rows))
    model = resource._meta.model
    columns = {fld.attribute: str(fld.column_name) for fld in resource.get_import_fields()}
    with transaction.atomic():
        pending, outcome.preview, errors = check_rows(resource, rows, sheet, progress=progress)
        errors = duplicate_errors(resource, rows, sheet) + errors
        outcome.new = sum(1 for item in pending if item.new)
        outcome.updated = len(pending) - outcome.new
        outcome.unchanged = len(outcome.preview) - len(pending)
        if not errors:
            record = None if dry_run else _record(
                register=register, path=path, user=user, file_name=file_name, outcome=outcome
            )
            reason = history_reason(record) if record else "import (preview)"
            try:
                with transaction.atomic():
                    write_rows(model, pending, user=user, reason=reason, progress=progress)
            except IntegrityError as exc:
                errors = constraint_errors(pending, columns, sheet) or [
                    RowError(0, "", _("The database refused the file: %(reason)s") % {"reason": exc})
                ]
        outcome.errors = _sorted(_unique_messages(errors))
        if outcome.errors or dry_run:
            transaction.set_rollback(True)
        else:
            outcome.written = True
            record.written = True
            record.save(update_fields=["written"])
            outcome.record = record
            if progress is not None:
                progress(len(rows) * 2, len(rows) * 2)
    if outcome.errors and not dry_run:  # a refused file is recorded, outside the rollback
        outcome.record = _record(
            register=register, path=path, user=user, file_name=file_name, outcome=outcome
        )
    return outcome


def _unique_messages(errors: list[RowError]) -> list[RowError]:
    seen, kept = set(), []
    for error in errors:
        key = (error.sheet, error.row, error.column, error.message)
        if key not in seen:
            seen.add(key)
            kept.append(error)
    return kept
