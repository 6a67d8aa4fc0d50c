from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from scoping.admin_base import ScopedAdmin

from .models import Target


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    """The bureau's work targets: district users enter them (clerks and administrators);
    a street's staff read their street's."""

    list_display = ["year", "scope", "indicator", "target", "unit", "note"]
    list_display_links = ["indicator"]
    list_filter = ["year", "indicator", "street"]
    list_select_related = ["street"]
    ordering = ["-year", "street__sort_order", "indicator"]
    fields = ["year", "street", "indicator", "target", "note"]

    @admin.display(description=_("scope"), ordering="street__sort_order")
    def scope(self, obj):
        return obj.street.name if obj.street_id else _("the whole district")

    @admin.display(description=_("unit"))
    def unit(self, obj):
        from .indicators import get_indicator

        return get_indicator(obj.indicator).unit
