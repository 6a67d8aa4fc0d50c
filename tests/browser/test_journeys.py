"""The journeys a clerk makes, in a real browser: a street user fills and submits the
quarterly grid, a district clerk approves, an administrator downloads the funding report
(and the test opens the file), and a street user who types another street's address is
refused. A screenshot of each step goes to test-artifacts/."""

from decimal import Decimal

import openpyxl
import pytest

from budgets.calculations import budget_compute
from communities.models import Committee, Street
from returns.models import QuarterlyReturn, ReturnStatus
from scoping.rules import SYSTEM

from .conftest import log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR, QUARTER = 2007, 1
FIGURES = {
    "households": "2310",
    "registered_population": "6530",
    "resident_population": "6920",
    "volunteers": "21",
    "activities": "11",
    "one_stop_cases": "85",
}


def test_street_fills_and_submits_clerk_approves(page, live_server, demo_accounts):
    committee = Committee.objects.get(name="南湖西路社区")
    QuarterlyReturn.objects.filter(committee=committee, year=YEAR, quarter=QUARTER).delete()

    # 1. The street user logs in (Chinese UI) and fills one row of the grid.
    log_in(page, live_server, "nanhu-browser")
    page.goto(f"{live_server.url}/returns/{YEAR}/{QUARTER}/")
    assert "季度" in page.locator("h1").inner_text()
    row = page.locator(f"#row-{committee.code}")
    for name, value in FIGURES.items():
        row.locator(f"input[type=text][name$='-{name}']").fill(value)
    row.locator("input[type=checkbox]").check()
    shoot(page, "journey-1-grid-filled")
    with page.expect_navigation():
        page.click("button[value=submit_selected]")
    # Saved; submitting asks first, naming what will be submitted.
    assert committee.name in page.locator("#confirm-submit .will").inner_text()
    with page.expect_navigation():
        page.click("#confirm-submit button.primary")
    shoot(page, "journey-2-grid-submitted")
    submitted = QuarterlyReturn.objects.get(committee=committee, year=YEAR, quarter=QUARTER)
    assert submitted.status == ReturnStatus.SUBMITTED
    assert submitted.households == 2310
    assert page.errors == []

    # 2. A district clerk approves it on the review page.
    log_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/returns/{YEAR}/{QUARTER}/review/?street={committee.street_id}")
    with page.expect_navigation():
        page.click(f"button[name=approve_one][value='{submitted.pk}']")
    shoot(page, "journey-3-approved")
    submitted.refresh_from_db()
    assert submitted.status == ReturnStatus.APPROVED
    assert submitted.approved_at is not None


def test_admin_downloads_the_funding_report(page, live_server, demo_accounts, tmp_path):
    log_in(page, live_server, "admin")
    page.goto(live_server.url + "/reports/")
    shoot(page, "journey-4-reports")
    with page.expect_download() as download:
        page.locator("#report-funding button[value=xlsx]").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    sheet = openpyxl.load_workbook(target).active
    assert "经费" in sheet["A1"].value and "2006" in sheet["A1"].value
    header = [cell.value for cell in sheet[4]]
    total = [cell.value for cell in sheet[5]]
    assert total[0] == "合计"
    # The workbook carries the district's budget as the one calculation computes it.
    expected = budget_compute(year=2006, user=SYSTEM).amounts
    figures = {Decimal(str(v)) for v in total[1:] if isinstance(v, int | float | Decimal)}
    assert {expected.staff, expected.office, expected.total} <= figures
    assert len(header) == len(total)


def test_street_user_is_refused_another_streets_pages(page, live_server, demo_accounts):
    other = Committee.objects.filter(street__name="滨湖街道").first()
    binhu = Street.objects.get(name="滨湖街道")
    log_in(page, live_server, "nanhu-browser")
    response = page.goto(f"{live_server.url}/admin/communities/committee/{other.pk}/change/")
    assert response.status == 404
    shoot(page, "journey-5-refused-admin")
    assert other.name not in page.content()
    response = page.goto(f"{live_server.url}/budgets/committees/{other.pk}/")
    assert response.status == 404
    assert other.name not in page.content()
    page.goto(f"{live_server.url}/returns/{YEAR}/{QUARTER}/?street={binhu.pk}")
    shoot(page, "journey-6-refused-grid")
    assert other.name not in page.content()
