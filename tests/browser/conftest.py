"""Shared fixtures of the real-browser tests (Debian's chromium through Playwright).

Run by CI (``.ci/run`` sets CI=1 and installs chromium); on a machine without chromium or
the playwright package the tests skip, with the reason, unless CI is set.
"""

import os
from pathlib import Path

import pytest

from accounts.models import User
from accounts.roles import Role

# Playwright's sync API runs an event loop in this thread; the ORM must still be usable.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

def missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing (pip install -e '.[test]')"
    return None


@pytest.fixture
def browser():
    reason = missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    context.close()


@pytest.fixture
def demo_accounts(db):
    from django.core.management import call_command

    call_command("loaddemo", stdout=open(os.devnull, "w"))
    admin = User.objects.get(username="admin")
    admin.set_password("Browser-test-2006")
    admin.save()
    clerk = User.objects.get(username="clerk")
    clerk.set_password("Browser-test-2006")
    clerk.save()
    street = User(username="nanhu-browser", role=Role.STREET)
    from communities.models import Street

    street.street = Street.objects.get(name="南湖街道")
    street.set_password("Browser-test-2006")
    street.save()
    return {"admin": admin, "clerk": clerk, "street": street}


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(live_server.url + "/")
    # Not logged in: the dashboard sends to the (Chinese) admin login form, and back.
    assert "/admin/login/" in page.url
    assert page.locator("input[type=submit]").get_attribute("value") == "登录"
    page.fill("#id_username", username)
    page.fill("#id_password", "Browser-test-2006")
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/")


