"""A clerk reminds (催报) the late streets from the completeness page in one click, or one
street; the street sees it on its home page; a double click sends once and says so; only who
reviews returns may remind."""

import pytest
from django.core import mail
from django.urls import reverse

from notices.models import Kind, Notice
from returns.notifications import REMIND_AGAIN_AFTER, remind_streets

pytestmark = pytest.mark.django_db

YEAR, QUARTER = 2007, 1  # the demo's current quarter: nobody has submitted
REMIND = reverse("returns:completeness-remind", args=[YEAR, QUARTER])
PAGE = reverse("returns:completeness", args=[YEAR, QUARTER])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_one_click_reminds_every_late_street_and_the_street_sees_it(clients, users, demo):
    page = clients["clerk"].get(PAGE).content.decode()
    assert 'id="remind-all"' in page and page.count('class="remind-one"') == 5
    response = clients["clerk"].post(REMIND, follow=True)
    assert response.redirect_chain[-1][0].startswith(PAGE)
    text = " ".join(messages_of(response))
    assert "已向" in text and "南湖街道（9 份未报）" in text and "发出催报" in text
    reminders = Notice.objects.filter(kind=Kind.REMINDER, year=YEAR, quarter=QUARTER)
    assert reminders.count() == 5
    nanhu = reminders.get(deliveries__street__short_name="南湖")
    assert nanhu.title == "催报：请报送2007年第1季度报表"
    assert "9 份报表未报送" in nanhu.body and "沿河社区" in nanhu.body
    assert "已经逾期" in nanhu.body
    # The page says who was reminded, when and by whom.
    row = response.content.decode().split('data-unit="南湖街道"')[1].split("</tr>")[0]
    assert users["clerk"].username in row and "未读" in row
    # The street user sees it on the home page, opens it, and the page says it was read.
    home = clients["nanhu"].get("/")
    item = next(i for i in home.context["todo"].items if i.text == nanhu.title)
    assert item.urgent and item.url == reverse("notices:detail", args=[nanhu.pk])
    assert clients["nanhu"].get(item.url).status_code == 200
    row = clients["clerk"].get(PAGE).content.decode().split('data-unit="南湖街道"')[1]
    assert "已读" in row.split("</tr>")[0]


def test_a_double_click_sends_once_and_says_so(clients, demo):
    clients["clerk"].post(REMIND, follow=True)
    response = clients["clerk"].post(REMIND, follow=True)
    assert Notice.objects.filter(kind=Kind.REMINDER).count() == 5
    text = " ".join(messages_of(response))
    # One line for the five streets reminded by the same click.
    assert len(messages_of(response)) == 1
    assert "南湖街道、滨湖街道、南苑街道、兴隆街道、双闸街道已于" in text
    assert "由 clerk-district 催报过" in text and "本次未重复发送" in text
    assert f"不到 {int(REMIND_AGAIN_AFTER.total_seconds() // 60)} 分钟前" in text


def test_again_after_the_interval(users, demo):
    remind_streets(year=YEAR, quarter=QUARTER, user=users["clerk"])
    Notice.objects.update(sent_at=Notice.objects.first().sent_at - REMIND_AGAIN_AFTER)
    again = remind_streets(year=YEAR, quarter=QUARTER, user=users["clerk"])
    assert len(again.sent) == 5 and again.skipped == []


def test_one_street_only(clients, demo):
    binhu = demo["streets"]["滨湖"]
    clients["clerk"].post(REMIND, {"street": binhu.pk})
    (reminder,) = Notice.objects.filter(kind=Kind.REMINDER)
    assert list(reminder.deliveries.values_list("street__short_name", flat=True)) == ["滨湖"]


def test_streets_that_submitted_everything_are_not_reminded(clients, demo):
    from returns.models import QuarterlyReturn, ReturnStatus

    from .conftest import submitted

    street = demo["streets"]["双闸"]
    for committee in street.committees.all():
        QuarterlyReturn.objects.filter(committee=committee, year=YEAR, quarter=QUARTER).delete()
        submitted(committee, year=YEAR, quarter=QUARTER)
    assert not QuarterlyReturn.objects.filter(
        committee__street=street, year=YEAR, quarter=QUARTER
    ).exclude(status=ReturnStatus.SUBMITTED)
    clients["clerk"].post(REMIND)
    streets = set(
        Notice.objects.filter(kind=Kind.REMINDER).values_list(
            "deliveries__street__short_name", flat=True
        )
    )
    assert streets == {"南湖", "滨湖", "南苑", "兴隆"}
    response = clients["clerk"].post(REMIND, {"street": street.pk}, follow=True)
    assert "无需催报" in " ".join(messages_of(response))


def test_reminder_is_mailed_after_commit(clients, users, demo, django_capture_on_commit_callbacks):
    users["binhu"].email = "binhu@jianye.example"
    users["binhu"].save()
    with django_capture_on_commit_callbacks(execute=True):
        clients["clerk"].post(REMIND)
    assert [m.to for m in mail.outbox] == [["binhu@jianye.example"]]
    assert "催报" in mail.outbox[0].subject


@pytest.mark.parametrize("who", ["nanhu", "viewer"])
def test_only_reviewers_may_remind(clients, who):
    response = clients[who].post(REMIND)
    assert response.status_code == 403
    assert "只有审核季度报表的人员可以催报。" in response.content.decode()
    assert Notice.objects.count() == 0
    page = clients[who].get(PAGE).content.decode()
    assert 'id="remind-all"' not in page and 'class="remind-one"' not in page


def test_remind_is_post_only_and_checks_the_street(clients, demo):
    assert clients["clerk"].get(REMIND).status_code == 405
    assert clients["clerk"].post(REMIND, {"street": "999999"}).status_code == 404
    assert clients["clerk"].post(REMIND, {"street": "abc"}).status_code == 404
    assert Notice.objects.count() == 0
