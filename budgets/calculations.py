"""The budget calculation: one function every page, export, command and test calls.

The rules (README, "Budgets"):

- **Staff funds** of a committee for a year: for every posting of a paid position, each
  calendar month in post times the monthly pay standard of the position it is paid as
  (``Position.paid_as``) in force that month. A month counts in full when the posting covers
  any day of it (``staffing.periods.months_touched``). Nothing is paid on a committee after
  the month it was revoked in, even for a posting left open (``Standards.paid_until``).
- A **standard is in force for a month** when it took effect on or before the month's first
  day: one from 1 July applies from July, one from 15 July from August. This holds for pay
  standards, the office-fund rate and the cost share alike.
- **Office and activity funds**: households / 100 x the rate per 100 households per month x
  the months the committee is established in the year. Only urban residents' committees
  (not 村代居); operating and sharing ones count (a sharing committee's households are still
  served; its money goes to the street of the host office). A committee established or
  revoked during the year counts for the months it touches, like a posting
  (``established_on`` and ``revoked_on`` inclusive). Households come from
  :func:`households_for_budget`.
- **Cost share**: the district's percentage in force each month; the street bears the rest.
  Without any cost-share standard the split is 50 / 50.
- Money is exact until it is rounded, once per committee and figure, half up to the fen
  (``budgets.money``); street and district totals are sums of the rounded committee
  figures; the street share is the total minus the (rounded) district share, so the two
  always add up.

How it is computed: the year is cut into *segments* at every date a standard (real or the
scenario's) takes effect, so that within a segment every pay standard, the rate and the cost
share are constant; consecutive segments with the same cost share form a *period*. One
grouped query over the postings returns, per committee and period, the staff funds in fen:
the sum over segments of months in post (``months_touched`` over the segment) x the
position's standard in fen, as integers (a posting in post for the whole period takes the
period's total for its position without the month arithmetic). One query over the committees
returns households and the months established per segment. Python then does integer
arithmetic per committee and rounds once. Exact on SQLite and PostgreSQL alike; the number
of queries (about ten) does not depend on the number of committees or postings.

Scenarios change the standards only here: for a position (or the rate, or the cost share)
that a scenario changes, the scenario's rows replace the real standards from the scenario's
earliest date for it on; before that date the real standards apply.
"""

from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, reduce

from django.db.models import Case, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce

from communities.effective import first_month_in_force, is_in_force
from communities.models import Committee, CommitteeKind, Street
from communities.validators import EARLIEST_DATE
from scoping.rules import scope_queryset
from staffing.models import PayStandard, Position, Posting
from staffing.periods import months_touched, paid_until

from .models import (
    AllocationSource,
    CostShare,
    OfficeFundRate,
    PartyAffairsAllocation,
    Scenario,
)
from .money import HUNDRED, ZERO, money, round_units, yuan

DEFAULT_DISTRICT_PERCENT = Decimal(50)
LONG_AGO = EARLIEST_DATE  # "established" before any year the budget is computed for


# Households ---------------------------------------------------------------------------------
def households_for_budget(*, year: int):
    """The households a committee's office funds are computed from, as a database expression.

    The single place that decides it: the households of the committee's latest approved
    quarterly return of ``year``; without one, the figure on the committee's record.
    """
    from returns.selectors import approved_households_expression

    return approved_households_expression(year=year)


# Standards and segments -----------------------------------------------------------------------
def to_fen(amount) -> int:
    """A standard (at most 2 decimal places, as the fields store it) as an integer of 0.01."""
    value = Decimal(amount) * 100
    if value != value.to_integral_value():
        raise ValueError(f"{amount} has more than two decimal places")
    return int(value)


def _apply_scenario(real: list[tuple], changes: list[tuple]) -> list[tuple]:
    """Real (effective_from, value) rows with a scenario's rows replacing them from its date."""
    if not changes:
        return sorted(real)
    cutoff = min(day for day, _value in changes)
    return sorted([row for row in real if row[0] < cutoff] + list(changes))


