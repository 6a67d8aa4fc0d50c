"""In a real browser: a street user starts from the home page's to-do list and reaches the
grid of the quarter due, by clicking, without typing an address; then by the menu."""

import pytest
from django.urls import reverse
from django.utils import timezone

from overview.todo import period_of_interest

from .conftest import log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_street_user_clicks_from_the_to_do_list_to_the_grid(page, live_server, demo_accounts):
    log_in(page, live_server, "nanhu-browser")
    todo = page.locator("section.todo")
    assert "待办" in todo.inner_text()
    assert "本街道季度报表" in todo.inner_text()
    shoot(page, "home-street")
    year, quarter = period_of_interest(timezone.localdate())
    grid = reverse("returns:return-grid", args=[year, quarter])
    todo.locator(f'a[href="{grid}"]').first.click()
    page.wait_for_url(live_server.url + grid)
    assert "南湖街道" in page.locator("main").inner_text()
    assert page.locator("input[name$='-households']").count() > 0  # the grid's rows
    shoot(page, "home-street-grid")
    # The menu leads to the returns too, and marks where the user is.
    page.locator('nav a[data-nav="returns"]').click()
    page.wait_for_url(live_server.url + reverse("returns:return-index"))
    assert page.locator('nav a[aria-current="page"]').get_attribute("data-nav") == "returns"
    # The back office's sent-back return of the demo (Q1 2007) is listed with its reason.
    page.locator('nav a[data-nav="home"]').click()
    assert "退回原因" in page.locator("section.todo").inner_text()
    assert page.errors == []
