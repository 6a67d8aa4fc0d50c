"""The planning check as a yearly report: committees over or under the household standard of
their area type, and the committees the standard implies (issue 16)."""

import math
from decimal import Decimal

import pytest
from django.urls import reverse

from communities.models import Committee, CommitteeKind, PlanningStandard
from reports.registry import get_report_class
from scoping.rules import SYSTEM

pytestmark = pytest.mark.django_db


def report(user, year=2006):
    return get_report_class("planning")(user=user, year=year)


def test_the_district_total_counts_from_the_register(demo):
    standards = dict(PlanningStandard.objects.values_list("area_type", "households"))
    urban = list(Committee.objects.established_in(2006).filter(kind=CommitteeKind.URBAN))
    total = report(SYSTEM).rows()[0].values
    assert total["committees"] == len(urban) == 36
    assert total["households"] == sum(c.households for c in urban) == 85100
    assert total["over"] == sum(1 for c in urban if c.households > standards[c.area_type])
    assert total["under"] == sum(1 for c in urban if c.households < standards[c.area_type])
    assert total["over"] > 0  # the old-area committees of 南湖 and 南苑
    implied = sum(
        Decimal(sum(c.households for c in urban if c.area_type == area)) / standards[area]
        for area in standards
    )
    assert abs(total["implied"] - implied) < Decimal("0.1")
    assert total["difference"] == 36 - total["implied"]
    # The standard implies fewer, larger communities than the 36 established.
    assert math.floor(total["implied"]) < 36


def test_committee_rows_say_over_or_under(demo):
    rows = {row.label: row.values for row in report(SYSTEM).rows() if row.level == "committee"}
    assert rows["文体社区"]["over"] == 1 and rows["文体社区"]["standard"] == "2400"
    assert rows["滨湖社区"]["under"] == 1 and rows["滨湖社区"]["standard"] == "4000"
    assert rows["文体社区"]["area_type"] == "老城整合区"


def test_a_standard_changed_changes_the_check(demo):
    PlanningStandard.objects.filter(area_type="old").update(households=3000)
    assert report(SYSTEM).rows()[0].values["over"] == 0


def test_a_street_sees_its_committees_only(users):
    rows = report(users["nanhu"]).rows()
    assert [r.label for r in rows if r.level == "street"] == ["南湖街道"]
    assert rows[0].values["committees"] == 9


def test_the_page_and_the_workbook(clients):
    url = reverse("reports:report-detail", args=["planning"])
    body = clients["viewer"].get(url, {"year": 2006}).content.decode()
    assert "社区规模与规划标准对照表" in body and "按标准应设社区数" in body
    response = clients["viewer"].get(url, {"year": 2006, "format": "xlsx"})
    assert response.status_code == 200
