"""The staffing table: figures of the brief, scoping, workbook, query counts."""

import io

import openpyxl
import pytest
from django.core.management import call_command

from reports.registry import get_report_class
from scoping.rules import SYSTEM


def report(user, year=2006):
    return get_report_class("staffing")(user=user, year=year)


def keyed(rep):
    labels = {str(c.label): c.key for c in rep.columns()}
    return labels, rep.rows()


@pytest.mark.django_db
def test_the_brief_figures_come_out_of_the_report(demo):
    rep = report(SYSTEM)
    labels, rows = keyed(rep)
    total = rows[0]
    assert rows[0].level == "total"
    values = total.values
    assert values[labels["主任"]] == 34
    assert values[labels["副主任"]] == 33
    assert values[labels["社工"]] + values[labels["专职党务工作者"]] == 152
    assert values["paid"] == 34 + 33 + 152
    assert values["classes"] >= 20
    assert values["trainee_times"] >= 200
    assert values["exam_passed"] == 10
    age = sum(values[k] for k in ("age_under_30", "age_30_39", "age_40_49", "age_50_over"))
    assert age == values["paid"]
    streets = [row for row in rows if row.level == "street"]
    assert sum(row.values["paid"] for row in streets) == values["paid"]
    assert sum(row.values["trainee_times"] for row in streets) == values["trainee_times"]
    committees = [row for row in rows if row.level == "committee"]
    assert sum(row.values["exam_passed"] for row in committees) == 10


@pytest.mark.django_db
def test_a_street_user_sees_only_their_street(users):
    rows = report(users["nanhu"]).rows()
    assert [row.label for row in rows if row.level == "street"] == ["南湖街道"]
    committees = [row for row in rows if row.level == "committee"]
    assert len(committees) == 9
    assert rows[0].values["paid"] == rows[1].values["paid"] < 219


@pytest.mark.django_db
def test_exportreport_writes_the_staffing_workbook(demo, tmp_path):
    target = tmp_path / "staffing.xlsx"
    call_command(
        "exportreport", "staffing", "--year", "2006", "--output", str(target), stdout=io.StringIO()
    )
    sheet = openpyxl.load_workbook(target).active
    header = [cell.value for cell in sheet[4]]
    total = [cell.value for cell in sheet[5]]
    assert total[header.index("主任")] == 34
    assert total[header.index("副主任")] == 33


@pytest.mark.django_db
def test_report_page_query_count_does_not_grow(clients, demo, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = clients["clerk"]
    with CaptureQueriesContext(connection) as before:
        assert client.get("/reports/staffing/?year=2006").status_code == 200
    from tests.staffing.factories import add_people

    add_people(demo, 40)
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get("/reports/staffing/?year=2006")
    assert response.status_code == 200
    assert "主任" in response.content.decode()
