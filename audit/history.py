"""History of every change to every register and return, registered in one place.

Each model of the domain apps gets a django-simple-history historical model in the
``audit`` app (``audit.HistoricalCommittee``...). Every ``save()`` and ``delete()`` writes a
row there: who (the request's user, through ``HistoryRequestMiddleware``; the imports,
which write history for their rows in bulk, pass the importing user to simple-history's
``bulk_create_with_history`` / ``bulk_update_with_history`` as ``default_user``, in
``imports.writing``), when, the
kind of change and the values after it; the admin's history page shows the differences.

``bulk_create`` and ``QuerySet.update`` do not call ``save()`` and write no history; the
domain code uses them only for derived data (the demo loader, return events, which are
themselves a log).
"""

from __future__ import annotations

import simple_history
from django.apps import apps

from scoping.sorting import sort_key_fields

# The apps whose models are registers, standards or returns.
HISTORY_APPS = ("communities", "staffing", "facilities", "budgets", "returns", "targets")


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


def history_user(instance, request=None, **kwargs):
    """Who made a change: the request's user (none outside a request, as in a management
    command). simple-history asks this only when the instance carries no ``_history_user``."""
    if request is not None and request.user.is_authenticated:
        return request.user
    return None


def register_domain_history() -> None:
    for model in list(history_models()):
        if hasattr(model._meta, "simple_history_manager_attribute"):
            continue  # registered already (ready() may run twice in some test set-ups)
        # A name's pinyin sort key (scoping.sorting) is derived from the name: not history.
        excluded = [field.name for field in sort_key_fields(model)]
        simple_history.register(model, app="audit", get_user=history_user, excluded_fields=excluded)