def _value_on(schedule: list[tuple], month_start: datetime.date):
    """The value in force on ``month_start`` (None if no row had started)."""
    value = None
    for day, amount in schedule:
        if is_in_force(day, month_start):
            value = amount
    return value


@dataclass(frozen=True)
class Segment:
    """Months of the year over which every standard is constant."""

    start: datetime.date
    end: datetime.date
    pay: dict  # pay position id -> monthly amount (positions without a standard are absent)
    rate: Decimal | None
    district_percent: Decimal

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @cached_property
    def rate_fen(self) -> int:
        return to_fen(self.rate or 0)

    @cached_property
    def district_basis_points(self) -> int:
        return to_fen(self.district_percent)


class Standards:
    """The standards of one year, with a scenario's changes applied (a handful of queries)."""

    def __init__(self, *, year: int, scenario: Scenario | None = None):
        self.year = year
        self.scenario = scenario
        self.year_start = datetime.date(year, 1, 1)
        self.year_end = datetime.date(year, 12, 31)
        positions = list(Position.objects.filter(is_paid=True).values("id", "name", "paid_as_id"))
        self.position_names = {p["id"]: p["name"] for p in positions}
        # pay position id -> ids of the paid positions paid at its standard
        self.paid_as: dict[int, list[int]] = defaultdict(list)
        for p in positions:
            self.paid_as[p["paid_as_id"] or p["id"]].append(p["id"])
        self.pay_position_of = {p["id"]: p["paid_as_id"] or p["id"] for p in positions}
        if self.paid_as:
            missing = set(self.paid_as) - set(self.position_names)
            if missing:
                self.position_names.update(
                    Position.objects.filter(pk__in=missing).values_list("id", "name")
                )

        pay_real: dict[int, list] = defaultdict(list)
        for row in PayStandard.objects.filter(
            position_id__in=list(self.paid_as), effective_from__lte=self.year_end
        ).values_list("position_id", "effective_from", "monthly_amount"):
            pay_real[row[0]].append((row[1], row[2]))
        rates = list(
            OfficeFundRate.objects.filter(effective_from__lte=self.year_end).values_list(
                "effective_from", "amount_per_100_households"
            )
        )
        shares = list(
            CostShare.objects.filter(effective_from__lte=self.year_end).values_list(
                "effective_from", "district_percent"
            )
        )
        pay_changes: dict[int, list] = defaultdict(list)
        rate_changes, share_changes = [], []
        if scenario is not None:
            for position_id, day, amount in scenario.pay_changes.filter(
                effective_from__lte=self.year_end
            ).values_list("position_id", "effective_from", "monthly_amount"):
                pay_changes[position_id].append((day, amount))
            rate_changes = list(
                scenario.rate_changes.filter(effective_from__lte=self.year_end).values_list(
                    "effective_from", "amount_per_100_households"
                )
            )
            share_changes = list(
                scenario.cost_share_changes.filter(effective_from__lte=self.year_end).values_list(
                    "effective_from", "district_percent"
                )
            )
        self.pay = {
            position_id: _apply_scenario(
                pay_real.get(position_id, []), pay_changes.get(position_id, [])
            )
            for position_id in self.paid_as
        }
        self.rates = _apply_scenario(rates, rate_changes)
        self.shares = _apply_scenario(shares, share_changes)
        self.segments = self._segments()

    def _segments(self) -> list[Segment]:
        starts = {self.year_start}
        schedules = [*self.pay.values(), self.rates, self.shares]
        for schedule in schedules:
            for day, _value in schedule:
                begin = first_month_in_force(day)
                if self.year_start < begin <= self.year_end:
                    starts.add(begin)
        ordered = sorted(starts)
        segments = []
        for index, start in enumerate(ordered):
            if index + 1 < len(ordered):
                end = ordered[index + 1] - datetime.timedelta(days=1)
            else:
                end = self.year_end
            pay = {}
            for position_id, schedule in self.pay.items():
                amount = _value_on(schedule, start)
                if amount is not None:
                    pay[position_id] = amount
            share = _value_on(self.shares, start)
            segments.append(
                Segment(
                    start=start,
                    end=end,
                    pay=pay,
                    rate=_value_on(self.rates, start),
                    district_percent=DEFAULT_DISTRICT_PERCENT if share is None else share,
                )
            )
        return segments

    # Database expressions --------------------------------------------------------------------
    @staticmethod
    def _months_in(segment: Segment, start_field: str, end_field: str):
        """months_touched over the segment, short-cut for rows that cover all of it.

        Most postings and committees span the whole segment; comparing two dates is much
        cheaper than the month arithmetic, and gives the same count.
        """
        covers = Q(**{f"{start_field}__lte": segment.start}) & (
            Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": segment.end})
        )
        return Case(
            When(covers, then=Value(segment.months)),
            # An integer (PostgreSQL's EXTRACT gives numeric), so the sums stay integer.
            default=Cast(
                months_touched(
                    window_start=segment.start,
                    window_end=segment.end,
                    start_field=start_field,
                    end_field=end_field,
                ),
                IntegerField(),
            ),
            output_field=IntegerField(),
        )

    # A posting's last paid day (its end, never after its committee's revocation) is the
    # staffing rule ``staffing.periods.paid_until``, which income as received counts by too.
    paid_until = staticmethod(paid_until)

    def payable(self, postings):
        """``postings`` as the budget pays them: with ``paid_until`` (what
        :meth:`posting_months` counts to), less those wholly after the committee's revocation
        or ended before the year."""
        return postings.alias(paid_until=self.paid_until()).filter(
            Q(committee__revoked_on__isnull=True) | Q(committee__revoked_on__gte=F("start_date")),
            Q(paid_until__isnull=True) | Q(paid_until__gte=self.year_start),
        )

    def posting_months(self, segment: Segment):
        """Months of ``segment`` a posting is paid for (staffing.periods.months_touched, up
        to ``paid_until``: the queryset must come through :meth:`payable`)."""
        return self._months_in(segment, "start_date", "paid_until")

    def monthly_fen(self, segment: Segment):
        """Expression: the posting's monthly pay in fen during ``segment`` (0 if none)."""
        return Case(
            *[
                When(position_id__in=self.paid_as[pay_position], then=Value(to_fen(amount)))
                for pay_position, amount in segment.pay.items()
            ],
            default=Value(0),
            output_field=IntegerField(),
        )

    @cached_property
    def share_periods(self) -> list[list[int]]:
        """Indexes of consecutive segments that share one cost share (usually one period)."""
        periods: list[list[int]] = []
        for index, segment in enumerate(self.segments):
            if (
                periods
                and self.segments[periods[-1][0]].district_percent == segment.district_percent
            ):
                periods[-1].append(index)
            else:
                periods.append([index])
        return periods

    def segment_fen(self, segment: Segment):
        """Expression: a posting's staff funds in ``segment`` in fen, months in post x the
        monthly standard of its position (the line item of the staff funds)."""
        return self.posting_months(segment) * self.monthly_fen(segment)

    def staff_fen_columns(self, *, per_segment: bool = False) -> dict[str, tuple[int, object]]:
        """A posting's staff funds in fen as database expressions: ``name -> (slot,
        expression)``, ``slot`` being the index of the segment the money is booked on.

        ``per_segment``: one column per segment (``s{i}``), :meth:`segment_fen`: the
        explanation's line items. Otherwise one column per cost-share period (``p{k}``,
        booked on the period's first segment: the cost share is the same throughout the
        period, so :meth:`amounts` gives the same figures): the sum of the period's
        :meth:`segment_fen`, except that a posting in post for the whole period (most of
        them) takes the period's total for its position directly, which is the same sum
        without the month arithmetic per row. Integers on every database, so sums are exact.
        """
        columns = {}
        if per_segment:
            for index, segment in enumerate(self.segments):
                if segment.pay:
                    columns[f"s{index}"] = (index, self.segment_fen(segment))
            return columns
        for number, indexes in enumerate(self.share_periods):
            segments = [self.segments[index] for index in indexes if self.segments[index].pay]
            if not segments:
                continue
            whole: dict[int, int] = defaultdict(int)
            for segment in segments:
                for pay_position, amount in segment.pay.items():
                    whole[pay_position] += segment.months * to_fen(amount)
            full = Case(
                *[
                    When(position_id__in=self.paid_as[pay_position], then=Value(amount))
                    for pay_position, amount in whole.items()
                ],
                default=Value(0),
                output_field=IntegerField(),
            )
            partial = reduce(operator.add, [self.segment_fen(segment) for segment in segments])
            first, last = self.segments[indexes[0]], self.segments[indexes[-1]]
            covers = Q(start_date__lte=first.start) & (
                Q(paid_until__isnull=True) | Q(paid_until__gte=last.end)
            )
            columns[f"p{number}"] = (
                indexes[0],
                Case(When(covers, then=full), default=partial, output_field=IntegerField()),
            )
        return columns

    def staff_fen(self, postings, *, by: str, per_segment: bool = False) -> dict[object, list]:
        """Staff funds in fen per segment (a list as long as :attr:`segments`), summed over
        ``postings`` (which must come through :meth:`payable`) per value of ``by``
        (``committee_id`` for the budget, ``pk`` for each posting's line items). One grouped
        query (none without any pay standard in the year)."""
        columns = self.staff_fen_columns(per_segment=per_segment)
        if not columns:
            return {}
        names = list(columns)
        sums = {
            name: Sum(expression, output_field=IntegerField())
            for name, (_slot, expression) in columns.items()
        }
        result = {}
        size = len(self.segments)
        for row in postings.values(by).annotate(**sums).values_list(by, *names).order_by():
            staff = [0] * size
            for name, value in zip(names, row[1:], strict=True):
                staff[columns[name][0]] += int(value or 0)
            result[row[0]] = staff
        return result

    def office_units(self, households: int, months: list[int]) -> list[int]:
        """Office funds per segment in 0.0001 yuan: households x the rate in fen x months
        established (the division by 100 households is exact in these units)."""
        return [
            households * segment.rate_fen * count
            for segment, count in zip(self.segments, months, strict=True)
        ]

    @cached_property
    def basis_points(self) -> list[int]:
        return [segment.district_basis_points for segment in self.segments]

    def amounts(self, staff_fen: list[int], office_units: list[int]) -> Amounts:
        """A committee's figures from its money per segment (:func:`combine`)."""
        if len(set(self.basis_points)) == 1:  # one cost share all year (the usual case)
            return combine(self.basis_points[:1], [sum(staff_fen)], [sum(office_units)])
        return combine(self.basis_points, staff_fen, office_units)

    def committee_months(self, segment: Segment):
        """Months established in ``segment`` for urban committees (0 for 村代居)."""
        return Case(
            When(
                kind=CommitteeKind.URBAN,
                then=self._months_in(segment, "budget_from", "revoked_on"),
            ),
            default=Value(0),
            output_field=IntegerField(),
        )

    def annotate_committees(self, queryset):
        queryset = queryset.annotate(
            budget_households=households_for_budget(year=self.year),
            budget_from=Coalesce("established_on", Value(LONG_AGO)),
        )
        return queryset.annotate(
            **{
                f"o{index}": self.committee_months(segment)
                for index, segment in enumerate(self.segments)
            }
        )


