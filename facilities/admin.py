from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from imports.admin_flow import RegisterAdmin

from .models import AreaStandard, Compliance, FunctionStandardItem, Premises
from .resources import (
    AreaStandardResource,
    ComplianceResource,
    FunctionStandardItemResource,
    PremisesResource,
)

OUT_OF_SCOPE_COMMITTEE = _(
    "Choose one of the committees in the list; this committee is not one you may record."
)


class CommitteeChoiceMixin:
    """A clear message when a posted committee is not among the user's choices."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "committee" and formfield is not None:
            formfield.error_messages["invalid_choice"] = OUT_OF_SCOPE_COMMITTEE
        return formfield


@admin.register(Premises)
class PremisesAdmin(CommitteeChoiceMixin, RegisterAdmin):
    resource_classes = [PremisesResource]
    list_display = [
        "name",
        "committee",
        "street",
        "use",
        "area",
        "tenure",
        "status",
        "status_since",
    ]
    list_display_links = ["name"]
    list_filter = ["committee__street", "status", "use", "tenure"]
    list_select_related = ["committee", "committee__street"]
    search_fields = ["name", "address", "note", "committee__name", "committee__code"]
    autocomplete_fields = ["committee"]
    # Grouped by committee through the (committee, name) unique index: ordering through the
    # street and committee tables sorts every premises of the province for each page.
    ordering = ["committee_id", "name"]
    fieldsets = [
        (None, {"fields": ["committee", "name", "address"]}),
        (_("Premises"), {"fields": ["use", "area", "tenure"]}),
        (_("Status"), {"fields": ["status", "status_since", "ended_on", "note"]}),
    ]

    @admin.display(description=_("street"), ordering="committee__street__sort_order")
    def street(self, obj):
        return obj.committee.street


@admin.register(FunctionStandardItem)
class FunctionStandardItemAdmin(RegisterAdmin):
    resource_classes = [FunctionStandardItemResource]
    list_display = ["name", "group", "code", "order"]
    list_filter = ["group"]
    search_fields = ["name", "code", "description"]
    ordering = ["order", "code"]


@admin.register(Compliance)
class ComplianceAdmin(CommitteeChoiceMixin, RegisterAdmin):
    resource_classes = [ComplianceResource]
    list_display = ["committee", "year", "item", "item_group", "met", "note"]
    list_filter = ["year", "met", "item__group", "committee__street", "item"]
    list_select_related = ["committee", "item"]
    search_fields = ["committee__name", "committee__code", "item__name", "note"]
    autocomplete_fields = ["committee"]
    ordering = ["-year", "committee__code", "item__order"]

    @admin.display(description=_("group"), ordering="item__group")
    def item_group(self, obj):
        return obj.item.get_group_display()


@admin.register(AreaStandard)
class AreaStandardAdmin(RegisterAdmin):
    resource_classes = [AreaStandardResource]
    list_display = ["effective_from", "floor_area", "area_per_100_households", "note"]
    ordering = ["-effective_from"]
