"""The base every register's admin uses: scoping, import/export, Chinese headers.

``ScopedAdmin`` applies :mod:`communities.scoping` to every surface of a ModelAdmin:

- the changelist, search, actions and exports (``get_queryset``),
- change, delete and history pages (``get_object``: another street's id is a 404),
- foreign-key and many-to-many choices in forms (``formfield_for_*``),
- related-field list filters (their choices),
- autocomplete (Django's view goes through the related admin's ``get_queryset``),
- saves (``save_model`` refuses a row outside the user's street even if a form let it by),
- imports (the resource is told the user; see ``jianye.resources.ScopedResource``).
"""

from django.contrib import admin
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from communities.scoping import ensure_in_scope, scope_queryset, street_scope_of

admin.site.site_header = _("Jianye community affairs administration")
admin.site.site_title = _("Jianye community affairs")
admin.site.index_title = _("Registers")


def is_street_scoped(model) -> bool:
    return getattr(model, "street_scope", None) is not None


class ScopedRelatedFieldListFilter(RelatedFieldListFilter):
    """A related-field filter whose choices are only the related rows the user may see."""

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        ordering = self.field_admin_ordering(field, request, model_admin)
        queryset = scope_queryset(related._default_manager.all(), request.user)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


class ScopedAdminMixin:
    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Never say whether the row exists in another street.
            raise Http404(_("No such record in your scope."))
        return obj

    def _scoped_choices(self, db_field, request, kwargs):
        related = db_field.related_model
        if "queryset" not in kwargs and hasattr(related, "street_scope"):
            street_scope_of(related)
            kwargs["queryset"] = scope_queryset(related._default_manager.all(), request.user)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request):
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str):
                field = get_fields_from_path(self.model, item)[-1]
                if isinstance(field, models.ForeignKey | models.ManyToManyField) and (
                    is_street_scoped(field.related_model)
                ):
                    item = (item, ScopedRelatedFieldListFilter)
            filters.append(item)
        return filters

    def save_model(self, request, obj, form, change):
        ensure_in_scope(obj, request.user)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        ensure_in_scope(obj, request.user)
        super().delete_model(request, obj)

    # django-import-export: hand the user to the resource so imports are scoped too.
    def get_import_resource_kwargs(self, request, **kwargs):
        kwargs = super().get_import_resource_kwargs(request, **kwargs)
        kwargs["user"] = request.user
        return kwargs

    def get_export_resource_kwargs(self, request, **kwargs):
        kwargs = super().get_export_resource_kwargs(request, **kwargs)
        kwargs["user"] = request.user
        return kwargs


class ScopedAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    """The ModelAdmin base of every register."""

    list_per_page = 50
    show_full_result_count = False
