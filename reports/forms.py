from django import forms
from django.utils.translation import gettext_lazy as _

from .registry import year_default


class ReportParametersForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=1990, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
    )

    def __init__(self, *args, report_class=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = year_default()
        if report_class is not None and "quarter" not in report_class.parameters:
            del self.fields["quarter"]
