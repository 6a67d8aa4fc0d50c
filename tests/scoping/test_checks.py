"""The scoping app's system checks: scoping.E001 (a project model without ``street_scope``)
and scoping.E002 (a street-scoped model whose admin is not scoped)."""

# ruff: noqa: DJ008 (throw-away models)

from django.contrib import admin
from django.db import models
from django.test.utils import isolate_apps

from scoping.admin_base import ScopedAdmin
from scoping.checks import check_scoped_admins, check_street_scopes


def ids(errors):
    return [error.id for error in errors]


def test_the_project_passes_both_checks():
    assert check_street_scopes() == []
    assert check_scoped_admins() == []


def test_a_model_without_street_scope_is_an_error():
    with isolate_apps("communities") as test_apps:

        class Undeclared(models.Model):
            name = models.CharField(max_length=10)

            class Meta:
                app_label = "communities"

        errors = check_street_scopes(app_configs=test_apps.get_app_configs())
    assert ids(errors) == ["scoping.E001"]
    assert errors[0].obj is Undeclared
    assert "communities.Undeclared" in errors[0].msg
    assert "street_scope" in errors[0].hint


def test_declared_scopes_pass_including_none():
    with isolate_apps("communities") as test_apps:

        class Reference(models.Model):
            street_scope = None

            class Meta:
                app_label = "communities"

        class Scoped(models.Model):
            street_scope = "committee__street"

            class Meta:
                app_label = "communities"

        assert check_street_scopes(app_configs=test_apps.get_app_configs()) == []


def test_models_of_other_apps_are_not_checked():
    with isolate_apps("django.contrib.auth") as test_apps:

        class Elsewhere(models.Model):
            class Meta:
                app_label = "auth"

        assert check_street_scopes(app_configs=test_apps.get_app_configs()) == []


def test_a_street_scoped_model_with_a_plain_admin_is_an_error():
    with isolate_apps("communities"):

        class Scoped(models.Model):
            street_scope = "committee__street"

            class Meta:
                app_label = "communities"

        class Reference(models.Model):
            street_scope = None

            class Meta:
                app_label = "communities"

        class PlainAdmin(admin.ModelAdmin):
            pass

        site = admin.AdminSite(name="test_scoping_checks")
        site.register(Scoped, PlainAdmin)
        site.register(Reference, PlainAdmin)  # district-wide: a plain admin is fine
        errors = check_scoped_admins(sites=[site])
        assert ids(errors) == ["scoping.E002"]
        assert errors[0].obj is PlainAdmin
        assert "communities.Scoped" in errors[0].msg

        scoped_site = admin.AdminSite(name="test_scoping_checks_scoped")
        scoped_site.register(Scoped, ScopedAdmin)
        assert check_scoped_admins(sites=[scoped_site]) == []
