"""Benchmark: importing a 10,000-row people workbook three ways, in the same run.

    .venv/bin/python -m bench.imports --rows 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench6 .venv/bin/python -m bench.imports

In a throwaway test database (like :mod:`bench.budget`: ``test_<name>`` on PostgreSQL, in
memory on SQLite) with a district of 50 streets, it writes one .xlsx of ``--rows`` people
(name, gender, birth date, ID-card number, phone, education, party member, street by name)
and imports it into an empty people table three ways, timing each from the file on disk to
the rows committed:

- ours: :func:`jianye.imports.import_file` as a district administrator — file checks, the
  reader, header matching, a dry run of every row (``full_clean``, scoping, duplicates) and
  then the real import in one transaction with its audit record and row history;
- stock django-import-export: a plain ``ModelResource`` for ``Person``, the street through
  ``ForeignKeyWidget(Street, "name")``, ``import_id_fields = ("id_number",)`` (the same key
  ours uses; otherwise default options), ``tablib`` reading the file, ``import_data``;
- the floor: python-calamine reads the file (the fastest reader there is for .xlsx, the one
  ours uses), one ``Person`` per row, ``bulk_create``; no checks, no history.

It prints rows per second and the ratios. The database is dropped at the end.
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

HEADERS = ["name", "gender", "birth_date", "id_number", "phone", "education", "party_member",
           "street"]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianye.settings")
    import django

    django.setup()


def build_world(streets: int):
    from scale.province import Sizes, build_province

    build_province(
        Sizes(districts=1, streets=streets, committees=streets * 2, postings=0, premises=0,
              returns_year=None, users=False),
        seed=2006, prefix="I", province_name="导入省",
    )


def write_workbook(path: Path, rows: int):
    import openpyxl

    from communities.models import Street
    from staffing.idcards import gender_of, make_id_number
    from staffing.models import Education

    names = list(Street.objects.values_list("name", flat=True))
    education = [code for code, _label in Education.choices]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("people")
    sheet.append(HEADERS)
    start = datetime.date(1950, 1, 1)
    for i in range(rows):
        birth = start + datetime.timedelta(days=i // 500)
        number = make_id_number("320105", birth, i % 500)
        sheet.append([
            f"人员{i:05d}", gender_of(number), birth, number, f"1390000{i:04d}",
            education[i % len(education)], i % 3 == 0, names[i % len(names)],
        ])
    book.save(path)


def stock_resource():
    from import_export import fields, resources, widgets

    from communities.models import Street
    from staffing.models import Person

    class StockPersonResource(resources.ModelResource):
        street = fields.Field(
            attribute="street", column_name="street",
            widget=widgets.ForeignKeyWidget(Street, "name"),
        )

        class Meta:
            model = Person
            fields = HEADERS
            import_id_fields = ("id_number",)

    return StockPersonResource()


def ours(path, user):
    from jianye.imports import import_file

    outcome = import_file(register="people", path=path, user=user)
    assert outcome.written and not outcome.errors, [str(e) for e in outcome.errors[:5]]
    return outcome.new


def stock(path):
    import tablib

    dataset = tablib.Dataset().load(Path(path).read_bytes(), format="xlsx")
    result = stock_resource().import_data(dataset)
    assert not result.has_errors() and not result.has_validation_errors()
    return result.totals["new"]


def floor(path):
    from python_calamine import CalamineWorkbook

    from communities.models import Street
    from staffing.models import Person

    streets = dict(Street.objects.values_list("name", "pk"))
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_index(0).to_python()[1:]
    people = [
        Person(name=r[0], gender=r[1], birth_date=r[2], id_number=r[3], phone=r[4],
               education=r[5], party_member=bool(r[6]), street_id=streets[r[7]])
        for r in rows
    ]
    book.close()
    Person.objects.bulk_create(people, batch_size=2000)
    return len(people)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--streets", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from accounts.models import User
    from accounts.roles import Role
    from staffing.models import Person

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        build_world(args.streets)
        admin = User.objects.create(username="bench-admin", role=Role.ADMIN)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "people.xlsx"
            write_workbook(path, args.rows)
            print(f"workbook: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB")
            timings = {}
            for label, run in (
                ("floor (calamine + bulk_create)", lambda: floor(path)),
                ("ours (import_file)", lambda: ours(path, admin)),
                ("stock django-import-export", lambda: stock(path)),
            ):
                Person.objects.all().delete()
                started = time.perf_counter()
                count = run()
                timings[label] = time.perf_counter() - started
                assert count == args.rows == Person.objects.count(), (label, count)
                print(f"{label:32} {timings[label]:8.2f} s {args.rows / timings[label]:10,.0f} rows/s")
        ours_t = timings["ours (import_file)"]
        print(f"ours vs stock: {timings['stock django-import-export'] / ours_t:.2f}x faster")
        print(f"ours vs floor: {ours_t / timings['floor (calamine + bulk_create)']:.2f}x slower")
        return 0
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
