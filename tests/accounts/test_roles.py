"""The four roles of DESIGN.md as groups with permissions, and the user's street binding."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts.models import User
from accounts.roles import Role, permission_codenames

pytestmark = pytest.mark.django_db

REGISTERS = ["committee", "street", "title", "communitycentre", "district"]


@pytest.mark.parametrize("model", REGISTERS)
def test_permissions_per_role(model, users):
    def perms(role):
        return {
            action
            for action in ("view", "add", "change", "delete")
            if users[role].has_perm(f"communities.{action}_{model}")
        }

    assert perms("admin") == {"view", "add", "change", "delete"}
    assert perms("clerk") == {"view", "add", "change", "delete"}
    assert perms("viewer") == {"view"}
    assert perms("nanhu") == {"view"}


def test_standards_are_for_the_administrator(users):
    assert users["admin"].has_perm("communities.change_planningstandard")
    for role in ("clerk", "viewer", "nanhu"):
        assert users[role].has_perm("communities.view_planningstandard")
        assert not users[role].has_perm("communities.change_planningstandard")


def test_only_the_administrator_manages_users(users):
    assert users["admin"].has_perm("accounts.change_user")
    for role in ("clerk", "viewer", "nanhu"):
        assert not users[role].has_perm("accounts.change_user")
        assert not users[role].has_perm("accounts.view_user")


def test_role_change_moves_the_group(users):
    user = users["viewer"]
    user.role = Role.CLERK
    user.save()
    assert list(user.groups.values_list("name", flat=True)) == ["district-clerk"]
    user = User.objects.get(pk=user.pk)  # fresh permission cache
    assert user.has_perm("communities.change_committee")


def test_permission_table_has_no_street_writes_in_communities():
    assert not any(
        code.startswith(("add_", "change_", "delete_"))
        for app, code in permission_codenames(Role.STREET)
        if app == "communities"
    )


def test_street_staff_need_a_street(demo):
    with translation.override("zh-hans"):
        user = User(username="x", role=Role.STREET)
        with pytest.raises(ValidationError) as exc_info:
            user.full_clean()
        assert exc_info.value.message_dict["street"] == ["街道工作人员必须隶属一个街道。"]
        clerk = User(username="y", role=Role.CLERK, street=demo["streets"]["南湖"])
        with pytest.raises(ValidationError) as exc_info:
            clerk.full_clean()
        assert exc_info.value.message_dict["street"] == ["只有街道工作人员才隶属街道。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="z", role=Role.STREET)
