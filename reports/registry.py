"""The report registry: every table the bureau sends upward is a small ``Report`` class.

A report declares an ``identifier`` (used by ``exportreport`` and in URLs), a Chinese
``verbose_name``, its ``form_number`` (表号), the ``unit`` of measure, the ``parameters`` it
takes, and produces ``columns()`` and ``rows()``. One renderer (``reports.rendering``) turns
any report into an HTML page, an .xlsx workbook or a CSV file; the browser and the command
use the same code. Every report reads through :func:`scoping.rules.scope_queryset`
with its ``user``.

Apps register their reports in their own ``reports.py`` with ``@register``; the reports app
imports those modules at start-up. There too an app may register a page written from the
reports, listed on the reports page (``register_writing``: the overview app's basic
situation), and how to find the latest year with data (``register_data_year``). The
framework imports no app of its own accord.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from scoping.rules import district_model, scope_queryset, street_model

if TYPE_CHECKING:  # the geography, reached at run time through scoping.rules
    from communities.models import District


def year_before(value):
    """A parameter of last year's report: a date moved back one year (29 February to the
    28th), anything else unchanged."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        try:
            return value.replace(year=value.year - 1)
        except ValueError:
            return value.replace(year=value.year - 1, day=28)
    return value


def person_name(user) -> str:
    """``user``'s real name as the bureau writes it (王小明, Jane Smith), else the username."""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if first and last and not (first + last).isascii():
        return last + first
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return (full or "").strip() or user.get_username()


def issuing_office() -> str:
    """The bureau that issues the tables (制表机关): the ``BUREAU_NAME`` setting."""
    return getattr(settings, "BUREAU_NAME", "") or _("Civil Affairs Bureau")


class ColumnKind:
    INTEGER = "integer"
    MONEY = "money"
    AREA = "area"
    DECIMAL = "decimal"
    PERCENT = "percent"  # per cent, a Decimal the report rounds once (66.7 for 2 of 3)
    POINTS = "points"  # a change of a percentage, in percentage points (one decimal)
    TEXT = "text"


@dataclass
class Column:
    key: str
    label: str
    kind: str = ColumnKind.INTEGER


class RowLevel:
    TOTAL = "total"
    DISTRICT = "district"
    STREET = "street"
    COMMITTEE = "committee"


@dataclass
class Row:
    label: str
    values: dict
    level: str = RowLevel.STREET
    extra: dict = field(default_factory=dict)


@dataclass
class Summary:
    """A report at street and district level for the whole scope (see :meth:`Report.summary`):
    the total row, one row per street (``extra``: ``street_id``, ``district_id``) and one per
    district (``extra``: ``district_id``), in the order of the full table."""

    total: Row
    streets: list[Row]
    districts: list[Row]

    def district_row(self, district_id: int) -> Row | None:
        return next((r for r in self.districts if r.extra["district_id"] == district_id), None)

    def streets_of(self, district_id: int) -> list[Row]:
        return [r for r in self.streets if r.extra["district_id"] == district_id]


class ReportError(ValueError):
    """A parameter a report cannot work with (unknown scenario, bad quarter...)."""


