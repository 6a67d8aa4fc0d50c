"""Benchmark: every list, report and dashboard page with a province loaded, against the
stock Django admin over the same models, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchpages .venv/bin/python -m bench.pages
    make bench-pages

It creates a throwaway test database (``test_<name>``), loads the province with
:mod:`scale.province` (the builder of ``manage.py generatedata``; sizes as options, default
the issue's: 100 districts, 1,000 streets, 20,000 committees, 250,000 postings, 60,000
premises, four quarters of 2006 returns), then, with Django's test client logged in as a
district clerk and as a street user (the admin lists also as the administrator and the
viewer), requests each page ``--requests`` times (after two
warm-up requests) and prints the median, the p95 and the number of queries of one request.
The dashboard and the summaries of large reports are cached until the registers change
(audit/data_version.py), so each page's first request is also timed, with an empty cache:
the worst case, a fresh start on an empty cache before ``manage.py warm_summaries`` ran
(after a change the task worker recomputes, and readers meanwhile get the previous figures
marked: ``bench.firstrequest``) (``first ms``, with its queries). Each report's
full workbook download (every committee) is timed too, as a heavy operation, not a page.
The baseline is the stock admin (``admin.ModelAdmin`` with default options on its own
``AdminSite``, mounted only here by ``bench.stock_urls``) over the same four models,
requested in turn with ours (ours, stock, ours, stock…) so both see the same machine; the
ratio is the stock admin's median over ours (above 1: ours is faster). The load average is
printed at the start and the end, and one ``GOAL met``/``GOAL MISSED`` line per goal. The table is written to docs/benchmarks.md
(``--no-write`` to skip). ``--keep`` keeps the database; ``--reuse`` uses a kept one.
"""

import argparse
import os
import secrets
import statistics
import sys
import time

GOAL_MS = 300

PAGES = [
    # (label, our URL, the stock admin's URL or None); {street} is the street's id.
    (
        "committees (admin list)",
        "/admin/communities/committee/",
        "/stock-admin/communities/committee/",
    ),
    ("people (admin list)", "/admin/staffing/person/", "/stock-admin/staffing/person/"),
    ("postings (admin list)", "/admin/staffing/posting/", "/stock-admin/staffing/posting/"),
    ("premises (admin list)", "/admin/facilities/premises/", "/stock-admin/facilities/premises/"),
    (
        "committees, searched",
        "/admin/communities/committee/?q=社区1234",
        "/stock-admin/communities/committee/?q=社区1234",
    ),
    (
        "people, filtered by street",
        "/admin/staffing/person/?street__id__exact={street}",
        "/stock-admin/staffing/person/?street__id__exact={street}",
    ),
    ("establishment report", "/reports/establishment/?year=2006", None),
    ("funding report", "/reports/funding/?year=2006", None),
    ("facilities report", "/reports/facilities/?year=2006", None),
    ("staffing report", "/reports/staffing/?year=2006", None),
    ("quarterly report", "/reports/quarterly/?year=2006&quarter=4", None),
    # Drilling down from a province's summary: one district's streets, one street's committees.
    ("staffing report, one district", "/reports/staffing/?year=2006&district={district}", None),
    ("funding report, one street", "/reports/funding/?year=2006&street={street}", None),
    ("dashboard", "/?year=2006", None),
    ("quarterly grid (one street)", "/returns/2006/4/?street={street}", None),
    # Heavy operations, not pages (the 300 ms goal is not theirs): each report's full
    # committee-level workbook, timed --download-requests times.
    *[
        (f"{name} report, xlsx download", f"/reports/{name}/?year=2006&format=xlsx", None)
        for name in ("establishment", "funding", "facilities", "staffing")
    ],
    (
        "quarterly report, xlsx download",
        "/reports/quarterly/?year=2006&quarter=4&format=xlsx",
        None,
    ),
]


def is_download(label: str) -> bool:
    return label.endswith("download")


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianye.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(32))  # DEBUG off
    import django

    django.setup()


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def timed_get(client, url):
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return elapsed


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        timed_get(client, url)
    return len(captured.captured_queries)


