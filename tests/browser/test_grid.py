"""The quarterly grid as fast as paper, in a real browser (issue 15): a street user starts on
the home page and clicks to the grid; types figures with Tab and Enter (the focus moves from
figure to figure, Enter down the column), with a thousands separator and full-width digits;
one bad cell; saves: the rest is saved, the bad cell is marked with the reason and keeps
what was typed; fixes it; submits with a confirmation that lists what will and will not be
submitted; then withdraws one. A screenshot of each step goes to test-artifacts/."""

import pytest
from django.urls import reverse

from returns.models import QuarterlyReturn, ReturnEvent, ReturnStatus

from .conftest import log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR, QUARTER = 2007, 1
# 南湖's committees by code: 001 南湖东路 (draft), 002 南湖西路 (not started), 003 沿河
# (returned), 004 凤栖苑 (draft), 005 文体, 006 长虹, 007 广电 (not started).
XILU, YANHE, FENGQI, WENTI, CHANGHONG, GUANGDIAN = (
    "320105001002", "320105001003", "320105001004", "320105001005", "320105001006",
    "320105001007",
)  # fmt: skip


def cell(page, code, figure):
    return page.locator(f"#row-{code} input[data-figure={figure}]")


def focused(page) -> tuple[str, str]:
    """(committee code of the row, figure) of the focused input."""
    return tuple(
        page.evaluate(
            """() => { const e = document.activeElement;
                       return [e.closest('tr') ? e.closest('tr').id.slice(4) : '',
                               e.getAttribute('data-figure') || e.name || ''] }"""
        )
    )


def type_row(page, values):
    """Type a row's figures from its first cell, moving with Tab."""
    for index, value in enumerate(values):
        page.keyboard.type(value)
        if index < len(values) - 1:
            page.keyboard.press("Tab")


def saved(code):
    return QuarterlyReturn.objects.filter(committee__code=code, year=YEAR, quarter=QUARTER).first()


