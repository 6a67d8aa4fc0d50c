from django import forms
from django.utils.translation import gettext_lazy as _

from scoping.rules import scope_queryset

from .registry import year_default

YEAR_BOUNDS = {"min_value": 1990, "max_value": 2100}


def scenario_choices(user) -> list[tuple[str, str]]:
    """The what-if scenarios ``user`` may see, by name (how reports and exportreport take them)."""
    from budgets.models import Scenario

    names = scope_queryset(Scenario.objects.order_by("name"), user).values_list("name", flat=True)
    return [("", _("— approved standards —")), *((name, name) for name in names)]


class ReportParametersForm(forms.Form):
    """A report's parameters: the year, and the quarter or scenario when the report takes one."""

    year = forms.IntegerField(label=_("year"), **YEAR_BOUNDS)
    quarter = forms.TypedChoiceField(
        label=_("quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
    )
    scenario = forms.TypedChoiceField(
        label=_("scenario"), required=False, empty_value=None, choices=[]
    )

    def __init__(self, *args, report_class=None, user=None, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = year or year_default()
        parameters = report_class.parameters if report_class is not None else ("year",)
        if "quarter" not in parameters:
            del self.fields["quarter"]
        else:
            self.fields["quarter"].initial = 4
        if "scenario" not in parameters:
            del self.fields["scenario"]
        else:
            self.fields["scenario"].choices = scenario_choices(user)


class YearForm(forms.Form):
    """The year of the dashboard and of the yearly basic situation."""

    year = forms.IntegerField(label=_("year"), **YEAR_BOUNDS)
