"""The dashboard's figures and charts, for a year, as a user may see them.

Nothing here computes a rule of its own: the committees come from the establishment report,
the premises from the facilities report and selectors, the money from the funding report
(:func:`budgets.calculations.budget_compute`), the staff from
:func:`staffing.selectors.headcounts`, the returns from
:func:`returns.selectors.completeness_totals` — each with the user, so
:func:`scoping.rules.scope_queryset` decides what is seen. A fixed number of queries,
whatever the number of committees, postings or premises. The reports' parts are their
summaries (by street; by district for a province, see :mod:`reports.levels`), and the
charts show streets, or districts when there are too many streets, as those pages do.

The whole dashboard is cached per year and scope under the registers' data version and the
day (:mod:`audit.data_version`): after any committed change to a register or a return the
task worker computes it again; until it is done a reader sees the previous figures marked as
being updated, never figures of another version presented as current.

Chart data is plain JSON-ready data (money as decimal strings, never floats), embedded in
the page with ``json_script`` and drawn by ``static/js/dashboard.js``.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.data_version import read, scope_key
from budgets.models import PartyAffairsAllocation
from communities.models import CommitteeStatus
from facilities.selectors import committees_with_area, quantize_area
from reports.comparison import change, change_percent
from reports.levels import level_for, scope_size
from reports.registry import RowLevel, get_report_class, quarter_shown
from returns.models import QuarterlyReturn, ReturnStatus
from returns.selectors import completeness_totals
from scoping.rules import scope_queryset
from staffing.models import Position
from staffing.selectors import headcounts
from targets.progress import Progress, default_as_of, progress


def latest_data_year(*, user, today: datetime.date | None = None) -> int:
    """The latest year with data the user may see: approved quarterly returns or party-affairs
    allocations (what a year's reports are made from), never past this year; this year when
    there is none."""
    this_year = (today or timezone.localdate()).year
    found = [
        scope_queryset(
            QuarterlyReturn.objects.filter(status=ReturnStatus.APPROVED, year__lte=this_year),
            user,
        ).aggregate(latest=Max("year"))["latest"],
        scope_queryset(PartyAffairsAllocation.objects.filter(year__lte=this_year), user).aggregate(
            latest=Max("year")
        )["latest"],
    ]
    found = [year for year in found if year is not None]
    return max(found) if found else this_year


def quarter_of_interest(year: int, today: datetime.date | None = None) -> int:
    """The quarter whose completeness the dashboard shows: the current quarter in the
    current year (as the returns pages count it), the fourth of a past year, the first of a
    future one."""
    return quarter_shown(year, today)  # the one rule of reports.registry.default_period


def money_text(value: Decimal) -> str:
    """Money for the chart JSON: an exact decimal string."""
    return str(Decimal(value).quantize(Decimal("0.01")))


@dataclass
class KeyFigures:
    established: int = 0
    operating: int = 0
    sharing: int = 0
    village: int = 0
    households: int = 0
    staff_paid: int = 0
    volunteers: int = 0
    premises: int = 0
    area: Decimal = Decimal(0)
    area_per_committee: Decimal | None = None
    under_standard: int = 0
    budget_total: Decimal = Decimal(0)
    budget_district: Decimal = Decimal(0)
    budget_street: Decimal = Decimal(0)
    district_percent: Decimal | None = None
    expected: int = 0
    submitted: int = 0
    approved: int = 0
    late: int = 0

    @property
    def submitted_percent(self) -> Decimal | None:
        if not self.expected:
            return None
        return (Decimal(100) * self.submitted / self.expected).quantize(Decimal("0.1"))


# The key figures shown with their change against the same figure of the year before.
COMPARED_FIGURES = (
    "established",
    "households",
    "staff_paid",
    "area",
    "under_standard",
    "budget_total",
)


@dataclass
class FigureChange:
    """A key figure against last year's: last year's figure, the change and the change in
    per cent (rounded once, as the report tables' 增减%; blank when last year's was 0)."""

    last: int | Decimal
    change: int | Decimal
    percent: Decimal | None

    @property
    def rose(self) -> bool:
        return self.change > 0


def figure_changes(figures: KeyFigures, last: KeyFigures) -> dict[str, FigureChange]:
    """The change of each compared key figure; none for a figure that was 0 last year (a
    year before the registers held data: no budget, no premises), which would read as a
    rise from nothing."""
    return {
        name: FigureChange(
            last=getattr(last, name),
            change=change(getattr(figures, name), getattr(last, name)),
            percent=change_percent(getattr(figures, name), getattr(last, name)),
        )
        for name in COMPARED_FIGURES
        if getattr(last, name)
    }


@dataclass
class Dashboard:
    year: int
    quarter: int
    figures: KeyFigures
    charts: dict = field(default_factory=dict)
    # Key figure name: its change against last year (COMPARED_FIGURES).
    changes: dict = field(default_factory=dict)
    # The work targets of the year and how far each is reached (targets.progress).
    targets: list[Progress] = field(default_factory=list)
    streets: list = field(default_factory=list)
    # The charts' unit (reports.levels: committee, street or district) and their captions.
    level: str = RowLevel.COMMITTEE
    captions: dict = field(default_factory=dict)
    # Set when these are the previous figures, shown while the task worker computes the
    # new ones after a change (audit.data_version.read): when they were computed.
    updating_since: datetime.datetime | None = None


def _units(summary, level) -> list:
    """The rows a chart shows one bar for: streets, or districts for a scope of many streets."""
    return summary.districts if level == RowLevel.DISTRICT else summary.streets


def _committees(year, user, level, figures, charts):
    summary = get_report_class("establishment")(user=user, year=year).cached_summary()
    total, units = summary.total.values, _units(summary, level)
    figures.established = total.get("established", 0)
    figures.operating = total.get("operating", 0)
    figures.sharing = total.get("sharing", 0)
    figures.village = total.get("village", 0)
    figures.households = total.get("urban_households", 0)
    charts["committees"] = {
        "categories": [row.label for row in units],
        "series": [
            {"name": _("Operating"), "data": [row.values["operating"] for row in units]},
            {
                "name": _("Sharing an office, not revoked"),
                "data": [row.values["sharing"] for row in units],
            },
            {
                "name": _("Village committees acting as residents' committees"),
                "data": [row.values["village"] for row in units],
            },
        ],
    }
    return [row.label for row in summary.streets]


def _budget(year, user, level, figures, charts):
    summary = get_report_class("funding")(user=user, year=year).cached_summary()
    total, units = summary.total.values, _units(summary, level)
    figures.budget_total = total["total"]
    figures.budget_district = total["district_share"]
    figures.budget_street = total["street_share"]
    if figures.budget_total:
        figures.district_percent = (
            Decimal(100) * figures.budget_district / figures.budget_total
        ).quantize(Decimal("0.1"))
    charts["budget"] = {
        "categories": [row.label for row in units],
        "series": [
            {
                "name": _("Borne by the district"),
                "data": [money_text(row.values["district_share"]) for row in units],
            },
            {
                "name": _("Borne by the street"),
                "data": [money_text(row.values["street_share"]) for row in units],
            },
        ],
    }


def _facilities(year, user, level, figures, charts):
    report = get_report_class("facilities")(user=user, year=year)
    summary = report.cached_summary()
    total = summary.total.values
    figures.premises = total["premises_in_use"]
    figures.area = total["area_in_use"]
    figures.area_per_committee = total["area_per_committee"]
    figures.under_standard = total["under_standard"]
    names, areas, required = [], [], []
    if level == RowLevel.COMMITTEE:
        # Each operating committee against the area it needs.
        committees = (
            committees_with_area(year=year, user=user, standard=report.standard())
            .filter(status=CommitteeStatus.OPERATING)
            .order_by("street__sort_order", "street__code", "code")
            .values_list("name", "area_in_use", "required_area")
        )
    else:
        # Too many committees for one chart: each street's (or district's) area in use
        # against what its operating committees need.
        committees = [
            (row.label, row.values["area_in_use"], row.values["required_area"])
            for row in _units(summary, level)
        ]
    for name, area, needed in committees:
        names.append(name)
        areas.append(str(quantize_area(area)))
        required.append(str(quantize_area(needed)))
    charts["area"] = {
        "categories": names,
        "series": [
            {"name": _("Area in use (m²)"), "data": areas, "type": "bar"},
            {"name": _("Required by the standard (m²)"), "data": required, "type": "line"},
        ],
    }


def _staff(year, user, figures, charts):
    positions = list(Position.objects.order_by("sort_order", "code"))
    counts = headcounts(year=year, user=user, positions=positions, group_by=None)[None]
    figures.staff_paid = counts.get("paid") or 0
    figures.volunteers = sum(
        counts.get(f"position_{p.pk}") or 0 for p in positions if not p.is_paid
    )
    charts["staff"] = {
        "categories": [p.name for p in positions],
        "series": [
            {
                "name": _("Staff in post on 31 December"),
                "data": [counts.get(f"position_{p.pk}") or 0 for p in positions],
            }
        ],
    }


def _returns(year, quarter, user, figures, charts, today):
    lines = {
        q: completeness_totals(year=year, quarter=q, user=user, today=today) for q in (1, 2, 3, 4)
    }
    current = lines[quarter]
    figures.expected = current.expected
    figures.submitted = current.submitted
    figures.approved = current.approved
    figures.late = current.late
    charts["completeness"] = {
        "categories": [_("Q%(quarter)s") % {"quarter": q} for q in lines],
        "series": [
            {"name": _("Returns expected"), "data": [lines[q].expected for q in lines]},
            {"name": _("Submitted"), "data": [lines[q].submitted for q in lines]},
            {"name": _("Approved"), "data": [lines[q].approved for q in lines]},
        ],
    }


CAPTIONS = {
    RowLevel.COMMITTEE: {
        "committees": gettext_lazy("Committees by street and status"),
        "budget": gettext_lazy("Budget by street: district and street shares (yuan)"),
        "area": gettext_lazy("Premises area per operating committee against the standard (m²)"),
    },
    RowLevel.STREET: {
        "committees": gettext_lazy("Committees by street and status"),
        "budget": gettext_lazy("Budget by street: district and street shares (yuan)"),
        "area": gettext_lazy("Premises area by street against the standard (m²)"),
    },
    RowLevel.DISTRICT: {
        "committees": gettext_lazy("Committees by district and status"),
        "budget": gettext_lazy("Budget by district: district and street shares (yuan)"),
        "area": gettext_lazy("Premises area by district against the standard (m²)"),
    },
}


def _compute(year: int, quarter: int, user, today: datetime.date) -> Dashboard:
    data = _compute_year(year, quarter, user, today)
    # Last year's key figures, for the change (the same reports and selectors, a year back).
    last = _compute_year(year - 1, quarter, user, today).figures
    data.changes = figure_changes(data.figures, last)
    data.targets = progress(user, year, default_as_of(year, today))
    return data


def _compute_year(year: int, quarter: int, user, today: datetime.date) -> Dashboard:
    level = level_for(scope_size(user))
    figures = KeyFigures()
    charts: dict = {}
    streets = _committees(year, user, level, figures, charts)
    _budget(year, user, level, figures, charts)
    _facilities(year, user, level, figures, charts)
    _staff(year, user, figures, charts)
    _returns(year, quarter, user, figures, charts, today)
    captions = {key: str(text) for key, text in CAPTIONS[level].items()}
    return Dashboard(
        year=year,
        quarter=quarter,
        figures=figures,
        charts=charts,
        streets=streets,
        level=level,
        captions=captions,
    )


def dashboard(*, year: int, user, today: datetime.date | None = None) -> Dashboard:
    """Key figures and chart data of ``year`` as ``user`` may see them.

    Kept per year and scope (and language) in the shared cache (audit.data_version), for the
    data version and the day it was computed for. After a committed change the task worker
    computes it afresh (``refresh_dashboard``); a reader who comes before it is done gets
    the previous figures with ``updating_since`` set (the page says they are being
    updated and from when). Only a scope never computed before is computed in the request.
    """
    explicit_day = today
    today = today or timezone.localdate()
    quarter = quarter_of_interest(year, today)
    found = read(
        ("dashboard", year, scope_key(user)),
        lambda: _compute(year, quarter, user, today),
        stamp=today.isoformat(),
        recipe=(
            "dashboard",
            (
                ("year", year),
                ("user_id", getattr(user, "pk", None)),
                ("scope", scope_key(user)),
                ("today", explicit_day),
            ),
        ),
    )
    if not found.stale:
        return found.value
    return dataclasses.replace(found.value, updating_since=found.computed_at)


def refresh_dashboard(*, year: int, user_id, scope: str, today: datetime.date | None) -> None:
    """The task worker's recomputation of one scope's dashboard (audit.data_version)."""
    from audit.data_version import user_for_scope

    user = user_for_scope(user_id, scope)
    if user is not None:
        dashboard(year=year, user=user, today=today)


def warm_dashboards() -> int:
    """Computes the home page's dashboard once for every scope an active user has (the
    whole district, each street with staff), in the project's language, so that after a
    deployment on an empty cache nobody's first request computes it (``manage.py
    warm_summaries``; after a change the task worker keeps them fresh). Returns how many
    scopes were computed."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from audit.data_version import scope_key

    seen = set()
    with translation.override(settings.LANGUAGE_CODE):
        for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
            scope = scope_key(user)
            if scope in seen or scope == "none":
                continue
            seen.add(scope)
            dashboard(year=latest_data_year(user=user), user=user)
    return len(seen)
