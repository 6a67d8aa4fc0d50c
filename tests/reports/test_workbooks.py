"""Every registered report, written to .xlsx and opened again: what a bureau sends as it is."""

import csv
import io
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.registry import REPORTS, ColumnKind, RowLevel, get_report_class
from reports.rendering import HEADER_ROW, NUMBER_FORMATS, render_csv, render_xlsx
from scoping.rules import SYSTEM
from targets.indicators import INDICATORS

IDENTIFIERS = [r.identifier for r in REPORTS]
# The demo's district totals that the brief gives, per report and column.
BRIEF_TOTALS = {
    "establishment": {"established": 36, "operating": 34, "village": 2, "urban_households": 85100},
    "funding": {
        "staff": Decimal("2031600.00"),
        "office": Decimal("2042400.00"),
        "total": Decimal("4074000.00"),
        "district_share": Decimal("2037000.00"),
        "street_share": Decimal("2037000.00"),
        "party_city_district": Decimal("278000.00"),
        "party_street_match": Decimal("103000.00"),
    },
    "facilities": {"premises_in_use": 51, "area_in_use": Decimal("14680.00"), "operating": 34},
}
# Distinct counts, ratios (the income table's average per person), and the party-affairs funds recorded for the district as a whole:
# a total that is not the sum of the streets.
NOT_ADDITIVE = {
    "area_per_committee", "classes", "share", "trainees", "party_city_district",
    "party_street_match", "average",
    # The targets table: classes counted once for the district; the district's targets are
    # its own, not the sum of the streets'.
    "it_classes_actual",
    *(f"{i.code}_{part}" for i in INDICATORS for part in ("target", "percent")),
}  # fmt: skip


def make(identifier, **options):
    report_class = get_report_class(identifier)
    if "quarter" in report_class.parameters:
        options.setdefault("quarter", 4)
    return report_class(year=2006, **options)


def workbook(report):
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(report))).active


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_workbook_head_body_and_print_setup(demo, users, identifier):
    report = make(identifier, user=users["clerk"])
    sheet = workbook(report)
    columns = report.columns()
    # Head: title, form number and period, reporting unit and unit of measure.
    title = sheet["A1"].value
    assert title.startswith("建邺区") and "（2006年" in title
    assert str(report.verbose_name) in title
    assert "A1" in {str(r).split(":")[0] for r in sheet.merged_cells.ranges}
    assert f"表号：{report.form_number}" in sheet["A2"].value
    assert "报告期：2006年" in sheet["A2"].value
    assert "填报单位：建邺区" in sheet["A3"].value
    assert f"计量单位：{report.unit}" in sheet["A3"].value
    # Chinese headers in the frozen header row.
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header == ["单位"] + [str(c.label) for c in columns]
    assert sheet.freeze_panes == f"B{HEADER_ROW + 1}"
    # The district total first, then the streets; number formats by kind.
    assert sheet.cell(row=HEADER_ROW + 1, column=1).value == "合计"
    for index, column in enumerate(columns, start=2):
        cell = sheet.cell(row=HEADER_ROW + 1, column=index)
        if column.kind in (ColumnKind.MONEY, ColumnKind.AREA):
            assert cell.number_format == "#,##0.00", column.key
        elif column.kind == ColumnKind.INTEGER:
            assert cell.number_format == "#,##0", column.key
        else:
            assert cell.number_format == NUMBER_FORMATS.get(column.kind, "@")
        assert cell.font.bold
    # Printing: landscape A4 fitted to the width, header repeated, footer with user and date.
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert users["clerk"].username in sheet.oddFooter.left.text
    assert "2" in sheet.oddFooter.right.text  # the date and time it was made
    # Columns wide enough for their headers; the signature lines at the foot.
    assert all(sheet.column_dimensions[c].width >= 10 for c in "AB")
    everything = [c for r in sheet.iter_rows(values_only=True) for c in r if c]
    assert any(str(v).startswith("单位负责人：") and "填表人：" in str(v) for v in everything)


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_totals_are_the_sum_of_the_streets(demo, identifier):
    report = make(identifier, user=SYSTEM)
    sheet = workbook(report)
    columns = report.columns()
    rows = report.rows()
    streets = [i for i, row in enumerate(rows) if row.level == RowLevel.STREET]
    assert rows[0].level == RowLevel.TOTAL and len(streets) == 5
    for index, column in enumerate(columns, start=2):
        if column.kind == ColumnKind.TEXT or column.key in NOT_ADDITIVE:
            continue
        total = sheet.cell(row=HEADER_ROW + 1, column=index).value or 0
        parts = sum(
            (sheet.cell(row=HEADER_ROW + 1 + i, column=index).value or 0) for i in streets
        )
        assert round(total, 2) == round(parts, 2), column.key


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", sorted(BRIEF_TOTALS))
def test_workbook_totals_reproduce_the_brief(demo, identifier):
    report = make(identifier, user=SYSTEM)
    sheet = workbook(report)
    keys = [c.key for c in report.columns()]
    for key, expected in BRIEF_TOTALS[identifier].items():
        assert sheet.cell(row=HEADER_ROW + 1, column=keys.index(key) + 2).value == expected, key


@pytest.mark.django_db
def test_funding_money_keeps_two_decimals_and_thousands(demo):
    sheet = workbook(make("funding", user=SYSTEM))
    cell = sheet["B5"]
    assert cell.value == Decimal("2031600.00") and cell.number_format == "#,##0.00"


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_csv_has_the_same_rows(demo, identifier):
    report = make(identifier, user=SYSTEM)
    raw = render_csv(report)
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0] == [report.title()]
    assert lines[2][0].startswith("填报单位")
    header_at = 3
    assert lines[header_at][0] == "单位"
    labels = [line[0] for line in lines[header_at + 1 : header_at + 1 + len(report.rows())]]
    assert labels == [row.label for row in report.rows()]


@pytest.mark.django_db
def test_a_street_user_gets_their_street_only(users):
    sheet = workbook(make("funding", user=users["nanhu"]))
    text = " ".join(str(c) for r in sheet.iter_rows(values_only=True) for c in r if c)
    assert "南湖街道社区居委会经费情况表（2006年）" in text
    assert "滨湖" not in text and "兴隆" not in text


@pytest.mark.django_db
def test_formula_like_text_is_neutralised(demo):
    committee = demo["committees"]["沿河社区"]
    committee.street.name = "=HYPERLINK(1)"
    committee.street.save()
    sheet = workbook(make("establishment", user=SYSTEM))
    labels = [sheet.cell(row=r, column=1).value for r in range(5, 11)]
    assert "'=HYPERLINK(1)" in labels


@pytest.mark.django_db
def test_exportreport_with_a_scenario_name_it_does_not_know(demo, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有|Unknown"):
        call_command(
            "exportreport", "funding", "--year", "2006", "--scenario", "无此方案",
            "--output", str(tmp_path / "f.xlsx"), stdout=io.StringIO(),
        )  # fmt: skip


@pytest.mark.django_db
def test_browser_download_is_the_same_workbook(clients):
    response = clients["clerk"].get(
        reverse("reports:report-detail", args=["facilities"]), {"year": 2006, "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''"
        + quote("建邺区社区居委会办公活动用房情况表（2006年）.xlsx")
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["C5"].value == Decimal("14680.00") or sheet["C5"].value == 14680
