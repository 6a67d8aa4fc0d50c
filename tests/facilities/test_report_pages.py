"""The facilities report as a page, a workbook and per user scope."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facilities.models import Premises, PremisesStatus
from reports.registry import get_report_class
from scoping.rules import SYSTEM

URL = "/reports/facilities/?year=2006"


@pytest.mark.django_db
def test_report_page_shows_the_figures(clients):
    response = clients["clerk"].get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "14680.00" in content or "14,680.00" in content
    assert "431.76" in content


@pytest.mark.django_db
def test_report_page_query_count_does_not_grow(clients, demo, django_assert_max_num_queries):
    clients["clerk"].get(URL)
    with CaptureQueriesContext(connection) as baseline:
        assert clients["clerk"].get(URL).status_code == 200
    committees = list(demo["committees"].values())
    Premises.objects.bulk_create(
        Premises(
            committee=committees[i % len(committees)],
            name=f"测试用房{i}",
            area=Decimal("10"),
            status=PremisesStatus.IN_USE,
        )
        for i in range(60)
    )
    with django_assert_max_num_queries(len(baseline)):
        assert clients["clerk"].get(URL).status_code == 200


@pytest.mark.django_db
def test_function_standard_page_query_count_does_not_grow(clients, django_assert_max_num_queries):
    # 2005 has no compliance rows; 2006 has 748.
    clients["clerk"].get("/reports/function-standard/?year=2005")
    with CaptureQueriesContext(connection) as baseline:
        assert clients["clerk"].get("/reports/function-standard/?year=2005").status_code == 200
    with django_assert_max_num_queries(len(baseline)):
        response = clients["clerk"].get("/reports/function-standard/?year=2006")
    assert response.status_code == 200


@pytest.mark.django_db
def test_street_user_gets_only_their_street(users):
    rows = get_report_class("facilities")(user=users["nanhu"], year=2006).rows()
    assert [row.label for row in rows if row.level == "street"] == ["南湖街道"]
    committees = {row.label for row in rows if row.level == "committee"}
    assert "滨湖社区" not in committees and "沿河社区" in committees
    assert rows[0].values["operating"] == 9


@pytest.mark.django_db
def test_premises_given_up_or_later_do_not_count(demo):
    premises = Premises.objects.get(committee__name="双闸社区", name="居民活动中心")
    premises.status_since = premises.status_since.replace(year=2007)
    premises.save()
    total = get_report_class("facilities")(year=2006, user=SYSTEM).rows()[0].values
    assert total["premises_in_use"] == 50
    assert total["area_in_use"] == Decimal("14450.00")
    assert (
        get_report_class("facilities")(year=2007, user=SYSTEM).rows()[0].values["premises_in_use"]
        == 51
    )


@pytest.mark.django_db
def test_exportreport_facilities_workbook(demo, tmp_path):
    target = tmp_path / "facilities.xlsx"
    call_command(
        "exportreport",
        "facilities",
        "--year",
        "2006",
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    sheet = openpyxl.load_workbook(target).active
    assert "2006" in sheet["A1"].value
    total = [cell.value for cell in sheet[5]]
    assert total[1] == 51
    assert Decimal(str(total[2])) == Decimal("14680")
    assert round(total[4]) == 432
