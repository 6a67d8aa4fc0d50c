"""Benchmark: the first dashboard and funding-report request after a change, with the
summaries recomputed by the task worker (ours) against the old on-demand path (baseline),
interleaved in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench.firstrequest
    make bench-firstrequest

It creates a throwaway test database, loads a province with :mod:`scale.province` (default
the issue's sizes; ``--committees 2000 --streets 100 --districts 10 ...`` while developing),
starts a real task worker (``manage.py db_worker``) on that database and a shared cache (a
file cache in a temporary folder, or ``--cache-url redis://...``), and logs in a district
clerk and a street user. Each round changes a committee's households (a committed save:
the data version moves) and then, alternately:

- **ours** (``SUMMARIES_REFRESH=worker``): the commit queues the recomputation; the page is
  requested once at once (what a reader sees meanwhile: the previous figures, marked), then
  the benchmark waits for the worker to finish (the recomputation's own time is printed)
  and times the first request after it;
- **baseline** (``SUMMARIES_REFRESH=request``, the old path): the first request after the
  change computes the summaries itself.

Medians over ``--rounds``; the goal is the first request after a change under 500 ms.
The load average is printed at the start and the end (the machine is shared).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

GOAL_MS = 500
PAGES = [("dashboard", "/?year=2006"), ("funding report", "/reports/funding/?year=2006")]


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD")
    auth = f"{user}:{password}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{settings_dict['NAME']}"


def timed_get(client, url) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return elapsed, response


def change_something(committee_id: int) -> None:
    """A committed change to a register: the version moves at the commit."""
    from django.db import transaction

    from communities.models import Committee

    with transaction.atomic():
        committee = Committee.objects.get(pk=committee_id)
        committee.households += 1
        committee.save()


def wait_for_worker(timeout: float = 600) -> float:
    """Until the queued recomputation has run (no refresh pending or running, and the task
    rows finished); returns the seconds waited."""
    from django.core.cache import cache
    from django_tasks_db.models import DBTaskResult

    from audit.data_version import PENDING_KEY, RUNNING_KEY

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        busy = cache.get(PENDING_KEY) is not None or cache.get(RUNNING_KEY) is not None
        unfinished = DBTaskResult.objects.filter(
            task_path="audit.data_version.refresh_summaries",
            status__in=["READY", "RUNNING"],
        ).exists()
        if not busy and not unfinished:
            return time.perf_counter() - started
        time.sleep(0.05)
    raise RuntimeError("the task worker did not recompute the summaries in time")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=100)
    parser.add_argument("--streets", type=int, default=1000)
    parser.add_argument("--committees", type=int, default=20000)
    parser.add_argument("--postings", type=int, default=250000)
    parser.add_argument("--premises", type=int, default=60000)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each (interleaved)")
    parser.add_argument("--cache-url", default="", help="redis://... (default: a file cache)")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args(argv)
    print(f"load average at start: {load()}", flush=True)

    cache_dir = tempfile.mkdtemp(prefix="jianye-bench-cache-")
    cache_url = args.cache_url or f"file://{cache_dir}"
    os.environ["CACHE_URL"] = cache_url
    os.environ["CACHE_KEY_PREFIX"] = f"bench-{os.getpid()}"
    os.environ["SUMMARIES_REFRESH"] = "worker"
    from bench.pages import setup_django

    setup_django()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    from accounts.models import User
    from bench.machine import describe, print_goal
    from communities.models import Committee
    from scale.province import Sizes, build_province

    setup_test_environment()
    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    common = override_settings(
        STORAGES={**settings.STORAGES, "staticfiles": staticfiles},
        ALLOWED_HOSTS=["testserver"],
        DEBUG=False,
    )
    if connection.vendor != "postgresql":
        raise SystemExit("bench.firstrequest runs on PostgreSQL (set DATABASE_URL)")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    worker = None
    sizes = Sizes(
        districts=args.districts,
        streets=args.streets,
        committees=args.committees,
        postings=args.postings,
        premises=args.premises,
        returns_year=2006,
    )
    try:
        started = time.perf_counter()
        build_province(sizes, log=None)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"province: {sizes.committees:,} committees, {sizes.streets:,} streets, "
            f"{sizes.postings:,} postings; built in {time.perf_counter() - started:.1f} s; "
            f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}",
            flush=True,
        )
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.1",
            ],
            env={**os.environ, "DATABASE_URL": database_url(connection.settings_dict)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        clerk = User.objects.get(username="gclerk")
        street_users = User.objects.filter(role="street").order_by("pk")
        street_user = street_users[street_users.count() // 2]
        committee_id = Committee.objects.filter(street=street_user.street).values_list(
            "pk", flat=True
        )[0]
        clients = {}
        for role, user in (("clerk", clerk), ("street", street_user)):
            clients[role] = Client()
            clients[role].force_login(user)
        cache.clear()
        results = {}  # (mode, page, role) -> [ms]
        meanwhile = {}  # (page, role) -> [ms] of the request made before the worker is done
        marked = {}  # (page, role) -> how many of those were the previous figures, marked
        refresh_seconds = []
        with common:
            for (_label, url), client in ((p, c) for p in PAGES for c in clients.values()):
                timed_get(client, url)  # a previous value in every slot
            for round_number in range(args.rounds):
                for mode in ("ours", "baseline"):
                    refresh = "worker" if mode == "ours" else "request"
                    # A change before each page and user: every first request is a first one
                    # (the dashboard reads the funding summary: it must not warm the page).
                    for label, url in PAGES:
                        for role, client in clients.items():
                            with override_settings(SUMMARIES_REFRESH=refresh):
                                change_something(committee_id)
                                if mode == "ours":
                                    ms, response = timed_get(client, url)
                                    meanwhile.setdefault((label, role), []).append(ms)
                                    stale = "数据更新中" in response.content.decode()
                                    marked[(label, role)] = marked.get((label, role), 0) + stale
                                    refresh_seconds.append(wait_for_worker())
                                ms, response = timed_get(client, url)
                                if "数据更新中" in response.content.decode():
                                    raise RuntimeError(f"{label}: still marked after the refresh")
                                results.setdefault((mode, label, role), []).append(ms)
                print(f"round {round_number + 1} of {args.rounds} done", flush=True)
        print()
        print(
            f"{'page':16} {'user':6} {'ours ms':>9} {'baseline ms':>12} {'ratio':>6} "
            f"{'meanwhile ms':>13} {'marked':>7}  goal < {GOAL_MS} ms"
        )
        all_met = True
        for label, _url in PAGES:
            for role in clients:
                ours = statistics.median(results[("ours", label, role)])
                base = statistics.median(results[("baseline", label, role)])
                during = statistics.median(meanwhile[(label, role)])
                met = ours < GOAL_MS and during < GOAL_MS
                all_met &= met
                print(
                    f"{label:16} {role:6} {ours:9.1f} {base:12.1f} {base / ours:5.1f}x "
                    f"{during:13.1f} {marked[(label, role)]:>3}/{args.rounds}  "
                    f"{'met' if met else 'missed'}"
                )
        print(
            f"recomputation by the worker after a change: median "
            f"{statistics.median(refresh_seconds):.2f} s (max {max(refresh_seconds):.2f} s)"
        )
        print_goal(
            f"first request after a change < {GOAL_MS} ms", all_met, "every page and role above"
        )
        print(f"machine: {describe(connection)}")
        print(f"load average at end: {load()}")
        return 0 if all_met else 1
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        cache.clear() if not cache_url.startswith("redis") else None
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
