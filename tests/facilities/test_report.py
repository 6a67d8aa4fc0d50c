"""The facilities table reproduces the brief (51 premises, 14,680 m², about 432 m²)."""

from decimal import Decimal

import pytest

from reports.registry import get_report_class
from scoping.rules import SYSTEM


def rows_by_label(report):
    return {row.label: row for row in report.rows()}


@pytest.mark.django_db
def test_facilities_reproduces_the_brief(demo):
    report = get_report_class("facilities")(year=2006, user=SYSTEM)
    rows = report.rows()
    total = rows[0]
    assert total.level == "total"
    assert total.values["premises_in_use"] == 51
    assert total.values["area_in_use"] == Decimal("14680.00")
    assert total.values["operating"] == 34
    assert total.values["area_per_committee"] == Decimal("431.76")
    assert round(total.values["area_per_committee"]) == 432
    assert total.values["under_standard"] == 9
    assert total.values["planned"] == 2
    assert total.values["never_built"] == 2
    assert total.values["diverted"] == 2


@pytest.mark.django_db
def test_streets_then_their_committees(demo):
    rows = get_report_class("facilities")(year=2006, user=SYSTEM).rows()
    levels = [row.level for row in rows]
    assert levels.count("street") == 5
    assert levels.count("committee") == 36
    by_label = {row.label: row for row in rows}
    xinglong = by_label["兴隆街道"].values
    assert xinglong["operating"] == 6
    street_rows = [row for row in rows if row.level == "street"]
    assert sum(row.values["premises_in_use"] for row in street_rows) == 51
    assert sum(row.values["area_in_use"] for row in street_rows) == Decimal("14680.00")
    sharing = [row for row in rows if "兴隆社区" in row.label and row.label != "兴隆社区"]
    assert sharing and sharing[0].values["premises_in_use"] == 0
    assert sharing[0].values["shortfall"] == 0
