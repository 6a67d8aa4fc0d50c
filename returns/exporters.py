"""The grid's workbook: the paper form as an .xlsx that imports back unchanged.

Laid out as the statistical reporting system lays out a table (see the reports' renderer,
whose signature line and print setup it shares): the title (建邺区南湖街道社区居委会季度报表
（2007年第1季度）), the issuing office (``BUREAU_NAME``), the period and the deadline, the
reporting unit and the units of measure; the column headers (the Chinese names the import
expects, repeated on every printed page); one row per committee, the name down the side;
the total (合计, a formula, so it follows what is typed); the signature lines with the real
name of who downloaded it. Printed landscape on A4, one page wide.

The committee's name and code, the year and the quarter are locked (the sheet is protected:
only the figure, note and comment cells of a return that may still change can be typed in);
figures accept whole numbers only. The year and quarter columns stand right of the printed
area (the title names the period). A second sheet says how to fill it in and holds last
quarter's figures.

The import (:class:`returns.resources.QuarterlyReturnResource`) finds the header row below
the title, and leaves out the rows that are the form's (the total and the signature lines:
no committee code, year or quarter).
"""

from __future__ import annotations

import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reports.registry import issuing_office, person_name
from reports.rendering import print_setup, signature_line, text_width
from scoping.spreadsheets import safe_text, style_header

from .models import FIGURES, QuarterlyReturn, quarter_deadline
from .resources import QuarterlyReturnResource

COLUMNS = ["committee_name", "committee", *FIGURES, "note", "comment", "year", "quarter"]
PRINTED = COLUMNS.index("comment") + 1  # the year and quarter are in the title
HEADER_ROW = 4
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
TOTAL_FILL = PatternFill("solid", fgColor="E8EEF5")
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def period_label(year: int, quarter: int) -> str:
    return _("Q%(quarter)s %(year)s") % {"year": year, "quarter": quarter}


def grid_title(*, street, year: int, quarter: int) -> str:
    """建邺区南湖街道社区居委会季度报表（2007年第1季度）: the workbook's title and file name."""
    district = getattr(street, "district", None)
    return _(
        "%(district)s%(street)s quarterly return of community residents' committees (%(period)s)"
    ) % {
        "district": district.name if district is not None else "",
        "street": street.name,
        "period": period_label(year, quarter),
    }


def grid_workbook_bytes(*, street, year: int, quarter: int, rows, user) -> bytes:
    resource = QuarterlyReturnResource(user=user)
    headers = [str(resource.fields[name].column_name) for name in COLUMNS]
    title = grid_title(street=street, year=year, quarter=quarter)
    now = timezone.localtime()
    filled_in_by = person_name(user)
    due = quarter_deadline(year=year, quarter=quarter)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Quarterly return")[:31]

    # The head: title, issuing office and period, reporting unit and units.
    cell = sheet.cell(row=1, column=1, value=safe_text(title))
    cell.font = Font(size=16, bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    head = [
        "    ".join(
            (
                _("Issued by: %(office)s") % {"office": issuing_office()},
                _("Reporting period: %(period)s") % {"period": period_label(year, quarter)},
                _("Due on: %(date)s") % {"date": formats.date_format(due, "Y年n月j日")},
            )
        ),
        "    ".join(
            (
                _("Reporting unit: %(unit)s") % {"unit": street.name},
                _("Unit of measure: %(unit)s") % {"unit": _("households, people, times, cases")},
            )
        ),
    ]
    for offset, line in enumerate(head, start=2):
        sheet.cell(row=offset, column=1, value=safe_text(line)).alignment = Alignment(
            horizontal="left", vertical="center"
        )
    for number in (1, 2, 3):
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=PRINTED)

    for index, label in enumerate(headers, start=1):
        cell = style_header(sheet.cell(row=HEADER_ROW, column=index, value=label))
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
    sheet.row_dimensions[HEADER_ROW].height = 32

    first = HEADER_ROW + 1
    for offset, row in enumerate(rows, start=first):
        item = row.quarterly_return
        values = {
            "committee_name": row.committee.name,
            "committee": row.committee.code,
            "note": item.note if item else "",
            "comment": item.comment if item else "",
            "year": year,
            "quarter": quarter,
        }
        for name in FIGURES:
            values[name] = getattr(item, name) if item else None
        editable = item is None or item.is_editable
        for index, name in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=offset, column=index, value=safe_text(values[name]))
            cell.border = BORDER
            if name in FIGURES:
                cell.number_format = "#,##0"
                cell.alignment = Alignment(horizontal="right")
            if name in (*FIGURES, "note", "comment") and editable:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = LOCKED_FILL
    last = max(first + len(rows) - 1, first)

    # The total: a formula per figure, so it follows what is typed.
    total_row = last + 1
    cell = sheet.cell(row=total_row, column=1, value=_("Total"))
    cell.font = Font(bold=True)
    cell.alignment = Alignment(horizontal="center")
    for index, name in enumerate(COLUMNS[:PRINTED], start=1):
        cell = sheet.cell(row=total_row, column=index)
        cell.fill = TOTAL_FILL
        cell.border = BORDER
        if name in FIGURES:
            letter = get_column_letter(index)
            cell.value = f"=SUM({letter}{first}:{letter}{last})"
            cell.number_format = "#,##0"
            cell.font = Font(bold=True)
    # The signature lines.
    foot = total_row + 2
    cell = sheet.cell(
        row=foot,
        column=1,
        value=safe_text(signature_line(filled_in_by=filled_in_by, date=now.date())),
    )
    sheet.merge_cells(start_row=foot, start_column=1, end_row=foot, end_column=PRINTED)

    whole = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        error=_("Enter a whole number, 0 or more."),
        errorTitle=_("Quarterly return"),
        showErrorMessage=True,
    )
    sheet.add_data_validation(whole)
    first_figure = get_column_letter(COLUMNS.index(FIGURES[0]) + 1)
    last_figure = get_column_letter(COLUMNS.index(FIGURES[-1]) + 1)
    whole.add(f"{first_figure}{first}:{last_figure}{last}")
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.freeze_panes = sheet.cell(row=first, column=2)

    widths = {name: text_width(label) + 2 for name, label in zip(COLUMNS, headers, strict=True)}
    widths["committee_name"] = max(
        [text_width(row.committee.name) + 2 for row in rows] + [text_width(_("Total")) + 4, 14]
    )
    for name in FIGURES:
        widths[name] = max(widths[name], 11)
    widths["note"], widths["comment"] = 18, 24
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(widths[name], 40)
    print_setup(
        sheet,
        header_row=HEADER_ROW,
        last_column=PRINTED,
        last_row=foot,
        made_by=filled_in_by,
        made_at=now,
    )
    workbook.properties.title = title
    workbook.properties.creator = filled_in_by

    about = workbook.create_sheet(_("About this form")[:31])
    lines = [
        title,
        _("Due on: %(date)s") % {"date": formats.date_format(due, "Y年n月j日")},
        _("Fill in the white cells only; the committee codes are fixed."),
        _(
            "Figures are whole numbers. The total and the lines below the table are part of "
            "the form and are not imported."
        ),
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
    about.page_setup.fitToWidth = 1
    about.page_setup.fitToHeight = 0
    about.sheet_properties.pageSetUpPr.fitToPage = True

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
