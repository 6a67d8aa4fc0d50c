"""In a real browser, by clicking from the home page (no address typed but the login's): a
clerk sends one return back with a reason; the street sees it on its home page with the
reason, fixes it in the grid and resubmits; the clerk selects all and approves in bulk,
and the page says what became of each return. A screenshot of each step goes to
test-artifacts/review-*.png."""

import pytest

from communities.models import Committee
from returns.models import QuarterlyReturn, ReturnStatus, ValidationRule
from tests.returns.test_review import fill_and_submit

from .conftest import log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR, QUARTER = 2007, 1
SUBMITTED = ["南湖西路社区", "文体社区", "长虹社区", "广电社区"]
REASON = "义工人数与上季度不一致，请核实后重报。"


def status(name):
    return QuarterlyReturn.objects.get(committee__name=name, year=YEAR, quarter=QUARTER).status


def test_send_back_fix_resubmit_and_bulk_approve(page, live_server, demo_accounts):
    # The street has submitted four returns of Q1 2007; the demo keeps 南湖东路社区 and
    # 凤栖苑社区 as drafts and 沿河社区 sent back.
    fill_and_submit(demo_accounts["street"], SUBMITTED)
    page.on("dialog", lambda dialog: dialog.accept())  # a confirmation, if the grid asks

    # 1. The clerk's home page lists the returns waiting for review; one click opens them.
    log_in(page, live_server, "clerk")
    todo = page.locator("section.todo")
    waiting = todo.locator("a", has_text="南湖街道：2007年第1季度有4份报表待审核")
    shoot(page, "review-1-clerk-home")
    with page.expect_navigation():
        waiting.click()
    assert "季度报表审核（2007年第1季度）" in page.locator("h1").inner_text()
    table = page.locator("#review-table")
    assert table.locator("tbody tr").count() == 4  # the submitted ones (the to-do's filter)
    header = table.locator("thead").inner_text()
    for label in ("户数", "户籍人口", "常住人口", "义工", "活动", "一站式"):
        assert label in header
    changhong = Committee.objects.get(name="长虹社区")
    row = table.locator("tr", has=page.locator('input[aria-label="长虹社区"]'))
    assert row.locator("td.figure").count() == 6
    assert "上季度" in row.inner_text()
    shoot(page, "review-2-list")

    # 2. Enter in the reason box does not approve anything; the send-back button sends back.
    row.locator('input[name="ids"]').check()
    page.fill("#id_reason", REASON)
    page.press("#id_reason", "Enter")
    page.wait_for_timeout(500)
    assert status("长虹社区") == ReturnStatus.SUBMITTED
    with page.expect_navigation():
        page.click("button[value=send_back]")
    messages = page.locator("ul.messages").inner_text()
    assert "已退回 1 份报表：长虹社区。" in messages
    assert status("长虹社区") == ReturnStatus.RETURNED
    shoot(page, "review-3-sent-back")

    # 3. The street's home page shows it, with the reason; one click opens the grid.
    log_in(page, live_server, "nanhu-browser")
    item = page.locator("section.todo li", has_text="长虹社区 2007年第1季度报表被退回")
    assert REASON in item.inner_text()
    shoot(page, "review-4-street-home")
    with page.expect_navigation():
        item.locator("a").click()
    grid_row = page.locator(f"#row-{changhong.code}")
    assert REASON in grid_row.inner_text()
    volunteers = grid_row.locator("input[type=text][name$='-volunteers']")
    fixed = int(volunteers.input_value()) + 2
    volunteers.fill(str(fixed))
    grid_row.locator("input[type=checkbox]").check()
    shoot(page, "review-5-street-fixing")
    with page.expect_navigation():
        page.click("button[value=submit_selected]")
    # The grid asks first, listing what will be submitted; confirm.
    confirm = page.locator("#confirm-submit")
    assert "长虹社区" in confirm.locator(".will").inner_text()
    with page.expect_navigation():
        confirm.locator("button.primary").click()
    shoot(page, "review-6-street-resubmitted")
    item = QuarterlyReturn.objects.get(committee=changhong, year=YEAR, quarter=QUARTER)
    assert item.status == ReturnStatus.SUBMITTED and item.volunteers == fixed

    # 4. The clerk, from the home page again, shows every status, selects all, approves.
    log_in(page, live_server, "clerk")
    with page.expect_navigation():
        page.locator("section.todo a", has_text="南湖街道：2007年第1季度有4份报表待审核").click()
    page.select_option("select[name=status]", "")
    with page.expect_navigation():
        page.click("form.review-filters button[type=submit]")
    table = page.locator("#review-table")
    assert table.locator("tbody tr").count() == 7
    page.check('input[data-select-all="ids"]')
    boxes = table.locator('tbody input[name="ids"]')
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    shoot(page, "review-7-all-selected")
    with page.expect_navigation():
        page.click("button[value=approve]")
    messages = page.locator("ul.messages").inner_text()
    assert "已审核通过 4 份报表：南湖西路社区、文体社区、长虹社区、广电社区。" in messages
    assert "以下 3 份报表未处理：" in messages
    assert "南湖东路社区：草稿，尚未上报，不能审核。" in messages
    assert "凤栖苑社区：草稿，尚未上报，不能审核。" in messages
    assert "沿河社区：已退回，待街道修改后重新上报，不能审核。" in messages
    shoot(page, "review-8-outcomes")
    assert {name: status(name) for name in SUBMITTED} == {
        name: ReturnStatus.APPROVED for name in SUBMITTED
    }
    assert status("南湖东路社区") == ReturnStatus.DRAFT
    assert page.errors == []


def test_clerk_sees_unusual_changes_and_what_changed_since_approval(
    page, live_server, demo_accounts
):
    from returns.workflow import return_approve, return_reopen

    street, clerk = demo_accounts["street"], demo_accounts["clerk"]
    # The rule the migrations seed (a transactional test before this one may have flushed it).
    ValidationRule.objects.get_or_create(
        name="户数较上季度变动超过20%",
        defaults={
            "order": 60,
            "expression": "abs(households - prev_households) <= 0.2 * prev_households",
            "severity": "warning",
            "message": "户数较上季度变动超过20%。",
        },
    )
    approved = fill_and_submit(street, ["长虹社区"])
    return_approve(returns=approved, user=clerk)
    return_reopen(returns=approved, user=demo_accounts["admin"], reason="派出所更正了户籍数据。")
    before = approved[0].registered_population
    last = QuarterlyReturn.objects.get(committee__name="文体社区", year=2006, quarter=4)
    fill_and_submit(
        street,
        ["长虹社区", "文体社区"],
        {
            "长虹社区": {"registered_population": before + 120},
            "文体社区": {"households": round(last.households * 1.3)},
        },
    )

    log_in(page, live_server, "clerk")
    with page.expect_navigation():
        page.locator("section.todo a", has_text="南湖街道：2007年第1季度有2份报表待审核").click()
    changhong = page.locator("#review-table tr", has=page.locator('input[aria-label="长虹社区"]'))
    text = changhong.inner_text()
    assert "审核后已修改" in text and f"户籍人口 {before:,} → {before + 120:,}" in text
    assert f"审核时 {before:,}" in text
    wenti = page.locator("#review-table tr", has=page.locator('input[aria-label="文体社区"]'))
    shaded = wenti.locator("td.unusual")
    assert shaded.count() == 1 and shaded.get_attribute("data-figure") == "households"
    assert "户数较上季度变动超过20%" in wenti.inner_text()
    shoot(page, "review-9-changes")
    assert page.errors == []
