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


@dataclass
class CompletenessLine:
    label: str
    expected: int = 0
    submitted: int = 0
    approved: int = 0
    on_time: int = 0
    late: int = 0
    missing: list = field(default_factory=list)  # committees not submitted (late or not yet)
    late_committees: list = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        return self.expected - self.submitted


@dataclass
class Completeness:
    year: int
    quarter: int
    due_on: datetime.date
    today: datetime.date
    district: CompletenessLine
    streets: list[CompletenessLine]


def completeness(
    *, year: int, quarter: int, user, today: datetime.date | None = None
) -> Completeness:
    """Expected, submitted, approved, on time and late returns of a quarter, per street and
    for the district. Expected: committees that existed in the quarter. Submitted: returns
    submitted or approved. On time: first submitted on or before the deadline. Late: first
    submitted after it, or still not submitted once it has passed. Three queries."""
    today = today or timezone.localdate()
    due_on = quarter_deadline(year=year, quarter=quarter)
    # One LEFT JOIN on the quarter's return (at most one per committee and quarter) rather
    # than two correlated subqueries per committee: 3-4x faster for a province.
    committees = (
        committees_in_quarter(
            scope_queryset(Committee.objects.all(), user), year=year, quarter=quarter
        )
        .annotate(
            this_quarter=FilteredRelation(
                "quarterly_returns",
                condition=Q(quarterly_returns__year=year, quarterly_returns__quarter=quarter),
            ),
            return_status=F("this_quarter__status"),
            return_first_submitted=F("this_quarter__first_submitted_at"),
        )
        .order_by("street__sort_order", "code")
    )
    streets = scope_queryset(Street.objects.all(), user).order_by("sort_order", "code")
    lines = {street.pk: CompletenessLine(label=street.name) for street in streets}
    district = CompletenessLine(label="")
    for committee in committees:
        line = lines.get(committee.street_id)
        if line is None:
            continue
        submitted_on = (
            timezone.localdate(committee.return_first_submitted)
            if committee.return_first_submitted
            else None
        )
        is_submitted = committee.return_status in (ReturnStatus.SUBMITTED, ReturnStatus.APPROVED)
        for target in (line, district):
            target.expected += 1
            if is_submitted:
                target.submitted += 1
            if committee.return_status == ReturnStatus.APPROVED:
                target.approved += 1
            if submitted_on is not None and submitted_on <= due_on:
                target.on_time += 1
            elif (submitted_on is not None and submitted_on > due_on) or (
                submitted_on is None and today > due_on
            ):
                target.late += 1
                target.late_committees.append(committee)
            if not is_submitted:
                target.missing.append(committee)
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
    """The whole scope's line of :func:`completeness` (expected, submitted, approved, on
    time, late), counted by the database in one query, without listing committees: what the
    dashboard shows. Two queries with the deadline's."""
    today = today or timezone.localdate()
    due_on = quarter_deadline(year=year, quarter=quarter)
    # Submitted on or before the due date (a local date): before the next day's midnight.
    after_due = timezone.make_aware(
        datetime.datetime.combine(due_on + datetime.timedelta(days=1), datetime.time.min)
    )
    first = "this_quarter__first_submitted_at"
    late = Q(**{f"{first}__gte": after_due})
    if today > due_on:
        late |= Q(**{f"{first}__isnull": True})
    counts = (
        committees_in_quarter(
            scope_queryset(Committee.objects.all(), user), year=year, quarter=quarter
        )
        .annotate(
            this_quarter=FilteredRelation(
                "quarterly_returns",
                condition=Q(quarterly_returns__year=year, quarterly_returns__quarter=quarter),
            )
        )
        .aggregate(
            expected=Count("pk"),
            submitted=Count(
                "pk",
                filter=Q(this_quarter__status__in=(ReturnStatus.SUBMITTED, ReturnStatus.APPROVED)),
            ),
            approved=Count("pk", filter=Q(this_quarter__status=ReturnStatus.APPROVED)),
            on_time=Count("pk", filter=Q(**{f"{first}__lt": after_due})),
            late=Count("pk", filter=late),
        )
    )
    return CompletenessLine(label="", **counts)


__all__ = [
    "FIGURES",
    "approved_households_expression",
    "committees_in_quarter",
    "completeness",
    "completeness_totals",
    "grid_rows",
    "review_returns",
]


def active_rules():
    """The validation rules in force, in the order they are applied."""
    from .models import ValidationRule

    return list(ValidationRule.objects.filter(active=True).order_by("order", "name"))
