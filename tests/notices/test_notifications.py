"""A send-back, an approval and a reopening tell each street concerned once (one notice per
street and action, naming the committees and the quarter), and e-mail the street's users who
have an address, after the transaction commits; a failing mail server fails nothing."""

import logging

import pytest
from django.core import mail
from django.urls import reverse

from communities.models import Committee
from notices.models import Kind, Notice
from notices.services import send_notice_mail
from returns.models import QuarterlyReturn, ReturnStatus
from returns.workflow import WorkflowError, return_approve, return_reopen, return_send_back

from .conftest import submitted

pytestmark = pytest.mark.django_db


def committees(street, n):
    return list(Committee.objects.filter(street=street).order_by("code")[:n])


def test_send_back_notifies_each_street_once_naming_committees_and_reason(users, demo):
    nanhu, binhu = demo["streets"]["南湖"], demo["streets"]["滨湖"]
    items = [submitted(c) for c in committees(nanhu, 3) + committees(binhu, 1)]
    return_send_back(returns=items, user=users["clerk"], reason="户数与台账不符")
    notices = list(Notice.objects.order_by("pk"))
    assert len(notices) == 2  # one per street, not one per return
    by_street = {n.deliveries.get().street.short_name: n for n in notices}
    nanhu_notice = by_street["南湖"]
    assert nanhu_notice.kind == Kind.SENT_BACK
    assert nanhu_notice.title == "2007年第2季度报表被退回"
    for committee in committees(nanhu, 3):
        assert committee.name in nanhu_notice.body
    assert "3 份报表" in nanhu_notice.body and "原因：户数与台账不符" in nanhu_notice.body
    assert committees(binhu, 1)[0].name not in nanhu_notice.body
    assert nanhu_notice.link == reverse("returns:return-grid", args=[2007, 2])
    assert nanhu_notice.sent_by == users["clerk"]
    assert (nanhu_notice.year, nanhu_notice.quarter) == (2007, 2)


def test_approve_and_reopen_notify(users, demo):
    nanhu = demo["streets"]["南湖"]
    items = [submitted(c) for c in committees(nanhu, 2)]
    return_approve(returns=items, user=users["clerk"])
    approved = Notice.objects.get(kind=Kind.APPROVED)
    assert approved.title == "2007年第2季度报表已审核通过"
    assert "区民政局审核通过了2007年第2季度的 2 份报表" in approved.body
    return_reopen(returns=items[:1], user=users["admin"], reason="人口数据需更正")
    reopened = Notice.objects.get(kind=Kind.REOPENED)
    assert "已审核的 1 份报表" in reopened.body and "原因：人口数据需更正" in reopened.body
    assert items[1].committee.name not in reopened.body


def test_the_street_sees_the_notification_on_its_home_page(clients, users, demo):
    item = submitted(committees(demo["streets"]["南湖"], 1)[0])
    return_send_back(returns=[item], user=users["clerk"], reason="请核实")
    notice = Notice.objects.get()
    home = clients["nanhu"].get("/")
    urgent = [i for i in home.context["todo"].items if i.url.endswith(f"/notices/{notice.pk}/")]
    assert len(urgent) == 1 and urgent[0].urgent
    detail = clients["nanhu"].get(urgent[0].url).content.decode()
    assert "前往办理" in detail and reverse("returns:return-grid", args=[2007, 2]) in detail


def test_a_refused_transition_notifies_nobody(users, demo):
    item = submitted(committees(demo["streets"]["南湖"], 1)[0])
    item.status = ReturnStatus.DRAFT
    item.save()
    with pytest.raises(WorkflowError):
        return_approve(returns=[item], user=users["clerk"])
    assert Notice.objects.count() == 0


def test_mail_goes_after_commit_to_street_users_with_an_address(
    users, demo, django_capture_on_commit_callbacks
):
    users["nanhu"].email = "nanhu@jianye.example"
    users["nanhu"].save()
    # 滨湖's user has no address: no mail for 滨湖.
    items = [submitted(committees(demo["streets"]["南湖"], 1)[0])]
    items += [submitted(committees(demo["streets"]["滨湖"], 1)[0])]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        return_send_back(returns=items, user=users["clerk"], reason="请核实")
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nanhu@jianye.example"]
    assert message.subject == "【建邺区民政局】2007年第2季度报表被退回"
    assert "原因：请核实" in message.body
    assert "请登录社区建设管理系统" in message.body


def test_no_mail_when_nobody_has_an_address(users, demo, django_capture_on_commit_callbacks):
    item = submitted(committees(demo["streets"]["南湖"], 1)[0])
    with django_capture_on_commit_callbacks(execute=True):
        return_approve(returns=[item], user=users["clerk"])
    assert Notice.objects.count() == 1 and mail.outbox == []


def test_a_failing_mail_server_fails_nothing(
    users, demo, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    users["nanhu"].email = "nanhu@jianye.example"
    users["nanhu"].save()

    def broken(self, messages):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    item = submitted(committees(demo["streets"]["南湖"], 1)[0])
    with caplog.at_level(logging.ERROR, logger="jianye.notices"):
        with django_capture_on_commit_callbacks(execute=True):
            return_approve(returns=[item], user=users["clerk"])
    item.refresh_from_db()
    assert item.status == ReturnStatus.APPROVED and Notice.objects.count() == 1
    assert "Could not e-mail notices" in caplog.text


def test_mail_links_to_the_notice_when_the_site_address_is_known(users, demo, settings):
    settings.SITE_URL = "https://jianye.intranet.example"
    users["nanhu"].email = "nanhu@jianye.example"
    users["nanhu"].save()
    item = submitted(committees(demo["streets"]["南湖"], 1)[0])
    return_approve(returns=[item], user=users["clerk"])
    notice = Notice.objects.get()
    assert send_notice_mail([notice.pk]) == 1
    assert f"https://jianye.intranet.example/notices/{notice.pk}/" in mail.outbox[0].body


def test_inactive_users_get_no_mail(users, demo):
    users["nanhu"].email = "nanhu@jianye.example"
    users["nanhu"].is_active = False
    users["nanhu"].save()
    item = submitted(committees(demo["streets"]["南湖"], 1)[0])
    return_approve(returns=[item], user=users["clerk"])
    assert send_notice_mail([Notice.objects.get().pk]) == 0 and mail.outbox == []
    assert QuarterlyReturn.objects.get(pk=item.pk).status == ReturnStatus.APPROVED


def test_notifying_many_streets_does_not_add_queries(users, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    one = [submitted(c) for c in committees(demo["streets"]["南湖"], 2)]
    users["clerk"].has_perm("returns.approve_quarterlyreturn")  # permissions read once
    with CaptureQueriesContext(connection) as small:
        return_approve(returns=one, user=users["clerk"])
    many = [
        submitted(c, quarter=3)
        for short in ("南湖", "滨湖", "南苑", "兴隆", "双闸")
        for c in committees(demo["streets"][short], 2)
    ]
    with CaptureQueriesContext(connection) as large:
        return_approve(returns=many, user=users["clerk"])
    assert Notice.objects.filter(kind=Kind.APPROVED, quarter=3).count() == 5
    assert len(large.captured_queries) == len(small.captured_queries)
