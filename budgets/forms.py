from django import forms
from django.utils.translation import gettext_lazy as _

from communities.validators import EARLIEST_YEAR, LATEST_YEAR
from reports.registry import data_year

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
