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

import datetime
import hashlib
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections, router, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation
from django.utils.translation import get_language
from django_tasks import task

from scoping.rules import sees_all_streets

logger = logging.getLogger("jianye.summaries")

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
        request_refresh()  # the worker recomputes the summaries now (coalesced)

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


# --- The last figure of each scope, recomputed by the task worker after a change ----------
#
# A summary is kept under a *slot*: what it is (its parts: the dashboard of a year for a
# scope, a report's summary...) and the language, but not the data version. The slot holds
# the value, the version (and the stamp, e.g. the day) it was computed for, when, and its
# recipe (how the task worker computes it again: a registered refresher's name and its
# arguments). A reader whose version matches reads the value. After a committed change the
# version moves; :func:`data_changed` then queues one :func:`refresh_summaries` task
# (coalesced: one pending task whatever the number of changes), which computes every
# slot of the index afresh. A reader who comes meanwhile gets the previous value marked
# stale (:class:`Cached`), never a value of another version presented as current; with no
# previous value, or with the background refresh off, it computes in the request.

SLOT_SECONDS = 7 * 24 * 3600  # a slot nobody reads for a week is forgotten
INDEX_KEY = "summaries:index"
PENDING_KEY = "summaries:refresh-pending"
RUNNING_KEY = "summaries:refresh-running"
DONE_KEY = "summaries:refreshed"  # (version, day) of the last finished refresh
INDEX_SIZE = 500  # the slots the worker keeps fresh (the most recently added)

# Set while computing a value: a summary read inside it is computed fresh, never stale
# (the dashboard reads the reports' summaries; the refresh task reads everything).
_must_be_fresh: ContextVar[bool] = ContextVar("summaries_must_be_fresh", default=False)

# name -> function(**arguments) that reads the summary again (through cached()); filled by
# the apps that cache summaries (overview, reports) in their AppConfig.ready.
REFRESHERS: dict[str, Callable] = {}


def register_refresher(name: str, function: Callable) -> None:
    REFRESHERS[name] = function


@dataclass(frozen=True)
class Cached:
    """A summary as read: its value, when it was computed, and whether it is the previous
    one shown while the new one is being computed (``stale``)."""

    value: object
    computed_at: datetime.datetime
    stale: bool = False


def background_refresh() -> bool:
    """Whether the task worker recomputes summaries after a change (``SUMMARIES_REFRESH``:
    ``worker``, the default) or each reader computes on demand (``request``)."""
    return getattr(settings, "SUMMARIES_REFRESH", "worker") == "worker"


def stale_seconds() -> int:
    """How long a previous figure may be shown while its refresh waits in the queue, or
    runs without finishing a summary; past it (a worker down or far behind) the reader
    computes itself."""
    return getattr(settings, "SUMMARIES_STALE_SECONDS", 60)


def slot_key(parts: tuple, language: str | None = None) -> str:
    raw = repr((parts, language if language is not None else get_language()))
    return "summaries:" + hashlib.sha256(raw.encode()).hexdigest()


def peek(parts: tuple, language: str | None = None) -> dict | None:
    """The slot as stored (version, stamp, value, computed_at, recipe), without computing."""
    return cache.get(slot_key(parts, language))


def _remember(key: str, recipe) -> None:
    """Add a slot to the index the refresh task walks (a read, and a write when new)."""
    index = cache.get(INDEX_KEY) or {}
    if key in index:
        return
    index[key] = (recipe, get_language())
    while len(index) > INDEX_SIZE:
        index.pop(next(iter(index)))
    cache.set(INDEX_KEY, index, None)


def _store(key: str, *, version: str, stamp, value, recipe) -> dict:
    entry = {
        "version": version,
        "stamp": stamp,
        "value": value,
        "computed_at": timezone.now(),
        "recipe": recipe,
    }
    cache.set(key, entry, getattr(settings, "SUMMARIES_SLOT_SECONDS", SLOT_SECONDS))
    return entry


def _refresh_due(version: str) -> bool:
    """True when a refresh is queued or running and not overdue, or queued now. False when
    one is overdue, or when one already ran for this version today and left the slot stale
    (its recipe could not be computed by the worker): the reader then computes."""
    if cache.get(DONE_KEY) == (version, timezone.localdate().isoformat()):
        return False
    now = time.time()
    for flag in (PENDING_KEY, RUNNING_KEY):
        since = cache.get(flag)
        if since is not None:
            return now - since < stale_seconds()
    request_refresh()
    return True


