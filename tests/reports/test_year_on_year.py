"""Last year beside this year (reports.comparison): 上年同期, 增减 and 增减% columns in every
report table, computed by running the same report for the year before."""

import datetime
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook

from communities.models import Committee
from facilities.models import Premises
from reports.comparison import with_last_year
from reports.registry import ColumnKind, get_report_class
from reports.rendering import display_value


def by_label(rows):
    return {row.label: row.values for row in rows}


def per_cent(this, last):
    if not last:
        return None
    return (Decimal(100) * (Decimal(this) - Decimal(last)) / abs(Decimal(last))).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def new_committee(demo, name="新设社区", households=2400, area="300.00"):
    committee = Committee.objects.create(
        code="NEW2006",
        name=name,
        street=demo["streets"]["南湖"],
        households=households,
        population=7000,
        established_on=datetime.date(2006, 3, 1),
    )
    Premises.objects.create(committee=committee, name=f"{name}用房", area=Decimal(area))
    return committee


@pytest.mark.django_db
def test_establishment_last_year_comes_from_last_year_s_table(users, demo):
    clerk = users["clerk"]
    report_class = get_report_class("establishment")
    this = by_label(report_class(user=clerk, year=2006).rows())
    last = by_label(report_class(user=clerk, year=2005).rows())
    compared = with_last_year(report_class(user=clerk, year=2006, compare=True))
    keys = [c.key for c in compared.columns()]
    assert keys[:4] == [
        "established",
        "established__last",
        "established__change",
        "established__change_percent",
    ]
    rows = by_label(compared.rows())
    for label, values in rows.items():
        for key in ("established", "urban_households"):
            assert values[f"{key}__last"] == last[label][key]
            assert values[f"{key}__change"] == this[label][key] - last[label][key]
            assert values[f"{key}__change_percent"] == per_cent(this[label][key], last[label][key])
    # Change the data: one more committee this year changes this year's figures, not last's.
    new_committee(demo)
    rows = by_label(with_last_year(report_class(user=clerk, year=2006, compare=True)).rows())
    assert rows["南湖街道"]["established__last"] == last["南湖街道"]["established"]
    assert rows["南湖街道"]["established__change"] == (
        this["南湖街道"]["established"] + 1 - last["南湖街道"]["established"]
    )
    assert rows["合计"]["urban_households__change"] == (
        this["合计"]["urban_households"] + 2400 - last["合计"]["urban_households"]
    )


@pytest.mark.django_db
def test_facilities_committee_missing_last_year_is_blank_not_zero(users, demo):
    clerk = users["clerk"]
    new_committee(demo)
    report_class = get_report_class("facilities")
    last = {
        row.extra.get("committee_id"): row.values
        for row in report_class(user=clerk, year=2005).rows()
        if row.extra.get("committee_id")
    }
    compared = with_last_year(report_class(user=clerk, year=2006, compare=True))
    columns = {c.key: c for c in compared.columns()}
    assert "area_in_use__last" in columns and "shortfall__change_percent" in columns
    rows = compared.rows()
    new = next(row for row in rows if row.label == "新设社区")
    assert new.values["area_in_use"] == Decimal("300.00")
    assert new.values["area_in_use__last"] is None
    assert new.values["area_in_use__change"] is None
    assert new.values["area_in_use__change_percent"] is None
    old = [row for row in rows if row.extra.get("committee_id") in last]
    assert old, "committees of both years"
    for row in old:
        before = last[row.extra["committee_id"]]
        assert row.values["area_in_use__last"] == before["area_in_use"]
        assert (
            row.values["area_in_use__change"] == row.values["area_in_use"] - before["area_in_use"]
        )
    # The page shows those cells empty, not 0.
    page_cells = dict(
        zip(
            [c.key for c in compared.columns()],
            [display_value(new.values.get(k), c.kind) for k, c in columns.items()],
            strict=True,
        )
    )
    assert page_cells["area_in_use__last"] == "" and page_cells["premises_in_use__last"] == ""


