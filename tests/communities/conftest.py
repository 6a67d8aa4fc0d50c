"""Fixtures for the scoping matrix: the roles of DESIGN.md, plus a street user with write rights.

Street staff may not change any register of the communities app (their role is read only
there), so their write attempts stop at the permission check. To prove that the *scoping*
stops a write too (as it must for the street-editable registers: roster, premises,
returns), ``nanhu_writer`` is a 南湖 street user who was also given add/change/delete on the
communities models directly: every write of another street's row must still fail.
"""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.roles import Role
from tests.conftest import make_user

ROLES = ["admin", "clerk", "viewer", "nanhu", "anonymous"]
DISTRICT_ROLES = ["admin", "clerk", "viewer"]


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Every test loads the demo accounts; a million PBKDF2 rounds each would dominate."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def nanhu_writer(demo):
    user = make_user(Role.STREET, demo["streets"]["南湖"], username="nanhu-writer")
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="communities"))
    return user


@pytest.fixture
def writer_client(nanhu_writer):
    client = Client()
    client.force_login(nanhu_writer)
    return client


@pytest.fixture
def client_for(clients):
    """client_for(role): a logged-in client, or an anonymous one for "anonymous"."""

    def get(role):
        if role == "anonymous":
            return Client()
        return clients[role]

    return get
