"""Completeness counts committees that existed in the quarter, and who was late."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Committee, CommitteeStatus
from returns.models import (
    QuarterDeadline,
    QuarterlyReturn,
    ReturnStatus,
    default_deadline,
    quarter_deadline,
)
from returns.selectors import completeness
from scoping.rules import SYSTEM

pytestmark = pytest.mark.django_db


def test_default_deadline_is_fifteen_days_after_the_quarter():
    assert default_deadline(year=2006, quarter=4) == datetime.date(2007, 1, 15)
    assert default_deadline(year=2007, quarter=1) == datetime.date(2007, 4, 15)
    assert quarter_deadline(year=2007, quarter=2) == datetime.date(2007, 7, 15)
    QuarterDeadline.objects.create(year=2007, quarter=2, due_on=datetime.date(2007, 7, 20))
    assert quarter_deadline(year=2007, quarter=2) == datetime.date(2007, 7, 20)


def add_committee(street, code, **dates):
    return Committee.objects.create(
        code=code, name=f"测试{code}", street=street, households=1000, population=2800, **dates
    )


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def test_revoked_and_established_mid_quarter(demo):
    shuangzha = demo["streets"]["双闸"]  # 双闸社区 and two village committees: 3 expected
    base = completeness(year=2007, quarter=2, user=SYSTEM, today=datetime.date(2007, 6, 1))
    assert [line.expected for line in base.streets if line.label == "双闸街道"] == [3]
    add_committee(
        shuangzha, "T1", status=CommitteeStatus.REVOKED, revoked_on=datetime.date(2007, 5, 10)
    )
    add_committee(shuangzha, "T2", established_on=datetime.date(2007, 5, 20))
    add_committee(
        shuangzha, "T3", status=CommitteeStatus.REVOKED, revoked_on=datetime.date(2007, 3, 31)
    )
    add_committee(shuangzha, "T4", established_on=datetime.date(2007, 7, 1))
    add_committee(
        shuangzha, "T5", status=CommitteeStatus.REVOKED, revoked_on=datetime.date(2007, 4, 1)
    )
    result = completeness(year=2007, quarter=2, user=SYSTEM, today=datetime.date(2007, 6, 1))
    line = next(x for x in result.streets if x.label == "双闸街道")
    # T1 (revoked mid-quarter), T2 (established mid-quarter), T5 (revoked on the first day)
    # count; T3 (revoked before) and T4 (established after) do not.
    assert line.expected == 3 + 3
    assert result.district.expected == base.district.expected + 3
    codes = {c.code for c in line.missing}
    assert {"T1", "T2", "T5"} <= codes and not {"T3", "T4"} & codes


def test_submitted_approved_on_time_and_late(demo, users):
    street = demo["streets"]["双闸"]
    committees = list(Committee.objects.filter(street=street).order_by("code"))
    due = quarter_deadline(year=2007, quarter=2)
    on_time, late = committees[0], committees[1]
    QuarterlyReturn.objects.create(
        committee=on_time,
        year=2007,
        quarter=2,
        status=ReturnStatus.APPROVED,
        first_submitted_at=at(due),
        submitted_at=at(due),
        approved_at=at(due),
    )
    QuarterlyReturn.objects.create(
        committee=late,
        year=2007,
        quarter=2,
        status=ReturnStatus.SUBMITTED,
        first_submitted_at=at(due + datetime.timedelta(days=1)),
    )
    before = completeness(year=2007, quarter=2, user=SYSTEM, today=due)
    line = next(x for x in before.streets if x.label == "双闸街道")
    assert (line.expected, line.submitted, line.approved, line.on_time, line.late) == (
        3,
        2,
        1,
        1,
        1,
    )
    after = completeness(year=2007, quarter=2, user=SYSTEM, today=due + datetime.timedelta(days=2))
    line = next(x for x in after.streets if x.label == "双闸街道")
    assert line.late == 2  # the third is overdue now
    assert after.district.expected == 38 and after.district.submitted == 2


def test_completeness_page_2006_q4(clients, demo):
    response = clients["clerk"].get(reverse("returns:completeness", args=[2006, 4]))
    result = response.context["result"]
    assert (result.district.expected, result.district.approved, result.district.on_time) == (
        38,
        38,
        38,
    )
    body = response.content.decode()
    assert "应报" in body and "迟报" in body and "截止日期：2007-01-15" in body
