"""The grid's workbook: the paper form as an .xlsx that imports back unchanged.

Row 1 holds the Chinese column headers the import expects; one row per committee; the
committee code, name, year and quarter are locked (the sheet is protected, only the figure,
note and comment cells can be typed in); figures accept whole numbers only. A second sheet
names the form, the period, the deadline and last quarter's figures.
"""

from __future__ import annotations

import io

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from scoping.spreadsheets import safe_text, style_header

from .models import FIGURES, QuarterlyReturn, quarter_deadline
from .resources import QuarterlyReturnResource


def grid_workbook_bytes(*, street, year: int, quarter: int, rows, user) -> bytes:
    resource = QuarterlyReturnResource(user=user)
    order = ["committee", "committee_name", "year", "quarter", *FIGURES, "note", "comment"]
    headers = [str(resource.fields[name].column_name) for name in order]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Quarterly return")[:31]
    for index, label in enumerate(headers, start=1):
        cell = style_header(sheet.cell(row=1, column=index, value=label))
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    locked_fill = PatternFill("solid", fgColor="F2F2F2")
    for offset, row in enumerate(rows, start=2):
        item = row.quarterly_return
        values = [row.committee.code, row.committee.name, year, quarter]
        values += [getattr(item, name) if item else None for name in FIGURES]
        values += [item.note if item else "", item.comment if item else ""]
        editable = item is None or item.is_editable
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=offset, column=index, value=safe_text(value))
            if index <= 4 or not editable:
                cell.fill = locked_fill
            else:
                cell.protection = Protection(locked=False)
    last_row = max(len(rows) + 1, 2)
    whole = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="-1000000000",
        error=_("Enter a whole number."),
        errorTitle=_("Quarterly return"),
        showErrorMessage=True,
    )
    sheet.add_data_validation(whole)
    first_figure = get_column_letter(5)
    last_figure = get_column_letter(4 + len(FIGURES))
    whole.add(f"{first_figure}2:{last_figure}{last_row}")
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.freeze_panes = "C2"
    for index, label in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(label) * 2 + 2)

    about = workbook.create_sheet(_("About this form")[:31])
    due = quarter_deadline(year=year, quarter=quarter)
    lines = [
        _("%(street)s quarterly return of community residents' committees, Q%(quarter)s %(year)s")
        % {"street": street.name, "quarter": quarter, "year": year},
        _("Due on: %(date)s") % {"date": formats.date_format(due, "Y年n月j日")},
        _("Fill in the white cells only; the committee codes are fixed."),
        _("Last quarter's figures:"),
    ]
    for number, line in enumerate(lines, start=1):
        about.cell(row=number, column=1, value=safe_text(line))
    about.cell(row=1, column=1).font = Font(size=14, bold=True)
    base = len(lines) + 1
    about.cell(row=base, column=1, value=str(resource.fields["committee_name"].column_name))
    for index, name in enumerate(FIGURES, start=2):
        about.cell(
            row=base, column=index, value=str(QuarterlyReturn._meta.get_field(name).verbose_name)
        )
    for offset, row in enumerate(rows, start=base + 1):
        about.cell(row=offset, column=1, value=safe_text(row.committee.name))
        for index, name in enumerate(FIGURES, start=2):
            about.cell(
                row=offset,
                column=index,
                value=getattr(row.previous, name) if row.previous else None,
            )
    about.column_dimensions["A"].width = 40

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
