"""Benchmark: the province's budget by ``budget_compute`` against a per-committee Python loop.

    .venv/bin/python -m bench.budget --committees 20000 --postings 250000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchbudget \\
        .venv/bin/python -m bench.budget --committees 20000 --postings 250000

It creates a throwaway test database (``test_<name>`` on PostgreSQL, in memory on SQLite),
migrates it, fills it with bulk_create (streets of 20 committees, 250,000 postings of
directors, deputies, social workers, party-affairs workers paid as social workers and
unpaid volunteers, mid-year starts and ends, a pay rise on 1 July, committees established
and revoked during the year, sharing and village committees), then times, in the same run:

- ``budget_compute(year=2006, user=SYSTEM)`` for the whole province;
- a straightforward loop: standards loaded once, then per committee one query for its
  postings and Python arithmetic month by month;

interleaved, ``--rounds`` times (ours, loop, ours, loop...), with the load average of each
round. Both must give the same district total (checked); the medians and their ratio are
printed, and a ``GOAL`` line per goal (under 2 s, 50x the loop, the same totals). The database is
dropped at the end.
"""

import argparse
import datetime
import os
import secrets
import statistics
import sys
import time
from collections import defaultdict
from decimal import Decimal

from scoping.rules import SYSTEM

YEAR = 2006


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianye.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(32))  # DEBUG off
    import django

    django.setup()


def build(committees: int, postings: int, seed: int = 2006):
    """The province's core in one district: streets of 20 committees and the postings, built
    by :mod:`scale.province` (the builder ``manage.py generatedata`` uses too)."""
    from scale.province import Sizes, build_province

    build_province(
        Sizes(
            districts=1,
            streets=(committees + 19) // 20,
            committees=committees,
            postings=postings,
            premises=0,
            returns_year=None,
            users=False,
        ),
        seed=seed,
        prefix="B",
        province_name="基准省",
    )


def loop_budget(year: int):
    """The straightforward way: per committee, fetch its postings and count month by month."""
    from budgets.calculations import first_month_in_force
    from budgets.models import CostShare, OfficeFundRate
    from budgets.money import money
    from communities.models import Committee
    from staffing.models import PayStandard, Posting

    def in_force(schedule, month_start):
        value = None
        for day, amount in schedule:
            if first_month_in_force(day) <= month_start:
                value = amount
        return value

    pay = defaultdict(list)
    for standard in PayStandard.objects.order_by("effective_from"):
        pay[standard.position_id].append((standard.effective_from, standard.monthly_amount))
    rates = [
        (r.effective_from, r.amount_per_100_households)
        for r in OfficeFundRate.objects.order_by("effective_from")
    ]
    shares = [
        (s.effective_from, s.district_percent) for s in CostShare.objects.order_by("effective_from")
    ]
    months = []
    for month in range(1, 13):
        first = datetime.date(year, month, 1)
        last = (datetime.date(year + (month == 12), month % 12 + 1, 1)) - datetime.timedelta(days=1)
        months.append((first, last))

    def touches(start, end, first, last):
        return (start is None or start <= last) and (end is None or end >= first)

    total = Decimal(0)
    district = Decimal(0)
    for committee in Committee.objects.all():
        staff_by_month = [Decimal(0)] * 12
        for posting in Posting.objects.filter(committee=committee).select_related("position"):
            position = posting.position
            if not position.is_paid:
                continue
            pay_position = position.paid_as_id or position.pk
            # Paid until its end, never after its committee's revocation (issue 13).
            end = posting.end_date
            if committee.revoked_on is not None and (end is None or end > committee.revoked_on):
                end = committee.revoked_on
            if end is not None and posting.start_date > end:
                continue  # began after the revocation: never paid
            for index, (first, last) in enumerate(months):
                if touches(posting.start_date, end, first, last):
                    amount = in_force(pay[pay_position], first)
                    if amount is not None:
                        staff_by_month[index] += amount
        office_by_month = [Decimal(0)] * 12
        if committee.kind == "urban":
            for index, (first, last) in enumerate(months):
                if touches(committee.established_on, committee.revoked_on, first, last):
                    rate = in_force(rates, first) or Decimal(0)
                    office_by_month[index] = committee.households * rate / 100
        staff, office = money(sum(staff_by_month)), money(sum(office_by_month))
        share = Decimal(0)
        for index, (first, _last) in enumerate(months):
            percent = in_force(shares, first)
            percent = Decimal(50) if percent is None else percent
            share += (staff_by_month[index] + office_by_month[index]) * percent
        total += staff + office
        district += money(share / 100)
    return total, district


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--committees", type=int, default=20000)
    parser.add_argument("--postings", type=int, default=250000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of both ways")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from bench.machine import print_load
    from budgets.calculations import budget_compute

    setup_test_environment()
    print_load("start")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        started = time.perf_counter()
        build(args.committees, args.postings)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"built {args.committees:,} committees and {args.postings:,} postings "
            f"in {time.perf_counter() - started:.1f} s"
        )

        # Interleaved (ours, loop, ours, loop...), so that a change in the machine's load
        # falls on both; the ratio is of medians, the goal's time ours' median.
        timings, loop_timings = [], []
        for round_ in range(max(args.rounds, 1)):
            started = time.perf_counter()
            result = budget_compute(year=YEAR, user=SYSTEM)
            timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            loop_total, loop_district = loop_budget(YEAR)
            loop_timings.append(time.perf_counter() - started)
            print(
                f"round {round_ + 1}: budget_compute {timings[-1]:.3f} s, "
                f"per-committee loop {loop_timings[-1]:.3f} s  (load {load()})"
            )
        committees = sum(1 for _c in result.committees())
        best, loop_time = statistics.median(timings), statistics.median(loop_timings)
        print(
            f"budget_compute: {best:.3f} s (median of {len(timings)}; runs "
            f"{', '.join(f'{t:.3f}' for t in timings)}) "
            f"for {committees:,} committees in {len(result.streets):,} streets"
        )
        print(
            f"per-committee loop: {loop_time:.3f} s (median; runs "
            f"{', '.join(f'{t:.3f}' for t in loop_timings)})"
        )

        same = loop_total == result.amounts.total and loop_district == result.amounts.district_share
        print(
            f"district total {result.amounts.total:,} (loop {loop_total:,}); "
            f"district share {result.amounts.district_share:,} (loop {loop_district:,}): "
            + ("same" if same else "DIFFERENT")
        )
        ratio = loop_time / best
        print(f"ratio: {ratio:.1f}x")
        from bench.machine import print_goal, print_load

        print_load("end")
        print_goal("budget of the province under 2 s", best < 2, f"{best:.3f} s ({2 / best:.1f}x)")
        print_goal("budget at least 50x the per-committee loop", ratio >= 50, f"{ratio:.1f}x")
        print_goal("budget totals equal the loop's", same, "same" if same else "DIFFERENT")
        return 0 if same else 1
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
