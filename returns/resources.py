"""Import/export of quarterly returns: one row per committee, Chinese headers.

Importing goes through :func:`imports.services.import_file` (the browser's preview and
``importxlsx returns``): scoped like every register, and every row checked by the same
validation rules as the grid. A row with an error refuses the whole file; a return that is
submitted or approved cannot be overwritten.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from communities.models import Committee
from imports.registry import register_file
from scoping.resources import ScopedForeignKeyWidget, ScopedResource

from .models import FIGURES, QuarterlyReturn, ReturnStatus, quarter_bounds
from .rules import check_figures
from .selectors import active_rules, previous_figures_for


class RequiredIntegerWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        return super().clean(value, row, **kwargs)


def figure(name):
    return fields.Field(
        attribute=name,
        column_name=QuarterlyReturn._meta.get_field(name).verbose_name,
        widget=RequiredIntegerWidget(),
    )


@register_file("returns")
class QuarterlyReturnResource(ScopedResource):
    committee = fields.Field(
        attribute="committee",
        column_name=_("committee code"),
        widget=ScopedForeignKeyWidget(Committee, "code", alternatives=("name",)),
    )
    committee_name = fields.Field(
        attribute="committee__name", column_name=_("committee"), readonly=True
    )
    year = fields.Field(attribute="year", column_name=_("year"), widget=widgets.IntegerWidget())
    quarter = fields.Field(
        attribute="quarter", column_name=_("quarter"), widget=widgets.IntegerWidget()
    )
    households = figure("households")
    registered_population = figure("registered_population")
    resident_population = figure("resident_population")
    volunteers = figure("volunteers")
    activities = figure("activities")
    one_stop_cases = figure("one_stop_cases")
    note = fields.Field(attribute="note", column_name=_("note"))
    comment = fields.Field(attribute="comment", column_name=_("comment on warnings"))

    class Meta:
        model = QuarterlyReturn
        import_id_fields = ("committee", "year", "quarter")
        fields = (
            "committee",
            "committee_name",
            "year",
            "quarter",
            *FIGURES,
            "note",
            "comment",
        )
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._rules = None

    def get_import_fields(self):
        # The committee's name is shown in the workbook for people; the code is the key.
        return [f for f in super().get_import_fields() if not f.readonly]

    def get_queryset(self):
        return super().get_queryset().select_related("committee__street")

    def before_import_row(self, row, **kwargs):
        for key in (str(self.fields["note"].column_name), str(self.fields["comment"].column_name)):
            if key in row and row[key] is None:
                row[key] = ""

    def rules(self):
        if self._rules is None:
            self._rules = active_rules()
        return self._rules

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        committee = instance.committee if instance.committee_id else None
        if not errors and committee is not None:
            errors.update(self.workflow_errors(instance, committee))
        super().validate_instance(instance, errors, validate_unique)

    def workflow_errors(self, instance, committee) -> dict:
        errors = {}
        if instance.pk:
            stored = (
                QuarterlyReturn.objects.filter(pk=instance.pk)
                .values_list("status", flat=True)
                .first()
            )
            if stored not in (ReturnStatus.DRAFT, ReturnStatus.RETURNED):
                errors["__all__"] = ValidationError(
                    _gettext("The return is %(status)s and cannot be changed by an import.")
                    % {"status": ReturnStatus(stored).label}
                )
                return errors
        if instance.quarter in (1, 2, 3, 4) and instance.year:
            first, last = quarter_bounds(instance.year, instance.quarter)
            if (committee.established_on and committee.established_on > last) or (
                committee.revoked_on and committee.revoked_on < first
            ):
                errors["committee"] = ValidationError(
                    _gettext("The committee did not exist in that quarter.")
                )
                return errors
            findings = check_figures(
                rules=self.rules(),
                figures=instance.figures(),
                previous=previous_figures_for(instance),
            )
            messages = [f.message for f in findings if f.is_error]
            if messages:
                errors["__all__"] = ValidationError(messages)
        return errors

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.version = 1
            instance.status = ReturnStatus.DRAFT
        else:
            instance.version += 1
        if getattr(self.user, "pk", None):
            instance.updated_by = self.user
