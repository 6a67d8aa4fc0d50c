"""Import/export resources of the facilities register: Chinese headers, natural keys.

Committees are given by code or name, function-standard items by code or name; choices by
their Chinese label. Rows are validated with the model's ``full_clean()`` (so a negative area
is refused with the model's message), and a street user's rows must belong to their street.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from communities.resources import committee_key
from imports.registry import register_file
from scoping.resources import ChoiceWidget, ScopedForeignKeyWidget, ScopedResource, YesNoWidget

from .models import (
    AreaStandard,
    Compliance,
    FunctionStandardGroup,
    FunctionStandardItem,
    Premises,
    PremisesStatus,
    PremisesUse,
    Tenure,
)


def text(attribute, column_name):
    """A text column: an empty cell is an empty string, never NULL."""
    return fields.Field(attribute=attribute, column_name=column_name, widget=widgets.CharWidget())


class AreaWidget(widgets.DecimalWidget):
    """An area in m²: a number, with a clear message when it is not one."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Exception as exc:
            raise ValueError(
                gettext("“%(value)s” is not an area in square metres.") % {"value": value}
            ) from exc


class FacilitiesResource(ScopedResource):
    """The base of the facilities registers (existing rows are found by
    ``ScopedResource.get_instance``, within the importing user's scope)."""


@register_file("premises")
class PremisesResource(FacilitiesResource):
    committee = committee_key()
    name = text("name", _("name"))
    address = text("address", _("address"))
    use = fields.Field(
        attribute="use", column_name=_("use"), widget=ChoiceWidget(PremisesUse.choices)
    )
    area = fields.Field(attribute="area", column_name=_("area (m²)"), widget=AreaWidget())
    tenure = fields.Field(
        attribute="tenure", column_name=_("tenure"), widget=ChoiceWidget(Tenure.choices)
    )
    status = fields.Field(
        attribute="status", column_name=_("status"), widget=ChoiceWidget(PremisesStatus.choices)
    )
    status_since = fields.Field(
        attribute="status_since", column_name=_("status since"), widget=widgets.DateWidget()
    )
    ended_on = fields.Field(
        attribute="ended_on", column_name=_("no longer used from"), widget=widgets.DateWidget()
    )
    note = text("note", _("note"))

    class Meta:
        model = Premises
        import_id_fields = ("committee", "name")
        fields = (
            "committee",
            "name",
            "address",
            "use",
            "area",
            "tenure",
            "status",
            "status_since",
            "ended_on",
            "note",
        )
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("committee")


@register_file("function-standard")
class FunctionStandardItemResource(FacilitiesResource):
    group = fields.Field(
        attribute="group",
        column_name=_("group"),
        widget=ChoiceWidget(FunctionStandardGroup.choices),
    )
    code = text("code", _("code"))
    name = text("name", _("name"))
    description = text("description", _("description"))
    order = fields.Field(attribute="order", column_name=_("order"), widget=widgets.IntegerWidget())

    class Meta:
        model = FunctionStandardItem
        import_id_fields = ("code",)
        fields = ("group", "code", "name", "description", "order")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


@register_file("compliance")
class ComplianceResource(FacilitiesResource):
    committee = committee_key()
    year = fields.Field(attribute="year", column_name=_("year"), widget=widgets.IntegerWidget())
    item = fields.Field(
        attribute="item",
        column_name=_("item"),
        # The drop-down offers the items by name (their codes are the bureau's short
        # English keys); a code is read as well.
        widget=ScopedForeignKeyWidget(
            FunctionStandardItem,
            "code",
            alternatives=("name",),
            listed=True,
            label=("name",),
            order_by=("order", "code"),
        ),
    )
    met = fields.Field(attribute="met", column_name=_("met"), widget=YesNoWidget())
    note = text("note", _("note"))

    class Meta:
        model = Compliance
        import_id_fields = ("committee", "year", "item")
        fields = ("committee", "year", "item", "met", "note")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("committee", "item")


@register_file("area-standards")
class AreaStandardResource(FacilitiesResource):
    effective_from = fields.Field(
        attribute="effective_from", column_name=_("effective from"), widget=widgets.DateWidget()
    )
    floor_area = fields.Field(
        attribute="floor_area", column_name=_("minimum area (m²)"), widget=AreaWidget()
    )
    area_per_100_households = fields.Field(
        attribute="area_per_100_households",
        column_name=_("m² per 100 households"),
        widget=AreaWidget(),
    )
    note = text("note", _("note"))

    class Meta:
        model = AreaStandard
        import_id_fields = ("effective_from",)
        fields = ("effective_from", "floor_area", "area_per_100_households", "note")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
