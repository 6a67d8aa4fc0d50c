"""Completeness counts committees that existed in the quarter, and separates not submitted,
submitted on time, submitted late and approved, each a count that lists its committees."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
from returns.selectors import completeness, completeness_totals
from returns.workflow import return_send_back, return_submit
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
    codes = {c.code for c in line.not_submitted_committees}
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
    assert line.not_submitted == 1
    after = completeness(year=2007, quarter=2, user=SYSTEM, today=due + datetime.timedelta(days=2))
    line = next(x for x in after.streets if x.label == "双闸街道")
    # The third is overdue now, but it is not "late": it is not submitted at all.
    assert (line.late, line.not_submitted, line.on_time) == (1, 1, 1)
    assert after.is_overdue and not before.is_overdue
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


# The split (issue 15: "南湖: 7 submitted, 8 late" counted unsubmitted returns as late) --------


def nanhu_2007_q1(demo):
    """南湖, 2007 Q1 (due 2007-04-15), as the issue saw it: 7 of 9 submitted, one on time and
    six after the deadline (two of those approved since); two not submitted (a draft, and the
    demo's return sent back)."""
    nanhu = demo["streets"]["南湖"]
    due = quarter_deadline(year=2007, quarter=1)
    committees = list(Committee.objects.filter(street=nanhu).order_by("code"))
    kept = {"南湖东路社区": ReturnStatus.DRAFT, "沿河社区": ReturnStatus.RETURNED}
    others = [c for c in committees if c.name not in kept]
    assert len(committees) == 9 and len(others) == 7
    QuarterlyReturn.objects.filter(committee__in=others, year=2007, quarter=1).delete()
    for index, committee in enumerate(others):
        day = (
            due - datetime.timedelta(days=3) if index == 0 else due + datetime.timedelta(days=index)
        )
        approved = index in (1, 2)
        QuarterlyReturn.objects.create(
            committee=committee,
            year=2007,
            quarter=1,
            status=ReturnStatus.APPROVED if approved else ReturnStatus.SUBMITTED,
            first_submitted_at=at(day),
            submitted_at=at(day),
            approved_at=at(day + datetime.timedelta(days=1)) if approved else None,
        )
    QuarterlyReturn.objects.filter(committee__name="南湖东路社区", year=2007, quarter=1).update(
        status=ReturnStatus.DRAFT
    )
    return nanhu, others


def test_nanhu_splits_not_submitted_on_time_late_and_approved(demo):
    _nanhu, others = nanhu_2007_q1(demo)
    result = completeness(year=2007, quarter=1, user=SYSTEM, today=datetime.date(2007, 5, 1))
    line = next(x for x in result.streets if x.label == "南湖街道")
    # Before: submitted 7, late 8 (the 6 late ones and the 2 never submitted).
    assert (line.expected, line.submitted) == (9, 7)
    assert (line.not_submitted, line.on_time, line.late, line.approved) == (2, 1, 6, 2)
    assert {c.name for c in line.not_submitted_committees} == {"南湖东路社区", "沿河社区"}
    assert [c.name for c in line.on_time_committees] == [others[0].name]
    assert {c.name for c in line.late_committees} == {c.name for c in others[1:]}
    assert {c.name for c in line.approved_committees} == {others[1].name, others[2].name}
    # Every committee is in exactly one of not submitted, on time, late.
    assert line.not_submitted + line.on_time + line.late == line.expected
    # The district adds the streets up.
    district = result.district
    for key in ("expected", "submitted", "approved", "on_time", "late", "not_submitted"):
        assert getattr(district, key) == sum(getattr(s, key) for s in result.streets), key


def test_totals_agree_with_the_lists(demo, users):
    nanhu_2007_q1(demo)
    result = completeness(year=2007, quarter=1, user=users["clerk"])
    totals = completeness_totals(year=2007, quarter=1, user=users["clerk"])
    for key in ("expected", "submitted", "approved", "on_time", "late", "not_submitted"):
        assert getattr(totals, key) == getattr(result.district, key), key
    nanhu_only = completeness_totals(year=2007, quarter=1, user=users["nanhu"])
    assert (nanhu_only.not_submitted, nanhu_only.on_time, nanhu_only.late) == (2, 1, 6)


def test_sent_back_and_submitted_again_keeps_its_first_submission(demo, users):
    """The submission time is the return's first_submitted_at, which the workflow writes at
    the first submission (with its ReturnEvent) and keeps through a send-back."""
    committee = Committee.objects.get(name="滨湖社区")
    item = QuarterlyReturn.objects.get(committee=committee, year=2007, quarter=1)
    due = quarter_deadline(year=2007, quarter=1)
    with mock.patch("django.utils.timezone.now", return_value=at(due)):
        return_submit(returns=[item], user=users["binhu"])
    with mock.patch("django.utils.timezone.now", return_value=at(due + datetime.timedelta(1))):
        return_send_back(returns=[item], user=users["clerk"], reason="请核实")
    mid = completeness(year=2007, quarter=1, user=SYSTEM)
    assert (
        committee in next(x for x in mid.streets if x.label == "滨湖街道").not_submitted_committees
    )
    with mock.patch("django.utils.timezone.now", return_value=at(due + datetime.timedelta(5))):
        return_submit(returns=[item], user=users["binhu"])
    item.refresh_from_db()
    submit_events = item.events.filter(to_status=ReturnStatus.SUBMITTED).order_by("at")
    assert [e.at for e in submit_events] == [at(due), at(due + datetime.timedelta(5))]
    assert item.first_submitted_at == submit_events[0].at
    line = next(
        x for x in completeness(year=2007, quarter=1, user=SYSTEM).streets if x.label == "滨湖街道"
    )
    assert [c.name for c in line.on_time_committees] == ["滨湖社区"] and line.late == 0


def test_each_count_opens_its_committees(clients, demo):
    nanhu, others = nanhu_2007_q1(demo)
    page = reverse("returns:completeness", args=[2007, 1])
    response = clients["clerk"].get(page)
    body = response.content.decode()
    row = body.split('data-unit="南湖街道"')[1].split("</tr>")[0]
    # Four counts, each a link (no list of names mixed into a count's cell).
    for key, count in (("not_submitted", 2), ("on_time", 1), ("late", 6), ("approved", 2)):
        link = f"{page}?show={key}&amp;street={nanhu.pk}#list"
        assert f'<a href="{link}" data-count="{key}">{count}</a>' in row, key
    assert "南湖东路社区" not in row
    for text in ("应报", "未报", "按时报送", "迟报", "已审核"):
        assert text in body, text
    listed = clients["clerk"].get(page, {"show": "late", "street": nanhu.pk})
    rows = listed.content.decode().split('id="completeness-list"')[1]
    names = {c.name for c in listed.context["listed"]}
    assert names == {c.name for c in others[1:]}
    assert all(name in rows for name in names) and "南湖东路社区" not in rows
    assert "南湖街道 · 迟报（6）" in listed.content.decode()
    # The total's count lists every street's committees.
    total = clients["clerk"].get(page, {"show": "not_submitted"})
    assert len(total.context["listed"]) == total.context["result"].district.not_submitted
    # The list links to the street's grid.
    grid = reverse("returns:return-grid", args=[2007, 1]) + f"?street={nanhu.pk}"
    assert grid in rows


def test_street_user_lists_only_its_own_street(clients, demo):
    page = reverse("returns:completeness", args=[2007, 1])
    binhu = demo["streets"]["滨湖"]
    assert clients["nanhu"].get(page, {"show": "late", "street": binhu.pk}).status_code == 404
    assert clients["nanhu"].get(page, {"show": "late", "street": "x"}).status_code == 404
    own = clients["nanhu"].get(page, {"show": "not_submitted"})
    assert {c.street.short_name for c in own.context["listed"]} == {"南湖"}
    assert [line.label for line in own.context["result"].streets] == ["南湖街道"]


def test_completeness_page_queries_do_not_grow(clients, users, demo, django_assert_max_num_queries):
    from returns.notifications import remind_streets

    page = reverse("returns:completeness", args=[2007, 1])
    clients["clerk"].get(page)
    with CaptureQueriesContext(connection) as small:
        clients["clerk"].get(page, {"show": "not_submitted"})
    nanhu_2007_q1(demo)
    remind_streets(year=2007, quarter=1, user=users["clerk"])
    for index in range(10):
        add_committee(demo["streets"]["滨湖"], f"Q{index}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = clients["clerk"].get(page, {"show": "not_submitted"})
    assert response.status_code == 200
