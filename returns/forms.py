"""Forms of the quarterly-return pages: the grid (a formset, one form per committee), the
review actions, the reason forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FIGURES, QuarterlyReturn

FIGURE_WIDGET_ATTRS = {"inputmode": "numeric", "class": "num", "size": 7}


class ReturnRowForm(forms.Form):
    """One committee's row of the grid. ``version`` is the version the row was built from;
    the hidden initial values say what the user saw, so a row the user did not touch is
    never written, and one someone else changed meanwhile is refused by name."""

    committee = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    select = forms.BooleanField(label=_("select"), required=False)
    note = forms.CharField(
        label=QuarterlyReturn._meta.get_field("note").verbose_name,
        max_length=200,
        required=False,
        show_hidden_initial=True,
        widget=forms.TextInput(attrs={"size": 12}),
    )
    comment = forms.CharField(
        label=QuarterlyReturn._meta.get_field("comment").verbose_name,
        max_length=300,
        required=False,
        show_hidden_initial=True,
        widget=forms.TextInput(attrs={"size": 16}),
    )

    def __init__(self, *args, editable=True, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FIGURES:
            model_field = QuarterlyReturn._meta.get_field(name)
            self.fields[name] = forms.IntegerField(
                label=model_field.verbose_name,
                required=False,
                # The model's bounds (never negative, what the database holds), checked here
                # so the cell says it and every typed figure is shown again.
                validators=list(model_field.validators),
                show_hidden_initial=True,
                widget=forms.TextInput(attrs=FIGURE_WIDGET_ATTRS),
                error_messages={"invalid": _("Enter a whole number.")},
            )
        # Figures first, in the order of the paper form; then note and comment.
        order = ["committee", "version", "select", *FIGURES, "note", "comment"]
        self.order_fields(order)
        self.editable = editable
        if not editable:
            for name in (*FIGURES, "note", "comment"):
                self.fields[name].disabled = True

    def data_values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in (*FIGURES, "note", "comment")}

    def original_values(self) -> dict:
        """What the user's page showed (the hidden initial values)."""
        values = {}
        for name in (*FIGURES, "note", "comment"):
            field = self.fields[name]
            raw = field.hidden_widget().value_from_datadict(
                self.data, self.files, self.add_initial_prefix(name)
            )
            try:
                values[name] = field.to_python(raw)
            except forms.ValidationError:
                values[name] = raw
        return values

    def user_changed(self) -> bool:
        return any(name in self.changed_data for name in (*FIGURES, "note", "comment"))


ReturnGridFormSet = forms.formset_factory(ReturnRowForm, extra=0)


class ReasonForm(forms.Form):
    # The reason shares its form with the approve buttons: a browser-side "required" would
    # block approving. The server asks for it when sending back or reopening.
    use_required_attribute = False

    reason = forms.CharField(
        label=_("reason"),
        max_length=300,
        widget=forms.TextInput(attrs={"size": 40}),
        error_messages={"required": _("Give a reason.")},
    )
