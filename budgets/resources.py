"""Import/export resources of the budget registers: Chinese headers, natural keys."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from communities.resources import street_widget
from imports.registry import register_file
from scoping.resources import ChoiceWidget, ScopedResource

from .models import AllocationSource, CostShare, OfficeFundRate, PartyAffairsAllocation


@register_file("office-fund-rates")
class OfficeFundRateResource(ScopedResource):
    amount_per_100_households = fields.Field(
        attribute="amount_per_100_households",
        column_name=_("yuan per 100 households per month"),
        widget=widgets.DecimalWidget(),
    )
    effective_from = fields.Field(
        attribute="effective_from", column_name=_("effective from"), widget=widgets.DateWidget()
    )
    note = fields.Field(attribute="note", column_name=_("note"))

    class Meta:
        model = OfficeFundRate
        import_id_fields = ("effective_from",)
        fields = ("effective_from", "amount_per_100_households", "note")
        skip_unchanged = True


@register_file("cost-shares")
class CostShareResource(ScopedResource):
    district_percent = fields.Field(
        attribute="district_percent",
        column_name=_("district share (%)"),
        widget=widgets.DecimalWidget(),
    )
    effective_from = fields.Field(
        attribute="effective_from", column_name=_("effective from"), widget=widgets.DateWidget()
    )
    note = fields.Field(attribute="note", column_name=_("note"))

    class Meta:
        model = CostShare
        import_id_fields = ("effective_from",)
        fields = ("effective_from", "district_percent", "note")
        skip_unchanged = True


@register_file("party-allocations")
class PartyAffairsAllocationResource(ScopedResource):
    year = fields.Field(attribute="year", column_name=_("year"), widget=widgets.IntegerWidget())
    source = fields.Field(
        attribute="source",
        column_name=_("source"),
        widget=ChoiceWidget(AllocationSource.choices),
    )
    street = fields.Field(
        attribute="street",
        column_name=_("street"),
        widget=street_widget(),
    )
    amount = fields.Field(
        attribute="amount", column_name=_("amount (yuan)"), widget=widgets.DecimalWidget()
    )
    note = fields.Field(attribute="note", column_name=_("note"))

    class Meta:
        model = PartyAffairsAllocation
        fields = ("id", "year", "source", "street", "amount", "note")
        skip_unchanged = True
