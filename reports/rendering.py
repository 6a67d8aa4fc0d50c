"""One renderer for every report: HTML context, .xlsx workbook, CSV.

The workbook follows the statistical reporting system's layout: title, form number, issuing
office, reporting period, reporting unit and unit of measure at the head; units down the
side with the district total first; the signature lines at the foot.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from jianye.spreadsheets import safe_text

from .registry import ColumnKind, Report, RowLevel

NUMBER_FORMATS = {
    ColumnKind.INTEGER: "#,##0",
    ColumnKind.MONEY: "#,##0.00",
    ColumnKind.AREA: "#,##0.00",
    ColumnKind.DECIMAL: "#,##0.00",
    ColumnKind.PERCENT: "0.0%",
}


def head_lines(report: Report) -> list[str]:
    left = _("Form number: %(number)s") % {"number": report.form_number} if report.form_number else ""
    return [
        " ".join(
            part
            for part in (
                left,
                _("Issued by: %(office)s") % {"office": _("Civil Affairs Bureau")},
                _("Reporting period: %(period)s") % {"period": report.period_label()},
            )
            if part
        ),
        " ".join(
            (
                _("Reporting unit: %(unit)s") % {"unit": report.reporting_unit()},
                _("Unit of measure: %(unit)s") % {"unit": report.unit},
            )
        ),
    ]


def foot_line(report: Report) -> str:
    return "    ".join(
        (
            _("Head of unit:") + "　　　　",
            _("Statistics officer:") + "　　　　",
            _("Filled in by: %(name)s") % {"name": report.generated_by()},
            _("Date sent: %(date)s")
            % {"date": formats.date_format(report.generated_at.date(), "Y年n月j日")},
        )
    )


def display_value(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == ColumnKind.INTEGER:
        return formats.number_format(value, 0, force_grouping=True)
    if kind in (ColumnKind.MONEY, ColumnKind.AREA, ColumnKind.DECIMAL):
        return formats.number_format(value, 2, force_grouping=True)
    if kind == ColumnKind.PERCENT:
        return formats.number_format(Decimal(value) * 100, 1) + "%"
    return str(value)


def html_context(report: Report) -> dict:
    columns = report.columns()
    rows = report.rows()
    return {
        "report": report,
        "title": report.title(),
        "head_lines": head_lines(report),
        "foot_line": foot_line(report),
        "columns": columns,
        "rows": [
            {
                "label": row.label,
                "level": row.level,
                "cells": [display_value(row.values.get(c.key), c.kind) for c in columns],
            }
            for row in rows
        ],
        "notes": report.notes(),
    }


def render_xlsx(report: Report) -> bytes:
    columns = report.columns()
    rows = report.rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(report.verbose_name)[:31]
    width = len(columns) + 1
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    sheet.cell(row=1, column=1, value=safe_text(report.title()))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).font = Font(size=14, bold=True)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    for offset, line in enumerate(head_lines(report), start=2):
        sheet.cell(row=offset, column=1, value=safe_text(line))
        sheet.merge_cells(start_row=offset, start_column=1, end_row=offset, end_column=width)

    header_row = 4
    headers = [_("Unit")] + [str(c.label) for c in columns]
    for index, label in enumerate(headers, start=1):
        cell = sheet.cell(row=header_row, column=index, value=safe_text(label))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.border = border

    current = header_row
    for row in rows:
        current += 1
        label = row.label if row.level != RowLevel.COMMITTEE else "　" + row.label
        first = sheet.cell(row=current, column=1, value=safe_text(label))
        first.border = border
        bold = row.level in (RowLevel.TOTAL, RowLevel.STREET) and any(
            r.level == RowLevel.COMMITTEE for r in rows
        ) or row.level == RowLevel.TOTAL
        first.font = Font(bold=bold)
        for index, column in enumerate(columns, start=2):
            value = row.values.get(column.key)
            if isinstance(value, Decimal):
                value = float(value) if column.kind == ColumnKind.PERCENT else value
            cell = sheet.cell(row=current, column=index, value=safe_text(value))
            cell.number_format = NUMBER_FORMATS.get(column.kind, "General")
            cell.border = border
            cell.font = Font(bold=bold)

    foot = current + 2
    for note in report.notes():
        sheet.cell(row=foot, column=1, value=safe_text(note))
        foot += 1
    sheet.cell(row=foot, column=1, value=safe_text(foot_line(report)))

    sheet.column_dimensions["A"].width = 22
    for index, column in enumerate(columns, start=2):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(str(column.label)) * 2 + 2)
    sheet.row_dimensions[header_row].height = 32
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.left.text = safe_text(
        _("Made by %(user)s") % {"user": report.generated_by()}
    )
    sheet.oddFooter.center.text = _("Page &P of &N")
    sheet.oddFooter.right.text = formats.date_format(report.generated_at, "Y-m-d H:i")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_csv(report: Report) -> bytes:
    """CSV for Excel: UTF-8 with a byte-order mark, formulas neutralised."""
    columns = report.columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_text(report.title())])
    writer.writerow([_("Unit")] + [str(c.label) for c in columns])
    for row in report.rows():
        writer.writerow(
            [safe_text(row.label)] + [safe_text(row.values.get(c.key, "")) for c in columns]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
