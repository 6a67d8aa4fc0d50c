"""The summaries' cache is shared by the processes (the web server's and the task worker's),
the worker recomputes them after a committed change (audit.data_version.refresh_summaries, queued
once per burst of changes), and until it is done a reader sees the previous figures marked
as being updated, never wrong ones (audit.data_version.read)."""

import datetime
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils.translation import get_language
from django_tasks_db.models import DBTaskResult

from audit import data_version
from audit.data_version import refresh_summaries
from overview.dashboard import dashboard
from returns.models import QuarterlyReturn, ReturnStatus
from returns.workflow import return_approve

pytestmark = pytest.mark.django_db

FEBRUARY_2007 = datetime.date(2007, 2, 1)
ROOT = Path(django_settings.BASE_DIR)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_reachable() -> bool:
    try:
        import redis
    except ImportError:
        return False
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def file_cache(tmp_path):
    return f"file://{tmp_path / 'cache'}", ""


def redis_cache(tmp_path):
    if not redis_reachable():
        pytest.skip(f"no Redis server at {REDIS_URL}")
    return REDIS_URL, f"test-{uuid.uuid4().hex}"


@pytest.fixture(params=[file_cache, redis_cache], ids=["file", "redis"])
def shared_cache(request, settings, tmp_path):
    """The cache as production configures it (jianye.settings.cache_from_url), and the
    environment that gives a second process the same one."""
    from jianye.settings import cache_from_url

    url, prefix = request.param(tmp_path)
    settings.CACHES = {"default": {**cache_from_url(url), "KEY_PREFIX": prefix}}
    settings.SUMMARIES_REFRESH = "worker"
    yield {"CACHE_URL": url, "CACHE_KEY_PREFIX": prefix}
    if url.startswith("redis"):
        import redis

        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def read_in_another_process(environment, parts) -> dict | None:
    """What a second Python process (a manage.py shell, as the worker or another web process
    would be) finds in the cache for the slot ``parts``: version and the approved count."""
    code = (
        "import json; from audit.data_version import peek; "
        f"entry = peek({parts!r}, {get_language()!r}); "
        "print(json.dumps(None if entry is None else "
        "{'version': entry['version'], 'approved': entry['value'].figures.approved}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            **environment,
            "DJANGO_SETTINGS_MODULE": "jianye.test_settings",
            "PYTHONPATH": str(ROOT),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def queued_refreshes() -> int:
    return DBTaskResult.objects.filter(task_path="audit.data_version.refresh_summaries").count()


def test_the_cache_is_shared_and_a_change_shows_after_the_recomputation(
    shared_cache, users, django_capture_on_commit_callbacks
):
    clerk = users["clerk"]
    item = QuarterlyReturn.objects.get(committee__name="南湖东路社区", year=2007, quarter=1)
    QuarterlyReturn.objects.filter(pk=item.pk).update(status=ReturnStatus.SUBMITTED)
    before = dashboard(year=2007, user=clerk, today=FEBRUARY_2007)
    assert before.updating_since is None
    parts = ("dashboard", 2007, "all")
    seen = read_in_another_process(shared_cache, parts)
    assert seen == {"version": data_version.data_version(), "approved": before.figures.approved}

    with django_capture_on_commit_callbacks(execute=True):
        return_approve(returns=[item], user=clerk)
    assert queued_refreshes() == 1  # queued at the commit
    # Before the worker has run: the previous figure, marked, never a wrong one.
    meanwhile = dashboard(year=2007, user=clerk, today=FEBRUARY_2007)
    assert meanwhile.updating_since is not None
    assert meanwhile.figures.approved == before.figures.approved

    assert refresh_summaries.call()["computed"] >= 1  # the worker's run, here
    after = dashboard(year=2007, user=clerk, today=FEBRUARY_2007)
    assert after.updating_since is None
    assert after.figures.approved == before.figures.approved + 1
    # The other process reads what the worker computed, for the new version.
    seen = read_in_another_process(shared_cache, parts)
    assert seen == {"version": data_version.data_version(), "approved": after.figures.approved}


@pytest.fixture
def worker_mode(settings):
    settings.SUMMARIES_REFRESH = "worker"


def test_a_burst_of_changes_queues_one_recomputation(worker_mode, users):
    for _ in range(100):
        data_version.request_refresh()  # what each commit does after raising the version
    assert queued_refreshes() == 1
    data_version.refresh_all()  # the task has started: a change from now on queues again
    for _ in range(100):
        data_version.request_refresh()
    assert queued_refreshes() == 2


def test_the_page_shows_the_previous_figures_marked_while_updating(
    worker_mode, clients, demo, django_capture_on_commit_callbacks
):
    client = clients["clerk"]
    before = client.get("/", {"year": 2006})
    households = before.context["figures"].households
    assert "数据更新中" not in before.content.decode()
    committee = demo["committees"]["南湖东路社区"]
    committee.households += 100
    with django_capture_on_commit_callbacks(execute=True):
        committee.save()

    meanwhile = client.get("/", {"year": 2006})
    text = meanwhile.content.decode()
    shown_at = before.context["dashboard"].updating_since or cache_time(("dashboard", 2006, "all"))
    assert f"数据更新中，显示的是 {shown_at} 的数字。" in text
    assert meanwhile.context["figures"].households == households  # the previous, not a mix

    refresh_summaries.call()
    after = client.get("/", {"year": 2006})
    assert "数据更新中" not in after.content.decode()
    assert after.context["figures"].households == households + 100


def cache_time(parts) -> str:
    """The time a slot's value was computed, as the page prints it (local HH:MM)."""
    from django.utils import timezone

    entry = data_version.peek(parts)
    return timezone.localtime(entry["computed_at"]).strftime("%H:%M")


def test_a_report_page_shows_its_previous_summary_marked_while_updating(
    worker_mode, settings, clients, demo, django_capture_on_commit_callbacks
):
    settings.REPORT_DETAIL_LIMIT = 5  # the demo's 36 committees: a summary by street
    client = clients["clerk"]
    first = client.get("/reports/establishment/", {"year": 2006, "format": "html"})
    total = first.context["rows"][0]["cells"]
    committee = demo["committees"]["南湖东路社区"]
    committee.households += 100
    with django_capture_on_commit_callbacks(execute=True):
        committee.save()
    meanwhile = client.get("/reports/establishment/", {"year": 2006, "format": "html"})
    assert "数据更新中" in meanwhile.content.decode()
    assert meanwhile.context["rows"][0]["cells"] == total

    refresh_summaries.call()
    after = client.get("/reports/establishment/", {"year": 2006, "format": "html"})
    assert "数据更新中" not in after.content.decode()
    assert after.context["rows"][0]["cells"] != total


def test_the_first_reader_of_a_scope_computes_it(worker_mode, users):
    """No previous figure: computed in the request, never a blank or marked one."""
    found = dashboard(year=2006, user=users["nanhu"])
    assert found.updating_since is None and found.figures.established > 0
    assert queued_refreshes() == 0


def test_a_refresh_overdue_is_computed_by_the_reader(worker_mode, settings, users, demo):
    """A worker that is down does not leave readers with old figures for long: once the
    queued refresh is older than SUMMARIES_STALE_SECONDS, the reader computes."""
    clerk = users["clerk"]
    before = dashboard(year=2006, user=clerk)
    committee = demo["committees"]["南湖东路社区"]
    committee.households += 100
    committee.save()
    data_version._bump("default")  # what the commit does (the test's transaction never commits)
    assert dashboard(year=2006, user=clerk).updating_since is not None  # refresh queued
    settings.SUMMARIES_STALE_SECONDS = 0  # ... and now overdue
    after = dashboard(year=2006, user=clerk)
    assert after.updating_since is None
    assert after.figures.households == before.figures.households + 100


def test_the_next_day_the_worker_computes_the_new_days_dashboard(worker_mode, users):
    """The data did not change, the day did: the previous day's dashboard is shown marked,
    and the worker's run computes today's."""
    clerk = users["clerk"]
    dashboard(year=2006, user=clerk)
    slot = data_version.slot_key(("dashboard", 2006, "all"))
    entry = cache.get(slot)
    cache.set(slot, {**entry, "stamp": "2006-12-31"})  # as if computed yesterday
    assert dashboard(year=2006, user=clerk).updating_since is not None
    assert queued_refreshes() == 1
    assert refresh_summaries.call()["computed"] >= 1
    assert dashboard(year=2006, user=clerk).updating_since is None


def test_a_slot_the_worker_cannot_compute_is_computed_by_the_reader(worker_mode, users):
    """A refresh that ran for this version and left a slot stale (its user gone, say) does
    not leave its readers with old figures: they compute them."""
    clerk = users["clerk"]
    dashboard(year=2006, user=clerk)
    data_version._bump("default")
    assert dashboard(year=2006, user=clerk).updating_since is not None
    with mock.patch.dict(data_version.REFRESHERS, {"dashboard": lambda **kwargs: None}):
        refresh_summaries.call()
    assert dashboard(year=2006, user=clerk).updating_since is None
