"""The district administrator manages users in a real browser, by clicking from the home
page: creates a street user, who then locks themselves out, and unlocks them. Screenshots go
to test-artifacts/."""

import pytest

from accounts.models import User
from accounts.roles import Role

from .conftest import log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Jianye-liuyang-2006"


def try_login(page, live_server, password):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "liuyang")
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def test_administrator_creates_and_unlocks_a_user(browser, page, live_server, demo_accounts):
    log_in(page, live_server, "admin")
    with page.expect_navigation():
        page.click("header a[href='/admin/']")
    with page.expect_navigation():
        page.click("#content-main a[href='/admin/accounts/user/']")
    shoot(page, "users-1-list")
    with page.expect_navigation():
        page.click(".object-tools a.addlink")
    page.fill("#id_username", "liuyang")
    page.fill("#id_last_name", "刘")
    page.fill("#id_first_name", "洋")
    page.select_option("#id_role", Role.STREET)
    page.select_option("#id_street", label="南湖街道")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    shoot(page, "users-2-add-form")
    with page.expect_navigation():
        page.click("input[name=_save]")
    user = User.objects.get(username="liuyang")
    assert user.street.name == "南湖街道" and user.must_change_password

    # The new user mistypes the password five times, in another browser: locked out.
    other = browser.new_context(locale="zh-CN").new_page()
    for _ in range(5):
        try_login(other, live_server, "wrong-password")
    try_login(other, live_server, NEW_PASSWORD)
    assert "解除锁定" in other.content()
    shoot(other, "users-3-locked-out")

    # The administrator unlocks them from the user list.
    with page.expect_navigation():
        page.click(".breadcrumbs a[href='/admin/accounts/user/']")
    page.check(f"input[name=_selected_action][value='{user.pk}']")
    page.select_option("select[name=action]", "unlock_users")
    with page.expect_navigation():
        page.click("button[name=index]")
    assert "解除锁定" in page.locator(".messagelist").inner_text()
    shoot(page, "users-4-unlocked")

    # Now they log in, and are asked for a password of their own first.
    try_login(other, live_server, NEW_PASSWORD)
    assert "/admin/password_change/" in other.url
    shoot(other, "users-5-change-password")
    assert page.errors == []
    other.context.close()
