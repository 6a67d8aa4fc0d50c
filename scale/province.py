"""Build a province-sized data set fast: the one builder ``manage.py generatedata`` and the
benchmarks (``bench.budget``, ``bench.pages``, ``bench.loadtest``) share.

Everything goes in with ``bulk_create`` in large batches (no model ``save()``, no signals,
no history rows), so 20,000 committees and 250,000 postings load in about a minute on
PostgreSQL. The data is deterministic for a seed.

The core (committees, positions, standards, people and postings) draws from one random
stream in a fixed order, so ``bench.budget`` gives the same totals as before it used this
module; everything else (population, premises, returns, person details) draws from a second.

Distributions (fixed seed):

- streets spread evenly over districts, committees evenly over streets (20 a street for the
  default province); 1 in 50 is a village committee, 1 in 97 established during the year,
  1 in 89 revoked during it, 1 in 40 shares the office of its street's first committee;
- households uniform 800–4,000 (the planning standard is 2,400 in old areas, 4,000 in new;
  1 in 4 committees is in a new area); registered population 2.6–3.1 per household, resident
  population 0.9–1.3 of that;
- one posting per person, spread evenly over the committees (12–13 staff each): directors,
  deputies, social workers (3 in 7), party-affairs workers paid as social workers, unpaid
  volunteers; starts 2003–2006 on any day, 15% with an end date; gender, birth year
  1950–1985, education and party membership drawn per person;
- premises: 1–5 per committee (3 on average for the default sizes), area lognormal around
  140 m² (30–800), mostly in use, some planned, never built or diverted, mixed tenure;
- returns for the four quarters of the year for every committee that existed in the quarter:
  quarters 1–3 approved, quarter 4 60% submitted, 25% draft, the rest not started; figures
  drift a little from quarter to quarter and pass the validation rules;
- one street-staff user per street (``street-<street code>``) and one district clerk
  (``<prefix>clerk``), all with one password (hashed once).
"""

from __future__ import annotations

import datetime
import math
import random
import time
from dataclasses import dataclass

D = datetime.date

DEFAULT_PASSWORD = "Province-2006!"


@dataclass
class Sizes:
    districts: int = 100
    streets: int = 1000
    committees: int = 20000
    postings: int = 250000
    premises: int = 60000
    returns_year: int | None = 2006
    users: bool = True


def _log(log, message, started):
    if log:
        log(f"{message} ({time.perf_counter() - started:.1f} s)")


def build_province(
    sizes: Sizes,
    *,
    seed: int = 2006,
    prefix: str = "G",
    password: str = DEFAULT_PASSWORD,
    province_name: str | None = None,
    log=None,
    batch_size: int = 5000,
) -> dict:
    """Create the data set; returns the counts created per model."""
    from django.db import transaction

    with transaction.atomic():
        return _build(
            sizes,
            seed=seed,
            prefix=prefix,
            password=password,
            province_name=province_name,
            log=log,
            batch=batch_size,
        )


