from django import forms
from django.utils.translation import gettext_lazy as _

from .registry import year_default

YEAR_BOUNDS = {"min_value": 1990, "max_value": 2100}


class ReportParametersForm(forms.Form):
    """A report's parameters: the year, the quarter when the report takes one, and the fields
    the report declares itself (:meth:`reports.registry.Report.form_fields`, a what-if
    scenario for instance)."""

    year = forms.IntegerField(label=_("year"), **YEAR_BOUNDS)
    quarter = forms.TypedChoiceField(
        label=_("quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
    )

    compare = forms.BooleanField(
        label=_("Compare with the same period last year"),
        required=False,
        help_text=_(
            "Adds last year's figure, the change and the change in per cent beside every figure."
        ),
    )

    def __init__(self, *args, user, report_class=None, year=None, quarter=None, **kwargs):
        """``year`` and ``quarter`` start the fields (the views give
        :func:`reports.registry.default_period`)."""
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = year or year_default()
        parameters = report_class.parameters if report_class is not None else ("year",)
        if "quarter" not in parameters:
            del self.fields["quarter"]
        else:
            self.fields["quarter"].initial = quarter or 4
        if report_class is not None:
            self.fields.update(report_class.form_fields(user))
        # The comparison last, after the report's own parameters.
        self.fields["compare"] = self.fields.pop("compare")


class YearForm(forms.Form):
    """The year of the dashboard and of the yearly basic situation."""

    year = forms.IntegerField(label=_("year"), **YEAR_BOUNDS)
