"""Benchmark: importing a people-and-postings workbook three ways, in the same run.

    .venv/bin/python -m bench.imports --rows 10000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench6 .venv/bin/python -m bench.imports

In a throwaway test database (like :mod:`bench.budget`: ``test_<name>`` on PostgreSQL, in
memory on SQLite) with a district of 50 streets and 100 committees, it writes two .xlsx
files: ``--rows`` people (name, gender, birth date, ID-card number, phone, education, party
member, street by name) and one posting for each of them (ID-card number, name, birth date,
committee by code, position by name, from). Each way imports the people, then their
postings, into empty tables, timed from the files on disk to the rows committed:

- ours: :func:`imports.services.import_file` as a district administrator, the ``people`` then
  the ``postings`` register — file checks, reader, header matching, every row through the
  register's resource and ``full_clean`` (ID-card check digit, birth date and gender against
  the number, scope, overlapping postings, the roster's street, uniqueness), all or nothing
  in one transaction per file, with its ImportRecord and a history row per row;
- stock django-import-export: plain ``ModelResource``s for ``Person`` and ``Posting``, the
  foreign keys through ``ForeignKeyWidget`` by natural key (street by name; person by ID-card
  number, committee by code, position by name), the same ``import_id_fields`` as ours,
  otherwise default options; ``tablib`` reads the files; ``import_data``;
- the floor: python-calamine reads the files (the fastest reader there is for .xlsx, the one
  ours uses), one object per row, ``bulk_create``; no checks, no history.

The ways run interleaved (ours, floor, ours, floor...; stock in the first ``--stock-rounds``
rounds only, it is slow), with the load average at start and end; it prints rows per second
(people and postings together), the medians, the ratios and whether ours is within 2.5x of
the floor (issue 17). ``--profile TOP`` prints a cProfile of one import of ours instead. The database is
dropped at the end.
"""

import argparse
import datetime
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

PEOPLE = [
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "party_member",
    "street",
]
POSTINGS = ["person", "name", "birth_date", "committee", "position", "start_date"]
# Our registers' own (Chinese) headers for the same columns.
OUR_POSTINGS = ["身份证号码", "姓名", "出生日期", "社区代码", "岗位", "任职起始日期"]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianye.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(32))  # DEBUG off
    import django

    django.setup()


def build_world(streets: int):
    from scale.province import Sizes, build_province

    build_province(
        Sizes(
            districts=1,
            streets=streets,
            committees=streets * 2,
            postings=0,
            premises=0,
            returns_year=None,
            users=False,
        ),
        seed=2006,
        prefix="I",
        province_name="导入省",
    )