@pytest.mark.django_db
def test_a_percentage_column_gets_last_year_and_the_change_in_points(users):
    from facilities.models import Compliance

    # Last year: the same checklist, every other item met.
    Compliance.objects.bulk_create(
        Compliance(committee_id=c.committee_id, item_id=c.item_id, year=2005, met=index % 2 == 0)
        for index, c in enumerate(Compliance.objects.filter(year=2006).order_by("pk"))
    )
    report_class = get_report_class("function-standard")
    compared = with_last_year(report_class(user=users["clerk"], year=2006, compare=True))
    columns = {c.key: c for c in compared.columns()}
    assert columns["share__change"].kind == ColumnKind.POINTS
    assert "share__change_percent" not in columns
    assert "missing__last" not in columns  # text is left as it is
    this = report_class(user=users["clerk"], year=2006).rows()[0].values
    last = report_class(user=users["clerk"], year=2005).rows()[0].values
    total = compared.rows()[0].values
    assert last["share"] is not None and last["share"] != this["share"]
    assert total["share__last"] == last["share"]
    assert total["share__change"] == this["share"] - last["share"]
    assert display_value(total["share__change"], ColumnKind.POINTS) == str(
        this["share"] - last["share"]
    )


def page_table(response):
    keys = [c.key for c in response.context["columns"]]
    return {
        row["label"]: dict(zip(keys, row["cells"], strict=True)) for row in response.context["rows"]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", ["establishment", "facilities", "funding"])
def test_page_and_workbook_agree(clients, demo, identifier):
    new_committee(demo)
    query = {"year": 2006, "compare": "on"}
    page = clients["clerk"].get(f"/reports/{identifier}/", query)
    assert page.status_code == 200
    body = page.content.decode()
    assert "与上年同期比较" in body and "（上年同期）" in body and "增减%" in body
    cells = page_table(page)
    columns = page.context["columns"]
    workbook = clients["clerk"].get(f"/reports/{identifier}/", {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    headers = [c.value for c in sheet[4]]
    assert headers[1:] == [str(c.label) for c in columns]
    checked = 0
    for line in sheet.iter_rows(min_row=5, values_only=True):
        label = line[0]
        if label not in cells:
            continue
        for column, value in zip(columns, line[1:], strict=True):
            shown = cells[label][column.key]
            if column.kind == ColumnKind.PERCENT:
                value = None if value is None else Decimal(str(round(value * 100, 1)))
            elif column.kind == ColumnKind.TEXT:
                continue
            assert display_value(value, column.kind) == shown, (label, column.key)
            checked += 1
    assert checked > 20


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    [
        "/reports/establishment/?year=2006&compare=on",
        "/reports/facilities/?year=2006&compare=on",
        "/reports/staffing/?year=2006&compare=on",
        "/reports/quarterly/?year=2006&quarter=4&compare=on",
        "/reports/targets/?year=2006&compare=on",
        "/reports/facilities/?year=2006&compare=on&format=xlsx",
    ],
)
def test_year_on_year_query_count_does_not_grow(
    clients, more_rows, page, django_assert_max_num_queries
):
    client = clients["clerk"]
    with django_assert_max_num_queries(200) as small:
        assert client.get(page).status_code == 200
    baseline = len(small.captured_queries)
    more_rows(40)
    with django_assert_max_num_queries(baseline):
        assert client.get(page).status_code == 200


@pytest.mark.django_db
def test_the_comparison_keeps_the_quarter_and_the_as_of_day(users):
    quarterly = get_report_class("quarterly")(
        user=users["clerk"], year=2006, quarter=2, compare=True
    )
    assert (quarterly.last_year().year, quarterly.last_year().quarter) == (2005, 2)
    targets = get_report_class("targets")(
        user=users["clerk"], year=2006, as_of=datetime.date(2006, 6, 30), compare=True
    )
    assert targets.last_year().as_of == datetime.date(2005, 6, 30)
    assert not targets.last_year().compare
