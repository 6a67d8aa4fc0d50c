"""Shared fixtures: the demo district and one logged-in client per role."""

import pytest
from django.test import Client

from accounts.models import User
from accounts.roles import Role


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Production serves hashed files after collectstatic; tests read them from static/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def demo(db):
    """The Jianye reference data, loaded through the same code as ``manage.py loaddemo``."""
    from django.core.management import call_command

    call_command("loaddemo", stdout=open("/dev/null", "w"))
    from communities.models import Committee, Street

    streets = {s.short_name: s for s in Street.objects.all()}
    return {"streets": streets, "committees": {c.name: c for c in Committee.objects.all()}}


def make_user(role, street=None, username=None):
    user = User(username=username or f"{role}-{street.short_name if street else 'district'}",
                role=role, street=street)
    user.set_password("Secret-pass-2006")
    user.save()
    return user


@pytest.fixture
def users(demo):
    streets = demo["streets"]
    return {
        "admin": make_user(Role.ADMIN),
        "clerk": make_user(Role.CLERK),
        "viewer": make_user(Role.VIEWER),
        "nanhu": make_user(Role.STREET, streets["南湖"]),
        "binhu": make_user(Role.STREET, streets["滨湖"]),
    }


@pytest.fixture
def clients(users):
    result = {}
    for key, user in users.items():
        client = Client()
        client.force_login(user)
        result[key] = client
    return result