def measure(client, url, requests, stock_url=None):
    """Time ``url`` (and the stock admin's ``stock_url``, interleaved with it: ours, stock,
    ours, stock…, so that both see the same machine) ``requests`` times after two warm-up
    requests each. Returns ours' (median, p95, queries, first ms, first queries) and the
    stock admin's (median, p95, queries) or None."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the first request after a change to the registers
    with CaptureQueriesContext(connection) as captured:
        first = timed_get(client, url)
    first_queries = len(captured.captured_queries)
    urls = [url] + ([stock_url] if stock_url else [])
    for _warm in range(2):
        for each in urls:
            timed_get(client, each)
    queries = [count_queries(client, each) for each in urls]
    times = [[] for _each in urls]
    for _run in range(requests):
        for index, each in enumerate(urls):
            times[index].append(timed_get(client, each))
    ours = (
        statistics.median(times[0]),
        percentile(times[0], 0.95),
        queries[0],
        first,
        first_queries,
    )
    stock = None
    if stock_url:
        stock = (statistics.median(times[1]), percentile(times[1], 0.95), queries[1])
    return ours, stock


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=100)
    parser.add_argument("--streets", type=int, default=1000)
    parser.add_argument("--committees", type=int, default=20000)
    parser.add_argument("--postings", type=int, default=250000)
    parser.add_argument("--premises", type=int, default=60000)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--download-requests", type=int, default=3, help="timed requests per report download"
    )
    parser.add_argument(
        "--only", default="", help="measure only pages whose label has this (several: a|b)"
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--reuse", action="store_true", help="use a kept database as it is")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)

    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from accounts.models import User
    from bench.machine import describe, print_load, write_section
    from scale.province import Sizes, build_province

    # No setup_test_environment(): it instruments every template render (a signal and a
    # copy of the context each, for the test client), which production does not pay and
    # which weighs on pages of many small templates (form widgets, list filters).
    load_start = print_load("start")
    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    overrides = override_settings(
        ROOT_URLCONF="bench.stock_urls",
        STORAGES={**settings.STORAGES, "staticfiles": staticfiles},
        ALLOWED_HOSTS=["testserver"],
        DEBUG=False,
    )
    if connection.vendor != "postgresql":
        print("note: the goals are for PostgreSQL; this run is on", connection.vendor)
    reused = False
    if args.reuse and connection.vendor == "postgresql":
        test_name = connection.creation._get_test_db_name()
        old_name = connection.settings_dict["NAME"]
        connection.close()
        connection.settings_dict["NAME"] = test_name
        settings.DATABASES["default"]["NAME"] = test_name
        reused = True
    else:
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
    sizes = Sizes(
        districts=args.districts,
        streets=args.streets,
        committees=args.committees,
        postings=args.postings,
        premises=args.premises,
        returns_year=2006,
    )
    try:
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        if not reused:
            started = time.perf_counter()
            build_province(sizes, log=print)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(f"province built in {time.perf_counter() - started:.1f} s")
        clerk = User.objects.get(username="gclerk")
        street_users = User.objects.filter(role="street").order_by("pk")
        street_user = street_users[street_users.count() // 2]
        street = street_user.street
        users = [("clerk", clerk), ("street", street_user)]
        # The admin lists (the pages with a stock twin) for every role: the administrator and
        # the viewer see what the clerk sees, with other permissions.
        every_role = users + [
            (role, User.objects.get(username=f"g{role}")) for role in ("admin", "viewer")
        ]
        rows = []
        with overrides:
            for label, our_url, stock in PAGES:
                if args.only and not any(part in label for part in args.only.split("|")):
                    continue
                for role, user in every_role if stock else users:
                    client = Client()
                    client.force_login(user)
                    url = our_url.format(street=street.pk, district=street.district_id)
                    requests = args.download_requests if is_download(label) else args.requests
                    stock_url = stock.format(street=street.pk) if stock else None
                    ours, theirs = measure(client, url, requests, stock_url)
                    row = [label, role, *ours]
                    if theirs:
                        row += [*theirs, theirs[0] / ours[0]]
                    else:
                        row += [None, None, None, None]
                    rows.append(row)
                    print(format_row(row), flush=True)
        machine = describe(connection)
        load_end = print_load("end")
        print(f"machine: {machine}")
        goals = print_goals(rows)
        if not args.no_write and not args.only:
            text = report(rows, sizes, args, machine, connection.vendor, load_start, load_end)
            write_section("bench.pages", text + "\n" + "\n".join(f"- {g}" for g in goals) + "\n")
            print("written to docs/benchmarks.md")
        return 0
    finally:
        if not args.keep and not reused:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def print_goals(rows):
    """Print one GOAL line per goal of the pages (``bench.machine.print_goal``): each admin
    list at least as fast as the stock admin (median against median, same run, for each
    role), and every page's p95 under ``GOAL_MS``. Returns the lines."""
    from bench.machine import print_goal

    lines = []
    for row in rows:
        label, role, median, *_rest = row
        ratio = row[-1]
        if ratio is not None:
            lines.append(
                print_goal(
                    f"{label}, {role}: at least as fast as the stock admin",
                    ratio >= 1.0,
                    f"{ratio:.2f}x (stock median {row[7]:.1f} ms / ours {median:.1f} ms)",
                )
            )
    pages = [r for r in rows if not is_download(r[0])]
    slow = [r for r in pages if r[3] >= GOAL_MS]
    worst = max(pages, key=lambda r: r[3]) if pages else None
    if worst:
        detail = f"{len(pages) - len(slow)} of {len(pages)} pages under; slowest {worst[0]}, {worst[1]}: "
        detail += f"p95 {worst[3]:.1f} ms ({GOAL_MS / worst[3]:.2f}x the goal)"
        if slow:
            detail += "; over: " + ", ".join(f"{r[0]} ({r[1]}, {r[3]:.0f} ms)" for r in slow)
        lines.append(print_goal(f"every page's p95 under {GOAL_MS} ms", not slow, detail))
    for row in pages:
        if row[0].startswith("quarterly grid"):
            lines.append(
                print_goal(
                    f"{row[0]}, {row[1]}: p95 under {GOAL_MS} ms",
                    row[3] < GOAL_MS,
                    f"p95 {row[3]:.1f} ms, median {row[2]:.1f} ms",
                )
            )
    return lines


