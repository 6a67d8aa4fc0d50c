"""The report workbooks streamed by the fast sheet writer (issue 17) are the workbooks the
cell-by-cell renderer made: every cell's value and look, the merged head and notes, the column
widths, the row heights, the frozen header and the print setup."""

import io

import openpyxl
import pytest

from bench.reports import render_xlsx_cell_by_cell
from reports.registry import REPORTS, get_report_class
from reports.rendering import HEADER_ROW, render_xlsx
from scoping.spreadsheets import write_sheet

from .conftest import add_rows

IDENTIFIERS = [r.identifier for r in REPORTS]


def make(identifier, **options):
    report_class = get_report_class(identifier)
    if "quarter" in report_class.parameters:
        options.setdefault("quarter", 4)
    return report_class(year=2006, **options)


def look(cell):
    return (
        cell.value,
        cell.number_format,
        cell.font.bold,
        cell.font.size,
        cell.fill.fill_type,
        cell.fill.fgColor.rgb if cell.fill.fill_type else None,
        tuple(getattr(cell.border, side).style for side in ("left", "right", "top", "bottom")),
        cell.alignment.horizontal,
        cell.alignment.vertical,
        cell.alignment.wrap_text,
        cell.alignment.indent,
    )


def sheet_of(body):
    return openpyxl.load_workbook(io.BytesIO(body)).active


def assert_same(new, old):
    assert new.max_row == old.max_row and new.max_column == old.max_column
    for new_row, old_row in zip(new.iter_rows(), old.iter_rows(), strict=True):
        for new_cell, old_cell in zip(new_row, old_row, strict=True):
            assert look(new_cell) == look(old_cell), new_cell.coordinate
    assert sorted(map(str, new.merged_cells.ranges)) == sorted(map(str, old.merged_cells.ranges))
    for letter, dimension in old.column_dimensions.items():
        assert new.column_dimensions[letter].width == dimension.width, letter
    heights = {n: d.height for n, d in old.row_dimensions.items() if d.height}
    assert {n: d.height for n, d in new.row_dimensions.items() if d.height} == heights
    assert new.freeze_panes == old.freeze_panes == f"B{HEADER_ROW + 1}"
    assert new.print_area == old.print_area and new.print_title_rows == old.print_title_rows
    assert new.page_setup.orientation == old.page_setup.orientation == "landscape"
    assert new.page_setup.paperSize == old.page_setup.paperSize
    assert new.page_setup.fitToWidth == old.page_setup.fitToWidth == 1
    assert new.oddFooter.left.text == old.oddFooter.left.text
    assert new.oddFooter.center.text == old.oddFooter.center.text
    assert new.title == old.title


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_the_streamed_workbook_is_the_cell_by_cell_one(demo, users, identifier):
    add_rows(demo, count=5)
    for compare in (False, True):
        # A report object is rendered once (as a download is): see the report for why.
        new = sheet_of(render_xlsx(make(identifier, user=users["clerk"], compare=compare)))
        old = sheet_of(
            render_xlsx_cell_by_cell(make(identifier, user=users["clerk"], compare=compare))
        )
        assert any(c.value == "合计" for c in new["A"])
        assert_same(new, old)


@pytest.mark.django_db
def test_a_street_users_workbook_is_the_cell_by_cell_one(demo, users):
    new = sheet_of(render_xlsx(make("staffing", user=users["nanhu"])))
    assert_same(new, sheet_of(render_xlsx_cell_by_cell(make("staffing", user=users["nanhu"]))))


def test_styled_rows_keep_empty_cells_and_the_rows_after_them():
    """An empty styled cell is written (its border and shading show); the package's rows
    after the data (a report's notes and signature) stay after it, renumbered by nobody."""
    from openpyxl.styles import Border, Font, Side

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "标题"
    sheet["A5"] = "注"
    cell = openpyxl.cell.WriteOnlyCell(sheet)
    cell.font = Font(bold=True)
    cell.border = Border(left=Side(style="thin"))
    styled = cell.style_id
    package = io.BytesIO()
    book.save(package)
    out = io.BytesIO()
    rows = [(("合计", None, 3), (styled, styled, 0)), (("=1", 2.5, None), (0, 0, 0))]
    assert write_sheet(package.getvalue(), out, rows, width=3, first=2, styled=True) == 2
    result = sheet_of(out.getvalue())
    assert [c.value for c in result[2]] == ["合计", None, 3]
    assert result["B2"].font.bold and result["B2"].border.left.style == "thin"
    assert not result["C2"].font.bold
    assert [c.value for c in result[3]] == ["=1", 2.5, None]
    assert result["A1"].value == "标题" and result["A5"].value == "注"
