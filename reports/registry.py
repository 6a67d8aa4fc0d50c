"""The report registry: every table the bureau sends upward is a small ``Report`` class.

A report declares an ``identifier`` (used by ``exportreport`` and in URLs), a Chinese
``verbose_name``, its ``form_number`` (表号), the ``unit`` of measure, the ``parameters`` it
takes, and produces ``columns()`` and ``rows()``. One renderer (``reports.rendering``) turns
any report into an HTML page, an .xlsx workbook or a CSV file; the browser and the command
use the same code. Every report reads through :func:`communities.scoping.scope_queryset`
with its ``user``.

Apps register their reports in their own ``reports.py`` with ``@register``; the reports app
imports those modules at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import District, Street
from communities.scoping import SYSTEM, scope_queryset


class ColumnKind:
    INTEGER = "integer"
    MONEY = "money"
    AREA = "area"
    DECIMAL = "decimal"
    PERCENT = "percent"
    TEXT = "text"


@dataclass
class Column:
    key: str
    label: str
    kind: str = ColumnKind.INTEGER


class RowLevel:
    TOTAL = "total"
    STREET = "street"
    COMMITTEE = "committee"


@dataclass
class Row:
    label: str
    values: dict
    level: str = RowLevel.STREET
    extra: dict = field(default_factory=dict)


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

    def __init__(self, *, user=None, year: int, quarter: int | None = None, **options):
        self.user = user or SYSTEM
        self.year = int(year)
        if quarter is not None and int(quarter) not in (1, 2, 3, 4):
            raise ReportError(_("The quarter must be 1, 2, 3 or 4."))
        self.quarter = int(quarter) if quarter is not None else None
        if "quarter" in self.parameters and self.quarter is None:
            raise ReportError(_("This report needs a quarter."))
        self.options = options
        self.generated_at = timezone.localtime()

    # Helpers for subclasses -------------------------------------------------------------
    def scoped(self, queryset):
        return scope_queryset(queryset, self.user)

    def streets(self):
        return list(self.scoped(Street.objects.all()).order_by("sort_order", "code"))

    # What the renderer asks ---------------------------------------------------------------
    def district_name(self) -> str:
        district = District.objects.order_by("code").first()
        return district.name if district else ""

    def reporting_unit(self) -> str:
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

    def generated_by(self) -> str:
        user = self.user
        full = user.get_full_name() if hasattr(user, "get_full_name") else ""
        return full or user.get_username()

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def rows(self) -> list[Row]:
        raise NotImplementedError

    def notes(self) -> list[str]:
        return []

    @staticmethod
    def total_row(rows: list[Row], columns: list[Column]) -> Row:
        totals = {}
        for column in columns:
            if column.kind in (ColumnKind.TEXT, ColumnKind.PERCENT):
                continue
            zero = Decimal(0) if column.kind != ColumnKind.INTEGER else 0
            totals[column.key] = sum((row.values.get(column.key) or zero for row in rows), zero)
        return Row(label=_("Total"), values=totals, level=RowLevel.TOTAL)


REPORTS: list[type[Report]] = []


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


__all__ = [
    "Column",
    "ColumnKind",
    "Report",
    "ReportError",
    "Row",
    "RowLevel",
    "REPORTS",
    "get_report_class",
    "register",
]