def _build(sizes, *, seed, prefix, password, province_name, log, batch):
    from budgets.models import CostShare, OfficeFundRate
    from communities.models import (
        AreaType,
        Committee,
        CommitteeKind,
        CommitteeStatus,
        District,
        PlanningStandard,
        Street,
    )
    from staffing.models import PayStandard, Person, Position, Posting

    if sizes.districts < 1 or sizes.streets < sizes.districts or sizes.committees < sizes.streets:
        raise ValueError("need 1 <= districts <= streets <= committees")
    started = time.perf_counter()
    rng = random.Random(seed)  # the core stream (see the module docstring)
    extra = random.Random(seed + 1)
    counts = {}

    # Districts and streets.
    districts = District.objects.bulk_create(
        [
            District(
                code=f"{prefix}D{k:03d}",
                name=province_name if province_name and sizes.districts == 1 else f"{prefix}{k}区",
                city=f"{prefix}{k // 10}市",
            )
            for k in range(sizes.districts)
        ]
    )
    streets = Street.objects.bulk_create(
        [
            Street(
                district=districts[j * sizes.districts // sizes.streets],
                code=f"{prefix}S{j:05d}",
                name=f"街道{j}",
                short_name=f"街{j}",
                sort_order=j % 30000,
            )
            for j in range(sizes.streets)
        ],
        batch_size=batch,
    )
    counts["districts"], counts["streets"] = len(districts), len(streets)

    # Committees (the core stream, in the order bench.budget always used).
    rows = []
    for i in range(sizes.committees):
        street = streets[i * sizes.streets // sizes.committees]
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
        households = rng.randint(800, 4000)
        population = int(households * extra.uniform(2.6, 3.1))
        rows.append(
            Committee(
                code=f"{prefix}C{i:06d}",
                name=f"社区{i}",
                street=street,
                kind=kind,
                status=status,
                area_type=AreaType.NEW if i % 4 == 3 else AreaType.OLD,
                households=households,
                population=population,
                established_on=established,
                revoked_on=revoked,
            )
        )
    committees = Committee.objects.bulk_create(rows, batch_size=batch)
    # One committee in every 40 works from the office of the first committee of its street.
    first_of_street = {}
    for committee in committees:
        first_of_street.setdefault(committee.street_id, committee)
    guests = []
    for index, committee in enumerate(committees):
        host = first_of_street[committee.street_id]
        if (
            index % 40 == 17
            and committee.status == CommitteeStatus.OPERATING
            and host.pk != committee.pk
            and host.status == CommitteeStatus.OPERATING
        ):
            committee.status = CommitteeStatus.SHARING
            committee.shares_office_with = host
            guests.append(committee)
    Committee.objects.bulk_update(guests, ["status", "shares_office_with"], batch_size=batch)
    counts["committees"] = len(committees)
    _log(log, f"{len(streets):,} streets, {len(committees):,} committees", started)

    # Standards (kept if the database already has standards for those dates).
    for area_type, households in ((AreaType.OLD, 2400), (AreaType.NEW, 4000)):
        PlanningStandard.objects.get_or_create(
            area_type=area_type, defaults={"households": households}
        )

    def position(code, name, order, **kwargs):
        return Position.objects.get_or_create(
            code=f"{prefix.lower()}-{code}", defaults={"name": name, "sort_order": order, **kwargs}
        )[0]

    director = position("director", f"主任{prefix}", 1)
    deputy = position("deputy", f"副主任{prefix}", 2)
    worker = position("worker", f"社工{prefix}", 3)
    party = position("party", f"党务{prefix}", 4, paid_as=worker)
    volunteer = position("volunteer", f"义工{prefix}", 5, is_paid=False)
    for pos, amount, day in (
        (director, 850, D(2006, 1, 1)),
        (deputy, 800, D(2006, 1, 1)),
        (worker, 750, D(2006, 1, 1)),
        (worker, 800, D(2006, 7, 1)),
        (director, 900, D(2006, 10, 15)),
    ):
        PayStandard.objects.get_or_create(
            position=pos, effective_from=day, defaults={"monthly_amount": amount}
        )
    OfficeFundRate.objects.get_or_create(
        effective_from=D(2006, 1, 1), defaults={"amount_per_100_households": 200}
    )
    CostShare.objects.get_or_create(effective_from=D(2006, 1, 1), defaults={"district_percent": 50})

    # People and postings (the core stream again).
    from staffing.models import Education, Gender

    educations = [value for value in Education.values if value] or [""]
    genders = [value for value in Gender.values if value] or [""]
    n_committees = len(committees)
    people = []
    for i in range(sizes.postings):
        people.append(
            Person(
                name=f"人{i}",
                street_id=committees[i % n_committees].street_id,
                gender=extra.choice(genders),
                birth_date=D(extra.randint(1950, 1985), extra.randint(1, 12), extra.randint(1, 28)),
                education=extra.choice(educations),
                party_member=extra.random() < 0.35,
            )
        )
    people = Person.objects.bulk_create(people, batch_size=batch)
    positions = [director, deputy, worker, worker, worker, party, volunteer]
    posting_rows = []
    for i, person in enumerate(people):
        committee = committees[i % n_committees]
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
    Posting.objects.bulk_create(posting_rows, batch_size=batch)
    counts["people"] = counts["postings"] = len(posting_rows)
    _log(log, f"{len(posting_rows):,} people and postings", started)

    if sizes.premises:
        counts["premises"] = _premises(committees, sizes.premises, extra, batch)
        _log(log, f"{counts['premises']:,} premises", started)
    if sizes.returns_year:
        counts["returns"] = _returns(committees, sizes.returns_year, extra, batch)
        _log(log, f"{counts['returns']:,} quarterly returns", started)
    if sizes.users:
        counts["users"] = _users(streets, prefix, password, batch)
        _log(log, f"{counts['users']:,} users", started)
    return counts


def _premises(committees, total, extra, batch):
    from facilities.models import Premises, PremisesStatus, PremisesUse, Tenure

    n = len(committees)
    # Every committee gets at least one when there are enough; the rest go 1–4 more at random.
    per = [0] * n
    base = min(1, total // n) if n else 0
    for index in range(n):
        per[index] = base
    left = total - base * n
    while left > 0:
        index = extra.randrange(n)
        if per[index] < 6:
            per[index] += 1
            left -= 1
    statuses = (
        [PremisesStatus.IN_USE] * 85
        + [PremisesStatus.PLANNED] * 8
        + [PremisesStatus.NEVER_BUILT] * 4
        + [PremisesStatus.DIVERTED] * 3
    )
    tenures = [Tenure.OWNED] * 5 + [Tenure.RENTED] * 2 + [Tenure.ESTATE] * 2 + [Tenure.BORROWED]
    uses = [PremisesUse.BOTH] * 3 + [PremisesUse.OFFICE, PremisesUse.ACTIVITY]
    rows = []
    for committee, count in zip(committees, per, strict=True):
        for k in range(count):
            status = extra.choice(statuses)
            area = min(800.0, max(30.0, extra.lognormvariate(math.log(140), 0.5)))
            since = D(extra.randint(1995, 2006), extra.randint(1, 12), extra.randint(1, 28))
            rows.append(
                Premises(
                    committee=committee,
                    name=f"用房{k + 1}",
                    address=f"{committee.name}路{extra.randint(1, 300)}号",
                    use=extra.choice(uses),
                    area=f"{area:.2f}",
                    tenure=extra.choice(tenures),
                    status=status,
                    status_since=since,
                )
            )
    from facilities.models import Premises as Model

    Model.objects.bulk_create(rows, batch_size=batch)
    return len(rows)


def figures_for(households, previous=None, rng=random):
    """Plausible quarterly figures near ``households`` (and near ``previous`` if given)."""
    if previous:
        households = max(1, int(previous["households"] * rng.uniform(0.98, 1.03)))
        registered = max(
            households, int(previous["registered_population"] * rng.uniform(0.98, 1.03))
        )
        resident = max(0, int(previous["resident_population"] * rng.uniform(0.97, 1.04)))
    else:
        registered = int(households * rng.uniform(2.6, 3.1))
        resident = int(registered * rng.uniform(0.9, 1.3))
    return {
        "households": households,
        "registered_population": registered,
        "resident_population": resident,
        "volunteers": rng.randint(5, 120),
        "activities": rng.randint(0, 40),
        "one_stop_cases": rng.randint(0, 600),
    }


def _returns(committees, year, extra, batch):
    from django.utils import timezone

    from returns.models import QuarterlyReturn, ReturnStatus, quarter_bounds

    rows = []
    tz = timezone.get_current_timezone()
    for committee in committees:
        previous = None
        for quarter in (1, 2, 3, 4):
            first, last = quarter_bounds(year, quarter)
            if committee.established_on and committee.established_on > last:
                continue
            if committee.revoked_on and committee.revoked_on < first:
                continue
            figures = figures_for(committee.households, previous, extra)
            previous = figures
            due = last + datetime.timedelta(days=extra.randint(3, 14))
            submitted = datetime.datetime.combine(due, datetime.time(10), tz)
            if quarter < 4:
                status, approved = ReturnStatus.APPROVED, submitted + datetime.timedelta(days=3)
            else:
                draw = extra.random()
                if draw >= 0.85:
                    continue
                status = ReturnStatus.SUBMITTED if draw < 0.6 else ReturnStatus.DRAFT
                approved = None
            comment = ""
            if committee.households > (4000 if committee.area_type == "new" else 2400):
                comment = "规划调整中"
            rows.append(
                QuarterlyReturn(
                    committee=committee,
                    year=year,
                    quarter=quarter,
                    **figures,
                    comment=comment,
                    status=status,
                    version=2 if status == ReturnStatus.APPROVED else 1,
                    first_submitted_at=submitted if status != ReturnStatus.DRAFT else None,
                    submitted_at=submitted if status != ReturnStatus.DRAFT else None,
                    approved_at=approved,
                    approved_figures=({**figures, "note": ""} if approved else None),
                )
            )
    QuarterlyReturn.objects.bulk_create(rows, batch_size=batch)
    return len(rows)


def _users(streets, prefix, password, batch):
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from accounts.roles import Role, group_for

    # One hash for all (hashing 1,000 passwords at full strength would take minutes).
    hashed = make_password(password)
    users = [
        User(
            username=f"street-{street.code}",
            role=Role.STREET,
            street=street,
            is_staff=True,
            password=hashed,
        )
        for street in streets
    ]
    # The district's roles: the clerk, an administrator and a viewer (the pages' benchmark
    # times the admin lists for every role).
    for role in (Role.CLERK, Role.ADMIN, Role.VIEWER):
        users.append(
            User(username=f"{prefix.lower()}{role}", role=role, is_staff=True, password=hashed)
        )
    users = User.objects.bulk_create(users, batch_size=batch)
    # Groups follow the role (accounts.signals does it on save; bulk_create sends no signal).
    through = User.groups.through
    groups = {role: group_for(role) for role in (Role.STREET, Role.CLERK, Role.ADMIN, Role.VIEWER)}
    through.objects.bulk_create(
        [through(user_id=user.pk, group_id=groups[user.role].pk) for user in users],
        batch_size=batch,
    )
    return len(users)


def has_data() -> bool:
    """Whether the registers already hold anything (generatedata refuses then)."""
    from communities.models import Committee, District, Street
    from facilities.models import Premises
    from returns.models import QuarterlyReturn
    from staffing.models import Person, Posting

    return any(
        model.objects.exists()
        for model in (District, Street, Committee, Person, Posting, Premises, QuarterlyReturn)
    )
