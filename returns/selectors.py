"""Reads of the quarterly returns: the grid's rows, completeness, the households budgets use.

Every function is keyword-only; those that list rows take the ``user`` whose scope applies.
Each runs a fixed number of queries however many committees there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from communities.models import Committee, CommitteeStatus, Street
from facilities.models import Premises, in_use_q
from scoping.rules import scope_queryset
from staffing.models import Posting

from .models import (
    FIGURES,
    QuarterlyReturn,
    ReturnStatus,
    previous_quarter,
    quarter_bounds,
    quarter_deadline,
)

AREA = DecimalField(max_digits=14, decimal_places=2)


def approved_households_expression(*, year: int):
    """Households of the committee ``OuterRef("pk")`` as its latest approved return of ``year``
    gives them, or the register's figure (``Committee.households``) when there is none.

    Use it in an annotation over committees::

        Committee.objects.annotate(households_used=approved_households_expression(year=2006))
    """
    latest = (
        QuarterlyReturn.objects.filter(
            committee=OuterRef("pk"),
            year=year,
            status=ReturnStatus.APPROVED,
            households__isnull=False,
        )
        .order_by("-quarter")
        .values("households")[:1]
    )
    return Coalesce(Subquery(latest, output_field=IntegerField()), F("households"))


def committees_in_quarter(queryset: QuerySet, *, year: int, quarter: int) -> QuerySet:
    """Committees that existed during the quarter: established on or before its last day and
    not revoked before its first day (a committee revoked mid-quarter still reports)."""
    first, last = quarter_bounds(year, quarter)
    return queryset.filter(
        Q(established_on__isnull=True) | Q(established_on__lte=last),
        Q(revoked_on__isnull=True) | Q(revoked_on__gte=first),
    )


def _with_registers(queryset: QuerySet, *, day: datetime.date) -> QuerySet:
    """Annotate what the registers know on ``day``: paid staff in post and premises area in
    use."""
    staff = (
        Posting.objects.in_post_on(day)
        .filter(committee=OuterRef("pk"), position__is_paid=True)
        .order_by()
        .values("committee")
        .annotate(n=Count("pk"))
        .values("n")
    )
    area = (
        Premises.objects.filter(in_use_q(day), committee=OuterRef("pk"))
        .order_by()
        .values("committee")
        .annotate(total=Sum("area"))
        .values("total")
    )
    return queryset.annotate(
        staff_in_post=Coalesce(Subquery(staff, output_field=IntegerField()), 0),
        premises_area=Coalesce(
            Subquery(area, output_field=AREA), Value(Decimal("0.00")), output_field=AREA
        ),
    )


@dataclass
class GridRow:
    committee: Committee
    quarterly_return: QuarterlyReturn | None
    previous: QuarterlyReturn | None
    opened_in_quarter: bool = False
    closed_in_quarter: bool = False

    @property
    def sharing(self) -> bool:
        return self.committee.status == CommitteeStatus.SHARING

    def previous_figures(self) -> dict | None:
        return self.previous.figures() if self.previous else None


def grid_rows(*, street: Street, year: int, quarter: int, user) -> list[GridRow]:
    """One row per committee of ``street`` that existed in the quarter, with this quarter's
    return (or None), last quarter's, and the registers' figures. Four queries."""
    first, last = quarter_bounds(year, quarter)
    committees = list(
        _with_registers(
            committees_in_quarter(
                scope_queryset(Committee.objects.filter(street=street), user),
                year=year,
                quarter=quarter,
            ),
            day=last,
        )
        .select_related("street")
        .order_by("code")
    )
    ids = [c.pk for c in committees]
    current = {
        r.committee_id: r
        for r in QuarterlyReturn.objects.filter(committee_id__in=ids, year=year, quarter=quarter)
    }
    prev_year, prev_quarter = previous_quarter(year, quarter)
    previous = {
        r.committee_id: r
        for r in QuarterlyReturn.objects.filter(
            committee_id__in=ids, year=prev_year, quarter=prev_quarter
        )
    }
    rows = []
    for committee in committees:
        found = current.get(committee.pk)
        if found is not None:
            found.committee = committee
        rows.append(
            GridRow(
                committee=committee,
                quarterly_return=found,
                previous=previous.get(committee.pk),
                opened_in_quarter=bool(
                    committee.established_on and committee.established_on >= first
                ),
                closed_in_quarter=bool(committee.revoked_on and committee.revoked_on <= last),
            )
        )
    return rows


def previous_figures_for(quarterly_return: QuarterlyReturn) -> dict | None:
    year, quarter = previous_quarter(quarterly_return.year, quarterly_return.quarter)
    found = QuarterlyReturn.objects.filter(
        committee_id=quarterly_return.committee_id, year=year, quarter=quarter
    ).first()
    return found.figures() if found else None


@dataclass
class FigureCell:
    """One figure of a return on the review page: this quarter's value, last quarter's,
    the change, and the value as last approved when it differs now."""

    name: str
    value: int | None
    previous: int | None
    unusual: bool = False  # a failing rule judges this figure's change from last quarter
    approved: int | None = None
    changed_since_approval: bool = False

    @property
    def change(self) -> int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass
class ReviewLine:
    """A return on the clerk's review page with last quarter's return of its committee and
    its rule findings (set by the page: :func:`returns.workflow.findings_for`)."""

    quarterly_return: QuarterlyReturn
    previous: QuarterlyReturn | None
    findings: list = field(default_factory=list)

    @property
    def cells(self) -> list[FigureCell]:
        item, previous = self.quarterly_return, self.previous
        unusual = {name for finding in self.findings for name in finding.changes}
        since = {change["name"]: change for change in item.changes_since_approval()}
        return [
            FigureCell(
                name=name,
                value=getattr(item, name),
                previous=getattr(previous, name) if previous else None,
                unusual=name in unusual,
                approved=since[name]["approved"] if name in since else None,
                changed_since_approval=name in since,
            )
            for name in FIGURES
        ]


def review_returns(*, year: int, quarter: int, user, street=None, status=None) -> list[ReviewLine]:
    """Returns of a quarter for the clerk's review page, in the street's order then the
    committee's, each with last quarter's return of its committee. Two queries."""

    def scoped(year, quarter):
        queryset = scope_queryset(QuarterlyReturn.objects.for_quarter(year, quarter), user)
        if street is not None:
            queryset = queryset.filter(committee__street=street)
        return queryset

    queryset = scoped(year, quarter).select_related("committee__street", "updated_by")
    if status:
        queryset = queryset.filter(status=status)
    items = list(
        queryset.order_by(
            "committee__street__sort_order", "committee__street__code", "committee__code"
        )
    )
    previous = {}
    if items:
        previous = {
            found.committee_id: found
            for found in scoped(*previous_quarter(year, quarter)).filter(
                committee_id__in={item.committee_id for item in items}
            )
        }
    return [ReviewLine(item, previous.get(item.committee_id)) for item in items]


# Completeness --------------------------------------------------------------------------------

# The four lists of completeness, in the order the page shows them.
CATEGORIES = ("not_submitted", "on_time", "late", "approved")
SUBMITTED_STATUSES = (ReturnStatus.SUBMITTED, ReturnStatus.APPROVED)


@dataclass
class CompletenessLine:
    """One street's (or the whole scope's) returns of a quarter.

    ``expected`` = ``not_submitted`` + ``on_time`` + ``late``; ``approved`` is a part of the
    submitted ones (``on_time`` + ``late`` = ``submitted``). The ``*_committees`` lists hold
    the committees of each count (:func:`completeness` fills them; the totals of
    :func:`completeness_totals` have counts only)."""

    label: str
    street: Street | None = None
    expected: int = 0
    submitted: int = 0
    approved: int = 0
    on_time: int = 0
    late: int = 0
    not_submitted: int = 0
    not_submitted_committees: list = field(default_factory=list)
    on_time_committees: list = field(default_factory=list)
    late_committees: list = field(default_factory=list)
    approved_committees: list = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        """Committees whose return is not submitted (none, in draft or sent back)."""
        return self.not_submitted

    def committees(self, category: str) -> list:
        return getattr(self, f"{category}_committees")


@dataclass
class Completeness:
    year: int
    quarter: int
    due_on: datetime.date
    today: datetime.date
    district: CompletenessLine
    streets: list[CompletenessLine]

    @property
    def is_overdue(self) -> bool:
        return self.today > self.due_on


def submitted_on(moment) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def _with_quarters_return(user, year: int, quarter: int):
    """The committees of ``user``'s scope that existed in the quarter, each joined (LEFT
    JOIN, at most one row) to its return of the quarter as ``this_quarter``: what
    :func:`completeness` and :func:`outstanding_by_street` count."""
    return committees_in_quarter(
        scope_queryset(Committee.objects.all(), user), year=year, quarter=quarter
    ).annotate(
        this_quarter=FilteredRelation(
            "quarterly_returns",
            condition=Q(quarterly_returns__year=year, quarterly_returns__quarter=quarter),
        )
    )


def completeness(
    *, year: int, quarter: int, user, today: datetime.date | None = None
) -> Completeness:
    """The returns of a quarter per street and for the whole scope, in four counts, each with
    its committees:

    - *not submitted*: no return, or one in draft or sent back (whether or not the deadline
      has passed: being overdue is the quarter's state, ``Completeness.is_overdue``);
    - *submitted on time* / *submitted late*: submitted or approved, first submitted on or
      before / after the deadline (:func:`returns.models.quarter_deadline`, a local date).
      The time is the return's ``first_submitted_at``, which the workflow sets at the first
      submission (the time of its ``ReturnEvent``) and keeps when a return is sent back and
      submitted again: a street that reported in time stays on time;
    - *approved*: the submitted returns the district has approved.

    Expected: committees that existed in the quarter. Three queries."""
    today = today or timezone.localdate()
    due_on = quarter_deadline(year=year, quarter=quarter)
    # One LEFT JOIN on the quarter's return (at most one per committee and quarter) rather
    # than correlated subqueries per committee: 3-4x faster for a province.
    committees = (
        _with_quarters_return(user, year, quarter)
        .annotate(
            return_id=F("this_quarter__pk"),
            return_status=F("this_quarter__status"),
            return_first_submitted=Coalesce(
                F("this_quarter__first_submitted_at"), F("this_quarter__submitted_at")
            ),
            return_approved_at=F("this_quarter__approved_at"),
        )
        .order_by("street__sort_order", "code")
    )
    streets = scope_queryset(Street.objects.all(), user).order_by("sort_order", "code")
    lines = {street.pk: CompletenessLine(label=street.name, street=street) for street in streets}
    district = CompletenessLine(label="")
    for committee in committees:
        line = lines.get(committee.street_id)
        if line is None:
            continue
        committee.street = line.street
        committee.submitted_on = submitted_on(committee.return_first_submitted)
        if committee.return_status not in SUBMITTED_STATUSES:
            category = "not_submitted"
        elif committee.submitted_on is not None and committee.submitted_on > due_on:
            category = "late"
        else:
            category = "on_time"
        for target in (line, district):
            target.expected += 1
            setattr(target, category, getattr(target, category) + 1)
            target.committees(category).append(committee)
            if category != "not_submitted":
                target.submitted += 1
            if committee.return_status == ReturnStatus.APPROVED:
                target.approved += 1
                target.approved_committees.append(committee)
    return Completeness(
        year=year,
        quarter=quarter,
        due_on=due_on,
        today=today,
        district=district,
        streets=list(lines.values()),
    )


def completeness_totals(
    *, year: int, quarter: int, user, today: datetime.date | None = None
) -> CompletenessLine:
    """The whole scope's counts of :func:`completeness` (expected, submitted, approved, on
    time, late, not submitted), counted by the database in one query, without listing
    committees: what the dashboard shows. Two queries with the deadline's. (``today`` is
    accepted for the dashboard's calls; no count depends on it.)"""
    due_on = quarter_deadline(year=year, quarter=quarter)
    # Submitted on or before the due date (a local date): before the next day's midnight.
    after_due = timezone.make_aware(
        datetime.datetime.combine(due_on + datetime.timedelta(days=1), datetime.time.min)
    )
    submitted = Q(this_quarter__status__in=SUBMITTED_STATUSES)
    first = Coalesce(F("this_quarter__first_submitted_at"), F("this_quarter__submitted_at"))
    counts = (
        committees_in_quarter(
            scope_queryset(Committee.objects.all(), user), year=year, quarter=quarter
        )
        .annotate(
            this_quarter=FilteredRelation(
                "quarterly_returns",
                condition=Q(quarterly_returns__year=year, quarterly_returns__quarter=quarter),
            ),
            first_submitted=first,
        )
        .aggregate(
            expected=Count("pk"),
            submitted=Count("pk", filter=submitted),
            approved=Count("pk", filter=Q(this_quarter__status=ReturnStatus.APPROVED)),
            late=Count("pk", filter=submitted & Q(first_submitted__gte=after_due)),
        )
    )
    counts["on_time"] = counts["submitted"] - counts["late"]
    counts["not_submitted"] = counts["expected"] - counts["submitted"]
    return CompletenessLine(label="", **counts)


