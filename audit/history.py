"""History of every change to every register and return, registered in one place.

Each model of the domain apps gets a django-simple-history historical model in the
``audit`` app (``audit.HistoricalCommittee``...). Every ``save()`` and ``delete()`` writes a
row there: who (the request's user, through ``HistoryRequestMiddleware``; the imports,
which write their rows in bulk, write their history rows with :func:`write_history`, the
importing user and the import's record as who and why), when, the kind of change and the
values after it; the admin's history page shows the differences.

``bulk_create`` and ``QuerySet.update`` do not call ``save()`` and write no history; the
domain code uses them only for derived data (the demo loader, return events, which are
themselves a log).
"""

from __future__ import annotations

import simple_history
from django.apps import apps

from scoping.bulk import db_converter, insert_values
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


# --- history rows in bulk, one multi-row INSERT per batch ----------------------------------


def write_history(model, objs, *, update: bool, user=None, reason: str = "", using="default"):
    """The history rows of ``objs`` (rows of ``model`` just written in bulk), as
    django-simple-history's ``bulk_history_create`` writes them ("+" for created, "~" for
    changed; one time for the batch; who and why: an instance's own ``_history_user`` and
    ``_change_reason`` first, else ``user`` and ``reason``), but in one multi-row INSERT per
    batch (one COPY on PostgreSQL, :func:`scoping.bulk.insert_values`) built straight from
    the instances' values, without a historical model instance and
    Django's insert compiler per row (issue 17: half the cost of an import's writing)."""
    from django.conf import settings
    from django.db import connections
    from django.utils import timezone
    from simple_history.utils import get_change_reason_from_object

    if not objs or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model
    connection = connections[using]
    meta = history._meta
    tracked = [meta.get_field(f.name) for f in history.tracked_fields]
    extra = [
        meta.get_field(name)
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    ]
    columns = tracked + extra
    converters = [db_converter(f, connection) for f in tracked]
    attnames = [f.attname for f in tracked]
    when = extra[0].get_db_prep_save(timezone.now(), connection)
    kind = "~" if update else "+"
    user_id = getattr(user, "pk", None)
    rows = []
    for obj in objs:
        values = [getattr(obj, name) for name in attnames]
        for index, convert in enumerate(converters):
            if convert is not None:
                values[index] = convert(values[index])
        who = getattr(obj, "_history_user", None)
        if who is None and user is None:  # as simple-history: the request's user, if any
            who = history.get_default_history_user(obj)
        values += [
            when,
            get_change_reason_from_object(obj) or reason,
            kind,
            getattr(who, "pk", None) if who is not None else user_id,
        ]
        rows.append(values)
    insert_values(connection, meta.db_table, columns, rows)
