"""In a real browser, clicking only (the login page is the one address typed): a clerk goes
from the home page to completeness and reminds the late streets (催报); the street user sees
the reminder on the home page and opens it; an administrator posts a notice to one street
and, once the street has opened it, sees who read it and when. Screenshots in
test-artifacts/notices-*.png."""

import pytest
from django.utils import timezone

from notices.models import Kind, Notice, Reading
from overview.todo import period_of_interest

from .conftest import log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def test_reminder_and_notice_from_click_to_read_receipt(page, live_server, demo_accounts):
    year, quarter = period_of_interest(timezone.localdate())
    label = f"{year}年第{quarter}季度"

    # 1. The clerk: home → completeness (menu) → one click reminds every late street.
    log_in(page, live_server, "clerk")
    shoot(page, "notices-1-clerk-home")
    click_and_wait(page, page.locator('nav a[data-nav="completeness"]'))
    assert "报送情况" in page.locator("h1").inner_text()
    assert page.locator("#completeness th", has_text="迟报").count() == 1
    shoot(page, "notices-2-completeness")
    # Each count opens its committees: 南湖's "not submitted".
    click_and_wait(
        page, page.locator('#completeness tr[data-unit="南湖街道"] a[data-count="not_submitted"]')
    )
    listed = page.locator("#completeness-list").inner_text()
    assert "南湖东路社区" in listed and "沿河社区" in listed and "滨湖社区" not in listed
    shoot(page, "notices-2b-completeness-list")
    click_and_wait(page, page.locator("#remind-all"))
    messages = page.locator("ul.messages").inner_text()
    assert "已向" in messages and "南湖街道" in messages and "发出催报" in messages
    nanhu_row = page.locator('#completeness tr[data-unit="南湖街道"]').inner_text()
    assert "clerk" in nanhu_row and "未读" in nanhu_row
    shoot(page, "notices-3-reminded")
    # A second click says it was sent moments ago instead of sending again.
    click_and_wait(page, page.locator("#remind-all"))
    assert "本次未重复发送" in page.locator("ul.messages").inner_text()
    assert Notice.objects.filter(kind=Kind.REMINDER).count() == 5
    shoot(page, "notices-4-double-click")

    # 2. The street user sees the reminder on the home page and opens it.
    log_in(page, live_server, "nanhu-browser")
    todo = page.locator("section.todo")
    reminder_title = f"催报：请报送{label}报表"
    assert "未读通知" in todo.inner_text() and reminder_title in todo.inner_text()
    shoot(page, "notices-5-street-home")
    click_and_wait(page, todo.get_by_role("link", name=reminder_title))
    assert page.locator("#notice h1").inner_text() == reminder_title
    assert "南湖东路社区" in page.locator(".notice-body").inner_text()
    shoot(page, "notices-6-street-reads-reminder")
    assert Reading.objects.filter(user__username="nanhu-browser").count() == 1

    # 3. An administrator posts a notice to 南湖 only, from the menu.
    log_in(page, live_server, "admin")
    click_and_wait(page, page.locator('nav a[data-nav="notices"]'))
    click_and_wait(page, page.locator("#new-notice"))
    page.fill("#id_title", "关于开展社区服务满意度调查的通知")
    page.fill("#id_body", "请南湖街道于12月10日前组织各社区完成问卷调查。")
    page.check("input[name=audience][value=chosen]")
    page.get_by_label("南湖街道").check()
    shoot(page, "notices-7-posting")
    click_and_wait(page, page.locator("#send-notice"))
    assert "通知已发送给 1 个街道。" in page.locator("ul.messages").inner_text()
    receipts = page.locator("#receipts").inner_text()
    assert "南湖街道" in receipts and "尚未阅读" in receipts and "滨湖街道" not in receipts
    shoot(page, "notices-8-posted-unread")

    # 4. The street user opens it from the home page.
    log_in(page, live_server, "nanhu-browser")
    click_and_wait(
        page,
        page.locator("section.todo").get_by_role("link", name="关于开展社区服务满意度调查的通知"),
    )
    assert "12月10日" in page.locator(".notice-body").inner_text()
    shoot(page, "notices-9-street-reads-notice")

    # 5. The administrator sees it read: by whom and when.
    log_in(page, live_server, "admin")
    click_and_wait(page, page.locator('nav a[data-nav="notices"]'))
    assert "1 / 1" in page.locator("#notices").inner_text()
    click_and_wait(page, page.get_by_role("link", name="关于开展社区服务满意度调查的通知"))
    row = page.locator('#receipts tr[data-street="南湖街道"]').inner_text()
    reading = Reading.objects.get(
        user__username="nanhu-browser", delivery__notice__kind=Kind.NOTICE
    )
    assert "nanhu-browser" in row
    assert timezone.localtime(reading.read_at).strftime("%Y-%m-%d %H:%M") in row
    shoot(page, "notices-10-read-receipt")
    assert page.errors == []
