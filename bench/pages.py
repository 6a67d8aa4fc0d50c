"""Benchmark: every list, report and dashboard page with a province loaded, against the
stock Django admin over the same models, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchpages .venv/bin/python -m bench.pages
    make bench-pages

It creates a throwaway test database (``test_<name>``), loads the province with
:mod:`scale.province` (the builder of ``manage.py generatedata``; sizes as options, default
the issue's: 100 districts, 1,000 streets, 20,000 committees, 250,000 postings, 60,000
premises, four quarters of 2006 returns), then, with Django's test client logged in as a
district clerk and as a street user, requests each page ``--requests`` times (after two
warm-up requests) and prints the median, the p95 and the number of queries of one request.
The dashboard and the summaries of large reports are cached until the registers change
(audit/data_version.py), so each page's first request is also timed, with an empty cache:
what the first user after a change waits (``first ms``, with its queries). Each report's
full workbook download (every committee) is timed too, as a heavy operation, not a page.
The baseline is the stock admin (``admin.ModelAdmin`` with default options on its own
``AdminSite``, mounted only here by ``bench.stock_urls``) over the same four models; the
ratio is the stock admin's p95 over ours. The table is written to docs/benchmarks.md
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
    ("quarterly report, xlsx download", "/reports/quarterly/?year=2006&quarter=4&format=xlsx", None),
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


def measure(client, url, requests):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the first request after a change to the registers
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url)
        first = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    first_queries = len(captured.captured_queries)
    for _warm in range(2):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured.captured_queries)
    times = []
    for _run in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), percentile(times, 0.95), queries, first, first_queries


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
    parser.add_argument("--only", default="", help="measure only pages whose label has this")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--reuse", action="store_true", help="use a kept database as it is")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args(argv)

    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    from accounts.models import User
    from bench.machine import describe, write_section
    from scale.province import Sizes, build_province

    setup_test_environment()
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
        rows = []
        with overrides:
            for label, ours, stock in PAGES:
                if args.only and args.only not in label:
                    continue
                for role, user in users:
                    client = Client()
                    client.force_login(user)
                    url = ours.format(street=street.pk, district=street.district_id)
                    requests = args.download_requests if is_download(label) else args.requests
                    median, p95, queries, first, first_queries = measure(client, url, requests)
                    row = [label, role, median, p95, queries, first, first_queries]
                    if stock:
                        s_median, s_p95, s_queries, _f, _q = measure(
                            client, stock.format(street=street.pk), args.requests
                        )
                        row += [s_median, s_p95, s_queries, s_p95 / p95]
                    else:
                        row += [None, None, None, None]
                    rows.append(row)
                    print(format_row(row), flush=True)
        machine = describe(connection)
        print(f"machine: {machine}")
        slow = [r for r in rows if r[3] >= GOAL_MS and not is_download(r[0])]
        print(f"pages with p95 >= {GOAL_MS} ms: {len(slow)} of {len(rows)}")
        if not args.no_write and not args.only:
            write_section("bench.pages", report(rows, sizes, args, machine, connection.vendor))
            print("written to docs/benchmarks.md")
        return 0
    finally:
        if not args.keep and not reused:
            connection.creation.destroy_test_db(old_name, verbosity=0)


HEAD = (
    "| page | user | median ms | p95 ms | queries | first ms (queries) | stock median ms "
    "| stock p95 ms | stock queries | stock p95 / ours |"
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
    ) + (
        f" | stock {s_median:8.1f} {s_p95:8.1f} {s_queries:4} q  {ratio:5.1f}x" if s_p95 else ""
    )


def report(rows, sizes, args, machine, vendor):
    from bench.machine import today

    lines = [
        f"### Results ({today()}, `--requests {args.requests}`)",
        "",
        f"Province: {sizes.districts:,} districts, {sizes.streets:,} streets, "
        f"{sizes.committees:,} committees, {sizes.postings:,} people and postings, "
        f"{sizes.premises:,} premises, four quarters of 2006 returns; database {vendor}.",
        f"Machine: {machine}.",
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
