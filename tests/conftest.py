"""Shared fixtures: the demo district and one logged-in client per role."""

import os

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


@pytest.fixture(autouse=True)
def empty_cache():
    """The dashboard and report summaries are cached (audit/data_version.py) in a cache that
    outlives a test, while each test's data is rolled back after it: start every test with
    an empty cache."""
    from django.core.cache import cache

    cache.clear()


def pytest_configure(config):
    # Hashing passwords at full strength dominates the run time; tests need no strength.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No persistent connections in tests: live-server threads would keep the test
    # database busy when pytest drops it.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


def load_demo():
    from django.core.management import call_command

    with open(os.devnull, "w") as sink:
        call_command("loaddemo", stdout=sink)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo once per test database; each test runs in a transaction rolled back
    after it, so every test starts from the same reference data."""
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def demo(db):
    """The Jianye reference data, loaded through the same code as ``manage.py loaddemo``.

    Loaded once per session (see ``django_db_setup``); loaded again here if a transactional
    test emptied the tables.
    """
    from communities.models import Committee, Street

    if not Committee.objects.exists():
        load_demo()

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


@pytest.fixture
def empty_registers(db):
    """For tests that build their own small world: remove the session's demo data (inside
    the test's transaction, so it is back for the next test)."""
    from django.apps import apps

    from communities.models import Committee
    from staffing.models import Position

    User.objects.all().delete()
    # Protected links within one table: unlink or delete the referring rows first.
    Position.objects.update(paid_as=None)
    for model in apps.get_app_config("returns").get_models() if apps.is_installed("returns") else ():
        model._base_manager.all().delete()
    from staffing.models import Posting

    Posting.objects.all().delete()
    Committee.objects.filter(shares_office_with__isnull=False).delete()
    for label in ("returns", "budgets", "facilities", "staffing", "communities"):
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in reversed(list(config.get_models())):
            model._base_manager.all().delete()