HEAD = (
    "| page | user | median ms | p95 ms | queries | first ms (queries) | stock median ms "
    "| stock p95 ms | stock queries | stock median / ours |"
)


def cell(value, digits=0):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def format_row(row):
    label, role, median, p95, queries, first, first_queries = row[:7]
    s_median, s_p95, s_queries, ratio = row[7:]
    return (
        f"{label:32} {role:6} {median:8.1f} {p95:8.1f} {queries:4} q"
        f" | first {first:8.1f} {first_queries:4} q"
    ) + (f" | stock {s_median:8.1f} {s_p95:8.1f} {s_queries:4} q  {ratio:5.1f}x" if s_p95 else "")


def report(rows, sizes, args, machine, vendor, load_start="", load_end=""):
    from bench.machine import today

    lines = [
        f"### Results ({today()}, `--requests {args.requests}`)",
        "",
        f"Province: {sizes.districts:,} districts, {sizes.streets:,} streets, "
        f"{sizes.committees:,} committees, {sizes.postings:,} people and postings, "
        f"{sizes.premises:,} premises, four quarters of 2006 returns; database {vendor}.",
        f"Machine: {machine}.",
        f"Ours and the stock admin requested in turn (ours, stock, ours, stock…); {load_start}; "
        f"{load_end}.",
        "",
        HEAD,
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        label, role, median, p95, queries, first, first_queries = row[:7]
        s_median, s_p95, s_queries, ratio = row[7:]
        flag = " **(over goal)**" if p95 >= GOAL_MS and not is_download(label) else ""
        lines.append(
            f"| {label} | {role} | {cell(median, 1)} | {cell(p95, 1)}{flag} | {queries} "
            f"| {cell(first, 0)} ({first_queries}) "
            f"| {cell(s_median, 1)} | {cell(s_p95, 1)} | {cell(s_queries)} "
            f"| {cell(ratio, 1) + 'x' if ratio else '–'} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
