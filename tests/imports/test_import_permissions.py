"""Who may import: one rule (``imports.services.can_import``) for the admin's import page,
``manage.py importxlsx`` (a dry run too), the background job and the returns grid.

The expectation is derived from the role definitions (``accounts.roles``: an import needs the
model's add and change permissions) and cross-checked against the admin's import page; a
small explicit table pins the cases the hostile review found (issue 13, item 2).
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.roles import permission_codenames
from imports.errors import ImportNotAllowed
from imports.exports import export_register
from imports.models import ImportRecord
from imports.registry import resource_class
from imports.services import import_file

ROLES = ["admin", "clerk", "nanhu", "viewer"]  # nanhu: street staff of 南湖
REGISTERS = ["premises", "committees", "pay-standards", "office-fund-rates", "postings"]

# What the review found, and what each role's row of the design's table says.
EXPLICIT = {
    ("viewer", "premises"): False,
    ("nanhu", "committees"): False,
    ("clerk", "pay-standards"): False,
    ("nanhu", "pay-standards"): False,
    ("clerk", "office-fund-rates"): False,
    ("admin", "pay-standards"): True,
    ("clerk", "committees"): True,
    ("nanhu", "premises"): True,
    ("nanhu", "postings"): True,
}


def role_allows(user, register) -> bool:
    """From the role definition: the add and change permissions of the register's model."""
    opts = resource_class(register)._meta.model._meta
    granted = permission_codenames(user.role)
    return all(
        (opts.app_label, f"{action}_{opts.model_name}") in granted for action in ("add", "change")
    )


def admin_allows(user, register) -> bool:
    from django.contrib import admin

    model = resource_class(register)._meta.model
    request = RequestFactory().get("/")
    request.user = user
    return admin.site._registry[model].has_import_permission(request)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("importxlsx", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("register", REGISTERS)
@pytest.mark.parametrize("role", ROLES)
def test_command_allows_exactly_what_the_admin_allows(users, tmp_path, role, register):
    user = users[role]
    expected = role_allows(user, register)
    assert admin_allows(user, register) is expected  # the browser's rule is the same
    if (role, register) in EXPLICIT:
        assert expected is EXPLICIT[role, register]
    path = tmp_path / f"{register}.xlsx"
    export_register(register, path, user=users["admin"] if not expected else user)
    records = ImportRecord.objects.count()
    with translation.override("zh-hans"):
        if expected:
            out, _err = run(register, str(path), "--dry-run", "--user", user.username)
            assert "无权" not in out
            with pytest.raises(CommandError) as denied:  # the viewer, for contrast
                run(register, str(path), "--dry-run", "--user", users["viewer"].username)
            assert "无权导入" in str(denied.value)
        else:
            for dry in (["--dry-run"], []):
                with pytest.raises(CommandError) as denied:
                    run(register, str(path), *dry, "--user", user.username)
                message = str(denied.value)
                assert f"用户“{user.username}”无权导入" in message, message
                assert f"（{register}）" in message, message
            with pytest.raises(ImportNotAllowed):
                import_file(register=register, path=path, user=user, dry_run=True)
    assert ImportRecord.objects.count() == records  # dry runs and refusals write nothing


@pytest.mark.django_db
def test_viewer_refused_on_the_admin_page_and_by_the_path(users, clients, tmp_path):
    url = reverse("admin:facilities_premises_import")
    assert clients["viewer"].get(url).status_code == 403
    assert clients["nanhu"].get(reverse("admin:communities_committee_import")).status_code == 403
    assert clients["clerk"].get(reverse("admin:staffing_paystandard_import")).status_code == 403
    assert clients["nanhu"].get(url).status_code == 200
    path = tmp_path / "premises.xlsx"
    export_register("premises", path, user=users["admin"])
    with pytest.raises(ImportNotAllowed):
        import_file(register="premises", path=path, user=users["viewer"])


@pytest.mark.django_db
def test_the_path_checks_the_role_at_import_time(users, tmp_path):
    """The check is in ``import_file`` itself, so the background job (which calls it with
    the job's user) is covered: a user demoted between the upload and the confirmation
    imports nothing."""
    from accounts.roles import Role

    path = tmp_path / "committees.xlsx"
    export_register("committees", path, user=users["clerk"])
    clerk = users["clerk"]
    clerk.role = Role.VIEWER
    clerk.save()
    clerk = type(clerk).objects.get(pk=clerk.pk)  # a fresh permission cache
    with pytest.raises(ImportNotAllowed):
        import_file(register="committees", path=path, user=clerk)
