"""The households budgets use, and the quarterly report workbook."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import Sum

from communities.models import Committee, CommitteeKind
from returns.models import QuarterlyReturn, ReturnStatus
from returns.selectors import approved_households_expression
from returns.workflow import return_reopen

pytestmark = pytest.mark.django_db


def used(year, name):
    return (
        Committee.objects.filter(name=name)
        .annotate(used=approved_households_expression(year=year))
        .get()
        .used
    )


def test_latest_approved_return_gives_the_households(demo, users):
    committee = demo["committees"]["沿河社区"]
    q4 = QuarterlyReturn.objects.get(committee=committee, year=2006, quarter=4)
    q3 = QuarterlyReturn.objects.get(committee=committee, year=2006, quarter=3)
    QuarterlyReturn.objects.filter(pk=q4.pk).update(households=2001)
    assert used(2006, "沿河社区") == 2001
    # Reopened: no longer approved, so the third quarter's figure applies.
    return_reopen(returns=[q4], user=users["admin"], reason="核实")
    assert used(2006, "沿河社区") == q3.households != 2001
    # No approved return in 2007 (only a returned one): the register's figure.
    Committee.objects.filter(pk=committee.pk).update(households=1999)
    assert used(2007, "沿河社区") == 1999


def test_demo_2006_approved_households_are_the_brief(demo):
    total = (
        Committee.objects.filter(kind=CommitteeKind.URBAN)
        .established_in(2006)
        .annotate(used=approved_households_expression(year=2006))
        .aggregate(total=Sum("used"))["total"]
    )
    assert total == 85_100
    assert QuarterlyReturn.objects.filter(year=2006, status=ReturnStatus.APPROVED).count() == 38 * 4


def test_exportreport_quarterly_workbook(demo, tmp_path):
    path = tmp_path / "quarterly.xlsx"
    call_command(
        "exportreport",
        "quarterly",
        "--year",
        "2006",
        "--quarter",
        "4",
        "--output",
        str(path),
        stdout=io.StringIO(),
    )
    sheet = openpyxl.load_workbook(path).active
    cells = list(sheet.iter_rows(values_only=True))
    assert "社区居委会季度统计表" in cells[0][0] and "2006年第4季度" in cells[0][0]
    assert "表号：建民社5表" in cells[1][0]
    header = cells[3]
    assert header[:4] == ("单位", "应报社区数", "已审核报表数", "户数")
    total = cells[4]
    assert total[0] == "合计" and total[1] == 38 and total[2] == 38
    assert total[3] == 85_100 + 1460 + 1215  # urban + the two village committees
    nanhu = next(row for row in cells if row[0] == "南湖街道")
    assert nanhu[1] == 9 and nanhu[3] == sum(
        c.households for c in demo["committees"].values() if c.street.short_name == "南湖"
    )
    # Committees under their street (indented by the renderer, however it indents).
    assert any((row[0] or "").strip("\u3000 ") == "沿河社区" for row in cells)


def test_quarterly_report_as_street_user_counts_own_street(demo, users, tmp_path):
    path = tmp_path / "q.xlsx"
    call_command(
        "exportreport",
        "quarterly",
        "--year",
        "2006",
        "--quarter",
        "4",
        "--output",
        str(path),
        "--user",
        users["nanhu"].username,
        stdout=io.StringIO(),
    )
    cells = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert cells[4][1] == 9
    assert not any(row[0] == "滨湖街道" for row in cells)