# Results ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Amounts:
    """A budget's figures, kept as exact whole fen; read them as Decimal yuan."""

    staff_fen: int = 0
    office_fen: int = 0
    district_fen: int = 0

    @property
    def staff(self) -> Decimal:
        return yuan(self.staff_fen)

    @property
    def office(self) -> Decimal:
        return yuan(self.office_fen)

    @property
    def total(self) -> Decimal:
        return yuan(self.staff_fen + self.office_fen)

    @property
    def district_share(self) -> Decimal:
        return yuan(self.district_fen)

    @property
    def street_share(self) -> Decimal:
        """What the street bears: the total less the (rounded) district share."""
        return yuan(self.staff_fen + self.office_fen - self.district_fen)

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(
            self.staff_fen + other.staff_fen,
            self.office_fen + other.office_fen,
            self.district_fen + other.district_fen,
        )

    def __sub__(self, other: Amounts) -> Amounts:
        return Amounts(
            self.staff_fen - other.staff_fen,
            self.office_fen - other.office_fen,
            self.district_fen - other.district_fen,
        )


def combine(basis_points: list[int], staff_fen: list[int], office_units: list[int]) -> Amounts:
    """Round a committee's money into its figures (once per figure, half up).

    Per period of constant cost share (``basis_points``: the district's share in 0.01%):
    ``staff_fen``, staff funds in fen, and ``office_units``, households x rate in fen x
    months, i.e. office funds in 0.0001 yuan (the division by 100 households is exact
    here). Everything stays an exact integer until :func:`budgets.money.round_units`.
    """
    staff_total = sum(staff_fen)
    office_total = sum(office_units)
    if len(basis_points) == 1:
        district = (staff_total * 100 + office_total) * basis_points[0]
    else:
        district = sum(
            (staff * 100 + office) * points
            for points, staff, office in zip(basis_points, staff_fen, office_units, strict=True)
        )
    # district is in 0.0001 yuan x 0.0001 (basis points): 10**-8 yuan.
    return Amounts(staff_total, round_units(office_total, 4), round_units(district, 8))


