"""``manage.py loaddemo`` is idempotent: a second run changes nothing."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def tables():
    """Every communities table (M2M tables included), plus the accounts and their groups."""
    models = list(apps.get_app_config("communities").get_models())
    through = [
        field.remote_field.through for model in models for field in model._meta.local_many_to_many
    ]
    return [*models, *through]


def snapshot():
    state = {
        model._meta.db_table: list(model.objects.order_by("pk").values()) for model in tables()
    }
    state["users"] = list(
        User.objects.order_by("pk").values("pk", "username", "role", "street", "password")
    )
    state["groups"] = list(Group.objects.order_by("pk").values("pk", "name", "user"))
    return state


def test_loaddemo_twice_changes_nothing():
    call_command("loaddemo", stdout=io.StringIO())
    first = snapshot()
    output = io.StringIO()
    call_command("loaddemo", stdout=output)
    second = snapshot()
    assert second == first
    assert {table: len(rows) for table, rows in second.items()} == {
        table: len(rows) for table, rows in first.items()
    }
    assert len(first["communities_committee"]) == 38
    assert len(first["communities_street"]) == 5
    assert len(first["communities_title"]) == 22
    assert len(first["communities_communitycentre"]) == 8
    assert len(first["communities_communitycentre_committees"]) > 0
    assert [u["username"] for u in first["users"]] == ["admin", "clerk", "nanhu", "binhu", "viewer"]
    assert "Jianye-nanhu-2006" in output.getvalue()


def test_loaddemo_restores_edited_reference_rows():
    """Idempotent means converging on the reference data, not only "no duplicates"."""
    from communities.models import Committee

    call_command("loaddemo", stdout=io.StringIO())
    first = snapshot()
    committee = Committee.objects.get(name="沿河社区")
    committee.households = 1
    committee.save()
    call_command("loaddemo", stdout=io.StringIO())
    assert snapshot() == first
