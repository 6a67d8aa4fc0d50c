"""Last year beside this year (上年同期): any report, with the same report of the year before.

A report made with ``compare=True`` (the parameters form's checkbox 与上年同期比较) is
rendered through :func:`with_last_year`: the same report class is run again for the year
before, with the same quarter and the same other parameters (a date among them moved back
one year, so an as-of date of 30 June stays 30 June), and every numeric column is followed
by three: last year's figure (上年同期), the change (增减) and the change in per cent
(增减%). A percentage column gets last year's figure and the change in percentage points;
text columns are left as they are. One place does it for every report: the renderer calls
:func:`with_last_year`, so the page, the workbook and the CSV show the same figures.

Rows are matched by what they are: the total with the total, a street or a district with
itself (``extra`` ids, else the name), a committee with itself (``extra["committee_id"]``,
else its name under its street). A row with no match last year (a committee established
this year) has blank last-year cells, never 0; a row that only existed last year is not
shown. The change in per cent is rounded once, half up, to one decimal, and is blank when
last year's figure is 0 or blank.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .registry import Column, ColumnKind, Report, Row, RowLevel, Summary, year_before  # noqa: F401

LAST = "__last"
CHANGE = "__change"
CHANGE_PERCENT = "__change_percent"
COMPARED_KINDS = (
    ColumnKind.INTEGER,
    ColumnKind.MONEY,
    ColumnKind.AREA,
    ColumnKind.DECIMAL,
    ColumnKind.PERCENT,
)


def change(this, last):
    """This year's figure less last year's; blank when either is blank."""
    if this is None or last is None or this == "" or last == "":
        return None
    return this - last


def change_percent(this, last) -> Decimal | None:
    """The change as a share of last year's figure, in per cent, rounded once half up to one
    decimal (from 3 to 4 is 33.3); blank when last year's figure is 0 or blank."""
    if this is None or last is None or this == "" or last == "" or not last:
        return None
    value = Decimal(100) * (Decimal(this) - Decimal(last)) / abs(Decimal(last))
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def compared_columns(columns: list[Column]) -> list[Column]:
    result = []
    for column in columns:
        result.append(column)
        if column.kind not in COMPARED_KINDS:
            continue
        label = str(column.label)
        result.append(
            Column(
                column.key + LAST,
                _("%(label)s (same period last year)") % {"label": label},
                column.kind,
            )
        )
        if column.kind == ColumnKind.PERCENT:
            result.append(
                Column(
                    column.key + CHANGE,
                    _("%(label)s: change (percentage points)") % {"label": label},
                    ColumnKind.POINTS,
                )
            )
            continue
        result.append(
            Column(column.key + CHANGE, _("%(label)s: change") % {"label": label}, column.kind)
        )
        result.append(
            Column(
                column.key + CHANGE_PERCENT,
                _("%(label)s: change (%%)") % {"label": label},
                ColumnKind.PERCENT,
            )
        )
    return result


def compared_values(values: dict, last: dict | None, columns: list[Column]) -> dict:
    """``values`` with last year's figure, the change and the change in per cent of every
    numeric column; last year's cells blank when the row did not exist then."""
    result = dict(values)
    for column in columns:
        if column.kind not in COMPARED_KINDS:
            continue
        this = values.get(column.key)
        before = last.get(column.key) if last is not None else None
        result[column.key + LAST] = before
        result[column.key + CHANGE] = change(this, before)
        if column.kind != ColumnKind.PERCENT:
            result[column.key + CHANGE_PERCENT] = change_percent(this, before)
    return result


def row_keys(rows: list[Row]) -> list[tuple]:
    """What each row stands for, the same from one year to the next (see the module)."""
    keys, street = [], None
    for row in rows:
        extra = row.extra or {}
        if row.level == RowLevel.TOTAL:
            key = ("total",)
        elif "committee_id" in extra:
            key = ("committee", extra["committee_id"])
        elif row.level == RowLevel.STREET and "street_id" in extra:
            key = ("street", extra["street_id"])
        elif row.level == RowLevel.DISTRICT and "district_id" in extra:
            key = ("district", extra["district_id"])
        elif row.level == RowLevel.COMMITTEE:
            key = ("committee", street, str(row.label))
        else:
            key = (row.level, str(row.label))
            if row.level == RowLevel.STREET:
                street = str(row.label)
        keys.append(key)
    return keys


def merged_rows(rows: list[Row], last_rows: list[Row], columns: list[Column]) -> list[Row]:
    before: dict[tuple, Row] = {}
    for key, row in zip(row_keys(last_rows), last_rows, strict=True):
        before.setdefault(key, row)
    merged = []
    for key, row in zip(row_keys(rows), rows, strict=True):
        found = before.get(key)
        merged.append(
            Row(
                label=row.label,
                values=compared_values(row.values, found.values if found else None, columns),
                level=row.level,
                extra=row.extra,
            )
        )
    return merged


class WithLastYear:
    """``report`` with last year beside every numeric column; everything else is the
    report's own (head, notes, title with a word on the comparison)."""

    do_not_call_in_templates = True

    def __init__(self, report: Report):
        self.report = report
        self.last = report.last_year()

    def __getattr__(self, name):
        return getattr(self.report, name)

    def title(self) -> str:
        return _("%(title)s, compared with the same period last year") % {
            "title": self.report.title()
        }

    def columns(self) -> list[Column]:
        return compared_columns(self.report.columns())

    def rows(self) -> list[Row]:
        if not hasattr(self, "_rows"):
            self._rows = merged_rows(self.report.rows(), self.last.rows(), self.report.columns())
        return self._rows

    def cached_summary(self) -> Summary:
        columns = self.report.columns()
        this, last = self.report.cached_summary(), self.last.cached_summary()
        stale = [
            since
            for since in (self.report.summary_updating_since, self.last.summary_updating_since)
            if since is not None
        ]
        self.summary_updating_since = min(stale) if stale else None
        total, *streets = merged_rows(
            [this.total, *this.streets], [last.total, *last.streets], columns
        )
        districts = merged_rows(this.districts, last.districts, columns)
        return Summary(total=total, streets=streets, districts=districts)

    def notes(self) -> list[str]:
        return [
            *self.report.notes(),
            _(
                "Same period last year: the same table for %(year)s%(quarter)s. A unit that "
                "did not exist then has blank cells; the change in per cent is rounded once "
                "to one decimal and left blank when last year's figure is zero."
            )
            % {
                "year": self.last.year,
                "quarter": _(", quarter %(quarter)s") % {"quarter": self.last.quarter}
                if self.last.quarter
                else "",
            },
        ]


def with_last_year(report):
    """The report as rendered: with last year beside it when it was asked for."""
    if isinstance(report, WithLastYear) or not getattr(report, "compare", False):
        return report
    return WithLastYear(report)
