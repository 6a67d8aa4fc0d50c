"""The establishment table reproduces the brief from the demo data."""

import io

import openpyxl
import pytest
from django.core.management import call_command

from reports.registry import get_report_class
from scoping.rules import SYSTEM


def table(report):
    rows = report.rows()
    return {row.label: row.values for row in rows}, rows


@pytest.mark.django_db
def test_establishment_reproduces_the_brief(demo):
    report = get_report_class("establishment")(year=2006, user=SYSTEM)
    by_label, rows = table(report)
    total = rows[0].values
    assert rows[0].level == "total"
    assert total["established"] == 36
    assert total["operating"] == 34
    assert total["sharing"] == 2
    assert total["village"] == 2
    assert total["urban_households"] == 85100
    assert by_label["兴隆街道"]["established"] == 8
    assert by_label["兴隆街道"]["operating"] == 6
    for name in ("南湖街道", "滨湖街道", "南苑街道"):
        assert by_label[name]["established"] == 9
    assert by_label["双闸街道"]["established"] == 1


@pytest.mark.django_db
def test_revoked_committee_leaves_the_years_after(demo):
    import datetime

    committee = demo["committees"]["长虹社区"]
    committee.status = "revoked"
    committee.revoked_on = datetime.date(2007, 6, 30)
    committee.save()
    assert get_report_class("establishment")(year=2006, user=SYSTEM).rows()[0].values["established"] == 36
    assert get_report_class("establishment")(year=2007, user=SYSTEM).rows()[0].values["established"] == 35


@pytest.mark.django_db
def test_street_user_sees_only_their_street(users):
    report = get_report_class("establishment")(user=users["nanhu"], year=2006)
    labels = [row.label for row in report.rows()]
    assert labels[1:] == ["南湖街道"]
    assert report.rows()[0].values["established"] == 9


@pytest.mark.django_db
def test_exportreport_writes_the_workbook(demo, tmp_path):
    target = tmp_path / "establishment.xlsx"
    call_command("exportreport", "establishment", "--year", "2006", "--output", str(target), stdout=io.StringIO())
    sheet = openpyxl.load_workbook(target).active
    assert "2006" in sheet["A1"].value
    header = [cell.value for cell in sheet[4]]
    total = [cell.value for cell in sheet[5]]
    assert total[header.index(header[1])] == 36
    assert 85100 in total
    assert sheet.freeze_panes == "B5"
    assert sheet.page_setup.orientation == "landscape"
