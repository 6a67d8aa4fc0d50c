"""The users' admin (:class:`accounts.admin.UserAdmin`) in the admin site, scoped like every
street-scoped model's admin (scoping.E002): the user model has a street. Only the district
administrator's group carries the user permissions (:mod:`accounts.roles`)."""

from django.contrib import admin

from accounts.admin import UserAdmin
from accounts.models import User
from scoping.admin_base import ScopedAdminMixin


@admin.register(User)
class ScopedUserAdmin(ScopedAdminMixin, UserAdmin):
    pass
