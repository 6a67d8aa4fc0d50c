"""A user whose password an administrator reset must choose a new one first."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# What such a user may still open: the password change itself, logging out, the admin's
# translation catalogue its pages load, and the language switch.
ALLOWED = {
    "admin:password_change",
    "admin:password_change_done",
    "admin:logout",
    "admin:jsi18n",
    "set_language",
}


class MustChangePasswordMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and getattr(user, "must_change_password", False)):
            return None
        if request.resolver_match and request.resolver_match.view_name in ALLOWED:
            return None
        messages.warning(
            request,
            _(
                "Your password was set by an administrator. Choose a password of your own "
                "before you continue."
            ),
        )
        return redirect("admin:password_change")