def read(parts: tuple, compute: Callable, *, recipe=None, stamp=None) -> Cached:
    """The summary named by ``parts`` for the current data version (and ``stamp``, e.g. the
    day it is for), as :class:`Cached`.

    Fresh when the slot holds this version's value. Else, when the slot holds a previous
    value, a ``recipe`` says how the worker recomputes it and the background refresh is on,
    the previous value marked stale (a refresh is queued if none is); else ``compute()``
    here, stored for everyone. The version is read before computing, so a change that
    commits meanwhile makes the value stale at once."""
    key = slot_key(parts)
    version = data_version()
    entry = cache.get(key)
    if entry is not None and entry["version"] == version and entry["stamp"] == stamp:
        return Cached(entry["value"], entry["computed_at"])
    if (
        entry is not None
        and recipe is not None
        and not _must_be_fresh.get()
        and entry["recipe"] is not None
        and background_refresh()
    ):
        _remember(key, recipe)
        if _refresh_due(version):
            again = cache.get(key)  # an immediate task backend may have refreshed it already
            if again is not None and again["version"] == version and again["stamp"] == stamp:
                return Cached(again["value"], again["computed_at"])
            return Cached(entry["value"], entry["computed_at"], stale=True)
    token = _must_be_fresh.set(True)
    try:
        value = compute()
    finally:
        _must_be_fresh.reset(token)
    entry = _store(key, version=version, stamp=stamp, value=value, recipe=recipe)
    if recipe is not None:
        _remember(key, recipe)
    return Cached(value, entry["computed_at"])


def cached(parts: tuple, compute: Callable, *, recipe=None, stamp=None):
    """``compute()``, or what it gave for the same ``parts``, language and data version (see
    :func:`read`, which also says whether a previous value is shown while refreshing)."""
    return read(parts, compute, recipe=recipe, stamp=stamp).value


def request_refresh() -> None:
    """Queue one recomputation of the summaries, unless one is queued and not started yet
    (a burst of changes queues one task, two when the first has started meanwhile)."""
    if not background_refresh():
        return
    if not cache.add(PENDING_KEY, time.time(), stale_seconds()):
        return
    try:
        refresh_summaries.enqueue()
    except Exception:  # the figures are still right: readers compute them when due
        cache.delete(PENDING_KEY)
        logger.exception("Could not queue the recomputation of the summaries")


def user_for_scope(user_id, scope: str):
    """The user a recipe names, if they still see ``scope`` (else None: nothing recomputed)."""
    if user_id is None:
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or scope_key(user) != scope:
        return None
    return user


def refresh_all() -> int:
    """Bring every slot of the index to the current version and day (the task's body; also
    callable in-process): each recipe is read again in must-be-fresh mode, which computes
    only what is stale. Returns how many slots were computed."""
    cache.delete(PENDING_KEY)  # a change from now on queues another run
    cache.set(RUNNING_KEY, time.time(), stale_seconds())
    done = 0
    try:
        index = cache.get(INDEX_KEY) or {}
        version = data_version()
        kept = {}
        for key, (recipe, language) in index.items():
            entry = cache.get(key)
            if entry is None:
                continue  # expired: forgotten
            kept[key] = (recipe, language)
            name, arguments = recipe
            refresher = REFRESHERS.get(name)
            if refresher is None:
                continue
            cache.set(RUNNING_KEY, time.time(), stale_seconds())  # alive: a heartbeat per slot
            token = _must_be_fresh.set(True)
            try:
                with translation.override(language):
                    refresher(**dict(arguments))
                after = cache.get(key)
                done += after is not None and after["computed_at"] != entry["computed_at"]
            except Exception:
                logger.exception("Could not recompute the summary %s", recipe)
            finally:
                _must_be_fresh.reset(token)
        if len(kept) != len(index):
            current = cache.get(INDEX_KEY) or {}
            cache.set(
                INDEX_KEY, {k: v for k, v in current.items() if k in kept or k not in index}, None
            )
        cache.set(DONE_KEY, (version, timezone.localdate().isoformat()), None)
    finally:
        cache.delete(RUNNING_KEY)
    return done


@task()
def refresh_summaries() -> dict:
    """The task worker's recomputation after a change (queued by :func:`request_refresh`):
    every summary readers have asked for (the dashboard of each scope, the reports'
    summaries), so that the first reader after a change finds it ready."""
    return {"computed": refresh_all()}
