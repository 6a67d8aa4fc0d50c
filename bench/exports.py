"""Benchmark: exporting 100,000 postings to .xlsx four ways, in the same run.

    .venv/bin/python -m bench.exports --rows 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench6 .venv/bin/python -m bench.exports

In a throwaway test database (like :mod:`bench.budget`) holding ``--rows`` postings (built by
:mod:`scale.province`, the builder of ``generatedata``), it writes the postings register —
ID-card number, name, birth date, committee code and name, position, from, until — to .xlsx:

- ours: :func:`imports.exports.export_register` (the resource's columns compiled once into
  ``values_list`` paths and per-column converters — ID-card masking, formula guard, dates as
  the resource writes them —, rows from ``values_list(...).iterator(chunk_size=5000)``, the
  data rows written straight into the worksheet XML of a package made by openpyxl);
- stock django-import-export: ``PostingResource(user=...).export(queryset)`` (a whole
  ``tablib.Dataset`` in memory) then ``dataset.export("xlsx")``, written to a file — what the
  admin's export button did before issue 14 (it now writes .xlsx and .csv through ours, see
  :mod:`imports.admin_export`; its other formats are still this);
- the bare dump: ``values_list`` of the same columns straight into a ``write_only`` workbook,
  no resource, no guard;
- ours with XlsxWriter: the same compiled rows (the same plan, the same cells) written by
  XlsxWriter in ``constant_memory`` mode (a maintained writer) instead of the hand-written
  sheet XML, with the same header style and frozen header. Issue 14: the hand-written XML
  stays only if XlsxWriter cannot come within 20 % of it; the two are run alternately,
  ``--rounds`` times each, and their best times compared.

Each is timed and its peak Python memory measured with ``tracemalloc`` (each in its own
run; tracemalloc slows all three alike). The database is dropped at the end.
"""

import argparse
import importlib.util
import os
import secrets
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianye.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(32))  # DEBUG off
    import django

    django.setup()


