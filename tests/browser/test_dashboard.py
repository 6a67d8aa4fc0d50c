"""In a real browser (Debian's chromium through Playwright): log in, see the charts drawn.

Run by CI (``.ci/run`` sets CI=1 and installs chromium); on a machine without chromium or
the playwright package they skip, with the reason, unless CI is set.
"""

import pytest

from .conftest import ARTIFACTS, log_in

CHARTS = ["committees", "budget", "area", "completeness", "staff"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_logs_in_and_sees_the_charts(page, live_server, demo_accounts):
    log_in(page, live_server, "admin")
    assert page.locator("h1").first.inner_text().startswith("2006年")
    for key in CHARTS:
        page.wait_for_selector(f'.chart[data-chart="{key}"] canvas', timeout=15000)
        box = page.locator(f'.chart[data-chart="{key}"] canvas').first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, key
    assert "4,074,000.00" in page.locator(".key-figures").inner_text()
    assert page.errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-admin.png"), full_page=True)


def test_street_user_sees_their_street(page, live_server, demo_accounts):
    log_in(page, live_server, "nanhu-browser")
    page.wait_for_selector('.chart[data-chart="committees"] canvas', timeout=15000)
    text = page.locator("main").inner_text()
    assert "南湖街道" in text and "滨湖" not in text
    assert page.errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-street.png"), full_page=True)


def test_reports_page_downloads_a_workbook(page, live_server, demo_accounts):
    log_in(page, live_server, "admin")
    page.goto(live_server.url + "/reports/")
    with page.expect_download() as download:
        page.locator("#report-funding button[value=xlsx]").click()
    assert download.value.suggested_filename == "建邺区社区居委会经费情况表（2006年）.xlsx"
    with page.expect_download() as document:
        page.locator("#report-basic-situation button[value=docx]").click()
    assert document.value.suggested_filename == "建邺区社区建设基本情况（2006年）.docx"
