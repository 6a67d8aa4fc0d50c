"""Forms of the quarterly-return pages: the grid (a formset, one form per committee), the
review actions, the reason forms."""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .figures import parse_figure
from .models import FIGURES, QuarterlyReturn

# The Tab order of the grid (server-side, so it holds without JavaScript): the figures and the
# buttons below the grid first (tabindex 1, in the order of the page: along each row, then
# the next row), then every row's note and comment (2), then the rest of the page (the
# select boxes, the history links, the menu). ``data-figure`` lets grid.js move down a column.
FIGURE_TABINDEX, NOTE_TABINDEX = "1", "2"
FIGURE_WIDGET_ATTRS = {
    "inputmode": "numeric",
    "class": "num",
    "size": 7,
    "autocomplete": "off",
    "tabindex": FIGURE_TABINDEX,
}


class DirectInputMixin:
    """An ``<input>`` written as Django's own ``input.html`` and ``attrs.html`` write it (the
    same attributes, in the same order, escaped the same way), without rendering the two
    templates: a street's grid has 18 inputs a row (each figure, note and comment with its
    hidden initial value), 360 for 20 committees, which were most of the page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [
            f'<input type="{conditional_escape(widget["type"])}"'
            f' name="{conditional_escape(widget["name"])}"'
        ]
        if widget["value"] is not None:
            html.append(f' value="{conditional_escape(str(widget["value"]))}"')
        for key, attr in widget["attrs"].items():
            if attr is False:
                continue
            html.append(f" {conditional_escape(key)}")
            if attr is not True:
                html.append(f'="{conditional_escape(str(attr))}"')
        html.append(">")
        return mark_safe("".join(html))


class DirectTextInput(DirectInputMixin, forms.TextInput):
    pass


class DirectHiddenInput(DirectInputMixin, forms.HiddenInput):
    pass


class FigureField(forms.IntegerField):
    """A figure cell: read by :func:`returns.figures.parse_figure` (thousands separators,
    full-width digits and commas, spaces around), the one parser the workbook's import
    uses too; the model's bounds as validators."""

    def __init__(self, *, name, **kwargs):
        model_field = QuarterlyReturn._meta.get_field(name)
        attrs = {**FIGURE_WIDGET_ATTRS, "data-figure": name}
        kwargs.setdefault("label", model_field.verbose_name)
        kwargs.setdefault("required", False)
        # The model's bounds (never negative, what the database holds), checked here so the
        # cell says it and every typed figure is shown again.
        kwargs.setdefault("validators", list(model_field.validators))
        kwargs.setdefault("widget", DirectTextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value):
        return parse_figure(value)

    def widget_attrs(self, widget):
        # No min/max/step attributes: the cell is text, so "2,235" may be typed.
        return forms.Field.widget_attrs(self, widget)


class ReturnRowForm(forms.Form):
    """One committee's row of the grid. ``version`` is the version the row was built from;
    the hidden initial values say what the user saw, so a row the user did not touch is
    never written, and one someone else changed meanwhile is refused by name."""

    committee = forms.IntegerField(widget=DirectHiddenInput)
    version = forms.IntegerField(widget=DirectHiddenInput, required=False, min_value=0)
    select = forms.BooleanField(label=_("select"), required=False)
    note = forms.CharField(
        label=QuarterlyReturn._meta.get_field("note").verbose_name,
        max_length=200,
        required=False,
        show_hidden_initial=True,
        widget=DirectTextInput(attrs={"size": 12, "tabindex": NOTE_TABINDEX}),
    )
    comment = forms.CharField(
        label=QuarterlyReturn._meta.get_field("comment").verbose_name,
        max_length=300,
        required=False,
        show_hidden_initial=True,
        widget=DirectTextInput(attrs={"size": 16, "tabindex": NOTE_TABINDEX}),
    )

    def __init__(self, *args, editable=True, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FIGURES:
            self.fields[name] = FigureField(name=name, show_hidden_initial=True)
        # Figures first, in the order of the paper form; then note and comment.
        order = ["committee", "version", "select", *FIGURES, "note", "comment"]
        self.order_fields(order)
        for name in (*FIGURES, "note", "comment"):  # their hidden initial values too
            self.fields[name].hidden_widget = DirectHiddenInput
        self.editable = editable
        if not editable:
            for name in (*FIGURES, "note", "comment"):
                self.fields[name].disabled = True

    def full_clean(self):
        super().full_clean()
        self.mark_errors()

    def mark_errors(self) -> None:
        """Each cell in error says so itself: ``aria-invalid``, the reason as its title and
        as the description of the input (the reason is printed in the cell, grid.html)."""
        for name, errors in (self._errors or {}).items():
            if name not in self.fields:
                continue
            self.mark(name, " ".join(str(e) for e in errors), invalid=True)

    def mark(self, name: str, reason: str, *, invalid: bool) -> None:
        attrs = self.fields[name].widget.attrs
        if invalid:
            attrs["aria-invalid"] = "true"
        attrs["title"] = " ".join(filter(None, (attrs.get("title"), reason)))
        attrs["aria-describedby"] = f"{self[name].auto_id}-reason"

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
