"""A read replica for reports: off unless ``DATABASE_REPLICA_URL`` is set.

With the setting, ``jianye.settings`` adds a ``replica`` database, this router and the
middleware below. Then:

- every write, and every read outside a report, goes to ``default`` (the primary);
- reads of the domain registers (communities, staffing, facilities, budgets, returns, reports)
  made while serving a GET under one of ``REPLICA_PATHS`` (the report pages, their exports
  and the budget pages: ``/reports/``, ``/budgets/``), or inside
  ``with reads_from_replica():`` (for commands such as ``exportreport``), go to ``replica``;
- sessions, users, permissions, login lockouts and history never do: they are read right
  after being written, and a replica may lag by a few seconds.

A replica is a streaming copy of the primary (PostgreSQL physical replication), so nothing
is migrated on it. Reports read from it may be a few seconds behind the primary; that is the
trade made for keeping large reports off the primary. See docs/deploy.md.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.conf import settings

REPLICA = "replica"
REPLICA_APPS = frozenset({"communities", "staffing", "facilities", "budgets", "returns", "reports"})
REPLICA_PATHS = ("/reports/", "/budgets/")

_use_replica = contextvars.ContextVar("jianye_use_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def reads_from_replica():
    """Within the block, register reads go to the replica (if one is configured)."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReportReplicaRouter:
    def db_for_read(self, model, **hints):
        if _use_replica.get() and model._meta.app_label in REPLICA_APPS and replica_configured():
            return REPLICA
        return None  # the default database

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the same database

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReportReplicaMiddleware:
    """Marks GET requests under ``REPLICA_PATHS`` as report reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path_info.startswith(REPLICA_PATHS):
            with reads_from_replica():
                return self.get_response(request)
        return self.get_response(request)