@dataclass
class CommitteeBudget:
    id: int
    code: str
    name: str
    street_id: int
    kind: str
    status: str
    host_name: str | None
    households: int
    office_months: int
    amounts: Amounts


@dataclass
class StreetBudget:
    id: int
    name: str
    committees: list[CommitteeBudget] = field(default_factory=list)
    amounts: Amounts = field(default_factory=Amounts)
    party_city_district: Decimal = ZERO
    party_street_match: Decimal = ZERO


@dataclass
class BudgetResult:
    year: int
    scenario: Scenario | None
    streets: list[StreetBudget]
    amounts: Amounts
    party_city_district: Decimal
    party_street_match: Decimal

    def committees(self):
        for street in self.streets:
            yield from street.committees

    def committee(self, committee_id: int) -> CommitteeBudget | None:
        return next((c for c in self.committees() if c.id == committee_id), None)

    def street(self, street_id: int) -> StreetBudget | None:
        return next((s for s in self.streets if s.id == street_id), None)


def _street_id(street) -> int | None:
    if street is None:
        return None
    return street.pk if isinstance(street, Street) else int(street)


def budget_compute(
    *,
    year: int,
    user,
    scenario: Scenario | None = None,
    street: Street | int | None = None,
) -> BudgetResult:
    """The annual budget of every committee, street and the district that ``user`` may see."""
    standards = Standards(year=year, scenario=scenario)
    segments = standards.segments
    street_id = _street_id(street)

    # Staff: funds per committee and segment, in one grouped query.
    postings = standards.payable(
        scope_queryset(Posting.objects.all(), user)
        .filter(position_id__in=list(standards.pay_position_of))
        .overlapping_year(year)
    )
    if street_id is not None:
        postings = postings.filter(committee__street_id=street_id)
    staff_rows = standards.staff_fen(postings, by="committee_id")

    # Committees: households and months established per segment, in one query.
    in_year = (Q(established_on__isnull=True) | Q(established_on__lte=standards.year_end)) & (
        Q(revoked_on__isnull=True) | Q(revoked_on__gte=standards.year_start)
    )
    committees = scope_queryset(Committee.objects.all(), user)
    if street_id is not None:
        committees = committees.filter(street_id=street_id)
    fields = [
        "id", "code", "name", "street_id", "kind", "status", "budget_households",
        "shares_office_with__name", "shares_office_with__street_id",
        *[f"o{index}" for index in range(len(segments))],
    ]  # fmt: skip
    committee_rows = list(
        standards.annotate_committees(committees.filter(in_year))
        .values_list(*fields)
        .order_by("street__sort_order", "code")
    )
    # Postings on a committee outside the year's establishment (rare bad data) still count.
    missing = set(staff_rows) - {row[0] for row in committee_rows}
    if missing:
        committee_rows += list(
            standards.annotate_committees(committees.filter(pk__in=sorted(missing))).values_list(
                *fields
            )
        )

    streets_qs = scope_queryset(Street.objects.all(), user).order_by("sort_order", "code")
    if street_id is not None:
        streets_qs = streets_qs.filter(pk=street_id)
    streets = {s.pk: StreetBudget(id=s.pk, name=s.name) for s in streets_qs.only("id", "name")}

    no_staff = [0] * len(segments)
    totals: dict[int, Amounts] = {}
    for row in committee_rows:
        (pk, code, name, own_street, kind, status, households, host_name, host_street), months = (
            row[:9],
            [int(value or 0) for value in row[9:]],
        )
        households = int(households or 0)
        target = streets.get(host_street or own_street) or streets.get(own_street)
        if target is None:
            continue
        amounts = standards.amounts(
            staff_rows.get(pk, no_staff), standards.office_units(households, months)
        )
        target.committees.append(
            CommitteeBudget(
                id=pk,
                code=code,
                name=name,
                street_id=target.id,
                kind=kind,
                status=status,
                host_name=host_name,
                households=households,
                office_months=sum(months),
                amounts=amounts,
            )
        )
        totals[target.id] = totals[target.id] + amounts if target.id in totals else amounts
    for street in streets.values():
        street.amounts = totals.get(street.id, Amounts())

    # Party-affairs allocations, beside the formula funds.
    allocations = scope_queryset(PartyAffairsAllocation.objects.filter(year=year), user)
    if street_id is not None:
        allocations = allocations.filter(street_id=street_id)
    party = {AllocationSource.CITY_DISTRICT: ZERO, AllocationSource.STREET_MATCH: ZERO}
    for entry in allocations.values("street_id", "source").annotate(total=Sum("amount")).order_by():
        amount = money(entry["total"])
        party[entry["source"]] = party.get(entry["source"], ZERO) + amount
        target = streets.get(entry["street_id"])
        if target is not None:
            if entry["source"] == AllocationSource.CITY_DISTRICT:
                target.party_city_district += amount
            else:
                target.party_street_match += amount

    ordered = list(streets.values())
    return BudgetResult(
        year=year,
        scenario=scenario,
        streets=ordered,
        amounts=sum((s.amounts for s in ordered), Amounts()),
        party_city_district=party[AllocationSource.CITY_DISTRICT],
        party_street_match=party[AllocationSource.STREET_MATCH],
    )


