"""The read-replica router: off by default; with a replica, report reads go there and
nothing else does."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from accounts.models import User
from communities.models import Committee
from jianye.routers import ReportReplicaMiddleware, ReportReplicaRouter, reads_from_replica
from returns.models import QuarterlyReturn

WITH_REPLICA = {**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}


def test_off_by_default():
    assert "replica" not in settings.DATABASES
    assert not getattr(settings, "DATABASE_ROUTERS", [])
    router = ReportReplicaRouter()
    with reads_from_replica():
        assert router.db_for_read(Committee) is None


@override_settings(DATABASES=WITH_REPLICA)
def test_report_reads_go_to_the_replica_and_nothing_else():
    router = ReportReplicaRouter()
    assert router.db_for_read(Committee) is None  # outside a report
    with reads_from_replica():
        assert router.db_for_read(Committee) == "replica"
        assert router.db_for_read(QuarterlyReturn) == "replica"
        assert router.db_for_read(User) is None
        assert router.db_for_read(Session) is None
        assert router.db_for_write(Committee) == "default"
    assert router.allow_migrate("default", "communities")
    assert not router.allow_migrate("replica", "communities")


@override_settings(DATABASES=WITH_REPLICA)
def test_middleware_marks_report_gets_only():
    router = ReportReplicaRouter()
    seen = []

    def view(request):
        seen.append(router.db_for_read(Committee))
        return HttpResponse()

    middleware = ReportReplicaMiddleware(view)
    factory = RequestFactory()
    middleware(factory.get("/reports/establishment/"))
    middleware(factory.get("/budgets/"))
    middleware(factory.post("/reports/establishment/"))
    middleware(factory.get("/returns/2006/4/"))
    assert seen == ["replica", "replica", None, None]
