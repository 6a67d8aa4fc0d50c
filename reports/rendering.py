"""One renderer for every report: HTML context, .xlsx workbook, CSV.

The workbook follows the statistical reporting system's layout: title, form number, issuing
office, reporting period, reporting unit and unit of measure at the head; units down the
side with the district total first; the signature lines at the foot.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from scoping.spreadsheets import safe_text, style_header, style_index, write_sheet

from .comparison import with_last_year
from .documents import Document
from .registry import ColumnKind, Report, Row, RowLevel

NUMBER_FORMATS = {
    ColumnKind.INTEGER: "#,##0",
    ColumnKind.MONEY: "#,##0.00",
    ColumnKind.AREA: "#,##0.00",
    ColumnKind.DECIMAL: "#,##0.00",
    ColumnKind.PERCENT: "0.0%",
    ColumnKind.POINTS: "0.0",
}


def head_lines(report: Report) -> list[str]:
    left = (
        _("Form number: %(number)s") % {"number": report.form_number} if report.form_number else ""
    )
    return [
        " ".join(
            part
            for part in (
                left,
                _("Issued by: %(office)s") % {"office": report.issuing_office()},
                _("Reporting period: %(period)s") % {"period": report.period_label()},
                report.coverage(),
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


def signature_line(*, filled_in_by: str, date) -> str:
    """The foot of a statistical table: the head of unit and the statistics officer (blank,
    to sign on paper), who filled it in and the date it was sent."""
    return "    ".join(
        (
            _("Head of unit:") + "　　　　",
            _("Statistics officer:") + "　　　　",
            _("Filled in by: %(name)s") % {"name": filled_in_by},
            _("Date sent: %(date)s") % {"date": formats.date_format(date, "Y年n月j日")},
        )
    )


def foot_line(report: Report) -> str:
    return signature_line(filled_in_by=report.generated_by(), date=report.generated_at.date())


def display_value(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == ColumnKind.INTEGER:
        return formats.number_format(value, 0, force_grouping=True)
    if kind in (ColumnKind.MONEY, ColumnKind.AREA, ColumnKind.DECIMAL):
        return formats.number_format(value, 2, force_grouping=True)
    if kind == ColumnKind.PERCENT:
        return formats.number_format(value, 1) + "%"  # already per cent, rounded once
    if kind == ColumnKind.POINTS:
        return formats.number_format(value, 1)
    return str(value)


def page_rows(report: Report, *, level: str = RowLevel.COMMITTEE, district=None) -> list[Row]:
    """The rows a page shows at ``level`` (``reports.levels``): the full table at committee
    level; otherwise the total and one row per street or district, from the report's
    (cached) summary, or, narrowed to ``district``, its total and its streets."""
    if level == RowLevel.COMMITTEE:
        return report.rows()
    summary = report.cached_summary()
    if district is not None:
        found = summary.district_row(district.pk)
        values = found.values if found is not None else report.combine([])
        total = Row(label=_("Total"), values=values, level=RowLevel.TOTAL)
        return [total, *summary.streets_of(district.pk)]
    if level == RowLevel.DISTRICT:
        return [summary.total, *summary.districts]
    return [summary.total, *summary.streets]


def html_context(
    report: Report, *, level: str = RowLevel.COMMITTEE, district=None, link=None
) -> dict:
    """What the report page shows. ``link(row)`` gives the address a summary row leads to."""
    report = with_last_year(report)
    columns = report.columns()
    rows = page_rows(report, level=level, district=district)
    return {
        "report": report,
        "title": report.title(),
        "head_lines": head_lines(report),
        "foot_line": foot_line(report),
        "columns": columns,
        "level": level,
        "rows": [
            {
                "label": row.label,
                "level": row.level,
                "url": link(row) if link is not None and level != RowLevel.COMMITTEE else None,
                "cells": [display_value(row.values.get(c.key), c.kind) for c in columns],
            }
            for row in rows
        ],
        "notes": report.notes(),
        # The previous summary, shown while the task worker computes the new one: since when.
        "updating_since": getattr(report, "summary_updating_since", None),
    }


HEADER_ROW = 4  # title, then the two head lines, then the column headers
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def text_width(value) -> int:
    """How many character widths a value takes in a cell (CJK characters count double)."""
    text = value if isinstance(value, str) else str(value or "")
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def cell_value(value, kind: str):
    """What a cell holds: numbers as numbers (Decimal kept exact), text made formula-safe."""
    if value is None or value == "":
        return None
    if kind == ColumnKind.PERCENT:
        return float(Decimal(value) / 100)  # per cent in the report; a share in the cell
    if isinstance(value, str):
        return safe_text(str(value))
    return value


NUMBERS = (int, float, Decimal)


def column_width(values: list, kind: str) -> int:
    """The widest a column's values show (:func:`display_value`, in character widths). For
    numbers only the largest and the smallest are formatted: a number shown with more digits
    or a sign is never narrower."""
    present = [value for value in values if value is not None and value != ""]
    if not present:
        return 0
    if kind != ColumnKind.TEXT and all(
        isinstance(value, NUMBERS) and not isinstance(value, bool) for value in present
    ):
        present = [max(present), min(present)]
    return max(text_width(display_value(value, kind)) for value in present)


def row_style(sheet, row_level: str, nested: bool, columns) -> tuple[int, ...]:
    """The cell formats of a row of ``row_level``, one per column (the unit first): bold for
    the total (and the streets above their committees), the total shaded and centred,
    committees indented; borders; numbers right-aligned in their format, text wrapped.
    Made once per kind of row (:func:`scoping.spreadsheets.style_index`), not per cell."""
    from openpyxl.cell import WriteOnlyCell

    bold = row_level == RowLevel.TOTAL or (nested and row_level == RowLevel.STREET)
    fill = TOTAL_FILL if row_level == RowLevel.TOTAL else None
    first = WriteOnlyCell(sheet)
    first.border = BORDER
    first.font = Font(bold=bold)
    first.alignment = Alignment(
        horizontal="center" if row_level == RowLevel.TOTAL else "left",
        indent=2 if row_level == RowLevel.COMMITTEE else 0,
        vertical="center",
    )
    cells = [first]
    for column in columns:
        cell = WriteOnlyCell(sheet)
        cell.number_format = NUMBER_FORMATS.get(column.kind, "@")
        cell.border = BORDER
        cell.font = Font(bold=bold)
        if column.kind == ColumnKind.TEXT:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        else:
            cell.alignment = Alignment(horizontal="right", vertical="center")
        cells.append(cell)
    if fill is not None:
        for cell in cells:
            cell.fill = fill
    return tuple(style_index(cell) for cell in cells)


def render_xlsx(report: Report) -> bytes:
    """The report as a workbook a bureau sends as it is.

    Row 1 the title (e.g. 建邺区社区居委会建制情况表（2006年）); row 2 the form number, the
    issuing office and the period; row 3 the reporting unit and the unit of measure; row 4
    the column headers (frozen, repeated on every printed page); then the district total,
    street subtotals and committees; then the notes and the signature lines. Numbers keep
    their type with thousands separators (two decimals for money and area); printed
    landscape on A4, fitted to the page width, with the user and the date in the footer.

    openpyxl writes the package: the head, the notes and the foot, the column widths, the
    print setup and one cell format per kind of row and column; the rows of the table are
    streamed into the sheet by the fast sheet writer (:func:`scoping.spreadsheets.write_sheet`,
    the register exports' writer), each cell with its row's format for its column.
    """
    report = with_last_year(report)
    columns = report.columns()
    rows = report.rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = safe_text(str(report.verbose_name)[:31])
    width = len(columns) + 1
    nested = any(row.level == RowLevel.COMMITTEE for row in rows)

    title = sheet.cell(row=1, column=1, value=safe_text(report.title()))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    title.font = Font(size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    for offset, line in enumerate(head_lines(report), start=2):
        cell = sheet.cell(row=offset, column=1, value=safe_text(line))
        sheet.merge_cells(start_row=offset, start_column=1, end_row=offset, end_column=width)
        cell.alignment = Alignment(horizontal="left", vertical="center")

    headers = [_("Unit")] + [str(c.label) for c in columns]
    for index, label in enumerate(headers, start=1):
        cell = style_header(sheet.cell(row=HEADER_ROW, column=index, value=safe_text(label)))
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
    sheet.row_dimensions[HEADER_ROW].height = 45

    # The table's cells, column by column: the values written and the widths they need.
    styles = {}
    levels = []
    labels = []
    for row in rows:
        if row.level not in styles:
            styles[row.level] = row_style(sheet, row.level, nested, columns)
        levels.append(styles[row.level])
        labels.append(safe_text(str(row.label)))
    widths = [text_width(_("Unit")) + 2] + [0] * len(columns)
    for row in rows:
        extra = 4 if row.level == RowLevel.COMMITTEE else 2
        widths[0] = max(widths[0], text_width(row.label) + extra)
    table = [labels]
    for index, column in enumerate(columns, start=1):
        key, kind = column.key, column.kind
        values = [row.values.get(key) for row in rows]
        if values:
            widths[index] = column_width(values, kind) + 4
        table.append([cell_value(value, kind) for value in values])

    foot = HEADER_ROW + len(rows) + 2
    for note in report.notes():
        cell = sheet.cell(row=foot, column=1, value=safe_text(note))
        sheet.merge_cells(start_row=foot, start_column=1, end_row=foot, end_column=width)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[foot].height = 15 * max(1, -(-text_width(note) // (12 * width)))
        foot += 1
    sheet.cell(row=foot + 1, column=1, value=safe_text(foot_line(report)))

    for index, column in enumerate(columns, start=2):
        # Headers wrap over up to three lines; numbers never wrap.
        header = -(-text_width(column.label) // 3) + 2
        cap = 40 if column.kind == ColumnKind.TEXT else 22
        widths[index - 1] = min(cap, max(10, header, widths[index - 1]))
    widths[0] = min(40, max(12, widths[0]))
    for index, value in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = value

    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=2)
    print_setup(
        sheet,
        header_row=HEADER_ROW,
        last_column=width,
        last_row=foot + 1,
        made_by=report.generated_by(),
        made_at=report.generated_at,
    )
    workbook.properties.title = report.title()
    workbook.properties.creator = report.generated_by()

    package = io.BytesIO()
    workbook.save(package)
    buffer = io.BytesIO()
    write_sheet(
        package.getvalue(),
        buffer,
        zip(zip(*table, strict=True), levels, strict=True),
        width=width,
        first=HEADER_ROW + 1,
        styled=True,
    )
    return buffer.getvalue()


def print_setup(sheet, *, header_row: int, last_column: int, last_row: int, made_by, made_at):
    """How a table prints: landscape on A4, one page wide (as many pages long as needed),
    the header row repeated on every page, centred, with who made it, the page number and
    the time in the footer. The print area is the table from its title to its foot."""
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_area = f"A1:{get_column_letter(last_column)}{last_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.left.text = safe_text(_("Made by %(user)s") % {"user": made_by})
    sheet.oddFooter.center.text = _("Page &P of &N")
    sheet.oddFooter.right.text = formats.date_format(made_at, "Y-m-d H:i")


def render_csv(report: Report) -> bytes:
    """CSV for Excel from the same rows: UTF-8 with a byte-order mark, formulas neutralised.

    The title and the head lines (period, unit of measure) first, then the header and the
    rows with plain numbers (no separators, so that the file reads back as numbers).
    """
    report = with_last_year(report)
    columns = report.columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_text(report.title())])
    for line in head_lines(report):
        writer.writerow([safe_text(line)])
    writer.writerow([_("Unit")] + [safe_text(str(c.label)) for c in columns])
    for row in report.rows():
        writer.writerow(
            [safe_text(row.label)] + [safe_text(row.values.get(c.key, "")) for c in columns]
        )
    for note in report.notes():
        writer.writerow([safe_text(note)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# Word documents (reports.documents) ------------------------------------------------------------------------------
BODY_FONT = "宋体"
HEADING_FONT = "黑体"


def _font(run, name: str, size: float, bold: bool = False):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def render_docx(situation: Document) -> bytes:
    """A document (the basic situation) as a .docx: title, headings, paragraphs and tables."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.5)
    document.core_properties.title = situation.title
    document.core_properties.author = situation.generated_by

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(situation.title), HEADING_FONT, 16, bold=True)
    for whole in situation.all_parts():
        _font(document.add_paragraph().add_run(whole.heading), HEADING_FONT, 14, bold=True)
        _sections_docx(document, whole.sections)
    return _docx_bytes(document, situation)


