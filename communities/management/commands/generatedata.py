"""``manage.py generatedata``: a generated province (or city) for scale tests and benchmarks.

The data set and its distributions are described in :mod:`scale.province`, which the
benchmarks under ``bench/`` use too.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from communities.validators import EARLIEST_YEAR, LATEST_YEAR
from scale.province import DEFAULT_PASSWORD, Sizes, build_province, has_data


class Command(BaseCommand):
    help = (
        "Generate a province of districts, streets, committees, staff, premises and four "
        "quarters of returns, with one street-staff account per street. Refuses to run on a "
        "database that already holds data unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--districts", type=int, default=100)
        parser.add_argument("--streets", type=int, default=1000)
        parser.add_argument("--committees", type=int, default=20000)
        parser.add_argument("--postings", type=int, default=250000)
        parser.add_argument("--premises", type=int, default=60000)
        parser.add_argument(
            "--returns-year", type=int, default=2006, help="year of the four quarters of returns"
        )
        parser.add_argument("--no-returns", action="store_true", help="generate no returns")
        parser.add_argument(
            "--password",
            default=None,
            help=f"password of every generated account (default {DEFAULT_PASSWORD!r}, printed)",
        )
        parser.add_argument("--seed", type=int, default=2006)
        parser.add_argument(
            "--prefix",
            default="G",
            help="prefix of generated codes (districts GD000, streets GS00000, committees "
            "GC000000) and of the clerk's username",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="add the generated data even though the database already holds data",
        )

    def handle(self, *args, **options):
        for name in ("districts", "streets", "committees", "postings", "premises"):
            if options[name] < 0:
                raise CommandError(f"--{name} cannot be negative.")
        if not 1 <= options["districts"] <= options["streets"] <= options["committees"]:
            raise CommandError(
                "Sizes must satisfy 1 <= --districts <= --streets <= --committees "
                f"(got {options['districts']}, {options['streets']}, {options['committees']})."
            )
        if not EARLIEST_YEAR <= options["returns_year"] <= LATEST_YEAR:
            raise CommandError(
                f"--returns-year must be between {EARLIEST_YEAR} and {LATEST_YEAR}."
            )
        if not options["prefix"].isalnum() or len(options["prefix"]) > 4:
            raise CommandError("--prefix must be 1 to 4 letters or digits.")
        if has_data() and not options["force"]:
            raise CommandError(
                "The database already holds registers (districts, committees, staff, premises "
                "or returns); generatedata would mix generated rows with them. Use an empty "
                "database, or pass --force to add the generated data anyway."
            )
        password = options["password"] or DEFAULT_PASSWORD
        sizes = Sizes(
            districts=options["districts"],
            streets=options["streets"],
            committees=options["committees"],
            postings=options["postings"],
            premises=options["premises"],
            returns_year=None if options["no_returns"] else options["returns_year"],
        )
        started = time.perf_counter()
        try:
            counts = build_province(
                sizes,
                seed=options["seed"],
                prefix=options["prefix"],
                password=password,
                log=self.stdout.write if options["verbosity"] > 1 else None,
            )
        except Exception as exc:  # a clash with existing codes under --force, say
            raise CommandError(f"Nothing was generated: {exc}") from exc
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            "Generated "
            + ", ".join(f"{count:,} {name}" for name, count in counts.items())
            + f" in {elapsed:.1f} s."
        )
        prefix = options["prefix"]
        self.stdout.write(
            f"Accounts: street-{prefix}S00000 … street-{prefix}S{sizes.streets - 1:05d} "
            f"(street staff, one per street) and {prefix.lower()}clerk (district clerk), "
            f"password {password if options['password'] is None else '(as given)'}"
        )