class Report:
    identifier: str = ""
    verbose_name = ""
    form_number = ""
    unit = ""
    parameters: tuple[str, ...] = ("year",)
    # Templates get report classes (the reports page); they must not try to call them.
    do_not_call_in_templates = True

    @classmethod
    def form_fields(cls, user) -> dict:
        """The form fields of the report's own parameters, by name, after the year and the
        quarter (:class:`reports.forms.ReportParametersForm`); their cleaned values reach the
        report as keyword arguments (``self.options``) when they are not None. ``user`` is
        who fills the form in (choices in their scope)."""
        return {}

    def __init__(
        self,
        *,
        user,
        year: int,
        quarter: int | None = None,
        district=None,
        compare: bool = False,
        **options,
    ):
        self.user = user
        # Show the same period of last year beside every figure (reports.comparison).
        self.compare = bool(compare)
        # A district the page is narrowed to (reports.levels): it names the reporting unit.
        self.district = district
        self.year = int(year)
        if quarter is not None and int(quarter) not in (1, 2, 3, 4):
            raise ReportError(_("The quarter must be 1, 2, 3 or 4."))
        self.quarter = int(quarter) if quarter is not None else None
        if "quarter" in self.parameters and self.quarter is None:
            raise ReportError(_("This report needs a quarter."))
        self.options = options
        self.generated_at = timezone.localtime()

    def last_year(self) -> Report:
        """The same report for the year before: the same quarter, the same parameters (a
        date among them moved back a year), without the comparison (reports.comparison)."""
        return type(self)(
            user=self.user,
            year=self.year - 1,
            quarter=self.quarter,
            district=self.district,
            **{name: year_before(value) for name, value in self.options.items()},
        )

    # Helpers for subclasses -------------------------------------------------------------
    def scoped(self, queryset):
        return scope_queryset(queryset, self.user)

    def streets(self):
        return list(self.scoped(street_model().objects.all()).order_by("sort_order", "code"))

    # What the renderer asks ---------------------------------------------------------------
    def district_name(self) -> str:
        district = district_model().objects.order_by("code").first()
        return district.name if district else ""

    def reporting_unit(self) -> str:
        if self.district is not None:
            return self.district.name
        street = getattr(self.user, "street", None)
        if street is not None:
            return street.name
        return self.district_name()

    def period_label(self) -> str:
        if self.quarter:
            return _("Q%(quarter)s %(year)s") % {"year": self.year, "quarter": self.quarter}
        return _("%(year)s") % {"year": self.year}

    def title(self) -> str:
        return _("%(district)s%(name)s (%(period)s)") % {
            "district": self.reporting_unit(),
            "name": self.verbose_name,
            "period": self.period_label(),
        }

    def coverage(self) -> str:
        """What the head says of the data the table holds when not all of it is final (the
        quarterly table: how many of the expected returns are approved); "" for none."""
        return ""

    def issuing_office(self) -> str:
        """The bureau that issues the table (制表机关): the ``BUREAU_NAME`` setting."""
        return issuing_office()

    def generated_by(self) -> str:
        """Who filled the table in (填表人): the user's real name, else the username. A
        Chinese name is written family name first, without a space (王小明)."""
        return person_name(getattr(self.user, "account", self.user))  # levels.OneStreet

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def rows(self) -> list[Row]:
        raise NotImplementedError

    def notes(self) -> list[str]:
        return []

    @staticmethod
    def total_row(rows: list[Row], columns: list[Column]) -> Row:
        return Row(
            label=_("Total"),
            values=Report.add_up([row.values for row in rows], columns),
            level=RowLevel.TOTAL,
        )

    @staticmethod
    def add_up(values: list[dict], columns: list[Column]) -> dict:
        """Column by column sums of ``values`` (text and percentages are not added)."""
        totals = {}
        for column in columns:
            if column.kind in (ColumnKind.TEXT, ColumnKind.PERCENT, ColumnKind.POINTS):
                continue
            zero = Decimal(0) if column.kind != ColumnKind.INTEGER else 0
            totals[column.key] = sum((v.get(column.key) or zero for v in values), zero)
        return totals

    # Summaries: the report by street and by district ---------------------------------------
    # For a scope too large to list every committee on a page (reports.levels). A report
    # gives its figures per street (``street_values``), aggregated in the database where it
    # can; districts and the total are added up from the streets (``combine``) unless a
    # figure is not additive (a distinct count, a share), which a report handles by
    # overriding ``district_values`` or ``total_values``. The total of a summary is the total
    # of the full table, figure for figure (tests/reports/test_levels.py).

    def street_values(self) -> dict[int, dict]:
        """{street id: {column key: value}} for every street of the scope with figures."""
        raise NotImplementedError

    def combine(self, values: list[dict]) -> dict:
        """The figures of a group of streets (a district, the whole scope)."""
        return self.add_up(values, self.columns())

    def district_values(self, by_district: dict[int, list[dict]]) -> dict[int, dict]:
        return {key: self.combine(values) for key, values in by_district.items()}

    def total_values(self, values: list[dict]) -> dict:
        return self.combine(values)

    def summary(self) -> Summary:
        """The report by street and district for the whole scope: a fixed number of
        queries, and as many rows as streets and districts (never one per committee)."""
        streets = list(
            self.scoped(street_model().objects.select_related("district")).order_by(
                "sort_order", "code"
            )
        )
        per_street = self.street_values()
        empty = self.combine([])
        street_rows = []
        by_district: dict[int, list[dict]] = {}
        districts: dict[int, District] = {}
        for street in streets:
            values = per_street.get(street.pk) or dict(empty)
            by_district.setdefault(street.district_id, []).append(values)
            districts.setdefault(street.district_id, street.district)
            street_rows.append(
                Row(
                    label=street.name,
                    values=values,
                    level=RowLevel.STREET,
                    extra={"street_id": street.pk, "district_id": street.district_id},
                )
            )
        district_values = self.district_values(by_district)
        district_rows = [
            Row(
                label=district.name,
                values=district_values[pk],
                level=RowLevel.DISTRICT,
                extra={"district_id": pk},
            )
            for pk, district in sorted(districts.items(), key=lambda item: item[1].code)
        ]
        total = Row(
            label=_("Total"),
            values=self.total_values([row.values for row in street_rows]),
            level=RowLevel.TOTAL,
        )
        return Summary(total=total, streets=street_rows, districts=district_rows)

    def cache_key(self) -> tuple:
        """What the report's figures depend on besides the data and the language."""
        from audit.data_version import scope_key

        scenario = getattr(self, "scenario", None)
        return (
            self.identifier,
            self.year,
            self.quarter,
            scenario.pk if scenario is not None else None,
            scope_key(self.user),
        )

    # When the summary shown is the previous one, while the task worker computes the new
    # one after a change (audit.data_version.read): when it was computed; else None.
    summary_updating_since = None

    def cached_summary(self) -> Summary:
        """:meth:`summary`, from the shared cache; after a change the task worker computes
        it afresh (:func:`refresh_summary`), and until then the previous one is returned
        with :attr:`summary_updating_since` set."""
        from audit.data_version import read, scope_key

        found = read(
            ("summary", *self.cache_key()),
            self.summary,
            recipe=(
                "summary",
                (
                    ("identifier", self.identifier),
                    ("year", self.year),
                    ("quarter", self.quarter),
                    ("options", tuple(sorted(self.options.items()))),
                    ("user_id", getattr(self.user, "pk", None)),
                    ("scope", scope_key(self.user)),
                ),
            ),
        )
        if found.stale:
            self.summary_updating_since = found.computed_at
        return found.value