# Comparison ---------------------------------------------------------------------------------
@dataclass
class ComparisonLine:
    label: str
    base: Amounts
    scenario: Amounts
    level: str = "street"

    @property
    def difference(self) -> Amounts:
        return self.scenario - self.base


def budget_compare(*, year: int, scenario: Scenario, user) -> list[ComparisonLine]:
    """Base budget against ``scenario``: the district first, then each street."""
    base = budget_compute(year=year, user=user)
    what_if = budget_compute(year=year, user=user, scenario=scenario)
    lines = [ComparisonLine(label="", base=base.amounts, scenario=what_if.amounts, level="total")]
    for street in base.streets:
        other = what_if.street(street.id)
        lines.append(
            ComparisonLine(
                label=street.name,
                base=street.amounts,
                scenario=other.amounts if other else Amounts(),
            )
        )
    return lines


# Explanation --------------------------------------------------------------------------------
@dataclass
class StaffLine:
    person: str
    position: str
    paid_as: str
    start_date: datetime.date
    end_date: datetime.date | None
    period_start: datetime.date
    period_end: datetime.date
    months: int
    monthly_amount: Decimal | None
    amount: Decimal


@dataclass
class OfficeLine:
    period_start: datetime.date
    period_end: datetime.date
    households: int
    months: int
    rate: Decimal | None
    amount: Decimal


