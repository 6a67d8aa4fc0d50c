"""Reads of the facilities register: compliance shares, missing items, area shortfalls.

Every function is keyword-only and requires the ``user`` whose scope applies (the command-line
passes the operator :data:`scoping.rules.SYSTEM`). The report, the admin and the tests
call these; nothing recomputes the rules elsewhere.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, DecimalField, F, QuerySet, Sum, Value, When
from django.db.models.functions import Greatest

from communities.models import Committee, CommitteeKind, CommitteeStatus
from scoping.rules import scope_queryset

from .models import (
    AreaStandard,
    Compliance,
    FunctionStandardItem,
    PremisesStatus,
    in_use_q,
    status_on_q,
)

AREA = DecimalField(max_digits=14, decimal_places=2)
CENT = Decimal("0.01")


def quantize_area(value) -> Decimal:
    """Areas are shown to the hundredth of a square metre, rounded half up."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def year_end(year: int) -> datetime.date:
    """The day a year's figures are taken on (the register as at 31 December)."""
    return datetime.date(int(year), 12, 31)


# Function standard --------------------------------------------------------------------------


@dataclass
class ComplianceSummary:
    """How far a committee met the function standard in a year."""

    committee: Committee
    year: int
    total: int
    met: int
    missing: list[FunctionStandardItem] = field(default_factory=list)

    @property
    def share(self) -> Decimal | None:
        """Items met as a share of all items (0..1), or None when there are no items."""
        if not self.total:
            return None
        return (Decimal(self.met) / Decimal(self.total)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )

    @property
    def missing_names(self) -> list[str]:
        return [item.name for item in self.missing]


def function_standard_items() -> list[FunctionStandardItem]:
    return list(FunctionStandardItem.objects.order_by("order", "code"))


def committee_compliance(*, committee: Committee, year: int) -> ComplianceSummary:
    """A committee's compliance in ``year``: items met, the share, and what is missing.

    An item with no record for the year counts as missing: the clerk has not confirmed it.
    """
    items = function_standard_items()
    met_ids = set(
        Compliance.objects.filter(committee=committee, year=year, met=True).values_list(
            "item_id", flat=True
        )
    )
    return ComplianceSummary(
        committee=committee,
        year=year,
        total=len(items),
        met=sum(1 for item in items if item.pk in met_ids),
        missing=[item for item in items if item.pk not in met_ids],
    )


def compliance_by_committee(*, year: int, user) -> dict[int, ComplianceSummary]:
    """Every visible committee's compliance summary for ``year``, in a fixed number of queries."""
    items = function_standard_items()
    committees = list(
        scope_queryset(Committee.objects.established_in(year), user)
        .filter(kind=CommitteeKind.URBAN, status=CommitteeStatus.OPERATING)
        .select_related("street")
    )
    met: dict[int, set[int]] = {}
    for committee_id, item_id in scope_queryset(
        Compliance.objects.filter(year=year, met=True), user
    ).values_list("committee_id", "item_id"):
        met.setdefault(committee_id, set()).add(item_id)
    result = {}
    for committee in committees:
        done = met.get(committee.pk, set())
        result[committee.pk] = ComplianceSummary(
            committee=committee,
            year=year,
            total=len(items),
            met=sum(1 for item in items if item.pk in done),
            missing=[item for item in items if item.pk not in done],
        )
    return result


# Area ----------------------------------------------------------------------------------------


def area_standard_on(*, day: datetime.date) -> AreaStandard | None:
    """The area standard in force on ``day`` (``communities.effective``: the latest that took
    effect by the first day of ``day``'s month)."""
    return AreaStandard.objects.latest_in_force(day)


def required_area_expression(standard: AreaStandard | None):
    """SQL for the area an operating committee needs under ``standard`` (0 without one).

    Committees that work from another committee's office need no premises of their own.
    """
    parts = []
    if standard is not None and standard.floor_area is not None:
        parts.append(Value(standard.floor_area, output_field=AREA))
    if standard is not None and standard.area_per_100_households is not None:
        rate = standard.area_per_100_households / Decimal(100)
        parts.append(F("households") * Value(rate, output_field=AREA))
    if not parts:
        return Value(Decimal(0), output_field=AREA)
    needed = parts[0] if len(parts) == 1 else Greatest(*parts, output_field=AREA)
    return Case(
        When(status=CommitteeStatus.OPERATING, then=needed),
        default=Value(Decimal(0), output_field=AREA),
        output_field=AREA,
    )


def committees_with_area(
    *, year: int, user, standard: AreaStandard | None = None, day: datetime.date | None = None
):
    """Urban committees existing at the end of ``year`` (or on ``day``, a date of that year
    the yearly text is written as at), annotated in one query with:

    ``premises_in_use``, ``area_in_use`` (m²), ``planned``, ``never_built``, ``diverted``
    (premises counts), ``required_area`` (under the standard in effect at the year's end,
    or ``standard`` if given) and ``shortfall`` (how far under it, 0 if not).
    """
    day = day or year_end(year)
    if standard is None:
        standard = area_standard_on(day=day)
    in_use = in_use_q(day, prefix="premises__")
    queryset = (
        scope_queryset(Committee.objects.existing_on(day), user)
        .filter(kind=CommitteeKind.URBAN)
        .annotate(
            premises_in_use=Count("premises", filter=in_use),
            area_in_use=Sum("premises__area", filter=in_use, default=Decimal(0), output_field=AREA),
            planned=Count(
                "premises", filter=status_on_q(PremisesStatus.PLANNED, day, "premises__")
            ),
            never_built=Count(
                "premises", filter=status_on_q(PremisesStatus.NEVER_BUILT, day, "premises__")
            ),
            diverted=Count(
                "premises", filter=status_on_q(PremisesStatus.DIVERTED, day, "premises__")
            ),
            required_area=required_area_expression(standard),
        )
        .annotate(
            shortfall=Greatest(
                F("required_area") - F("area_in_use"),
                Value(Decimal(0), output_field=AREA),
                output_field=AREA,
            )
        )
    )
    return queryset


def area_shortfalls(*, year: int, user, day: datetime.date | None = None) -> QuerySet:
    """Operating committees under the area standard at the end of ``year`` (or on ``day``),
    furthest first.

    Each row carries ``area_in_use``, ``required_area`` and ``shortfall`` (m²).
    """
    return (
        committees_with_area(year=year, user=user, day=day)
        .filter(status=CommitteeStatus.OPERATING, shortfall__gt=0)
        .select_related("street")
        .order_by("-shortfall", "code")
    )


__all__ = [
    "ComplianceSummary",
    "area_shortfalls",
    "area_standard_on",
    "committee_compliance",
    "committees_with_area",
    "compliance_by_committee",
    "function_standard_items",
    "quantize_area",
    "year_end",
]
