from django import forms
from django.utils.translation import gettext_lazy as _

from communities.validators import EARLIEST_YEAR, LATEST_YEAR
from reports.registry import data_year

from .models import Scenario


class BudgetParametersForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=EARLIEST_YEAR, max_value=LATEST_YEAR)
    scenario = forms.ModelChoiceField(
        label=_("scenario"),
        queryset=Scenario.objects.none(),
        required=False,
        empty_label=_("none (the approved standards)"),
    )

    def __init__(self, *args, user, **kwargs):
        """``user`` decides the default year: the latest year with data they may see
        (:func:`reports.registry.data_year`, the reports' and the dashboard's rule)."""
        super().__init__(*args, **kwargs)
        self.default_year = data_year(user)
        self.fields["year"].initial = self.default_year
        self.fields["scenario"].queryset = Scenario.objects.order_by("name")

    def values(self) -> tuple[int, Scenario | None]:
        """(year, scenario) from valid data, or the defaults."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"], self.cleaned_data["scenario"]
        return self.default_year, None


class Against:
    STANDARDS = "standards"
    APPROVED = "approved"


class ScenarioCompareForm(BudgetParametersForm):
    """The year, and what the scenario is set against: the budget computed now on the real
    standards, or the year's approved budget (核定预算)."""

    against = forms.ChoiceField(
        label=_("compare with"),
        required=False,
        choices=[
            (Against.STANDARDS, _("the current standards, computed now")),
            (Against.APPROVED, _("the approved budget of the year")),
        ],
    )

    def comparison_base(self) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["against"] or Against.STANDARDS
        return Against.STANDARDS


class ApprovalForm(forms.Form):
    """Confirming the approval of a year's budget. ``expected_version`` is the version the
    user saw (0 for none), so that two approvals at once cannot both pass unnoticed."""

    year = forms.IntegerField(
        label=_("year"), min_value=EARLIEST_YEAR, max_value=LATEST_YEAR, widget=forms.HiddenInput
    )
    expected_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Needed when the year's budget was approved before: why approve it again."),
    )
