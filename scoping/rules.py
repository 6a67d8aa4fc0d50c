"""The one mechanism that decides which rows a user may see.

Every model declares, as a class attribute ``street_scope``, the lookup path from itself to
the street it belongs to (``"pk"`` for :class:`Street`, ``"street"`` for a committee,
``"committee__street"`` for a committee's premises...), or ``None`` for reference data that
belongs to no street (the district, positions, pay standards). A model that forgets to
declare it cannot be queried through here: :func:`scope_queryset` raises, so a new register
can never leak by omission.

Admin pages, exports, imports, reports, charts and commands all call :func:`scope_queryset`
(or the queryset method ``for_user``); nothing re-implements the rule.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from accounts.roles import DISTRICT_ROLES

UNSET = object()


def street_model():
    """The model of the streets that scope everything: the one a user's street points to
    (``accounts.User.street``). The base and the frameworks reach the geography through it,
    without importing the app that defines it."""
    from django.contrib.auth import get_user_model

    return get_user_model()._meta.get_field("street").related_model


def district_model():
    """The model of the district above the streets (``Street.district``)."""
    return street_model()._meta.get_field("district").related_model


def sees_all_streets(user) -> bool:
    """District roles (administrator, clerk, viewer) see every street."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return getattr(user, "role", None) in DISTRICT_ROLES


def street_scope_of(model) -> str | None:
    lookup = getattr(model, "street_scope", UNSET)
    if lookup is UNSET:
        raise ImproperlyConfigured(
            f"{model.__module__}.{model.__name__} must declare street_scope "
            "(a lookup path to its street, or None for reference data)."
        )
    return lookup


def scope_queryset(queryset: models.QuerySet, user) -> models.QuerySet:
    """Restrict ``queryset`` to the rows ``user`` may see."""
    lookup = street_scope_of(queryset.model)
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if lookup is None or sees_all_streets(user):
        return queryset
    street_id = getattr(user, "street_id", None)
    if street_id is None:
        return queryset.none()
    return queryset.filter(**{lookup: street_id})


def street_id_of(obj) -> int | None:
    """The street an instance belongs to, following its ``street_scope`` path."""
    lookup = street_scope_of(type(obj))
    if lookup is None:
        return None
    if lookup == "pk":
        return obj.pk
    parts = lookup.split("__")
    value = obj
    for part in parts[:-1]:
        value = getattr(value, part, None)
        if value is None:
            return None
    return getattr(value, parts[-1] + "_id", None)


def in_scope(obj, user) -> bool:
    if street_scope_of(type(obj)) is None or sees_all_streets(user):
        return user is not None and user.is_authenticated and user.is_active
    street_id = getattr(user, "street_id", None)
    return street_id is not None and street_id_of(obj) == street_id


def ensure_in_scope(obj, user) -> None:
    """Refuse a write that would put a row outside the user's street."""
    if not in_scope(obj, user):
        raise PermissionDenied(_("This record belongs to a street outside your scope."))


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        return scope_queryset(self, user)


class SystemUser:
    """The operator at the command line when no --user is given: sees the whole district."""

    pk = id = None
    username = "system"
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = True
    role = "admin"
    street_id = None
    street = None

    def __str__(self):
        return _("system (command line)")

    def get_username(self):
        return self.username


SYSTEM = SystemUser()
