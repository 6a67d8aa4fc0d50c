"""A clerk imports a workbook in the admin, in a real browser: the list's "导入" button,
upload, the preview (counts, pages), confirm, the result; and a big file followed on its
progress page (the page's own script polls and moves on when the worker is done)."""

import io
import os

import openpyxl
import pytest
from django.core.management import call_command

from communities.models import Committee
from communities.resources import CommitteeResource
from imports import admin_flow
from imports.models import ImportJob

from .conftest import log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(admin_flow, "PREVIEW_PER_PAGE", 10)


def committees_workbook(clerk, households):
    """Every committee as the clerk exports it, the first one's households changed."""
    dataset = CommitteeResource(user=clerk).export(queryset=Committee.objects.order_by("code"))
    book = openpyxl.Workbook()
    book.active.append(list(dataset.headers))
    for index, row in enumerate(dataset):
        row = list(row)
        if index == 0:
            row[dataset.headers.index("户数")] = households
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def choose_file(page, content):
    page.set_input_files(
        "#import-upload input[type=file]",
        files=[{"name": "社区居委会.xlsx", "mimeType": XLSX, "buffer": content}],
    )


def run_worker():
    with open(os.devnull, "w") as sink:
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=sink
        )


def test_clerk_uploads_previews_and_confirms(page, live_server, demo_accounts):
    first = Committee.objects.order_by("code").first()
    content = committees_workbook(demo_accounts["clerk"], 2777)

    log_in(page, live_server, "clerk")
    page.goto(live_server.url + "/admin/communities/committee/")
    with page.expect_navigation():
        page.click("a.import_link")
    assert page.locator("h1").inner_text() == "导入社区居委会"
    assert "首页" in page.locator(".breadcrumbs").inner_text()
    choose_file(page, content)
    shoot(page, "import-1-upload")
    with page.expect_navigation():
        page.click("#import-upload input[type=submit]")

    # The preview: counts, then the rows ten a page; nothing written yet.
    assert page.locator("#import-updated").inner_text() == "1"
    assert page.locator("#import-new").inner_text() == "0"
    assert page.locator("#import-preview tbody tr").count() == 10
    assert "更新" in page.locator("#import-preview tbody tr").first.inner_text()
    shoot(page, "import-2-preview")
    with page.expect_navigation():
        page.locator("#import-pages a", has_text="2").first.click()
    assert "page=2" in page.url and "token=" in page.url
    assert page.locator("#import-preview tbody tr").first.locator("td").first.inner_text() == "12"
    first.refresh_from_db()
    assert first.households != 2777

    with page.expect_navigation():
        page.click("#import-confirm input[name=confirm]")
    assert "已导入" in page.locator("#import-result").inner_text()
    assert page.locator("#import-updated").inner_text() == "1"
    shoot(page, "import-3-done")
    first.refresh_from_db()
    assert first.households == 2777
    assert ImportJob.objects.get().record.written
    assert page.errors == []


def test_a_big_file_is_followed_on_its_progress_page(page, live_server, demo_accounts, settings):
    settings.IMPORT_BACKGROUND_ROWS = 5
    first = Committee.objects.order_by("code").first()
    content = committees_workbook(demo_accounts["clerk"], 2888)
    log_in(page, live_server, "clerk")
    # The page's timers are the test's: the worker runs while the page waits, then time moves.
    page.clock.install()
    page.goto(live_server.url + "/admin/communities/committee/import/")
    choose_file(page, content)
    with page.expect_navigation():
        page.click("#import-upload input[type=submit]")
    assert "/imports/jobs/" in page.url
    assert page.locator("progress#import-bar").count() == 1
    assert "正在检查文件" in page.locator("#import-progress").inner_text()
    shoot(page, "import-4-progress")

    run_worker()
    with page.expect_navigation():
        page.clock.run_for(2500)  # the script polls, sees the check done, opens the preview
    assert "token=" in page.url
    assert page.locator("#import-updated").inner_text() == "1"

    with page.expect_navigation():
        page.click("#import-confirm input[name=confirm]")
    assert "正在导入文件" in page.locator("#import-progress").inner_text()
    run_worker()
    with page.expect_navigation():
        page.clock.run_for(2500)
    assert "已导入" in page.locator("#import-result").inner_text()
    shoot(page, "import-5-background-done")
    first.refresh_from_db()
    assert first.households == 2888
    assert page.errors == []
