"""The indicators a work target can be set on: a fixed list, each what the registers can
count, with the one function that counts it.

Each function takes the ``user`` whose scope applies (:func:`scoping.rules.scope_queryset`;
a street user, or :class:`reports.levels.OneStreet`, sees one street), the ``year`` and the
day the figure is taken on (``as_of``, in that year; the year's end for a past year) and
returns ``{street id: value}`` for every street with a figure plus ``{None: value}`` for the
whole scope, in a fixed number of queries whatever the number of committees or streets.
Where a register's own selector or report counts the figure (most are the yearly text's own
counts), the function calls it:

- one-stop service, titles, centres built: :mod:`communities.selectors`
  (``one_stop_counts``, ``title_counts``, ``centre_counts``, grouped by street);
- committees meeting the area standard: :func:`facilities.selectors.committees_with_area`
  (operating committees whose shortfall, rounded to the hundredth as the facilities table
  rounds it, is nil);
- committees meeting every item of the function standard: the function-standard table's
  own figures (``function-standard`` report, recorded per year);
- IT training classes and trainee-times: :func:`staffing.selectors.training_between`, the
  yearly text's count (the year's classes up to ``as_of``; distinct classes do not add up
  from streets to the district, so the district's figure is its own query);
- staff qualified as IT operators: :func:`staffing.selectors.qualified_counts`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from communities.models import (
    Committee,
    CommitteeKind,
    CommitteeStatus,
    CommunityCentre,
    TitleKind,
)
from communities.selectors import built_by_q, centre_counts, one_stop_counts, title_counts
from facilities.selectors import committees_with_area, quantize_area
from reports.registry import get_report_class
from scoping.rules import scope_queryset
from staffing.models import Subject
from staffing.selectors import qualified_counts, training_between


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
    """Urban committees existing on ``as_of`` whose one-stop service had started by then,
    pilots included (:func:`communities.selectors.one_stop_counts`, the yearly text's)."""
    per_street = one_stop_counts(day=as_of, user=user, group_by="street")
    return _with_total({street: counts["total"] for street, counts in per_street.items()})


def titled_committees(*, kind: str, user, year: int, as_of: datetime.date) -> dict:
    """Committees holding a title of ``kind`` (:func:`communities.selectors.title_counts`,
    the yearly text's: titles of the years ended by ``as_of``)."""
    per_street = title_counts(day=as_of, user=user, group_by="committee__street")
    return _with_total({street: kinds.get(kind, 0) for street, kinds in per_street.items()})


def centres_built(*, user, year: int, as_of: datetime.date) -> dict:
    """Community centres built by ``as_of`` (:func:`communities.selectors.centre_counts`)."""
    per_street = centre_counts(day=as_of, user=user, group_by="street")
    return _with_total({street: counts["built"] for street, counts in per_street.items()})


def households_covered(*, user, year: int, as_of: datetime.date) -> dict:
    """Households of the committees existing on ``as_of`` that a centre built by then serves
    (each committee once, however many centres serve it)."""
    rows = (
        scope_queryset(Committee.objects.existing_on(as_of), user)
        .filter(
            pk__in=scope_queryset(CommunityCentre.objects.filter(built_by_q(as_of)), user).values(
                "committees"
            )
        )
        .values("street")
        .annotate(n=Sum("households", default=0))
        .order_by()
    )
    return _with_total({row["street"]: row["n"] for row in rows})


def area_standard_met(*, user, year: int, as_of: datetime.date) -> dict:
    """Operating committees on ``as_of`` whose premises in use reach the area standard."""
    per_street: dict = {}
    committees = (
        committees_with_area(year=year, user=user, day=as_of)
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


def training(*, key: str, user, year: int, as_of: datetime.date, subject=None) -> dict:
    """``key`` (classes, trainee-times) of the classes held from 1 January to ``as_of``, of
    ``subject`` or of every subject (:func:`staffing.selectors.training_between`, the yearly
    text's count)."""
    options = {"start": datetime.date(year, 1, 1), "end": as_of, "user": user, "subject": subject}
    per_street = training_between(group_by="committee__street", **options)
    whole = training_between(**options).get(None) or {}
    result = {street: values.get(key) or 0 for street, values in per_street.items()}
    result[None] = whole.get(key) or 0
    return result


def it_operators(*, user, year: int, as_of: datetime.date) -> dict:
    """Staff in post on ``as_of`` holding an IT operator's qualification then
    (:func:`staffing.selectors.qualified_counts`)."""
    per_street = qualified_counts(year=year, user=user, group_by="committee__street", day=as_of)
    whole = qualified_counts(year=year, user=user, group_by=None, day=as_of).get(None) or {}
    result = {street: values.get("it_operators") or 0 for street, values in per_street.items()}
    result[None] = whole.get("it_operators") or 0
    return result


INDICATORS: list[Indicator] = [
    Indicator(
        "one_stop", _("Committees with one-stop service"), _("committee(s)"), one_stop_committees
    ),
    Indicator(
        "star",
        _("Star communities"),
        _("committee(s)"),
        partial(titled_committees, kind=TitleKind.STAR),
    ),
    Indicator(
        "characteristic",
        _("Characteristic communities"),
        _("committee(s)"),
        partial(titled_committees, kind=TitleKind.CHARACTERISTIC),
    ),
    Indicator("centres_built", _("Community centres built"), _("centre(s)"), centres_built),
    Indicator(
        "households_covered",
        _("Households served by a built community centre"),
        _("household(s)"),
        households_covered,
    ),
    Indicator(
        "area_standard",
        _("Committees meeting the area standard"),
        _("committee(s)"),
        area_standard_met,
    ),
    Indicator(
        "function_standard",
        _("Committees meeting the whole function standard"),
        _("committee(s)"),
        function_standard_met,
    ),
    Indicator(
        "it_classes",
        _("IT training classes held"),
        _("class(es)"),
        partial(training, key="classes", subject=Subject.INFORMATION),
    ),
    Indicator(
        "trainee_times",
        _("Trainee-times (all subjects)"),
        _("trainee-time(s)"),
        partial(training, key="trainee_times"),
    ),
    Indicator("it_operators", _("Staff qualified as IT operators"), _("person(s)"), it_operators),
]


def indicator_choices() -> list[tuple[str, str]]:
    return [(indicator.code, indicator.label) for indicator in INDICATORS]


def get_indicator(code: str) -> Indicator:
    return next(indicator for indicator in INDICATORS if indicator.code == code)