def outstanding_by_street(*, year: int, quarter: int, user) -> list[dict]:
    """The streets of ``user``'s scope with returns of the quarter not submitted, in the
    bureau's order: ``street_id``, ``street_name``, ``expected``, ``outstanding``. Counted by
    the database in one grouped query, listing no committee: what the to-do list needs,
    however many streets a province has (:func:`completeness` lists every committee)."""
    rows = (
        _with_quarters_return(user, year, quarter)
        .values("street_id")
        .annotate(
            street_name=F("street__name"),
            street_order=F("street__sort_order"),
            street_code=F("street__code"),
            expected=Count("pk"),
            submitted=Count("pk", filter=Q(this_quarter__status__in=SUBMITTED_STATUSES)),
        )
        .order_by("street_order", "street_code")
    )
    return [
        {**row, "outstanding": row["expected"] - row["submitted"]}
        for row in rows
        if row["expected"] > row["submitted"]
    ]


__all__ = [
    "FIGURES",
    "approved_households_expression",
    "committees_in_quarter",
    "completeness",
    "completeness_totals",
    "grid_rows",
    "outstanding_by_street",
    "review_returns",
]


def active_rules():
    """The validation rules in force, in the order they are applied."""
    from .models import ValidationRule

    return list(ValidationRule.objects.filter(active=True).order_by("order", "name"))
