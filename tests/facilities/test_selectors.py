"""Compliance shares, missing lists, shortfalls and the effective-dated area standard."""

import datetime
from decimal import Decimal

import pytest

from facilities.models import AreaStandard, Premises
from facilities.selectors import (
    area_shortfalls,
    area_standard_on,
    committee_compliance,
    compliance_by_committee,
)
from scoping.rules import SYSTEM


@pytest.mark.django_db
def test_compliance_share_and_missing_list(demo):
    summary = committee_compliance(committee=demo["committees"]["沿河社区"], year=2006)
    assert summary.total == 22
    assert "活动室" in summary.missing_names and "阅览室" in summary.missing_names
    assert summary.met == 22 - len(summary.missing)
    assert summary.share == (Decimal(summary.met) / 22).quantize(Decimal("0.0001"))
    full = committee_compliance(committee=demo["committees"]["南湖西路社区"], year=2006)
    assert full.missing == [] and full.share == 1
    nothing = committee_compliance(committee=demo["committees"]["南湖西路社区"], year=2005)
    assert nothing.met == 0 and len(nothing.missing) == 22


@pytest.mark.django_db
def test_compliance_by_committee_covers_operating_committees(demo):
    summaries = compliance_by_committee(year=2006, user=SYSTEM)
    assert len(summaries) == 34


@pytest.mark.django_db
def test_shortfall_list(demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        shortfalls = list(area_shortfalls(year=2006, user=SYSTEM))
    assert len(shortfalls) == 9
    worst = shortfalls[0]
    assert worst.name == "茶亭社区"  # 2,349 households need 352.35 m²; it has 165
    assert worst.required_area == Decimal("352.35")
    assert worst.area_in_use == Decimal("165.00")
    assert worst.shortfall == Decimal("187.35")
    assert all(s.shortfall > 0 for s in shortfalls)
    assert [s.shortfall for s in shortfalls] == sorted(
        (s.shortfall for s in shortfalls), reverse=True
    )
    # The same rule as the model's own, in Python.
    standard = area_standard_on(day=datetime.date(2006, 12, 31))
    for s in shortfalls:
        assert s.required_area == standard.required_area(s.households)


@pytest.mark.django_db
def test_later_standard_applies_from_its_date(demo):
    AreaStandard.objects.create(effective_from=datetime.date(2007, 1, 1), floor_area=Decimal("100"))
    assert len(area_shortfalls(year=2006, user=SYSTEM)) == 9
    assert len(area_shortfalls(year=2007, user=SYSTEM)) == 0
    assert area_standard_on(day=datetime.date(2005, 12, 31)) is None
    assert len(area_shortfalls(year=2005, user=SYSTEM)) == 0


@pytest.mark.django_db
def test_shortfalls_are_scoped(users):
    assert {c.street.short_name for c in area_shortfalls(year=2006, user=users["nanhu"])} == {
        "南湖"
    }


@pytest.mark.django_db
def test_loaddemo_twice_changes_nothing(demo):
    from django.core.management import call_command

    from facilities.models import Compliance

    before = (Premises.objects.count(), Compliance.objects.count(), AreaStandard.objects.count())
    call_command("loaddemo", stdout=open("/dev/null", "w"))
    after = (Premises.objects.count(), Compliance.objects.count(), AreaStandard.objects.count())
    assert before == after == (57, 748, 1)
