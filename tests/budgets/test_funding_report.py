"""The funding table reproduces the brief from the demo data, through the report and the command."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from budgets.models import Scenario, ScenarioPayChange
from reports.registry import ReportError, get_report_class
from scoping.rules import SYSTEM
from staffing.models import Position


def funding(**kwargs):
    report = get_report_class("funding")(year=2006, **kwargs)
    return report, report.rows()


@pytest.mark.django_db
def test_funding_report_reproduces_the_brief(demo):
    report, rows = funding(user=SYSTEM)
    total = rows[0]
    assert total.level == "total"
    assert total.values["staff"] == Decimal("2031600.00")
    assert total.values["office"] == Decimal("2042400.00")
    assert total.values["total"] == Decimal("4074000.00")
    assert total.values["district_share"] == Decimal("2037000.00")
    assert total.values["street_share"] == Decimal("2037000.00")
    assert total.values["party_city_district"] == Decimal("278000.00")
    assert total.values["party_street_match"] == Decimal("103000.00")
    streets = [row for row in rows if row.level == "street"]
    assert [row.label for row in streets] == [
        "南湖街道",
        "滨湖街道",
        "南苑街道",
        "兴隆街道",
        "双闸街道",
    ]
    # The street rows add up to the district row.
    for key in ("staff", "office", "total", "district_share", "street_share"):
        assert sum(row.values[key] for row in streets) == total.values[key]
    committees = [row for row in rows if row.level == "committee"]
    assert len(committees) == 38  # 36 urban + 2 village committees (no office funds)
    assert all(isinstance(row.values["total"], Decimal) for row in committees)


@pytest.mark.django_db
def test_exportreport_writes_the_funding_workbook(demo, tmp_path):
    target = tmp_path / "funding.xlsx"
    call_command(
        "exportreport", "funding", "--year", "2006", "--output", str(target), stdout=io.StringIO()
    )
    sheet = openpyxl.load_workbook(target).active
    assert "2006" in sheet["A1"].value
    header = [cell.value for cell in sheet[4]]
    total = dict(zip(header, [cell.value for cell in sheet[5]], strict=True))
    assert total[header[1]] == 2031600
    assert total[header[2]] == 2042400
    assert total[header[3]] == 4074000
    assert total[header[4]] == total[header[5]] == 2037000
    assert total[header[6]] == 278000
    assert total[header[7]] == 103000
    assert sheet["B5"].number_format == "#,##0.00"


@pytest.mark.django_db
def test_exportreport_with_a_scenario(demo, tmp_path):
    scenario = Scenario.objects.create(name="社工800")
    ScenarioPayChange.objects.create(
        scenario=scenario,
        position=Position.objects.get(code="social-worker"),
        monthly_amount=Decimal("800"),
        effective_from="2006-01-01",
    )
    target = tmp_path / "funding-scenario.xlsx"
    call_command(
        "exportreport", "funding", "--year", "2006", "--scenario", "社工800",
        "--output", str(target), stdout=io.StringIO(),
    )  # fmt: skip
    sheet = openpyxl.load_workbook(target).active
    assert "社工800" in sheet["A1"].value
    base_staff = funding(user=SYSTEM)[1][0].values["staff"]
    # 152 social workers (the party-affairs workers are paid as social workers) get 50 more
    # for 12 months.
    assert sheet["B5"].value == base_staff + 152 * 50 * 12


@pytest.mark.django_db
def test_unknown_scenario_is_a_command_error(demo, tmp_path):
    with pytest.raises(CommandError, match="没有这个"):
        call_command(
            "exportreport", "funding", "--year", "2006", "--scenario", "没有这个",
            "--output", str(tmp_path / "x.xlsx"), stdout=io.StringIO(),
        )  # fmt: skip
    with pytest.raises(ReportError):
        get_report_class("funding")(year=2006, user=SYSTEM, scenario="没有这个")


@pytest.mark.django_db
def test_street_user_sees_only_their_street(users):
    report, rows = funding(user=users["nanhu"])
    assert [row.label for row in rows if row.level == "street"] == ["南湖街道"]
    committees = [row for row in rows if row.level == "committee"]
    assert len(committees) == 9
    assert rows[0].values["total"] == sum(row.values["total"] for row in committees)
    # District-wide party-affairs allocations are not the street's.
    assert rows[0].values["party_city_district"] == 0


@pytest.mark.django_db
def test_funding_page_queries_do_not_grow_with_rows(clients, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = clients["clerk"].get("/reports/funding/", {"year": 2006})
    assert response.status_code == 200
    assert "2,031,600.00" in response.content.decode()  # grouped by thousands
    with django_assert_max_num_queries(20):
        response = clients["nanhu"].get("/reports/funding/", {"year": 2006})
    assert "滨湖街道" not in response.content.decode()


def test_a_page_of_the_cached_summary_does_not_compute_the_budget(clients, settings, monkeypatch):
    """By street (a scope too big for every committee), the page reads the cached summary:
    its columns and notes ask whether the year is approved, never compute the budget."""
    import budgets.reports

    settings.REPORT_DETAIL_LIMIT = 5
    client = clients["clerk"]
    assert client.get("/reports/funding/", {"year": 2006}).status_code == 200  # cached
    computed = []
    real = budgets.reports.budget_compute
    monkeypatch.setattr(
        budgets.reports, "budget_compute", lambda **kw: computed.append(kw) or real(**kw)
    )
    response = client.get("/reports/funding/", {"year": 2006})
    assert response.status_code == 200 and response.context["level"] == "street"
    assert computed == []