@dataclass
class ShareLine:
    period_start: datetime.date
    period_end: datetime.date
    district_percent: Decimal

    @property
    def street_percent(self) -> Decimal:
        return HUNDRED - self.district_percent


@dataclass
class CommitteeExplanation:
    committee: Committee
    year: int
    scenario: Scenario | None
    staff_lines: list[StaffLine]
    office_lines: list[OfficeLine]
    share_lines: list[ShareLine]
    amounts: Amounts
    unpaid_postings: list[str]
    households: int = 0  # those the office funds are computed from (households_for_budget)


def budget_explain(
    *, committee: Committee, year: int, scenario: Scenario | None = None
) -> CommitteeExplanation:
    """How ``committee``'s budget for ``year`` is made: who, how many months, at what standard.

    The caller checks that the user may see ``committee``. The figures equal the
    committee's row of :func:`budget_compute`: both add up the same line items
    (:meth:`Standards.staff_fen`, :meth:`Standards.office_units`) and round them with
    :meth:`Standards.amounts`; here they are listed.
    """
    standards = Standards(year=year, scenario=scenario)
    segments = standards.segments
    postings = standards.payable(
        Posting.objects.filter(
            committee=committee, position_id__in=list(standards.pay_position_of)
        ).overlapping_year(year)
    )
    # The line items: each posting's staff funds per segment, by the expression the budget
    # sums (Standards.staff_fen); the months beside them, for reading.
    line_fen = standards.staff_fen(postings, by="pk", per_segment=True)
    listed = (
        postings.select_related("person", "position")
        .annotate(
            **{
                f"m{index}": standards.posting_months(segment)
                for index, segment in enumerate(segments)
            }
        )
        .order_by("position__sort_order", "start_date", "person__name")
    )
    no_staff = [0] * len(segments)
    staff = list(no_staff)
    staff_lines, unpaid = [], []
    for posting in listed:
        pay_position = standards.pay_position_of[posting.position_id]
        fen = line_fen.get(posting.pk, no_staff)
        for index, segment in enumerate(segments):
            months = int(getattr(posting, f"m{index}") or 0)
            if not months:
                continue
            amount = segment.pay.get(pay_position)
            if amount is None:
                unpaid.append(str(posting.person))
            staff[index] += fen[index]
            staff_lines.append(
                StaffLine(
                    person=posting.person.name,
                    position=posting.position.name,
                    paid_as=standards.position_names.get(pay_position, ""),
                    start_date=posting.start_date,
                    end_date=posting.end_date,
                    period_start=segment.start,
                    period_end=segment.end,
                    months=months,
                    monthly_amount=amount,
                    amount=money(Decimal(fen[index]).scaleb(-2)),
                )
            )
    row = (
        standards.annotate_committees(Committee.objects.filter(pk=committee.pk))
        .values_list("budget_households", *[f"o{index}" for index in range(len(segments))])
        .get()
    )
    households = int(row[0] or 0)
    months_established = [int(value or 0) for value in row[1:]]
    office = standards.office_units(households, months_established)
    office_lines = [
        OfficeLine(
            period_start=segment.start,
            period_end=segment.end,
            households=households,
            months=months,
            rate=segment.rate,
            amount=money(Decimal(value).scaleb(-4)),
        )
        for segment, months, value in zip(segments, months_established, office, strict=True)
        if months
    ]
    share_lines = []
    for segment in segments:
        if share_lines and share_lines[-1].district_percent == segment.district_percent:
            share_lines[-1].period_end = segment.end
        else:
            share_lines.append(ShareLine(segment.start, segment.end, segment.district_percent))
    return CommitteeExplanation(
        committee=committee,
        year=year,
        scenario=scenario,
        staff_lines=staff_lines,
        office_lines=office_lines,
        share_lines=share_lines,
        amounts=standards.amounts(staff, office),
        unpaid_postings=sorted(set(unpaid)),
        households=households,
    )
