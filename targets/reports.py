"""The targets table (工作目标完成情况表): per indicator, the target, the figure reached and
the share reached, for the district (the total row, against the district's targets) and each
street (against the street's)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.registry import Column, ColumnKind, Report, ReportError, Row, RowLevel, register
from scoping.rules import sees_all_streets

from .indicators import INDICATORS
from .progress import actual_figures, completion, default_as_of, targets_by_scope


@register
class TargetsReport(Report):
    identifier = "targets"
    verbose_name = gettext_lazy("Progress against the work targets")
    form_number = "建民社7表"
    unit = gettext_lazy("committees, centres, households, classes, trainee-times, people, %")
    parameters = ("year", "as_of")

    @classmethod
    def form_fields(cls, user) -> dict:
        return {
            "as_of": forms.DateField(
                label=gettext_lazy("as of"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                help_text=gettext_lazy(
                    "The day the figures are taken on; blank: 31 December (today in the "
                    "current year)."
                ),
            )
        }

    def __init__(self, *, user, year: int, as_of: datetime.date | None = None, **kwargs):
        super().__init__(user=user, year=year, **kwargs)
        self.as_of = as_of or default_as_of(self.year)
        if self.as_of.year != self.year:
            raise ReportError(_("The day the figures are taken on must be in the year chosen."))
        self.options["as_of"] = self.as_of  # last year's table: the same day a year before

    def cache_key(self) -> tuple:
        return (*super().cache_key(), self.as_of.isoformat())

    def period_label(self) -> str:
        return _("%(year)s, as of %(month)s/%(day)s") % {
            "year": self.year,
            "month": self.as_of.month,
            "day": self.as_of.day,
        }

    def columns(self):
        columns = []
        for indicator in INDICATORS:
            label = str(indicator.label)
            columns += [
                Column(f"{indicator.code}_target", _("%(label)s: target") % {"label": label}),
                Column(f"{indicator.code}_actual", _("%(label)s: reached") % {"label": label}),
                Column(
                    f"{indicator.code}_percent",
                    _("%(label)s: share of target") % {"label": label},
                    ColumnKind.PERCENT,
                ),
            ]
        return columns

    def figures(self):
        if not hasattr(self, "_figures"):
            self._figures = (
                actual_figures(user=self.user, year=self.year, as_of=self.as_of),
                targets_by_scope(user=self.user, year=self.year),
            )
        return self._figures

    def values_for(self, key) -> dict:
        """A row's figures: ``key`` a street id, or None for the whole scope (whose targets
        are the district's, or the street's for a street's staff)."""
        actual, targets = self.figures()
        if key is None and not sees_all_streets(self.user):
            target_key = getattr(self.user, "street_id", None)
        else:
            target_key = key
        wanted = targets.get(target_key, {})
        values = {}
        for indicator in INDICATORS:
            reached = actual[indicator.code].get(key, 0)
            target = wanted.get(indicator.code)
            values[f"{indicator.code}_target"] = target
            values[f"{indicator.code}_actual"] = reached
            values[f"{indicator.code}_percent"] = completion(reached, target)
        return values

    def street_values(self):
        return {street.pk: self.values_for(street.pk) for street in self.streets()}

    def combine(self, values):
        """A group of streets (a province's district): the figures reached added up, no
        target (targets are the district's or a street's)."""
        totals = {}
        for indicator in INDICATORS:
            key = f"{indicator.code}_actual"
            totals[key] = sum(v.get(key) or 0 for v in values)
            totals[f"{indicator.code}_target"] = None
            totals[f"{indicator.code}_percent"] = None
        return totals

    def total_values(self, values):
        return self.values_for(None)

    def rows(self):
        street_rows = [
            Row(
                label=street.name,
                values=self.values_for(street.pk),
                level=RowLevel.STREET,
                extra={"street_id": street.pk},
            )
            for street in self.streets()
        ]
        return [
            Row(label=_("Total"), values=self.values_for(None), level=RowLevel.TOTAL),
            *street_rows,
        ]

    def notes(self):
        return [
            _(
                "The total row is the whole district against the district's targets; each "
                "street against its own. The share of target is the figure reached as a "
                "share of the target, rounded once to one decimal. Targets are entered in "
                "the registers (work targets)."
            ),
            _(
                "Titles count the committees holding one of a year ended by the day; centres those "
                "built by the day; households those of the committees a built centre serves; "
                "the area standard counts operating committees without a shortfall; the "
                "function standard those meeting every item in the year; training counts the "
                "year's classes up to the day; IT operators the staff in post on the day "
                "holding the qualification."
            ),
        ]
