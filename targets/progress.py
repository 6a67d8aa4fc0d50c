"""Progress against the work targets: the actual figure, the target and the share reached
(完成率, per cent, rounded once half up to one decimal), for the district or a street.

:func:`progress` is what the dashboard and the yearly text call; the targets table
(``targets/reports.py``) uses :func:`actual_figures` and :func:`targets_by_scope` for every
street at once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from scoping.rules import scope_queryset, sees_all_streets

from .indicators import INDICATORS
from .models import Target


def default_as_of(year: int, today: datetime.date | None = None) -> datetime.date:
    """The day a year's progress is taken on when none is given: today in the current year,
    31 December otherwise."""
    today = today or timezone.localdate()
    return today if year == today.year else datetime.date(year, 12, 31)


def completion(actual, target) -> Decimal | None:
    """``actual`` as a share of ``target`` in per cent, rounded once half up to one decimal
    (23 of 28 is 82.1); none for a target of 0."""
    if actual is None or not target:
        return None
    return (Decimal(100) * Decimal(actual) / Decimal(target)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Progress:
    """One target and how far it is reached (plain values: the dashboard caches it)."""

    code: str
    label: str
    unit: str
    target: int
    actual: int
    as_of: datetime.date

    @property
    def percent(self) -> Decimal | None:
        return completion(self.actual, self.target)

    @property
    def reached(self) -> bool:
        return self.actual >= self.target


def actual_figures(*, user, year: int, as_of: datetime.date) -> dict[str, dict]:
    """{indicator code: {street id: value, None: whole scope}} for every indicator."""
    return {
        indicator.code: indicator.count(user=user, year=year, as_of=as_of)
        for indicator in INDICATORS
    }


def targets_by_scope(*, user, year: int) -> dict[int | None, dict[str, int]]:
    """{street id, or None for the district: {indicator code: target}} of ``year``, the
    targets ``user`` may see (a street's staff: their street's only)."""
    result: dict = {}
    for street_id, code, value in scope_queryset(
        Target.objects.filter(year=year), user
    ).values_list("street_id", "indicator", "target"):
        result.setdefault(street_id, {})[code] = value
    return result


def _scope_street(scope):
    """The street whose targets apply to ``scope`` (None: the district's); False when
    ``scope`` sees nothing."""
    if sees_all_streets(scope):
        return None
    return getattr(scope, "street_id", None) or False


def target_for(scope, year: int, code: str) -> int | None:
    """The target of ``year`` on indicator ``code`` for ``scope`` (see :func:`progress`),
    or None when none is set."""
    street_id = _scope_street(scope)
    if street_id is False:
        return None
    return (
        scope_queryset(Target.objects.filter(year=year, street_id=street_id, indicator=code), scope)
        .values_list("target", flat=True)
        .first()
    )


def progress(scope, year: int, as_of: datetime.date | None = None) -> list[Progress]:
    """The targets of ``year`` for ``scope`` with the figure reached by ``as_of`` (default
    :func:`default_as_of`), in the order of the indicators; indicators without a target are
    left out.

    ``scope`` is whose figures: a district user (the district's targets, the whole
    district's figures), a street user or :class:`reports.levels.OneStreet` (that street's
    targets and figures). The figures go through :func:`scoping.rules.scope_queryset`.
    """
    as_of = as_of or default_as_of(year)
    street_id = _scope_street(scope)
    if street_id is False:
        return []
    targets = scope_queryset(Target.objects.filter(year=year, street_id=street_id), scope)
    wanted = dict(targets.values_list("indicator", "target"))
    result = []
    for indicator in INDICATORS:
        if indicator.code not in wanted:
            continue
        actual = indicator.count(user=scope, year=year, as_of=as_of).get(None, 0)
        result.append(
            Progress(
                code=indicator.code,
                label=str(indicator.label),
                unit=str(indicator.unit),
                target=wanted[indicator.code],
                actual=actual,
                as_of=as_of,
            )
        )
    return result
