"""Reads of the communities register for the yearly report: titles, centres, one-stop
service, and the planning check. Every function takes the ``user`` whose scope applies
(:func:`scoping.rules.scope_queryset`) and the day the figures are taken on.

How each is counted:
- **titles** held on a day: committees holding a title awarded in a year that had ended by
  then (a title is recorded with its year only, so one of the current year counts from its
  31 December), once per kind (and per kind and field) however many titles they hold;
- **community centres** by the status the register records, once its date (``status
  since``) is reached; a centre whose status dates from after the day, or has no date, counts
  as planned only (the register does not say what it was before);
- **one-stop service**: urban committees existing on the day whose one-stop service had
  started by then (``one-stop service since``), split by the status recorded;
- **planning check**: each urban committee's households against the planning standard of
  its area type; the committees the standard implies are the households of each area type
  divided by that standard.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q

from scoping.rules import scope_queryset

from .models import (
    CentreStatus,
    Committee,
    CommitteeKind,
    CommunityCentre,
    OneStopService,
    PlanningStandard,
    Title,
)


def titles_year(day: datetime.date) -> int:
    """The last year whose titles are held on ``day`` (its own year from 31 December)."""
    return day.year if (day.month, day.day) == (12, 31) else day.year - 1


def title_counts(*, day: datetime.date, user, group_by: str | None = None) -> dict:
    """Committees holding titles awarded up to :func:`titles_year`: ``{"year", "by_kind":
    {kind: committees}, "by_kind_field": {(kind, field): committees}}`` (a committee
    counts once per kind, and once per kind and field, however many titles it holds).
    With ``group_by`` (a lookup on the title, such as ``"committee__street"``): ``{key:
    {kind: committees}}``, one query."""
    year = titles_year(day)
    titles = scope_queryset(Title.objects.filter(year__lte=year), user)
    if group_by is not None:
        grouped: dict = {}
        for row in (
            titles.annotate(key=F(group_by))
            .values("key", "kind")
            .annotate(n=Count("committee", distinct=True))
            .order_by()
        ):
            grouped.setdefault(row["key"], {})[row["kind"]] = row["n"]
        return grouped
    by_kind_field = {
        (row["kind"], row["field"]): row["n"]
        for row in titles.values("kind", "field")
        .annotate(n=Count("committee", distinct=True))
        .order_by()
    }
    by_kind = {
        row["kind"]: row["n"]
        for row in titles.values("kind").annotate(n=Count("committee", distinct=True)).order_by()
    }
    return {"year": year, "by_kind": by_kind, "by_kind_field": by_kind_field}


def built_by_q(day: datetime.date, prefix: str = "") -> Q:
    """The condition "built by ``day``" for centres reached through ``prefix``."""
    return Q(
        **{
            f"{prefix}status": CentreStatus.BUILT,
            f"{prefix}status_date__isnull": False,
            f"{prefix}status_date__lte": day,
        }
    )


def centre_counts(*, day: datetime.date, user, group_by: str | None = None) -> dict:
    """Centres of the register by status on ``day``: ``built``, ``approved``, ``planned``
    (the rest) and ``total`` (every centre of the plan). With ``group_by`` (``"street"``):
    ``{key: those counts}``, one query."""
    reached = Q(status_date__isnull=False, status_date__lte=day)
    centres = scope_queryset(CommunityCentre.objects.all(), user)
    aggregates = {
        "total": Count("pk"),
        "built": Count("pk", filter=built_by_q(day)),
        "approved": Count("pk", filter=reached & Q(status=CentreStatus.APPROVED)),
    }
    if group_by is None:
        rows = {None: centres.aggregate(**aggregates)}
    else:
        rows = {
            row.pop("key"): row
            for row in centres.annotate(key=F(group_by))
            .values("key")
            .annotate(**aggregates)
            .order_by()
        }
    for counts in rows.values():
        counts["planned"] = counts["total"] - counts["built"] - counts["approved"]
    return rows[None] if group_by is None else rows


def one_stop_counts(*, day: datetime.date, user, group_by: str | None = None) -> dict:
    """Urban committees existing on ``day`` with one-stop service started by then:
    ``total``, ``pilot``, ``in_service``; and ``committees``, the urban committees then.
    With ``group_by`` (``"street"``): ``{key: those counts}``, one query."""
    started = ~Q(one_stop_service=OneStopService.NONE) & Q(
        one_stop_since__isnull=False, one_stop_since__lte=day
    )
    committees = scope_queryset(
        Committee.objects.existing_on(day).filter(kind=CommitteeKind.URBAN), user
    )
    aggregates = {
        "committees": Count("pk"),
        "total": Count("pk", filter=started),
        "pilot": Count("pk", filter=started & Q(one_stop_service=OneStopService.PILOT)),
        "in_service": Count("pk", filter=started & Q(one_stop_service=OneStopService.IN_SERVICE)),
    }
    if group_by is None:
        return committees.aggregate(**aggregates)
    return {
        row.pop("key"): row
        for row in committees.annotate(key=F(group_by))
        .values("key")
        .annotate(**aggregates)
        .order_by()
    }


def implied_committees(households: int, standard: int | None) -> Decimal | None:
    """Households ÷ the standard's households per community, to one decimal (half up)."""
    if not standard:
        return None
    return (Decimal(households) / Decimal(standard)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def planning_standards() -> dict[str, int]:
    return dict(PlanningStandard.objects.values_list("area_type", "households"))


def planning_check(*, day: datetime.date, user) -> list[Committee]:
    """The urban committees existing on ``day`` in the scope, each with ``standard`` (the
    households per community of its area type, None without one) and ``against`` ("over",
    "under", "at" or None)."""
    standards = planning_standards()
    committees = list(
        scope_queryset(Committee.objects.existing_on(day), user)
        .filter(kind=CommitteeKind.URBAN)
        .select_related("street")
        .order_by("street__sort_order", "street__code", "code")
    )
    for committee in committees:
        committee.standard = standards.get(committee.area_type)
        if committee.standard is None:
            committee.against = None
        elif committee.households > committee.standard:
            committee.against = "over"
        elif committee.households < committee.standard:
            committee.against = "under"
        else:
            committee.against = "at"
    return committees


__all__ = [
    "centre_counts",
    "implied_committees",
    "one_stop_counts",
    "planning_check",
    "planning_standards",
    "title_counts",
    "titles_year",
]
