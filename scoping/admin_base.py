"""The admin base every register builds on: street scoping on every surface of a ModelAdmin.

``ScopedAdminMixin`` applies :mod:`scoping.rules` to:

- the changelist, search, actions and exports (``get_queryset``),
- change, delete and history pages (``get_object``: another street's id is a 404),
- foreign-key and many-to-many choices in forms (``formfield_for_*``),
- related-field list filters (their choices),
- autocomplete (Django's view goes through the related admin's ``get_queryset``),
- saves (``save_model`` refuses a row outside the user's street even if a form let it by),
- history: each page has django-simple-history's history view (who, when, what changed),
  scoped like the change page (another street's row, even a deleted one, is a 404) and read
  only (no revert).

``ScopedAdmin`` is that mixin on django-simple-history's ModelAdmin with the registers' list
settings (50 a page, no full count, :class:`scoping.paginators.EstimatedCountPaginator`).
``ScopedExportMixin`` is django-import-export's export (the export button and page), scoped:
the resource is told the user (see :class:`scoping.resources.ScopedResource`). The registers'
admins write its .xlsx and .csv through the compiled export instead
(:class:`imports.admin_export.RegisterExportMixin`, a subclass).

This module imports nothing of the apps built on it. The admin of each register is
:class:`imports.admin_flow.RegisterAdmin`: this base with the one import path's import page
(:class:`imports.admin_flow.RegisterImportMixin`), the scoped export, and the audit app's
optimistic locking of change forms (:class:`audit.admin_locking.VersionCheckedAdminMixin`).
"""

from urllib.parse import quote as url_quote
from urllib.parse import quote_plus

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.utils import quote as admin_quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import BINARY_FORMATS
from simple_history.admin import SimpleHistoryAdmin

from .downloads import disposition, file_name
from .paginators import EstimatedCountPaginator
from .rules import (
    ensure_in_scope,
    in_scope,
    scope_queryset,
    sees_all_streets,
    street_scope_of,
)

admin.site.site_header = _("Jianye community affairs administration")
admin.site.site_title = _("Jianye community affairs")
admin.site.index_title = _("Registers")


def is_street_scoped(model) -> bool:
    return getattr(model, "street_scope", None) is not None


class ScopedRelatedFieldListFilter(RelatedFieldListFilter):
    """A related-field filter whose choices are only the related rows the user may see.

    For a district user the street filter has 1,000 choices at province size; the admin's
    own ``choices()`` builds each one's link with ``ChangeList.get_query_string`` (a copy
    and urlencode of every parameter, about 35 µs each). Here the link is built once with a
    placeholder for the id and the id put in per choice: the same links, a string
    replacement each."""

    PLACEHOLDER = "jianyechoice"

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        ordering = self.field_admin_ordering(field, request, model_admin)
        queryset = scope_queryset(related._default_manager.all(), request.user)
        if ordering:
            queryset = queryset.order_by(*ordering)
        label = getattr(related, "label_field", None)  # the one column its __str__ shows
        if label:
            return [(pk, str(text)) for pk, text in queryset.values_list("pk", label)]
        return [(obj.pk, str(obj)) for obj in queryset]

    def choices(self, changelist):
        if changelist.add_facets:
            yield from super().choices(changelist)
            return
        choices = super().choices(changelist)
        yield next(choices)  # "All"
        link = changelist.get_query_string(
            {self.lookup_kwarg: self.PLACEHOLDER}, [self.lookup_kwarg_isnull]
        )
        if link.count(self.PLACEHOLDER) != 1:  # the placeholder text is in another parameter
            yield from choices
            return
        before, after = link.split(self.PLACEHOLDER)
        selected = self.lookup_val or ()
        for pk_val, val in self.lookup_choices:
            key = str(pk_val)
            yield {
                "selected": self.lookup_val is not None and key in selected,
                "query_string": f"{before}{quote_plus(key)}{after}",
                "display": val,
            }
        if self.include_empty_choice:
            yield {
                "selected": bool(self.lookup_val_isnull),
                "query_string": changelist.get_query_string(
                    {self.lookup_kwarg_isnull: "True"}, [self.lookup_kwarg]
                ),
                "display": self.empty_value_display,
            }


class ScopedChangeList(ChangeList):
    """The admin's change list with each row's change link built once per page: ``reverse()``
    with a placeholder for the key, then the key put in per row (quoted as ``reverse()``
    quotes it). Django's ``url_for_result`` resolves the URL again for every link of every
    row (two a row on the committee list)."""

    ROW_KEY = "jianyerowkey"

    @cached_property
    def _change_url_parts(self):
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(self.ROW_KEY,),
            current_app=self.model_admin.admin_site.name,
        )
        return url.split(self.ROW_KEY) if url.count(self.ROW_KEY) == 1 else None

    def url_for_result(self, result):
        parts = self._change_url_parts
        if parts is None:
            return super().url_for_result(result)
        key = url_quote(str(admin_quote(getattr(result, self.pk_attname))), safe="!$&'()*+,;=/~:@")
        return f"{parts[0]}{key}{parts[1]}"