def build(rows: int):
    from scale.province import Sizes, build_province

    committees = max(20, rows // 12)
    build_province(
        Sizes(districts=1, streets=(committees + 19) // 20, committees=committees,
              postings=rows, premises=0, returns_year=None, users=False),
        seed=2006, prefix="E", province_name="导出省",
    )


def ours(path, user):
    from imports.exports import export_register

    return export_register("postings", path, user=user)


def stock(path, user):
    from staffing.resources import PostingResource

    resource = PostingResource(user=user)
    dataset = resource.export(queryset=resource.get_queryset())
    Path(path).write_bytes(dataset.export("xlsx"))
    return len(dataset)


def xlsxwriter_rows(header, rows, path, *, title=""):
    """What :func:`imports.exports.write_xlsx_rows` does, by XlsxWriter (constant_memory):
    text as text (never a formula: ``write_string``), numbers as numbers, no cell for None."""
    import decimal

    import xlsxwriter

    from scoping.spreadsheets import HEADER_BOLD, HEADER_FILL_RGB

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet((title or "Sheet1")[:31])
    style = book.add_format({"bold": HEADER_BOLD, "bg_color": "#" + HEADER_FILL_RGB,
                             "pattern": 1})
    sheet.freeze_panes(1, 0)
    write_string, write_number, write_boolean = (
        sheet.write_string, sheet.write_number, sheet.write_boolean)
    for column, value in enumerate(header):
        write_string(0, column, str(value), style)
    count = 0
    for count, row in enumerate(rows, 1):  # noqa: B007
        for column, value in enumerate(row):
            if value is None:
                continue
            kind = value.__class__
            if kind is str:
                write_string(count, column, value)
            elif kind is bool:
                write_boolean(count, column, value)
            elif isinstance(value, int | float | decimal.Decimal):
                write_number(count, column, value)
            else:
                raise TypeError(type(value).__name__)
    book.close()
    return count


def ours_xlsxwriter(path, user):
    from imports.exports import compile_plan
    from imports.registry import resource_class

    resource = resource_class("postings")(user=user)
    plan = compile_plan(resource)
    title = str(resource._meta.model._meta.verbose_name_plural)
    return xlsxwriter_rows(plan.headers, plan.rows(resource.get_queryset()), path, title=title)


def bare(path, user):
    import openpyxl

    from staffing.models import Posting

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("postings")
    sheet.append(["id_number", "name", "birth_date", "committee", "committee_name", "position",
                  "start_date", "end_date"])
    count = 0
    for row in Posting.objects.values_list(
        "person__id_number", "person__name", "person__birth_date", "committee__code",
        "committee__name", "position__name", "start_date", "end_date",
    ).iterator(chunk_size=2000):
        sheet.append(row)
        count += 1
    book.save(path)
    return count


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--rounds", type=int, default=2,
                        help="runs of ours and ours-with-XlsxWriter, alternating (best kept)")
    parser.add_argument("--no-stock", action="store_true",
                        help="skip the stock django-import-export run (slow and big)")
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from scoping.rules import SYSTEM
    from staffing.models import Posting

    setup_test_environment()
    from bench.machine import print_load

    print_load("start")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        started = time.perf_counter()
        build(args.rows)
        total = Posting.objects.count()
        print(f"built {total:,} postings in {time.perf_counter() - started:.1f} s")
        results = {}
        runs = [("bare openpyxl write-only", bare)]
        writers = [("ours (imports.exports)", ours)]
        if importlib.util.find_spec("xlsxwriter") is not None:
            writers.append(("ours by XlsxWriter", ours_xlsxwriter))
        else:
            print("XlsxWriter is not installed (pip install xlsxwriter): its variant is skipped")
        for _round in range(max(args.rounds, 1)):  # the two writers alternate
            runs += writers
        if not args.no_stock:
            runs.append(("stock django-import-export", stock))
        with tempfile.TemporaryDirectory() as folder:
            for label, run in runs:
                path = Path(folder) / f"{label.split()[-1]}.xlsx"
                started = time.perf_counter()
                count = run(path, SYSTEM)
                seconds = time.perf_counter() - started
                assert count == total, (label, count)
                peak = results.get(label, (0, None))[1]
                if peak is None:  # once per variant
                    tracemalloc.start()
                    run(path, SYSTEM)
                    peak = tracemalloc.get_traced_memory()[1]
                    tracemalloc.stop()
                results[label] = (min(seconds, results.get(label, (seconds,))[0]), peak)
                print(f"{label:28} {seconds:8.2f} s {count / seconds:10,.0f} rows/s "
                      f"peak {peak / 1e6:7.1f} MB  file {path.stat().st_size / 1e6:.1f} MB")
        ours_t, ours_peak = results["ours (imports.exports)"]
        if "ours by XlsxWriter" in results:
            ratio = results["ours by XlsxWriter"][0] / ours_t
            print(f"XlsxWriter vs hand-written XML (best of {max(args.rounds, 1)}): {ratio:.2f}x "
                  f"its time (within 20 %: {_met(ratio <= 1.2)})")
        if "stock django-import-export" in results:
            faster = results["stock django-import-export"][0] / ours_t
            print(f"ours vs stock: {faster:.2f}x faster (goal >= 5x: {_met(faster >= 5)})")
        than_bare = ours_t / results["bare openpyxl write-only"][0]
        print(f"ours vs bare:  {than_bare:.2f}x its time (goal <= 1.5x: {_met(than_bare <= 1.5)})")
        print(f"ours peak:     {ours_peak / 1e6:.1f} MB (goal < 150 MB: {_met(ours_peak < 150e6)})")
        from bench.machine import describe, print_goal, print_load

        print_load("end")
        print(f"machine: {describe(connection)}")
        if "stock django-import-export" in results:
            print_goal("export at least 5x stock", faster >= 5, f"{faster:.2f}x")
        print_goal("export within 1.5x the bare dump", than_bare <= 1.5, f"{than_bare:.2f}x its time")
        print_goal("export peak memory under 150 MB", ours_peak < 150e6, f"{ours_peak / 1e6:.1f} MB")
        return 0
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
