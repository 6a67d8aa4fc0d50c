"""Income as received: the pay standard plus what the streets add (``PayComponent``).

The rules (README, "Income as received"):

- A paid posting earns, for every month it is paid for (the staff funds' rule: a month
  counts in full when the posting covers a day of it, never after its committee's
  revocation; ``staffing.periods``), the pay standard of the position it is paid as
  (``Position.paid_as``) in force that month, plus every additional pay in force that month
  of the street of its committee: the street's rows for the posting's position, and the
  street's rows for the person. A row is in force for a month by the one rule of
  ``communities.effective`` (one from 1 July counts from July: half a year); a later row of
  the same street, kind and position (or person) supersedes it; a yearly amount counts one
  twelfth per month in post.
- Average annual income per person = total income x 12 / the months in post of paid
  staff: a person in post all year counts once, two people for six months each count once
  together. Volunteers (unpaid positions) are not counted.
- Money is exact (in twelfths of a fen) until it is read: each figure is rounded once, half
  up to the fen; the total is the standard plus the rounded components.

The funding formula (``budgets.calculations``) pays the standard only; nothing here changes
a budget.

Every figure comes from a fixed number of queries (about six) whatever the number of
postings, committees or components.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.functions import Cast

from communities.effective import first_month_in_force, is_in_force
from scoping.rules import scope_queryset

from .models import PayBasis, PayComponent, PayComponentKind, PayStandard, Position, Posting
from .periods import months_touched, paid_until

KINDS = [kind for kind, _label in PayComponentKind.choices]
FEN = Decimal("0.01")


def _fen(amount) -> int:
    return int((Decimal(amount) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def _yuan_from_twelfths(twelfths: int) -> Decimal:
    """Twelfths of a fen as yuan, rounded once, half up to the fen."""
    return (Decimal(twelfths) / 1200).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass
class Income:
    """What paid staff received over a period: exact, rounded when read."""

    staff: int = 0  # paid staff in post on the period's last day
    person_months: int = 0  # months paid, summed over paid postings
    standard_fen: int = 0
    twelfths: dict = field(default_factory=dict)  # kind -> twelfths of a fen

    def __add__(self, other: Income) -> Income:
        twelfths = defaultdict(int, self.twelfths)
        for kind, value in other.twelfths.items():
            twelfths[kind] += value
        return Income(
            staff=self.staff + other.staff,
            person_months=self.person_months + other.person_months,
            standard_fen=self.standard_fen + other.standard_fen,
            twelfths=dict(twelfths),
        )

    @property
    def standard(self) -> Decimal:
        """Pay at the standards (what the staff funds of the budget pay)."""
        return (Decimal(self.standard_fen) / 100).quantize(FEN)

    @property
    def components(self) -> dict[str, Decimal]:
        """Additional pay by kind (every kind, 0.00 when none)."""
        return {kind: _yuan_from_twelfths(self.twelfths.get(kind, 0)) for kind in KINDS}

    @property
    def additional(self) -> Decimal:
        return sum(self.components.values(), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.standard + self.additional

    @property
    def average(self) -> Decimal | None:
        """Average annual income per person: total x 12 / months in post (None: no one)."""
        if not self.person_months:
            return None
        return (self.total * 12 / self.person_months).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class _Segment:
    start: datetime.date
    end: datetime.date


def _window(year: int, as_of: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if as_of is not None:
        if not start <= as_of <= end:
            raise ValueError(f"as_of {as_of} is not in {year}")
        end = as_of
    return start, end


def _schedule_value(schedule: list[tuple], month_start: datetime.date):
    """The value of the latest row of ``schedule`` (sorted by date) in force that month."""
    value = None
    for day, amount in schedule:
        if is_in_force(day, month_start):
            value = amount
        else:
            break
    return value


def _segments(start, end, dates) -> list[_Segment]:
    starts = {start}
    for day in dates:
        begin = first_month_in_force(day)
        if start < begin <= end:
            starts.add(begin)
    ordered = sorted(starts)
    return [
        _Segment(
            begin,
            ordered[index + 1] - datetime.timedelta(days=1) if index + 1 < len(ordered) else end,
        )
        for index, begin in enumerate(ordered)
    ]


def income_by(
    *,
    user,
    year: int,
    as_of: datetime.date | None = None,
    group_by: str | None = "committee__street",
    street=None,
) -> dict[object, Income]:
    """Income of paid staff over ``year`` (to ``as_of``, a day of that year, if given),
    within ``user``'s scope (and ``street``, a street or its id, if given), per value of
    ``group_by`` (a lookup on ``Posting``: ``"committee__street"``, ``"committee"``, or None
    for one figure under the key None)."""
    start, end = _window(year, as_of)
    street_id = getattr(street, "pk", street)

    positions = list(Position.objects.filter(is_paid=True).values_list("id", "paid_as_id"))
    pay_position_of = {pk: paid_as or pk for pk, paid_as in positions}
    pay: dict[int, list] = defaultdict(list)
    for position_id, day, amount in (
        PayStandard.objects.filter(
            position_id__in=set(pay_position_of.values()), effective_from__lte=end
        )
        .order_by("effective_from")
        .values_list("position_id", "effective_from", "monthly_amount")
    ):
        pay[position_id].append((day, _fen(amount)))

    components = scope_queryset(PayComponent.objects.all(), user).filter(effective_from__lte=end)
    if street_id is not None:
        components = components.filter(street_id=street_id)
    series: dict[tuple, list] = defaultdict(list)
    for street_of, kind, position_id, person_id, basis, amount, day in components.order_by(
        "effective_from"
    ).values_list(
        "street_id", "kind", "position_id", "person_id", "basis", "amount", "effective_from"
    ):
        twelfths = _fen(amount) * (12 if basis == PayBasis.MONTHLY else 1)
        key = (
            ("position", street_of, kind, position_id)
            if position_id
            else ("person", street_of, kind, person_id)
        )
        series[key].append((day, twelfths))

    dates = [day for schedule in (*pay.values(), *series.values()) for day, _v in schedule]
    segments = _segments(start, end, dates)
    standard_at = {
        pay_position: [_schedule_value(schedule, s.start) or 0 for s in segments]
        for pay_position, schedule in pay.items()
    }
    component_at = {
        key: [_schedule_value(schedule, s.start) or 0 for s in segments]
        for key, schedule in series.items()
    }

    postings = (
        scope_queryset(Posting.objects.all(), user)
        .filter(position_id__in=list(pay_position_of), start_date__lte=end)
        .alias(paid_until=paid_until())
        .filter(
            Q(committee__revoked_on__isnull=True) | Q(committee__revoked_on__gte=F("start_date")),
            Q(paid_until__isnull=True) | Q(paid_until__gte=start),
        )
    )
    if street_id is not None:
        postings = postings.filter(committee__street_id=street_id)
    months = {
        f"m{index}": Sum(
            Cast(
                months_touched(
                    window_start=segment.start,
                    window_end=segment.end,
                    end_field="paid_until",
                ),
                IntegerField(),
            ),
            output_field=IntegerField(),
        )
        for index, segment in enumerate(segments)
    }
    names = list(months)
    keys = ["committee__street_id"]
    if group_by not in (None, "committee__street"):
        keys.append(group_by)

    def group_of(row):
        if group_by is None:
            return None
        return row[group_by] if group_by != "committee__street" else row["committee__street_id"]

    result: dict[object, Income] = defaultdict(Income)
    in_post = Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=end))
    for row in (
        postings.values(*keys, "position_id")
        .annotate(staff=Count("pk", filter=in_post), **months)
        .order_by()
    ):
        income = result[group_of(row)]
        street_of, position_id = row["committee__street_id"], row["position_id"]
        standard = standard_at.get(pay_position_of[position_id])
        rates = {
            kind: component_at.get(("position", street_of, kind, position_id)) for kind in KINDS
        }
        income.staff += row["staff"]
        for index, name in enumerate(names):
            count = int(row[name] or 0)
            if not count:
                continue
            income.person_months += count
            if standard:
                income.standard_fen += count * standard[index]
            for kind, rate in rates.items():
                if rate and rate[index]:
                    income.twelfths[kind] = income.twelfths.get(kind, 0) + count * rate[index]

    if any(key[0] == "person" for key in series):
        people = components.filter(person__isnull=False).values("person_id")
        for row in (
            postings.filter(person_id__in=people)
            .values(*keys, "person_id")
            .annotate(**months)
            .order_by()
        ):
            income = result[group_of(row)]
            street_of, person_id = row["committee__street_id"], row["person_id"]
            for kind in KINDS:
                rate = component_at.get(("person", street_of, kind, person_id))
                if not rate:
                    continue
                for index, name in enumerate(names):
                    count = int(row[name] or 0)
                    if count and rate[index]:
                        income.twelfths[kind] = income.twelfths.get(kind, 0) + count * rate[index]
    return dict(result)


def income_of(user, year: int, *, as_of: datetime.date | None = None, street=None) -> Income:
    """Income of paid staff over ``year`` (to ``as_of``) in ``user``'s scope, or of one
    ``street`` in it: one figure."""
    return income_by(user=user, year=year, as_of=as_of, group_by=None, street=street).get(
        None, Income()
    )


def average_annual_income(
    user, year: int, *, as_of: datetime.date | None = None, street=None
) -> Decimal | None:
    """Average annual income per paid staff member (人均年收入), in yuan to the fen, of
    ``user``'s scope (or one ``street`` in it) in ``year``, counted to ``as_of`` (a day of
    ``year``; default 31 December) and annualised by months in post: total income x 12 /
    months in post. None when no paid staff were in post."""
    return income_of(user, year, as_of=as_of, street=street).average
