"""The yearly report's parameters: the year, the day its figures are taken on, and the year
training is counted from."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.forms import YEAR_BOUNDS


class YearlyReportForm(forms.Form):
    year = forms.IntegerField(label=_("year"), **YEAR_BOUNDS)
    as_of = forms.DateField(
        label=_("as of"),
        required=False,
        help_text=_("A day of the year (2006-06-30 for the first half); empty: 31 December."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    since = forms.IntegerField(
        label=_("training counted since (year)"),
        required=False,
        help_text=_("Empty: from the year of the first class."),
        **YEAR_BOUNDS,
    )

    def clean(self):
        data = super().clean()
        year, day, since = data.get("year"), data.get("as_of"), data.get("since")
        if year and day and day.year != year:
            self.add_error(
                "as_of",
                _("The day must be in %(year)s (from %(first)s to %(last)s).")
                % {
                    "year": year,
                    "first": datetime.date(year, 1, 1).isoformat(),
                    "last": datetime.date(year, 12, 31).isoformat(),
                },
            )
        if year and since and since > year:
            self.add_error("since", _("Training cannot be counted from after the year."))
        return data
