from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from imports.admin_flow import RegisterAdmin

from .models import (
    CostShare,
    OfficeFundRate,
    PartyAffairsAllocation,
    Scenario,
    ScenarioCostShareChange,
    ScenarioPayChange,
    ScenarioRateChange,
)
from .resources import CostShareResource, OfficeFundRateResource, PartyAffairsAllocationResource


@admin.register(OfficeFundRate)
class OfficeFundRateAdmin(RegisterAdmin):
    resource_classes = [OfficeFundRateResource]
    list_display = ["effective_from", "amount_per_100_households", "note"]
    date_hierarchy = "effective_from"


@admin.register(CostShare)
class CostShareAdmin(RegisterAdmin):
    resource_classes = [CostShareResource]
    list_display = ["effective_from", "district_percent", "street_percent", "note"]

    @admin.display(description=_("street share (%)"))
    def street_percent(self, obj):
        return obj.street_percent


@admin.register(PartyAffairsAllocation)
class PartyAffairsAllocationAdmin(RegisterAdmin):
    resource_classes = [PartyAffairsAllocationResource]
    list_display = ["year", "source", "street", "amount", "note"]
    list_filter = ["year", "source", "street"]
    list_select_related = ["street"]


class ScenarioPayChangeInline(admin.TabularInline):
    model = ScenarioPayChange
    extra = 0
    fields = ["position", "monthly_amount", "effective_from"]


class ScenarioRateChangeInline(admin.TabularInline):
    model = ScenarioRateChange
    extra = 0
    fields = ["amount_per_100_households", "effective_from"]


class ScenarioCostShareChangeInline(admin.TabularInline):
    model = ScenarioCostShareChange
    extra = 0
    fields = ["district_percent", "effective_from"]


@admin.register(Scenario)
class ScenarioAdmin(RegisterAdmin):
    list_display = ["name", "description", "created_at"]
    search_fields = ["name"]
    inlines = [ScenarioPayChangeInline, ScenarioRateChangeInline, ScenarioCostShareChangeInline]
