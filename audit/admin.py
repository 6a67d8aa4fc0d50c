"""The users' admin (:class:`accounts.admin.UserAdmin`) in the admin site, scoped like every
street-scoped model's admin (scoping.E002: the user model has a street) and version-checked
like the registers' change forms (no lost update between two administrators). Only the
district administrator's group carries the user permissions (:mod:`accounts.roles`)."""

from django.contrib import admin

from accounts.admin import UserAdmin
from accounts.models import User
from scoping.admin_base import ScopedAdminMixin

from .admin_locking import VersionCheckedAdminMixin


@admin.register(User)
class ScopedUserAdmin(VersionCheckedAdminMixin, ScopedAdminMixin, UserAdmin):
    pass
