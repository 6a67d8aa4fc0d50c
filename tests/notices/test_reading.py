"""A street sees its street's notices only (another street's id is a 404), newest first with
the unread ones marked; opening one marks it read for that user; the district sees, per
street, who read it and when."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from notices.models import Notice, Reading
from notices.services import post_notice
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def notice_to(users, *streets, title="通知", when=None):
    notice = post_notice(user=users["clerk"], title=title, body="正文", streets=streets)
    if when is not None:
        Notice.objects.filter(pk=notice.pk).update(sent_at=when)
    return notice


def test_another_streets_notice_is_not_found(clients, users, demo):
    binhu_only = notice_to(users, demo["streets"]["滨湖"], title="只给滨湖的通知")
    for name in ("notices:detail", "notices:attachment"):
        response = clients["nanhu"].get(reverse(name, args=[binhu_only.pk]))
        assert response.status_code == 404, name
    assert "只给滨湖的通知" not in clients["nanhu"].get(reverse("notices:list")).content.decode()
    assert Reading.objects.count() == 0
    # 滨湖 opens it; the district reads every notice.
    assert clients["binhu"].get(reverse("notices:detail", args=[binhu_only.pk])).status_code == 200
    for who in ("admin", "clerk", "viewer"):
        assert clients[who].get(reverse("notices:detail", args=[binhu_only.pk])).status_code == 200


def test_list_is_newest_first_with_unread_marked_and_reading_marks_read(clients, users, demo):
    nanhu = demo["streets"]["南湖"]
    now = timezone.now()
    old = notice_to(users, nanhu, title="较早的通知", when=now - datetime.timedelta(days=2))
    new = notice_to(users, nanhu, title="最新的通知", when=now)
    page = clients["nanhu"].get(reverse("notices:list")).content.decode()
    assert page.index("最新的通知") < page.index("较早的通知")
    assert page.count('class="unread') == 2

    detail = clients["nanhu"].get(reverse("notices:detail", args=[old.pk]))
    assert detail.status_code == 200 and "您于" in detail.content.decode()
    reading = Reading.objects.get()
    assert reading.user == users["nanhu"] and reading.delivery.street == nanhu
    page = clients["nanhu"].get(reverse("notices:list")).content.decode()
    assert page.count('class="unread') == 1
    row = page[page.index(f'data-notice="{old.pk}"') - 40 : page.index(f'data-notice="{old.pk}"')]
    assert 'class="read' in row
    # Reading again keeps the first time.
    clients["nanhu"].get(reverse("notices:detail", args=[old.pk]))
    assert Reading.objects.count() == 1
    # Unread is per user: a colleague of 南湖 still sees both unread.
    colleague = Client()
    colleague.force_login(make_user(Role.STREET, nanhu, username="nanhu-2"))
    assert colleague.get(reverse("notices:list")).content.decode().count('class="unread') == 2
    del new


def test_district_sees_who_read_it_per_street(clients, users, demo):
    nanhu, binhu = demo["streets"]["南湖"], demo["streets"]["滨湖"]
    notice = notice_to(users, nanhu, binhu, title="请阅")
    clients["nanhu"].get(reverse("notices:detail", args=[notice.pk]))
    # The clerk's own reading leaves no receipt: the clerk is not a recipient.
    page = clients["clerk"].get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert Reading.objects.count() == 1
    receipts = page[page.index('id="receipts"') :]
    nanhu_row = receipts[receipts.index('data-street="南湖街道"') :].split("</tr>")[0]
    binhu_row = receipts[receipts.index('data-street="滨湖街道"') :].split("</tr>")[0]
    read_at = timezone.localtime(Reading.objects.get().read_at).strftime("%Y-%m-%d %H:%M")
    assert users["nanhu"].username in nanhu_row and read_at in nanhu_row
    assert "尚未阅读" in binhu_row
    # The list says 1 of 2 streets have read it.
    listing = clients["clerk"].get(reverse("notices:list")).content.decode()
    assert "1 / 2" in listing


def test_district_home_lists_notices_not_read_by_every_street(clients, users, demo):
    nanhu, binhu = demo["streets"]["南湖"], demo["streets"]["滨湖"]
    notice = notice_to(users, nanhu, binhu, title="防汛工作通知")
    home = clients["clerk"].get("/")
    items = [i for i in home.context["todo"].items if "防汛工作通知" in i.text]
    assert len(items) == 1 and "2 个街道中已有 0 个阅读" in items[0].text
    assert items[0].url == reverse("notices:detail", args=[notice.pk])
    for who in ("nanhu", "binhu"):
        clients[who].get(items[0].url)
    home = clients["clerk"].get("/")
    assert not [i for i in home.context["todo"].items if "防汛工作通知" in i.text]


def test_street_home_lists_unread_notices_one_click_from_reading(clients, users, demo):
    notice = notice_to(users, demo["streets"]["南湖"], title="关于开展社区普查的通知")
    home = clients["nanhu"].get("/")
    section = next(s for s in home.context["todo"].sections if s.title == "未读通知")
    (item,) = section.items
    assert item.text == "关于开展社区普查的通知"
    assert item.url == reverse("notices:detail", args=[notice.pk])
    assert "关于开展社区普查的通知" in home.content.decode()
    clients["nanhu"].get(item.url)
    section = next(
        s for s in clients["nanhu"].get("/").context["todo"].sections if s.title == "未读通知"
    )
    assert section.items == []
    # 滨湖 never had it.
    home = clients["binhu"].get("/")
    assert "关于开展社区普查的通知" not in home.content.decode()


def test_many_unread_notices_end_with_a_link_to_all(clients, users, demo):
    for index in range(13):
        notice_to(users, demo["streets"]["南湖"], title=f"通知{index}")
    section = next(
        s for s in clients["nanhu"].get("/").context["todo"].sections if s.title == "未读通知"
    )
    assert len(section.items) == 11
    assert section.items[-1].text == "还有 3 条未读通知"
    assert section.items[-1].url == reverse("notices:list")


def test_the_kind_filter_and_pages(clients, users, demo):
    for index in range(35):
        notice_to(users, demo["streets"]["南湖"], title=f"第{index}号通知")
    first = clients["nanhu"].get(reverse("notices:list")).content.decode()
    assert "第 1 页，共 2 页" in first and "第34号通知" in first and "第0号通知" not in first
    second = clients["nanhu"].get(reverse("notices:list"), {"page": 2}).content.decode()
    assert "第0号通知" in second
    reminders = clients["nanhu"].get(reverse("notices:list"), {"kind": "reminder"})
    assert "暂无通知。" in reminders.content.decode()
