"""The approval of a year's budget in a real browser: the administrator opens the budgets
page, approves the year through the confirmation page, and sees approved, current and
difference; a clerk sees the comparison without the button. Screenshots in test-artifacts/."""

import pytest

from budgets.approval import latest_approved
from communities.models import Committee
from returns.models import QuarterlyReturn

from .conftest import log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_approves_the_year_clerk_reads_the_comparison(page, live_server, demo_accounts):
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/budgets/?year=2006")
    with page.expect_navigation():
        page.get_by_role("button", name="核定2006年度预算").click()
    assert page.locator("h1").inner_text() == "核定2006年度预算"
    shoot(page, "budget-approval-1-confirm")
    with page.expect_navigation():
        page.get_by_role("button", name="确认核定").click()
    assert "2006年度预算已核定（第1版）" in page.locator(".messages").inner_text()
    table = page.locator("table.approved-comparison")
    assert "核定数" in table.inner_text() and "现算数" in table.inner_text()
    shoot(page, "budget-approval-2-compared")
    budget = latest_approved(2006)
    assert budget.approved_by == demo_accounts["admin"] and budget.lines.count() == 38
    assert page.errors == []

    # A correction of a fourth-quarter return after the approval (the workflow's own tests
    # are elsewhere): the current figure moves, the approved one stays.
    committee = Committee.objects.get(name="南湖东路社区")
    QuarterlyReturn.objects.filter(committee=committee, year=2006, quarter=4).update(
        households=2568
    )
    log_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/budgets/?year=2006")
    assert page.get_by_role("button", name="重新核定2006年度预算").count() == 0
    assert "已由admin" in page.locator("#approval-status").inner_text()
    total = page.locator("table.approved-comparison tbody tr").first.inner_text()
    assert "4,074,000.00" in total and "4,076,400.00" in total and "2,400.00" in total
    shoot(page, "budget-approval-3-difference")
    page.get_by_role("link", name="南湖东路社区").click()
    assert "与核定预算对比" in page.locator("h2").first.inner_text()
    shoot(page, "budget-approval-4-committee")
