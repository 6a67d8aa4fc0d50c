"""History of every change to every register and return, registered in one place.

Each model of the domain apps gets a django-simple-history historical model in the
``audit`` app (``audit.HistoricalCommittee``...). Every ``save()`` and ``delete()`` writes a
row there: who (the request's user, through ``HistoryRequestMiddleware``, or
``instance._history_user`` where there is no request, as in ``imports.writing``), when, the
kind of change and the values after it; the admin's history page shows the differences.

``bulk_create`` and ``QuerySet.update`` do not call ``save()`` and write no history; the
domain code uses them only for derived data (the demo loader, return events, which are
themselves a log).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import simple_history
from django.apps import apps
from django.contrib.auth import get_user_model

_acting_user: ContextVar = ContextVar("audit_acting_user", default=None)

# The apps whose models are registers, standards or returns.
HISTORY_APPS = ("communities", "staffing", "facilities", "budgets", "returns")


def history_models():
    """The models that get history: every concrete model of the domain apps, except
    automatically created many-to-many tables."""
    for label in HISTORY_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            if model._meta.auto_created or model._meta.proxy:
                continue
            yield model


@contextmanager
def acting_user(user) -> Iterator[None]:
    """Attribute the history written inside the block to ``user`` where no request says who
    (the import path of ``manage.py importxlsx``, management commands). The command line's
    system user is no account and is recorded as nobody."""
    token = _acting_user.set(user if isinstance(user, get_user_model()) else None)
    try:
        yield
    finally:
        _acting_user.reset(token)


def history_user(instance, request=None, **kwargs):
    """Who made a change: the user of ``acting_user`` if one is set, else the request's
    (simple-history asks this only when the instance carries no ``_history_user``)."""
    user = _acting_user.get()
    if user is not None:
        return user
    if request is not None and request.user.is_authenticated:
        return request.user
    return None


def register_domain_history() -> None:
    for model in list(history_models()):
        if hasattr(model._meta, "simple_history_manager_attribute"):
            continue  # registered already (ready() may run twice in some test set-ups)
        simple_history.register(model, app="audit", get_user=history_user)
