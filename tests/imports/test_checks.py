"""The imports app's system checks: imports.E001 (a register without a ModelAdmin),
imports.E002 (a register's ModelAdmin without the register's import) and imports.E003 (a
register that does not compile for export), on throw-away registers and admin sites."""

import pytest
from django.contrib import admin
from django.contrib.admin.sites import all_sites
from django.core.checks import registry as check_registry
from import_export import fields, widgets

from communities.models import Title
from imports.admin_flow import RegisterAdmin, RegisterImportMixin
from imports.checks import check_register_admins, check_register_exports
from imports.registry import REGISTERS
from scoping.admin_base import ScopedAdmin
from scoping.resources import ScopedResource


class ThrowawayResource(ScopedResource):
    name = fields.Field(attribute="name", column_name="name", widget=widgets.CharWidget())

    class Meta:
        model = Title
        fields = ("name",)


class UncompilableResource(ScopedResource):
    name = fields.Field(attribute="name", column_name="name", widget=widgets.CharWidget())
    shout = fields.Field(column_name="shout")

    class Meta:
        model = Title
        fields = ("name", "shout")

    def dehydrate_shout(self, title):  # no dehydrate_shout_plan: only per instance
        return title.name.upper()


def ids(errors):
    return [error.id for error in errors]


@pytest.fixture
def site():
    """Makes throw-away admin sites (with ``admin_class`` for Title), gone after the test:
    the checks read every site by default (``all_sites``), as ``manage.py check`` does."""
    made = []

    def make(name, admin_class=None):
        admin_site = admin.AdminSite(name=name)
        if admin_class is not None:
            admin_site.register(Title, admin_class)
        made.append(admin_site)
        return admin_site

    yield make
    for admin_site in made:
        all_sites.discard(admin_site)


def test_the_project_passes_the_checks():
    assert check_register_admins() == []
    assert check_register_exports() == []


def test_the_checks_are_registered():
    registered = check_registry.registry.get_checks()
    assert check_register_admins in registered
    assert check_register_exports in registered


def test_a_register_without_an_admin_is_an_error(site):
    errors = check_register_admins(
        registers={"throwaway": ThrowawayResource}, sites=[site("test_imports_no_admin")]
    )
    assert ids(errors) == ["imports.E001"]
    assert errors[0].obj is ThrowawayResource
    assert "'throwaway'" in errors[0].msg and "communities.Title" in errors[0].msg
    assert "RegisterAdmin" in errors[0].hint


def test_a_register_whose_admin_does_not_import_is_an_error(site):
    class PlainAdmin(ScopedAdmin):
        pass

    errors = check_register_admins(
        registers={"throwaway": ThrowawayResource},
        sites=[site("test_imports_plain_admin", PlainAdmin)],
    )
    assert ids(errors) == ["imports.E002"]
    assert errors[0].obj is PlainAdmin
    assert "'throwaway'" in errors[0].msg and "communities.Title" in errors[0].msg
    assert "RegisterImportMixin" in errors[0].hint


def test_a_register_admin_or_the_import_mixin_passes(site):
    class TitleAdmin(RegisterAdmin):
        pass

    class MixedAdmin(RegisterImportMixin, ScopedAdmin):
        pass

    for name, admin_class in (
        ("test_imports_register", TitleAdmin),
        ("test_imports_mixed", MixedAdmin),
    ):
        errors = check_register_admins(
            registers={"throwaway": ThrowawayResource}, sites=[site(name, admin_class)]
        )
        assert errors == []


def test_a_register_admin_in_one_site_and_a_plain_one_in_another(site):
    class PlainAdmin(ScopedAdmin):
        pass

    errors = check_register_admins(
        registers={"throwaway": ThrowawayResource},
        sites=[site("test_imports_one", RegisterAdmin), site("test_imports_other", PlainAdmin)],
    )
    assert ids(errors) == ["imports.E002"]
    assert errors[0].obj is PlainAdmin


def test_a_register_that_does_not_compile_for_export_is_an_error():
    registers = {"throwaway": ThrowawayResource, "uncompilable": UncompilableResource}
    errors = check_register_exports(registers=registers)
    assert ids(errors) == ["imports.E003"]
    assert errors[0].obj is UncompilableResource
    assert "'uncompilable'" in errors[0].msg
    assert "dehydrate_shout without dehydrate_shout_plan" in errors[0].msg
    assert "compile_plan" in errors[0].hint


def test_the_registry_itself_is_checked(monkeypatch):
    monkeypatch.setitem(REGISTERS, "uncompilable", UncompilableResource)
    assert ids(check_register_exports()) == ["imports.E003"]


def test_app_configs_narrow_the_registers():
    from django.apps import apps

    registers = {"uncompilable": UncompilableResource}
    staffing = [apps.get_app_config("staffing")]
    assert check_register_exports(app_configs=staffing, registers=registers) == []
    communities = [apps.get_app_config("communities")]
    assert ids(check_register_exports(app_configs=communities, registers=registers)) == [
        "imports.E003"
    ]
