from django import forms
from django.utils.translation import gettext_lazy as _

from communities.validators import EARLIEST_YEAR, LATEST_YEAR
from reports.registry import year_default

from .models import Scenario


class BudgetParametersForm(forms.Form):
    year = forms.IntegerField(
        label=_("year"), min_value=EARLIEST_YEAR, max_value=LATEST_YEAR
    )
    scenario = forms.ModelChoiceField(
        label=_("scenario"),
        queryset=Scenario.objects.none(),
        required=False,
        empty_label=_("none (the approved standards)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = year_default()
        self.fields["scenario"].queryset = Scenario.objects.order_by("name")

    def values(self) -> tuple[int, Scenario | None]:
        """(year, scenario) from valid data, or the defaults."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"], self.cleaned_data["scenario"]
        return year_default(), None
