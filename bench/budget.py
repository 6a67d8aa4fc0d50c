"""Benchmark: the province's budget by ``budget_compute`` against a per-committee Python loop.

    .venv/bin/python -m bench.budget --committees 20000 --postings 250000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchbudget \\
        .venv/bin/python -m bench.budget --committees 20000 --postings 250000

It creates a throwaway test database (``test_<name>`` on PostgreSQL, in memory on SQLite),
migrates it, fills it with bulk_create (streets of 20 committees, 250,000 postings of
directors, deputies, social workers, party-affairs workers paid as social workers and
unpaid volunteers, mid-year starts and ends, a pay rise on 1 July, committees established
and revoked during the year, sharing and village committees), then times, in the same run:

- ``budget_compute(year=2006)`` for the whole province (best of three runs, and the first);
- a straightforward loop: standards loaded once, then per committee one query for its
  postings and Python arithmetic month by month.

Both must give the same district total (checked), and the ratio is printed. The database is
dropped at the end.
"""

import argparse
import datetime
import os
import random
import sys
import time
from collections import defaultdict
from decimal import Decimal

YEAR = 2006


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianye.settings")
    import django

    django.setup()


def build(committees: int, postings: int, seed: int = 2006):
    from budgets.models import CostShare, OfficeFundRate
    from communities.models import Committee, CommitteeKind, CommitteeStatus, District, Street
    from staffing.models import PayStandard, Person, Position, Posting

    rng = random.Random(seed)
    district = District.objects.create(code="BENCH", name="基准省")
    per_street = 20
    streets = Street.objects.bulk_create(
        [
            Street(district=district, code=f"S{i:05d}", name=f"街道{i}", sort_order=i)
            for i in range((committees + per_street - 1) // per_street)
        ]
    )
    D = datetime.date
    rows = []
    for i in range(committees):
        street = streets[i // per_street]
        kind = CommitteeKind.VILLAGE if i % 50 == 49 else CommitteeKind.URBAN
        established = D(2002, 1, 1)
        revoked = None
        status = CommitteeStatus.OPERATING
        if i % 97 == 5:
            established = D(2006, rng.randint(1, 12), rng.randint(1, 28))
        elif i % 89 == 7:
            status, revoked = (
                CommitteeStatus.REVOKED,
                D(2006, rng.randint(1, 12), rng.randint(1, 28)),
            )
        rows.append(
            Committee(
                code=f"C{i:06d}",
                name=f"社区{i}",
                street=street,
                kind=kind,
                status=status,
                households=rng.randint(800, 4000),
                established_on=established,
                revoked_on=revoked,
            )
        )
    created = Committee.objects.bulk_create(rows, batch_size=2000)
    # One committee in every 40 works from the office of the first committee of its street.
    guests = []
    for index, committee in enumerate(created):
        host = created[(index // per_street) * per_street]
        if index % 40 == 17 and committee.status == "operating" and host.pk != committee.pk:
            committee.status = CommitteeStatus.SHARING
            committee.shares_office_with = host
            guests.append(committee)
    Committee.objects.bulk_update(guests, ["status", "shares_office_with"], batch_size=2000)

    director = Position.objects.create(code="b-director", name="主任B", sort_order=1)
    deputy = Position.objects.create(code="b-deputy", name="副主任B", sort_order=2)
    worker = Position.objects.create(code="b-worker", name="社工B", sort_order=3)
    party = Position.objects.create(code="b-party", name="党务B", paid_as=worker, sort_order=4)
    volunteer = Position.objects.create(
        code="b-volunteer", name="义工B", is_paid=False, sort_order=5
    )
    for position, amount in ((director, 850), (deputy, 800), (worker, 750)):
        PayStandard.objects.create(
            position=position, monthly_amount=amount, effective_from=D(2006, 1, 1)
        )
    PayStandard.objects.create(position=worker, monthly_amount=800, effective_from=D(2006, 7, 1))
    PayStandard.objects.create(
        position=director, monthly_amount=900, effective_from=D(2006, 10, 15)
    )
    OfficeFundRate.objects.create(amount_per_100_households=200, effective_from=D(2006, 1, 1))
    CostShare.objects.create(district_percent=50, effective_from=D(2006, 1, 1))

    positions = [director, deputy, worker, worker, worker, party, volunteer]
    people = Person.objects.bulk_create(
        [Person(name=f"人{i}", street=created[i % committees].street) for i in range(postings)],
        batch_size=5000,
    )
    posting_rows = []
    for i, person in enumerate(people):
        committee = created[i % committees]
        start = D(rng.randint(2003, 2006), rng.randint(1, 12), rng.randint(1, 28))
        end = None
        if rng.random() < 0.15:
            end = start + datetime.timedelta(days=rng.randint(20, 900))
        posting_rows.append(
            Posting(
                person=person,
                committee=committee,
                position=rng.choice(positions),
                start_date=start,
                end_date=end,
            )
        )
    Posting.objects.bulk_create(posting_rows, batch_size=5000)


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
            for index, (first, last) in enumerate(months):
                if touches(posting.start_date, posting.end_date, first, last):
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
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from budgets.calculations import budget_compute

    setup_test_environment()
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

        timings = []
        for _run in range(3):
            started = time.perf_counter()
            result = budget_compute(year=YEAR)
            timings.append(time.perf_counter() - started)
        committees = sum(1 for _c in result.committees())
        print(
            f"budget_compute: {min(timings):.3f} s (best of 3; first {timings[0]:.3f} s) "
            f"for {committees:,} committees in {len(result.streets):,} streets"
        )

        started = time.perf_counter()
        loop_total, loop_district = loop_budget(YEAR)
        loop_time = time.perf_counter() - started
        print(f"per-committee loop: {loop_time:.3f} s")

        same = loop_total == result.amounts.total and loop_district == result.amounts.district_share
        print(
            f"district total {result.amounts.total:,} (loop {loop_total:,}); "
            f"district share {result.amounts.district_share:,} (loop {loop_district:,}): "
            + ("same" if same else "DIFFERENT")
        )
        print(f"ratio: {loop_time / min(timings):.1f}x")
        return 0 if same else 1
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
