"""Users in the browser, for the district administrator (the only role whose group carries
the ``accounts.*_user`` permissions, see :mod:`accounts.roles`).

Create a user with a role and a street (the model's ``clean`` holds the rule: a street for
street staff, none for district roles), disable users, give a temporary password (shown
once; the user must choose a new one at the next login, see
:mod:`accounts.middleware`), and unlock an account that django-axes locked out.

The class is registered in the admin site by :mod:`audit.admin`, built on
:class:`scoping.admin_base.ScopedAdminMixin` (which accounts, the lowest layer, may not import).
"""

from axes.utils import reset as axes_reset
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.template.response import TemplateResponse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import User

# No 0/O, 1/l/I: the administrator reads the password out or writes it down.
TEMPORARY_PASSWORD_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_PASSWORD_LENGTH = 12


def temporary_password() -> str:
    return get_random_string(TEMPORARY_PASSWORD_LENGTH, TEMPORARY_PASSWORD_CHARS)


class UserAddForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "last_name", "first_name", "role", "street")


class UserAdmin(DjangoUserAdmin):
    """Registered by :mod:`audit.admin` with the street scoping mixin (accounts imports no
    app; the users' admin is scoped like every street-scoped model's, scoping.E002)."""

    add_form = UserAddForm
    add_form_template = None  # the project's change form
    form = forms.ModelForm  # no password field: passwords are reset, never typed here
    add_fieldsets = (
        (None, {"fields": ("username", "last_name", "first_name")}),
        (gettext_lazy("Role"), {"fields": ("role", "street")}),
        (gettext_lazy("Initial password"), {"fields": ("password1", "password2")}),
    )
    fieldsets = (
        (None, {"fields": ("username", "last_name", "first_name", "email")}),
        (gettext_lazy("Role"), {"fields": ("role", "street")}),
        (gettext_lazy("Status"), {"fields": ("is_active", "must_change_password")}),
        (gettext_lazy("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "real_name", "role", "street", "is_active", "last_login")
    list_filter = ("role", "street", "is_active")
    search_fields = ("username", "first_name", "last_name")
    ordering = ("username",)
    filter_horizontal = ()
    actions = ["disable_users", "reset_passwords", "unlock_users"]

    def get_urls(self):
        # Without Django's "change password" page: the administrator gives a temporary
        # password (an action below) and the user chooses their own.
        return admin.ModelAdmin.get_urls(self)

    @admin.display(description=gettext_lazy("real name"), ordering="last_name")
    def real_name(self, obj):
        return f"{obj.last_name}{obj.first_name}"

    def save_model(self, request, obj, form, change):
        if not change:
            # The administrator knows the initial password: the user replaces it first.
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("Disable the selected users"), permissions=["change"])
    def disable_users(self, request, queryset):
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, _("You cannot disable your own account."), messages.ERROR)
            queryset = queryset.exclude(pk=request.user.pk)
        disabled = 0
        for user in queryset.filter(is_active=True):
            user.is_active = False
            user.save(update_fields=["is_active"])
            self.log_change(request, user, _("Disabled."))
            disabled += 1
        self.message_user(
            request,
            ngettext("%(count)d user disabled.", "%(count)d users disabled.", disabled)
            % {"count": disabled},
            messages.SUCCESS,
        )

    @admin.action(
        description=gettext_lazy("Give the selected users a temporary password"),
        permissions=["change"],
    )
    def reset_passwords(self, request, queryset):
        given = []
        for user in queryset.order_by("username"):
            password = temporary_password()
            user.set_password(password)
            user.must_change_password = True
            user.save(update_fields=["password", "must_change_password"])
            self.log_change(request, user, _("Temporary password given."))
            given.append((user, password))
        # Shown on this response only: never stored, never put in a message (the messages
        # travel in a cookie).
        return TemplateResponse(
            request,
            "admin/accounts/user/temporary_passwords.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Temporary passwords"),
                "opts": self.opts,
                "given": given,
            },
        )

    @admin.action(description=gettext_lazy("Unlock the selected users"), permissions=["change"])
    def unlock_users(self, request, queryset):
        unlocked = 0
        for user in queryset:
            if axes_reset(username=user.get_username()):
                self.log_change(request, user, _("Unlocked."))
                unlocked += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d user unlocked: they can log in again.",
                "%(count)d users unlocked: they can log in again.",
                unlocked,
            )
            % {"count": unlocked},
            messages.SUCCESS,
        )