def _sections_docx(document, sections) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    for part in sections:
        _font(document.add_paragraph().add_run(part.heading), HEADING_FONT, 12, bold=True)
        for text in part.paragraphs:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(24)
            paragraph.paragraph_format.line_spacing = 1.5
            _font(paragraph.add_run(text), BODY_FONT, 12)
        for table in part.tables:
            caption = document.add_paragraph()
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(caption.add_run(table.caption), HEADING_FONT, 11, bold=True)
            unit = document.add_paragraph()
            unit.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(unit.add_run(table.unit), BODY_FONT, 9)
            grid = document.add_table(rows=1 + len(table.rows), cols=len(table.headers))
            grid.style = "Table Grid"
            grid.alignment = WD_TABLE_ALIGNMENT.CENTER
            for index, header in enumerate(table.headers):
                cell = grid.rows[0].cells[index]
                cell.text = ""
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                _font(cell.paragraphs[0].add_run(header), HEADING_FONT, 9, bold=True)
            for number, (cells, level) in enumerate(
                zip(table.rows, table.levels, strict=True), start=1
            ):
                for index, value in enumerate(cells):
                    cell = grid.rows[number].cells[index]
                    cell.text = ""
                    paragraph = cell.paragraphs[0]
                    paragraph.alignment = (
                        WD_ALIGN_PARAGRAPH.LEFT if index == 0 else WD_ALIGN_PARAGRAPH.RIGHT
                    )
                    _font(paragraph.add_run(value), BODY_FONT, 9, bold=level == RowLevel.TOTAL)
            document.add_paragraph()


def _docx_bytes(document, situation) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    footer = document.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(
        footer.add_run(
            _("Made by %(user)s on %(date)s")
            % {
                "user": situation.generated_by,
                "date": formats.date_format(situation.generated_at, "Y-m-d H:i"),
            }
        ),
        BODY_FONT,
        9,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
