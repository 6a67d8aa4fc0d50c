"""Cached figures that are never stale: a data version of the registers, read in one query.

The dashboard and the summaries of large reports (a province's budget, staff, premises...)
take seconds to compute, and their inputs change far less often than they are read. They are
kept in Django's cache under a key that includes :func:`data_version`, which changes with
every committed change to a register, a standard or a return; the next request after a change
computes afresh. Nothing expires by time for correctness (the timeout only bounds memory).

The version is one query (:func:`data_version`) made of:

- a counter (:class:`reports.models.DataVersion`, a row of the reports app's table, read and
  written here only) raised once per committed transaction that
  saved or deleted a row of any register (``post_save``/``post_delete``/``m2m_changed`` of
  every model of the domain apps, the same models that have history), raised after the
  commit (``transaction.on_commit``), so a reader never caches data older than the version
  it read; code that writes with ``bulk_create``, ``bulk_update`` or ``QuerySet.update``
  (which send no signals) calls :func:`data_changed` itself, as :mod:`returns.workflow` does;
- the highest id of every register's table, so that rows added in bulk by commands that do
  not call :func:`data_changed` (``generatedata``, ``loaddemo``) are seen too.

The cache may be per process (the default local-memory cache) or shared (Redis, memcached):
the key, not the cache, carries the version, so every process agrees.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

from scoping.rules import sees_all_streets

VERSION_ROW = 1
# How long a cached figure is kept at most (it is never stale: the key carries the version).
CACHE_SECONDS = 6 * 3600


def watched_models():
    """The models whose changes change figures: every register, standard and return."""
    from .history import history_models

    return list(history_models())


def _model():
    """The counter's model. It stays in the reports app (its table, its permissions and its
    replica routing are the reports app's); only this module reads and writes it."""
    return apps.get_model("reports", "DataVersion")


def _bump(using: str) -> None:
    DataVersion = _model()
    updated = DataVersion.objects.using(using).filter(pk=VERSION_ROW).update(value=F("value") + 1)
    if not updated:
        DataVersion.objects.using(using).get_or_create(pk=VERSION_ROW, defaults={"value": 1})


def data_changed(using: str = "default") -> None:
    """Say that registers changed: the version goes up when the current transaction commits
    (at once outside a transaction). Called once or a thousand times in one transaction, it
    raises the version once."""
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        pending = getattr(connection, "run_on_commit", ())
        if any(getattr(entry[1], "_data_version_of", None) == using for entry in pending):
            return  # already due at this commit (a rolled-back savepoint drops it again)

    def bump():
        _bump(using)

    bump._data_version_of = using
    transaction.on_commit(bump, using=using)


def _changed(sender, using=None, **kwargs):
    data_changed(using or "default")


def connect() -> None:
    """Raise the version on every save and delete of a watched model (``AuditConfig.ready``)."""
    for model in watched_models():
        # The receivers' ids predate the move to audit; kept as they were.
        uid = f"reports.freshness.{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, weak=False, dispatch_uid=uid + ".save")
        post_delete.connect(_changed, sender=model, weak=False, dispatch_uid=uid + ".delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _changed, sender=through, weak=False, dispatch_uid=uid + f".{field.name}"
            )


def _version_sql(connection) -> str:
    DataVersion = _model()

    quote = connection.ops.quote_name
    parts = [
        f"(SELECT {quote('value')} FROM {quote(DataVersion._meta.db_table)} "
        f"WHERE {quote('id')} = {VERSION_ROW})"
    ]
    for model in watched_models():
        parts.append(
            f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})"
        )
    return "SELECT " + ", ".join(parts)


def data_version() -> str:
    """The registers' current version, in one query (read where the reports read)."""
    DataVersion = _model()

    connection = connections[router.db_for_read(DataVersion)]
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection))
        row = cursor.fetchone()
    return ".".join("" if value is None else str(value) for value in row)


def scope_key(user) -> str:
    """What a user's figures depend on: the whole district or province, or one street."""
    if sees_all_streets(user):
        return "all"
    street_id = getattr(user, "street_id", None)
    return f"street-{street_id}" if street_id is not None else "none"


def cache_seconds() -> int:
    return getattr(settings, "REPORTS_CACHE_SECONDS", CACHE_SECONDS)


def cached(parts: tuple, compute: Callable):
    """``compute()``, or what it gave last time for the same ``parts``, language and data
    version. The version is read before computing, so a change that commits meanwhile makes
    the next request compute again."""
    raw = repr((parts, get_language(), data_version()))
    key = "reports:" + hashlib.sha256(raw.encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found
    value = compute()
    cache.set(key, value, cache_seconds())
    return value
