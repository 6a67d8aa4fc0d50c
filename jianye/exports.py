"""Streamed exports: any register to .xlsx or CSV, row by row, with flat memory.

:func:`export_register` writes what a user may see of a register (the resource's scoped
queryset, or a queryset given by the caller, e.g. an admin list's filtered one) through the
register's resource: the same columns, the same Chinese headers and every value through the
resource's ``export_field`` (so through :func:`jianye.spreadsheets.safe_text`: no text runs as
a formula). Rows come from ``queryset.iterator(chunk_size=2000)`` and go straight to an
openpyxl ``write_only`` workbook (or a CSV file in UTF-8 with BOM, which Excel opens in
Chinese), so a 100,000-row export never holds more than one chunk in memory.

``manage.py exportxlsx REGISTER --output FILE [--user USERNAME]`` is the command for it.
"""

from __future__ import annotations

import csv
import datetime
import decimal
from pathlib import Path

from django.utils.translation import gettext as _

from .imports import ImportFileError, resource_class
from .spreadsheets import safe_text

CHUNK_SIZE = 2000
EXPORT_FORMATS = (".xlsx", ".csv")


class ExportError(ValueError):
    """The export cannot be written (unknown register, unknown format, unwritable path)."""


def export_rows(resource, queryset=None):
    """The header row, then one list of values per object, lazily."""
    if queryset is None:
        queryset = resource.get_queryset()
    fields = resource.get_export_fields()
    yield [str(field.column_name) for field in fields]
    for instance in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [safe_text(resource.export_field(field, instance)) for field in fields]


def _cell(value):
    """A value openpyxl writes as it is: numbers as numbers, dates as dates, text as text."""
    if value is None or isinstance(value, str | bool | int | float | decimal.Decimal):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value
    return str(value)


def write_xlsx(rows, path: Path, *, title: str = "") -> int:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=(title or "Sheet1")[:31])
    count = -1
    for row in rows:
        sheet.append([_cell(value) for value in row])
        count += 1
    sheet.freeze_panes = "A2"
    book.save(path)
    return max(count, 0)


def write_csv(rows, path: Path) -> int:
    count = -1
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:  # BOM for Excel
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
            count += 1
    return max(count, 0)


def export_register(register: str, path, *, user, queryset=None) -> int:
    """Writes ``register`` as ``user`` sees it to ``path`` (.xlsx or .csv); the row count."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ExportError(
            _("Exports are written as .xlsx or .csv, not “%(suffix)s”.")
            % {"suffix": suffix or path.name}
        )
    if not path.parent.is_dir():
        raise ExportError(_("No such folder: %(path)s") % {"path": path.parent})
    try:
        resource = resource_class(register)(user=user)
    except ImportFileError as exc:
        raise ExportError(str(exc)) from exc
    rows = export_rows(resource, queryset)
    try:
        if suffix == ".csv":
            return write_csv(rows, path)
        return write_xlsx(rows, path, title=str(resource._meta.model._meta.verbose_name_plural))
    except OSError as exc:
        raise ExportError(
            _("The file %(path)s cannot be written: %(reason)s")
            % {"path": path, "reason": exc.strerror or exc}
        ) from exc
