"""The indicators a work target can be set on: a fixed list, each what the registers can
count, with the one function that counts it.

Each function takes the ``user`` whose scope applies (:func:`scoping.rules.scope_queryset`;
a street user, or :class:`reports.levels.OneStreet`, sees one street), the ``year`` and the
day the figure is taken on (``as_of``, in that year; the year's end for a past year) and
returns ``{street id: value}`` for every street with a figure plus ``{None: value}`` for the
whole scope, in a fixed number of queries whatever the number of committees. Where a
register's own selector or report counts the figure, the function calls it:

- committees meeting the area standard: :func:`facilities.selectors.committees_with_area`
  (operating committees whose shortfall, rounded to the hundredth as the facilities table
  rounds it, is nil);
- committees meeting every item of the function standard: the function-standard table's
  own figures (``function-standard`` report, recorded per year);
- training classes and trainee-times: :func:`staffing.selectors.training_counts` (classes
  of the year up to ``as_of``; distinct classes do not add up from streets to the district,
  so the district's figure is its own query).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from communities.models import (
    CentreStatus,
    Committee,
    CommitteeKind,
    CommitteeStatus,
    CommunityCentre,
    OneStopService,
    Title,
    TitleKind,
)
from facilities.selectors import committees_with_area, quantize_area
from reports.registry import get_report_class
from scoping.rules import scope_queryset
from staffing.selectors import training_counts


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    count: Callable[..., dict]


def _with_total(per_street: dict) -> dict:
    """Figures that add up from the streets to the whole scope (a committee, a centre or a
    title belongs to one street)."""
    return {**per_street, None: sum(per_street.values())}


def one_stop_committees(*, user, year: int, as_of: datetime.date) -> dict:
    """Committees existing on ``as_of`` that had started the one-stop service by then
    (pilots included)."""
    rows = (
        scope_queryset(Committee.objects.existing_on(as_of), user)
        .exclude(one_stop_service=OneStopService.NONE)
        .filter(one_stop_since__lte=as_of)
        .values("street")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _with_total({row["street"]: row["n"] for row in rows})


def titled_committees(*, kind: str, user, year: int, as_of: datetime.date) -> dict:
    """Committees holding a title of ``kind`` awarded in ``as_of``'s year or before."""
    rows = (
        scope_queryset(Title.objects.filter(kind=kind, year__lte=as_of.year), user)
        .values("committee__street")
        .annotate(n=Count("committee", distinct=True))
        .order_by()
    )
    return _with_total({row["committee__street"]: row["n"] for row in rows})


def _built_centres(user, as_of: datetime.date):
    return scope_queryset(CommunityCentre.objects.filter(status=CentreStatus.BUILT), user).filter(
        Q(status_date__isnull=True) | Q(status_date__lte=as_of)
    )


def centres_built(*, user, year: int, as_of: datetime.date) -> dict:
    """Community centres built by ``as_of`` (a centre whose status changed later was not yet
    built then)."""
    rows = _built_centres(user, as_of).values("street").annotate(n=Count("pk")).order_by()
    return _with_total({row["street"]: row["n"] for row in rows})


def households_covered(*, user, year: int, as_of: datetime.date) -> dict:
    """Households of the committees existing on ``as_of`` that a built centre serves (each
    committee once, however many centres serve it)."""
    rows = (
        scope_queryset(Committee.objects.existing_on(as_of), user)
        .filter(pk__in=_built_centres(user, as_of).values("committees"))
        .values("street")
        .annotate(n=Sum("households", default=0))
        .order_by()
    )
    return _with_total({row["street"]: row["n"] for row in rows})


def area_standard_met(*, user, year: int, as_of: datetime.date) -> dict:
    """Operating committees on ``as_of`` whose premises in use reach the area standard."""
    per_street: dict = {}
    committees = (
        committees_with_area(year=year, user=user, as_of=as_of)
        .filter(kind=CommitteeKind.URBAN, status=CommitteeStatus.OPERATING)
        .values_list("street_id", "shortfall")
    )
    for street_id, shortfall in committees:
        met = int(quantize_area(shortfall) <= 0)
        per_street[street_id] = per_street.get(street_id, 0) + met
    return _with_total(per_street)


def function_standard_met(*, user, year: int, as_of: datetime.date) -> dict:
    """Operating committees meeting every item of the function standard in ``year`` (the
    function-standard table's figure; compliance is recorded per year)."""
    summary = get_report_class("function-standard")(user=user, year=year).cached_summary()
    result = {row.extra["street_id"]: row.values.get("fully_met") or 0 for row in summary.streets}
    result[None] = summary.total.values.get("fully_met") or 0
    return result


def training(*, key: str, user, year: int, as_of: datetime.date) -> dict:
    """``key`` of the staffing table's count of the year's training, up to ``as_of``."""
    options = {"year": year, "user": user, "as_of": as_of}
    per_street = training_counts(group_by="committee__street", **options)
    whole = training_counts(group_by=None, **options)[None]
    result = {street: values.get(key) or 0 for street, values in per_street.items()}
    result[None] = whole.get(key) or 0
    return result


INDICATORS: list[Indicator] = [
    Indicator(
        "one_stop", _("Committees with one-stop service"), _("committees"), one_stop_committees
    ),
    Indicator(
        "star",
        _("Star communities"),
        _("committees"),
        partial(titled_committees, kind=TitleKind.STAR),
    ),
    Indicator(
        "characteristic",
        _("Characteristic communities"),
        _("committees"),
        partial(titled_committees, kind=TitleKind.CHARACTERISTIC),
    ),
    Indicator("centres_built", _("Community centres built"), _("centres"), centres_built),
    Indicator(
        "households_covered",
        _("Households served by a built community centre"),
        _("households"),
        households_covered,
    ),
    Indicator(
        "area_standard",
        _("Committees meeting the area standard"),
        _("committees"),
        area_standard_met,
    ),
    Indicator(
        "function_standard",
        _("Committees meeting the whole function standard"),
        _("committees"),
        function_standard_met,
    ),
    Indicator(
        "training_classes",
        _("Training classes held"),
        _("classes"),
        partial(training, key="classes"),
    ),
    Indicator(
        "trainee_times",
        _("Trainee-times"),
        _("trainee-times"),
        partial(training, key="trainee_times"),
    ),
]


def indicator_choices() -> list[tuple[str, str]]:
    return [(indicator.code, indicator.label) for indicator in INDICATORS]


def get_indicator(code: str) -> Indicator:
    return next(indicator for indicator in INDICATORS if indicator.code == code)
