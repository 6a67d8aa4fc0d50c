from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Street
from scoping.rules import scope_queryset

from .attachments import check_attachment
from .models import Kind

ALL, CHOSEN = "all", "chosen"


class NoticeForm(forms.Form):
    """The district's notice: to all its streets or to those ticked, with an optional file."""

    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(
        label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 10, "cols": 80})
    )
    audience = forms.ChoiceField(
        label=_("Send to"),
        choices=[(ALL, _("All streets")), (CHOSEN, _("The streets ticked below"))],
        initial=ALL,
        widget=forms.RadioSelect,
    )
    streets = forms.ModelMultipleChoiceField(
        label=_("Streets"),
        queryset=Street.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("Optional: a document, workbook, PDF, picture or text file."),
        error_messages={"empty": _("The file is empty.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["streets"].queryset = scope_queryset(
            Street.objects.order_by("sort_order", "code"), user
        )

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            check_attachment(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("audience") == CHOSEN and not cleaned.get("streets"):
            self.add_error("streets", _("Tick at least one street, or send to all streets."))
        return cleaned

    def chosen_streets(self):
        if self.cleaned_data["audience"] == ALL:
            return list(self.fields["streets"].queryset)
        return list(self.cleaned_data["streets"])


class KindFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Kind.choices], required=False
    )