class ScopedAdminMixin:
    def get_changelist(self, request, **kwargs):
        return ScopedChangeList

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
            # In the related admin's order, as Django's own choices are (committees and
            # people by pinyin, streets in the bureau's order).
            queryset = self.get_field_queryset(kwargs.get("using"), db_field, request)
            if queryset is None:
                queryset = related._default_manager.all()
            kwargs["queryset"] = scope_queryset(queryset, request.user)
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

    # History pages (django-simple-history), scoped like the change page, read only.
    def _ensure_history_in_scope(self, request, object_id):
        try:
            self.get_object(request, object_id)
            return
        except Http404:
            if sees_all_streets(request.user):
                return  # simple-history's own view finds the row or its last record
            object_id = unquote(object_id)
            if self.model._base_manager.filter(pk=object_id).exists():
                raise
        # A deleted row: where it was is in its last historical record.
        try:
            pk_name = self.model._meta.pk.attname
            record = self.model.history.filter(**{pk_name: object_id}).latest("history_date")
            allowed = in_scope(record.instance, request.user)
        except (ObjectDoesNotExist, ValueError, ValidationError):
            allowed = False
        if not allowed:
            raise Http404(_("No such record in your scope."))

    def history_view(self, request, object_id, extra_context=None):
        self._ensure_history_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._ensure_history_in_scope(request, object_id)
        if request.method != "GET":
            raise PermissionDenied(_("Past versions can be viewed, not restored."))
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedAdmin(ScopedAdminMixin, SimpleHistoryAdmin, admin.ModelAdmin):
    """The scoped ModelAdmin with history; the base of every register's admin (which is
    :class:`imports.admin_flow.RegisterAdmin`, with the import and export buttons)."""

    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # no COUNT(*) of a whole big table (scoping.paginators)

    def action_checkbox(self, obj):
        """Each row's checkbox, the HTML of Django's own (``CheckboxInput.render``) written
        directly: the widget renders three templates per row, which was a quarter of a
        50-row list's time."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


class ScopedExportMixin(ExportMixin):
    """django-import-export's export (button, page, file), scoped to the user's street.

    It must come before ``ScopedAdmin`` in a ModelAdmin's bases (as in
    :class:`imports.admin_flow.RegisterAdmin`), where django-import-export's mixins go.
    """

    # CSV for Excel: UTF-8 with a byte-order mark, or Excel shows the Chinese as mojibake.
    to_encoding = "utf-8-sig"

    # django-import-export's export: hand the user to the resource so exports are scoped.
    def get_export_resource_kwargs(self, request, **kwargs):
        kwargs = super().get_export_resource_kwargs(request, **kwargs)
        kwargs["user"] = request.user
        return kwargs

    def export_action(self, request):
        """The export page and file; a list filter in the address that does not fit the
        register (an unknown field, a value of the wrong kind, as a changed or old link
        carries) sends the user back to the list with a message, never a server error."""
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            messages.error(
                request,
                gettext(
                    "The filters in the export’s address do not fit this list, so nothing "
                    "was exported. Choose the filters on the list again, then export."
                ),
            )
            opts = self.model._meta
            changelist = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_changelist",
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(changelist)

    def get_export_filename(self, request, queryset, file_format):
        """The register's name and the day, in Chinese: 社区居委会（2026年11月30日导出）."""
        title = gettext("%(register)s (exported %(day)s)") % {
            "register": self.model._meta.verbose_name_plural,
            "day": date_format(timezone.localdate(), "DATE_FORMAT"),
        }
        return f"{file_name(title)}.{file_format.get_extension()}"

    def _do_file_export(self, file_format, request, queryset, **kwargs):
        # django-import-export writes ``filename="…"`` as it is, which a Chinese name does
        # not survive; the same name is sent as RFC 5987 ``filename*`` instead.
        response = super()._do_file_export(file_format, request, queryset, **kwargs)
        name = self.get_export_filename(request, queryset, file_format)
        title, _dot, extension = name.rpartition(".")
        response["Content-Disposition"] = disposition(title, extension)
        return response

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # django-import-export's ODS is declared a text format but tablib writes it as
        # bytes (a zip): the text encoding above (``to_encoding``) must not be applied to
        # it ("'bytes' object has no attribute 'encode'"). Formats the library itself lists
        # as binary are written as they are.
        if type(file_format) in BINARY_FORMATS:
            kwargs["encoding"] = None
        return super().get_export_data(file_format, request, queryset, **kwargs)
