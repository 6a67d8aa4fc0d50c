"""Where a page's time goes: each query it runs, timed, with PostgreSQL's plan.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchpages \
        .venv/bin/python -m bench.explain /admin/communities/committee/ --user gclerk [--analyze]

It uses the database that ``bench.pages --keep`` left (``test_<name>``), requests the page
once to warm it up, then once more capturing every query, and prints each query's time
(with ``--analyze``, the ``EXPLAIN ANALYZE`` of each one slower than ``--over`` ms) and the
time spent outside the database.
"""

import argparse
import os
import sys
import time

from bench.pages import setup_django


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--user", default="gclerk")
    parser.add_argument("--analyze", action="store_true", help="EXPLAIN ANALYZE slow queries")
    parser.add_argument("--over", type=float, default=2.0, help="ms; explain queries slower")
    parser.add_argument("--profile", type=int, default=0, help="cProfile: print N functions")
    args = parser.parse_args(argv)

    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from accounts.models import User

    # Templates not instrumented (no setup_test_environment()): timed as production renders.
    if connection.vendor == "postgresql":
        name = connection.creation._get_test_db_name()
        connection.close()
        connection.settings_dict["NAME"] = name
        settings.DATABASES["default"]["NAME"] = name
    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        ROOT_URLCONF="bench.stock_urls",
        STORAGES={**settings.STORAGES, "staticfiles": staticfiles},
        ALLOWED_HOSTS=["testserver"],
        DEBUG=False,
    ):
        user = User.objects.get(username=args.user)
        url = args.url.format(street=user.street_id or 1)
        client = Client()
        client.force_login(user)
        for _warm in range(2):
            client.get(url)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            total = (time.perf_counter() - started) * 1000
        print(f"{url} as {args.user}: HTTP {response.status_code}, {total:.1f} ms")
        in_db = 0.0
        for query in captured.captured_queries:
            ms = float(query["time"]) * 1000
            in_db += ms
            print(f"{ms:8.1f} ms  {query['sql'][:300]}")
            explainable = query["sql"].lstrip().upper().startswith("SELECT")
            if (
                args.analyze
                and explainable
                and ms >= args.over
                and connection.vendor == "postgresql"
            ):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    for (line,) in cursor.fetchall():
                        print("            " + line)
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            for _run in range(5):
                profiler.enable()
                client.get(url)
                profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
            stats.print_stats(args.profile)
            if os.environ.get("CALLERS"):
                stats.print_callers(os.environ["CALLERS"])
            if os.environ.get("CALLEES"):
                stats.print_callees(os.environ["CALLEES"])
        print(
            f"{len(captured.captured_queries)} queries, {in_db:.1f} ms in the database, "
            f"{total - in_db:.1f} ms outside it"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
