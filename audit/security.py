"""The security log: every login, logout, failed login, lockout and refused access is written
to the ``jianye.security`` logger, with the user name and the client's address.

Refused access means a 403 (``PermissionDenied``) anywhere, and a 404 on an admin page for a
signed-in user: scoping answers another street's record with a 404, so that is where a
street user reaching for another street's row shows up.
"""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

logger = logging.getLogger("jianye.security")


def client_address(request) -> str:
    if request is None:
        return "-"
    return request.META.get("REMOTE_ADDR", "-")


def _username(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "-"
    return user.get_username()


def on_logged_in(sender, request, user, **kwargs):
    logger.info("login user=%s ip=%s", _username(user), client_address(request))


def on_logged_out(sender, request, user, **kwargs):
    logger.info("logout user=%s ip=%s", _username(user), client_address(request))


def on_login_failed(sender, credentials, request=None, **kwargs):
    # ``credentials`` has the password already masked by Django; log the name only.
    logger.warning(
        "login-failed user=%s ip=%s", credentials.get("username", "-"), client_address(request)
    )


def on_locked_out(sender, request, username, ip_address, **kwargs):
    logger.warning("locked-out user=%s ip=%s", username or "-", ip_address or "-")


def log_refused(request, status: int) -> None:
    logger.warning(
        "refused status=%s user=%s ip=%s method=%s path=%s",
        status,
        _username(getattr(request, "user", None)),
        client_address(request),
        request.method,
        request.path,
    )


class RefusedAccessLogMiddleware:
    """Logs refused requests (see the module's docstring). Placed after the authentication
    middleware so that the user is known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            log_refused(request, 403)
        elif response.status_code == 404:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                log_refused(request, 404)
        return response


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="audit-login")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit-logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit-login-failed")
    from axes.signals import user_locked_out

    user_locked_out.connect(on_locked_out, dispatch_uid="audit-locked-out")