REPORTS: list[type[Report]] = []


def refresh_summary(*, identifier, year, quarter, options, user_id, scope) -> None:
    """The task worker's recomputation of one report summary (audit.data_version)."""
    from audit.data_version import user_for_scope

    user = user_for_scope(user_id, scope)
    if user is not None:
        report_class = get_report_class(identifier)
        report_class(user=user, year=year, quarter=quarter, **dict(options)).cached_summary()


def register(report_class: type[Report]) -> type[Report]:
    if any(r.identifier == report_class.identifier for r in REPORTS):
        raise ValueError(f"Duplicate report identifier {report_class.identifier!r}")
    REPORTS.append(report_class)
    return report_class


def get_report_class(identifier: str) -> type[Report]:
    for report_class in REPORTS:
        if report_class.identifier == identifier:
            return report_class
    raise ReportError(
        _("Unknown report “%(name)s”. Available: %(names)s.")
        % {"name": identifier, "names": ", ".join(r.identifier for r in REPORTS)}
    )


def year_default() -> int:
    return timezone.localdate().year


# The year a form starts at: the latest year with data the user may see, as an app says
# (``register_data_year``, the overview app's), else this year.
DATA_YEAR: list[Callable] = []


def register_data_year(function: Callable) -> Callable:
    """Say how to find the latest year with data: ``function(user=..., today=...)`` gives a
    year."""
    DATA_YEAR[:] = [function]
    return function


def default_period(user, today: datetime.date | None = None) -> tuple[int, int]:
    """The one default period of every page that takes a year (the reports, the budgets) or
    a quarter: the latest year with data ``user`` may see (the registered rule, the
    dashboard's), and in it the current quarter when that year is this year, else the
    fourth (the first of a year still to come)."""
    today = today or timezone.localdate()
    year = DATA_YEAR[0](user=user, today=today) if DATA_YEAR else today.year
    return year, quarter_shown(year, today)


def quarter_shown(year: int, today: datetime.date | None = None) -> int:
    """The quarter a page shows for ``year``: the current quarter when ``year`` is this year,
    the fourth of a past year, the first of a year still to come."""
    today = today or timezone.localdate()
    if year < today.year:
        return 4
    if year > today.year:
        return 1
    return (today.month - 1) // 3 + 1


def data_year(user) -> int:
    """The year of :func:`default_period`."""
    return default_period(user)[0]


@dataclass(frozen=True)
class Writing:
    """A page written from the reports (the yearly basic situation) that the reports page
    lists after the tables, with a form (``form_class``, its ``year`` started at
    :func:`data_year`) sent to ``url_name`` and a button per format (value, label)."""

    identifier: str
    verbose_name: str
    url_name: str
    form_class: type
    formats: tuple[tuple[str, str], ...]


WRITINGS: list[Writing] = []


def register_writing(writing: Writing) -> Writing:
    if any(w.identifier == writing.identifier for w in WRITINGS):
        raise ValueError(f"Duplicate writing identifier {writing.identifier!r}")
    WRITINGS.append(writing)
    return writing


__all__ = [
    "Column",
    "ColumnKind",
    "Report",
    "ReportError",
    "Row",
    "RowLevel",
    "REPORTS",
    "Summary",
    "WRITINGS",
    "Writing",
    "data_year",
    "default_period",
    "get_report_class",
    "register",
    "register_data_year",
    "register_writing",
]