def people_rows(rows: int):
    from communities.models import Committee
    from staffing.idcards import gender_of, make_id_number
    from staffing.models import Education, Position

    # Committees in post (no posting may start on a revoked one, Posting.clean).
    committees = list(
        Committee.objects.filter(revoked_on__isnull=True).select_related("street").order_by("code")
    )
    position = Position.objects.order_by("sort_order").first()
    education = [code for code, _label in Education.choices]
    start = datetime.date(1950, 1, 1)
    for i in range(rows):
        birth = start + datetime.timedelta(days=i // 500)
        number = make_id_number("320105", birth, i % 500)
        committee = committees[i % len(committees)]
        person = [
            f"人员{i:05d}",
            gender_of(number),
            birth,
            number,
            f"1390000{i:04d}",
            education[i % len(education)],
            i % 3 == 0,
            committee.street.name,
        ]
        posting = [
            number,
            person[0],
            birth,
            committee.code,
            position.name,
            datetime.date(2006, 1 + i % 12, 1),
        ]
        yield person, posting


def write_workbooks(folder: Path, rows: int, *, our_headers: bool):
    import openpyxl

    paths = {"people": folder / "people.xlsx", "postings": folder / "postings.xlsx"}
    books = {name: openpyxl.Workbook(write_only=True) for name in paths}
    sheets = {name: book.create_sheet(name) for name, book in books.items()}
    sheets["people"].append(PEOPLE)
    sheets["postings"].append(OUR_POSTINGS if our_headers else POSTINGS)
    for person, posting in people_rows(rows):
        sheets["people"].append(person)
        sheets["postings"].append(posting)
    for name, book in books.items():
        book.save(paths[name])
    return paths


def stock_resources():
    from import_export import fields, resources, widgets

    from communities.models import Committee, Street
    from staffing.models import Person, Position, Posting

    class StockPersonResource(resources.ModelResource):
        street = fields.Field(
            attribute="street",
            column_name="street",
            widget=widgets.ForeignKeyWidget(Street, "name"),
        )

        class Meta:
            model = Person
            fields = PEOPLE
            import_id_fields = ("id_number",)

    class StockPostingResource(resources.ModelResource):
        person = fields.Field(
            attribute="person",
            column_name="person",
            widget=widgets.ForeignKeyWidget(Person, "id_number"),
        )
        committee = fields.Field(
            attribute="committee",
            column_name="committee",
            widget=widgets.ForeignKeyWidget(Committee, "code"),
        )
        position = fields.Field(
            attribute="position",
            column_name="position",
            widget=widgets.ForeignKeyWidget(Position, "name"),
        )

        class Meta:
            model = Posting
            fields = ("person", "committee", "position", "start_date")
            import_id_fields = ("person", "committee", "start_date")

    return StockPersonResource(), StockPostingResource()


def ours(paths, user):
    from imports.services import import_file

    count = 0
    for register in ("people", "postings"):
        outcome = import_file(register=register, path=paths[register], user=user)
        assert outcome.written and not outcome.errors, [str(e) for e in outcome.errors[:5]]
        count += outcome.new
    return count


def stock(paths):
    import tablib

    count = 0
    for resource, register in zip(stock_resources(), ("people", "postings"), strict=True):
        dataset = tablib.Dataset().load(Path(paths[register]).read_bytes(), format="xlsx")
        result = resource.import_data(dataset)
        assert not result.has_errors() and not result.has_validation_errors()
        count += result.totals["new"]
    return count


def floor(paths):
    from python_calamine import CalamineWorkbook

    from communities.models import Committee, Street
    from staffing.models import Person, Position, Posting

    def rows(path):
        book = CalamineWorkbook.from_path(str(path))
        try:
            return book.get_sheet_by_index(0).to_python()[1:]
        finally:
            book.close()

    streets = dict(Street.objects.values_list("name", "pk"))
    people = Person.objects.bulk_create(
        [
            Person(
                name=r[0],
                gender=r[1],
                birth_date=r[2],
                id_number=r[3],
                phone=r[4],
                education=r[5],
                party_member=bool(r[6]),
                street_id=streets[r[7]],
            )
            for r in rows(paths["people"])
        ],
        batch_size=2000,
    )
    person_ids = {p.id_number: p.pk for p in people}
    committees = dict(Committee.objects.values_list("code", "pk"))
    positions = dict(Position.objects.values_list("name", "pk"))
    postings = Posting.objects.bulk_create(
        [
            Posting(
                person_id=person_ids[r[0]],
                committee_id=committees[r[3]],
                position_id=positions[r[4]],
                start_date=r[5],
            )
            for r in rows(paths["postings"])
        ],
        batch_size=2000,
    )
    return len(people) + len(postings)


GOAL = 2.5  # ours within this many times the floor (issue 17)
FLOOR = "floor (calamine + bulk_create)"
OURS = "ours (import_file)"
STOCK = "stock django-import-export"


def clear(forget_pinyin: bool = True) -> None:
    """Empties the people and postings and their history, without a query or a history row
    per deleted row (``QuerySet.delete`` would write 20,000 "-" history rows one by one).
    The names' pinyin keys are forgotten too (scoping.sorting caches them per process): each
    way pays for its names' keys as an import of new names does, not only the first one."""
    from scoping.sorting import pinyin_key
    from staffing.models import Person, Posting

    if forget_pinyin:
        pinyin_key.cache_clear()

    for model in (Posting.history.model, Person.history.model, Posting, Person):
        model._base_manager.all()._raw_delete(model._base_manager.db)


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def profile_ours(paths, user, top: int) -> None:
    """cProfile of one import of ours (people then postings), the ``top`` functions by their
    own time and by cumulative time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    ours(paths, user)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000, help="people (and as many postings)")
    parser.add_argument("--streets", type=int, default=50)
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of ours then the floor (medians kept)"
    )
    parser.add_argument(
        "--stock-rounds",
        type=int,
        default=1,
        help="rounds that also run stock django-import-export (slow); 0: none",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="TOP",
        help="only profile one import of ours and print the TOP functions",
    )
    parser.add_argument(
        "--warm-pinyin",
        action="store_true",
        help="keep the names' pinyin keys cached between the ways (after round 1 neither "
        "computes them: the ratio without the keys' cost, which both ways pay alike)",
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from accounts.models import User
    from accounts.roles import Role
    from bench.machine import describe, print_goal
    from staffing.models import Person, Posting

    print(f"load average at start: {load()}")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        build_world(args.streets)
        admin = User.objects.create(username="bench-admin", role=Role.ADMIN)
        total = args.rows * 2
        with tempfile.TemporaryDirectory() as folder:
            ours_paths = write_workbooks(Path(folder), args.rows, our_headers=True)
            (Path(folder) / "stock").mkdir()
            stock_paths = write_workbooks(Path(folder) / "stock", args.rows, our_headers=False)
            size = sum(p.stat().st_size for p in ours_paths.values())
            print(f"workbooks: {args.rows:,} people + {args.rows:,} postings, {size / 1e6:.1f} MB")
            if args.profile:
                clear()
                profile_ours(ours_paths, admin, args.profile)
                return 0
            # Interleaved (ours, floor, ours, floor...; stock in the first rounds), so that
            # a change in the machine's load falls on both: the ratio is of medians.
            timings: dict[str, list[float]] = {OURS: [], FLOOR: [], STOCK: []}
            runs = {
                OURS: lambda: ours(ours_paths, admin),
                FLOOR: lambda: floor(ours_paths),
                STOCK: lambda: stock(stock_paths),
            }
            for round_ in range(max(args.rounds, 1)):
                labels = [OURS, FLOOR] + ([STOCK] if round_ < args.stock_rounds else [])
                for label in labels:
                    clear(forget_pinyin=not args.warm_pinyin)
                    started = time.perf_counter()
                    count = runs[label]()
                    elapsed = time.perf_counter() - started
                    timings[label].append(elapsed)
                    stored = Person.objects.count() + Posting.objects.count()
                    assert count == total == stored, (label, count, stored)
                    print(
                        f"round {round_ + 1}: {label:32} {elapsed:8.2f} s "
                        f"{total / elapsed:10,.0f} rows/s  (load {load()})"
                    )
        medians = {k: statistics.median(v) for k, v in timings.items() if v}
        print(f"medians ({args.rows:,} people + {args.rows:,} postings):")
        for label, value in medians.items():
            print(
                f"  {label:32} {value:8.2f} s {total / value:10,.0f} rows/s "
                f"(runs: {', '.join(f'{t:.2f}' for t in timings[label])})"
            )
        ratio = medians[OURS] / medians[FLOOR]
        if STOCK in medians:
            print(f"ours vs stock: {medians[STOCK] / medians[OURS]:.2f}x faster")
        verdict = "met" if ratio <= GOAL else "missed"
        print(f"ours vs floor: {ratio:.2f}x the floor's time (goal: within {GOAL}x): {verdict}")
        print_goal(
            f"import within {GOAL}x the floor ({connection.vendor})", ratio <= GOAL, f"{ratio:.2f}x"
        )
        print(f"machine: {describe(connection)}")
        print(f"load average at end: {load()}")
        return 0
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
