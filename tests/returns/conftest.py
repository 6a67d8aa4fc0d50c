"""Helpers for the quarterly-return tests: reading the grid page back into POST data."""

import pytest
from django.test import Client

from accounts.roles import Role
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def grid_data(response) -> dict:
    """The POST data the grid page would send unchanged (hidden initial values included)."""
    formset = response.context["formset"]
    management = formset.management_form
    data = {management.add_prefix(name): management[name].value() for name in management.fields}
    for form in formset.forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if name == "select":
                continue
            text = "" if value is None else str(value)
            data[form.add_prefix(name)] = text
            if field.show_hidden_initial:
                # As Django renders it: a bound form propagates the posted hidden initial.
                hidden = form.add_initial_prefix(name)
                data[hidden] = form.data[hidden] if form.is_bound and hidden in form.data else text
    return data


def prefixes(response) -> dict:
    """Committee name → the form prefix of its row."""
    return {line["row"].committee.name: line["form"].prefix for line in response.context["lines"]}


@pytest.fixture
def second_nanhu(demo):
    user = make_user(Role.STREET, demo["streets"]["南湖"], username="nanhu-2")
    client = Client()
    client.force_login(user)
    return user, client
