"""Login and sessions: lockout (django-axes), idle timeout, password rules, security log."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from .conftest import messages

LOGIN = "/admin/login/"
PASSWORD = "Secret-pass-2006"  # tests/conftest.py make_user


def attempt(username, password, ip="10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"username": username, "password": password, "next": "/"})
    return client, response


def logged_in(response) -> bool:
    return response.status_code == 302


def test_five_failures_lock_the_username_from_that_address_for_15_minutes(users, security_log):
    name = users["clerk"].username
    for _ in range(5):
        _client, response = attempt(name, "wrong")
        assert response.status_code in (200, 429)
    _client, response = attempt(name, PASSWORD)
    assert response.status_code == 429  # locked out: even the right password is refused
    assert f"locked-out user={name}" in " ".join(messages(security_log))
    # Keyed on username and address together: the same user elsewhere, another user here.
    assert logged_in(attempt(name, PASSWORD, ip="10.0.0.2")[1])
    assert logged_in(attempt(users["viewer"].username, PASSWORD)[1])
    # After 15 minutes the lock is gone.
    AccessAttempt.objects.filter(username=name).update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=16)
    )
    assert logged_in(attempt(name, PASSWORD)[1])


def test_four_failures_do_not_lock(users):
    name = users["clerk"].username
    for _ in range(4):
        attempt(name, "wrong")
    assert logged_in(attempt(name, PASSWORD)[1])


def test_lockout_settings_are_the_designs():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_login_logout_and_failure_are_logged(users, security_log):
    name = users["nanhu"].username
    attempt(name, "wrong", ip="10.9.9.9")
    client, response = attempt(name, PASSWORD, ip="10.9.9.9")
    assert logged_in(response)
    client.post("/admin/logout/")
    lines = messages(security_log)
    assert f"login-failed user={name} ip=10.9.9.9" in lines
    assert f"login user={name} ip=10.9.9.9" in lines
    assert f"logout user={name} ip=10.9.9.9" in lines
    assert not any("wrong" in line for line in lines)  # never a password


def test_refused_access_is_logged(clients, users, demo, security_log):
    from communities.models import Committee

    other = Committee.objects.filter(street=demo["streets"]["滨湖"]).first()
    assert (
        clients["nanhu"].get(f"/admin/communities/committee/{other.pk}/change/").status_code == 404
    )
    assert clients["viewer"].get("/admin/communities/committee/add/").status_code == 403
    lines = messages(security_log)
    name = users["nanhu"].username
    assert any(
        line.startswith(f"refused status=404 user={name}") and f"/{other.pk}/change/" in line
        for line in lines
    )
    assert any(
        line.startswith(f"refused status=403 user={users['viewer'].username}") for line in lines
    )


def test_idle_session_expires(users):
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST
    client, response = attempt(users["clerk"].username, PASSWORD, ip="10.1.1.1")
    assert logged_in(response)
    response = client.get("/")
    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 1800
    # Each request pushes the expiry 30 minutes ahead of now.
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    assert abs((expiry - timezone.now()).total_seconds() - 1800) < 60
    # 31 idle minutes later the session is gone: back to the login page.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("password", ["12345678", "password", "short"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)