def test_street_fills_saves_with_a_bad_cell_submits_and_withdraws(page, live_server, demo_accounts):
    grid = reverse("returns:return-grid", args=[YEAR, QUARTER])

    # 1. From the home page's to-do list (the sent-back return of Q1 2007) to the grid.
    log_in(page, live_server, "nanhu-browser")
    page.locator(f'section.todo a[href="{grid}"]').first.click()
    page.wait_for_url(live_server.url + grid)
    assert "南湖街道" in page.locator("h1").inner_text()
    shoot(page, "grid-1-opened")

    # 2. Figures typed with Tab along the row: the focus goes from figure to figure, then on
    # to the next editable row's first figure (沿河, sent back), past notes and comments.
    cell(page, XILU, "households").click()
    assert focused(page) == (XILU, "households")
    page.keyboard.type("2,310")  # a thousands separator
    page.keyboard.press("Tab")
    assert focused(page) == (XILU, "registered_population")
    page.keyboard.type("６，５３０")  # full-width digits and comma, as an input method types
    for figure, value in (
        ("resident_population", "6920"),
        ("volunteers", "21"),
        ("activities", "11"),
        ("one_stop_cases", " 85 "),
    ):
        page.keyboard.press("Tab")
        assert focused(page) == (XILU, figure)
        page.keyboard.type(value)
    page.keyboard.press("Tab")
    assert focused(page) == (YANHE, "households")
    # Enter goes down the column, Shift+Enter up, and never submits the form.
    page.keyboard.press("Enter")
    assert focused(page) == (FENGQI, "households")
    page.keyboard.press("Enter")
    assert focused(page) == (WENTI, "households")
    page.keyboard.press("Enter")
    assert focused(page) == (CHANGHONG, "households")
    page.keyboard.press("Shift+Enter")
    assert focused(page) == (WENTI, "households")
    page.keyboard.press("Enter")
    assert focused(page) == (CHANGHONG, "households")
    assert page.url == live_server.url + grid  # nothing was submitted
    # One bad cell (volunteers "2x") in 长虹's row.
    type_row(page, ["1,960", "5530", "5860", "2x", "9", "60"])
    # The totals row follows what is typed.
    total = page.locator('td[data-total="households"] .total-value').inner_text()
    assert total and total != "?"
    shoot(page, "grid-2-typed")

    # 3. Save: 南湖西路 is saved; 长虹's row is not, its bad cell marked with the reason.
    with page.expect_navigation():
        page.locator("p.grid-actions button[value=save]").click()
    messages = page.locator("ul.messages").inner_text()
    assert "已保存 1 份；1 份有错误" in messages, messages
    bad = cell(page, CHANGHONG, "volunteers")
    assert bad.get_attribute("aria-invalid") == "true"
    assert "不是整数" in bad.get_attribute("title")
    reason = page.locator(f"#row-{CHANGHONG} td.invalid .reason").inner_text()
    assert "“2x”不是整数" in reason
    assert bad.input_value() == "2x"  # what was typed is kept, the good cells too
    assert cell(page, CHANGHONG, "households").input_value() == "1,960"
    assert focused(page) == (CHANGHONG, "volunteers")  # the first error has the focus
    assert cell(page, XILU, "registered_population").input_value() == "６，５３０"
    xilu = saved(XILU)
    assert (xilu.households, xilu.registered_population, xilu.one_stop_cases) == (2310, 6530, 85)
    assert saved(CHANGHONG) is None
    # The totals row, computed by the server, holds what the page shows.
    assert page.locator('td[data-total="households"] .total-value').inner_text() == total
    shoot(page, "grid-3-saved-with-an-error")

    # 4. Fix the cell, tick three rows (广电 is empty) and submit: first the confirmation.
    page.keyboard.type("25")  # the bad cell has the focus, its text selected
    assert bad.input_value() == "25"
    for code in (XILU, CHANGHONG, GUANGDIAN):
        page.locator(f"#row-{code} td.pick input[type=checkbox]").check()
    with page.expect_navigation():
        page.locator("button[value=submit_selected]").click()
    confirm = page.locator("#confirm-submit")
    text = confirm.inner_text()
    assert "将上报以下 2 个社区的报表" in text, text
    assert "南湖西路社区" in confirm.locator(".will").inner_text()
    assert "长虹社区" in confirm.locator(".will").inner_text()
    assert "广电社区：空白，未填写任何数字" in confirm.locator(".will-not").inner_text()
    assert saved(CHANGHONG).volunteers == 25  # saved, not yet submitted
    assert saved(CHANGHONG).status == ReturnStatus.DRAFT
    # The ticks survived the round trip.
    assert page.locator(f"#row-{GUANGDIAN} td.pick input[type=checkbox]").is_checked()
    shoot(page, "grid-4-confirmation")
    with page.expect_navigation():
        confirm.locator("button.primary").click()
    messages = page.locator("ul.messages").inner_text()
    assert "已上报 2 份报表" in messages and "广电社区（空白，未填写任何数字）" in messages
    assert saved(XILU).status == ReturnStatus.SUBMITTED
    assert saved(CHANGHONG).status == ReturnStatus.SUBMITTED
    assert saved(GUANGDIAN) is None
    assert cell(page, XILU, "households").count() == 0  # submitted: read only now
    shoot(page, "grid-5-submitted")

    # 5. Withdraw 长虹's submission: a draft again, with an event.
    with page.expect_navigation():
        page.locator(f"#row-{CHANGHONG} button.withdraw").click()
    messages = page.locator("ul.messages").inner_text()
    assert "已撤回长虹社区的报表" in messages, messages
    item = saved(CHANGHONG)
    assert item.status == ReturnStatus.DRAFT
    event = ReturnEvent.objects.filter(quarterly_return=item).latest("at", "pk")
    assert (event.from_status, event.to_status) == (ReturnStatus.SUBMITTED, ReturnStatus.DRAFT)
    assert event.actor == demo_accounts["street"]
    assert cell(page, CHANGHONG, "volunteers").input_value() == "25"  # editable again
    assert saved(XILU).status == ReturnStatus.SUBMITTED
    shoot(page, "grid-6-withdrawn")
    assert page.errors == []
