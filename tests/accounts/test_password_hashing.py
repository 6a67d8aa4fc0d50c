"""Passwords in production: Argon2 at Django's own parameters, PBKDF2 hashes upgraded at the
next login through the real login form, and the hash run at a lower CPU priority than the
pages (accounts/hashers.py).

The suite hashes with MD5 for speed (tests/conftest.py); these tests put the production
list of jianye/settings.py back and check it as it is.
"""

import os
import threading

import pytest
from django.contrib.auth import hashers as django_hashers
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password
from django.test import Client

import jianye.settings as production
from accounts import hashers
from accounts.models import User
from accounts.roles import Role

PASSWORD = "Secret-pass-2006"


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    settings.PASSWORD_HASH_NICE = production.PASSWORD_HASH_NICE
    settings.PASSWORD_HASH_THREADS = production.PASSWORD_HASH_THREADS
    django_hashers.get_hashers.cache_clear()
    django_hashers.get_hashers_by_algorithm.cache_clear()
    yield
    django_hashers.get_hashers.cache_clear()
    django_hashers.get_hashers_by_algorithm.cache_clear()


def test_production_hashes_with_argon2_first_and_still_reads_pbkdf2():
    assert production.PASSWORD_HASHERS[0] == "accounts.hashers.Argon2PasswordHasher"
    assert "accounts.hashers.PBKDF2PasswordHasher" in production.PASSWORD_HASHERS
    assert production.PASSWORD_HASH_NICE == 10


def test_the_hashers_keep_djangos_own_parameters():
    """Never below Django's defaults for the hasher: same algorithm names, same costs."""
    ours, django = hashers.Argon2PasswordHasher(), django_hashers.Argon2PasswordHasher()
    assert ours.algorithm == django.algorithm == "argon2"
    assert (ours.time_cost, ours.memory_cost, ours.parallelism) == (2, 102400, 8)
    assert (ours.time_cost, ours.memory_cost, ours.parallelism) == (
        django.time_cost,
        django.memory_cost,
        django.parallelism,
    )
    assert hashers.PBKDF2PasswordHasher.iterations == django_hashers.PBKDF2PasswordHasher.iterations
    assert hashers.PBKDF2PasswordHasher.iterations >= 1_000_000
    assert hashers.ScryptPasswordHasher.work_factor == django_hashers.ScryptPasswordHasher.work_factor


@pytest.mark.django_db
def test_a_new_password_is_stored_as_argon2_at_djangos_defaults(production_hashers, demo):
    user = User(username="new-clerk", role=Role.CLERK)
    user.set_password(PASSWORD)
    user.save()
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")
    assert identify_hasher(user.password).algorithm == "argon2"
    # Readable by Django's own Argon2 hasher: the stored form is Django's.
    assert django_hashers.Argon2PasswordHasher().verify(PASSWORD, user.password)
    assert user.check_password(PASSWORD)
    assert not user.check_password("wrong")


@pytest.mark.django_db
def test_a_pbkdf2_user_logs_in_through_the_form_and_is_upgraded_to_argon2(
    production_hashers, demo
):
    street = demo["streets"]["南湖"]
    old = django_hashers.PBKDF2PasswordHasher()
    user = User.objects.create(
        username="old-nanhu",
        role=Role.STREET,
        street=street,
        is_staff=True,
        password=old.encode(PASSWORD, old.salt()),
    )
    assert user.password.startswith("pbkdf2_sha256$1000000$")
    client = Client()
    response = client.post(
        "/admin/login/?next=/", {"username": "old-nanhu", "password": PASSWORD, "next": "/"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")
    # And the upgraded hash logs in again.
    again = Client().post(
        "/admin/login/?next=/", {"username": "old-nanhu", "password": PASSWORD, "next": "/"}
    )
    assert again.status_code == 302


def test_hashing_runs_in_a_thread_of_its_own_at_nice_10(production_hashers):
    def where():
        thread = threading.get_native_id()
        return thread, os.getpriority(os.PRIO_PROCESS, thread)

    own = threading.get_native_id()
    own_nice = os.getpriority(os.PRIO_PROCESS, own)
    thread, nice = hashers.run_hash(where)
    assert thread != own
    assert nice >= 10
    # The request's thread keeps its priority.
    assert os.getpriority(os.PRIO_PROCESS, own) == own_nice


def test_the_hash_itself_goes_through_the_low_priority_threads(production_hashers, monkeypatch):
    seen = []
    original = django_hashers.Argon2PasswordHasher.encode

    def spy(self, password, salt):
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return original(self, password, salt)

    monkeypatch.setattr(django_hashers.Argon2PasswordHasher, "encode", spy)
    encoded = make_password(PASSWORD)
    assert get_hasher("default").algorithm == "argon2"
    assert seen and seen[0] >= 10
    assert django_hashers.check_password(PASSWORD, encoded)


def test_nice_0_hashes_in_the_requests_thread(settings):
    settings.PASSWORD_HASH_NICE = 0
    assert hashers.run_hash(threading.get_native_id) == threading.get_native_id()
