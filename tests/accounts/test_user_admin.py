"""Users in the browser, for the district administrator: create with a role and a street,
disable, temporary password (changed at the next login), unlock a locked-out account."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from accounts.models import User
from accounts.roles import Role

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"
PASSWORD = "Secret-pass-2006"  # tests/conftest.py make_user
NEW_PASSWORD = "Qinhuai-river-2026"


def login(username, password, ip="10.0.0.9"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(
        "/admin/login/", {"username": username, "password": password, "next": "/"}
    )
    return client, response


def act(client, action, *users):
    return client.post(
        USERS, {"action": action, ACTION_CHECKBOX_NAME: [u.pk for u in users]}, follow=True
    )


@pytest.mark.parametrize("role", ["clerk", "nanhu", "viewer"])
def test_only_the_administrator_manages_users(clients, users, role):
    client = clients[role]
    for url in (USERS, f"{USERS}add/", f"{USERS}{users['viewer'].pk}/change/"):
        assert client.get(url).status_code in (403, 404), url
    assert client.post(f"{USERS}add/", {}).status_code == 403
    response = act(client, "reset_passwords", users["viewer"])
    assert response.status_code == 403
    assert "您无权打开此页面" in response.content.decode()
    # Not even listed on the admin's index.
    assert "/admin/accounts/user/" not in client.get("/admin/").content.decode()


def test_the_administrator_lists_users(clients, users):
    users["nanhu"].last_name, users["nanhu"].first_name = "王", "芳"
    users["nanhu"].save()
    page = clients["admin"].get(USERS).content.decode()
    assert "用户名" in page and "姓名" in page and "角色" in page
    assert "王芳" in page and "南湖街道" in page and "街道工作人员" in page
    assert USERS in clients["admin"].get("/admin/").content.decode()


def add_form(**overrides):
    data = {
        "username": "wangfang",
        "last_name": "王",
        "first_name": "芳",
        "role": Role.STREET,
        "street": "",
        "password1": "Jianye-wangfang-2006",
        "password2": "Jianye-wangfang-2006",
    }
    data.update(overrides)
    return data


def test_the_administrator_creates_a_street_user_who_can_log_in(clients, demo):
    street = demo["streets"]["南湖"]
    response = clients["admin"].post(f"{USERS}add/", add_form(street=street.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="wangfang")
    assert (user.role, user.street, user.is_staff) == (Role.STREET, street, True)
    assert list(user.groups.values_list("name", flat=True)) == ["street-staff"]
    assert user.must_change_password  # the administrator knows the initial password
    client, response = login("wangfang", "Jianye-wangfang-2006")
    assert response.status_code == 302
    assert client.get("/").url == "/admin/password_change/"


def test_a_street_user_without_a_street_is_refused_in_chinese(clients):
    response = clients["admin"].post(f"{USERS}add/", add_form())
    assert response.status_code == 200
    page = response.content.decode()
    assert "街道工作人员" in page
    assert response.context["adminform"].form.errors["street"]
    error = response.context["adminform"].form.errors["street"][0]
    assert re.search(r"[\u4e00-\u9fff]", error), error  # Chinese
    assert error in page
    assert 'value="wangfang"' in page and 'value="王"' in page  # the input is kept
    assert not User.objects.filter(username="wangfang").exists()


def test_a_district_user_with_a_street_is_refused(clients, demo):
    response = clients["admin"].post(
        f"{USERS}add/", add_form(role=Role.CLERK, street=demo["streets"]["南湖"].pk)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["street"]
    assert not User.objects.filter(username="wangfang").exists()


def test_disable(clients, users):
    response = act(clients["admin"], "disable_users", users["viewer"], users["admin"])
    page = response.content.decode()
    assert "不能停用您自己的账户" in page and "已停用 1 个用户" in page
    users["viewer"].refresh_from_db()
    users["admin"].refresh_from_db()
    assert not users["viewer"].is_active and users["admin"].is_active
    assert login(users["viewer"].username, PASSWORD)[1].status_code == 200  # refused


def test_temporary_password_must_be_changed_at_next_login(clients, users):
    response = act(clients["admin"], "reset_passwords", users["nanhu"])
    page = response.content.decode()
    assert response.status_code == 200 and "临时密码" in page
    temporary = re.search(r'<code class="temporary-password">([^<]+)</code>', page).group(1)
    assert "Cache-Control" in response and "no-store" in response["Cache-Control"]
    # Shown once: the list afterwards does not carry it.
    assert temporary not in clients["admin"].get(USERS).content.decode()

    assert login(users["nanhu"].username, PASSWORD)[1].status_code == 200  # old one: gone
    client, response = login(users["nanhu"].username, temporary)
    assert response.status_code == 302
    for url in ("/", "/admin/", "/returns/", "/admin/staffing/person/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/admin/password_change/", url
    page = client.get("/admin/password_change/").content.decode()
    assert "您当前的密码由管理员设置" in page
    response = client.post(
        "/admin/password_change/",
        {"old_password": temporary, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # free again, still logged in
    users["nanhu"].refresh_from_db()
    assert not users["nanhu"].must_change_password
    assert login(users["nanhu"].username, NEW_PASSWORD)[0].get("/").status_code == 200


def test_unlock_a_locked_out_user(clients, users):
    name = users["clerk"].username
    for _ in range(5):
        login(name, "wrong")
    response = login(name, PASSWORD)[1]
    assert response.status_code == 429
    page = response.content.decode()
    assert "15 分钟后自动解除锁定" in page and "账户与角色 › 用户" in page and "解除锁定" in page
    response = act(clients["admin"], "unlock_users", users["clerk"])
    assert "已为 1 个用户解除锁定" in response.content.decode()
    assert not AccessAttempt.objects.filter(username=name).exists()
    assert login(name, PASSWORD)[1].status_code == 302


@pytest.mark.django_db
def test_the_users_change_form_is_version_checked(clients, users):
    """Two administrators cannot overwrite each other's change of a user unseen: the form
    carries the version token, and a post without it is refused (audit.locking)."""
    from audit.locking import VERSION_FIELD

    target = users["nanhu"]
    url = f"/admin/accounts/user/{target.pk}/change/"
    page = clients["admin"].get(url).content.decode()
    assert f'name="{VERSION_FIELD}"' in page
    data = {
        "username": target.username,
        "last_name": "改过",
        "first_name": "",
        "email": "",
        "role": target.role,
        "street": target.street_id,
        "is_active": "on",
    }
    response = clients["admin"].post(url, data)
    assert response.status_code == 200  # the form again, with the reason
    target.refresh_from_db()
    assert target.last_name != "改过"
