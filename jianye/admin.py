"""The base every register's admin uses: scoping, import/export, Chinese headers.

``ScopedAdmin`` applies :mod:`scoping.rules` to every surface of a ModelAdmin:

- the changelist, search, actions and exports (``get_queryset``),
- change, delete and history pages (``get_object``: another street's id is a 404),
- foreign-key and many-to-many choices in forms (``formfield_for_*``),
- related-field list filters (their choices),
- autocomplete (Django's view goes through the related admin's ``get_queryset``),
- saves (``save_model`` refuses a row outside the user's street even if a form let it by),
- imports (the resource is told the user; see ``scoping.resources.ScopedResource``).

Imports go through the one import path (:func:`jianye.imports.import_file`): the import page
of every register's admin is :class:`imports.admin_flow.RegisterImportMixin` (upload,
preview, confirm; big files in the background), in place of django-import-export's own
import view. Exports stay django-import-export's (the export button and page).

It also makes every register's admin trustworthy (see the ``audit`` app):

- history: each page has django-simple-history's history view (who, when, what changed),
  scoped like the change page (another street's row, even a deleted one, is a 404) and read
  only (no revert);
- no lost updates: change forms carry a version token (``audit.locking``); saving a stale
  copy is refused, naming the fields someone else changed. The page shown again keeps the
  other person's edits (fields the user did not touch show the current values), keeps the
  user's own input, and notes the current value beside each field both changed; its token
  is the current one, so saving it again overrides only what the user has seen. A POST to a
  change form without a readable token is refused, not saved unchecked.
"""

from django.contrib import admin, messages
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import BINARY_FORMATS
from simple_history.admin import SimpleHistoryAdmin

from audit.locking import (
    VERSION_FIELD,
    check,
    conflict_note,
    locked_current,
    no_token_message,
    stale_message,
    submitted_digests,
    version_token,
)
from imports.admin_flow import RegisterImportMixin
from scoping.paginators import EstimatedCountPaginator
from scoping.rules import (
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
    """A related-field filter whose choices are only the related rows the user may see."""

    def field_choices(self, field, request, model_admin):
        related = field.related_model
        ordering = self.field_admin_ordering(field, request, model_admin)
        queryset = scope_queryset(related._default_manager.all(), request.user)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


class VersionCheckedFormMixin:
    """Refuses to save a change form over a row that changed since the user saw it
    (:mod:`audit.locking`), and prepares the page shown again so that nothing is lost.

    After the form's own cleaning, the stored row is read again under a row lock (the admin
    saves inside a transaction, so two saves cannot both pass the check) and compared with
    the version token the page carried. On a conflict the save is refused with a form error,
    and on the page shown again:

    - fields someone else changed that the user did not touch show the current values (a
      second save keeps the other person's edit instead of reverting it);
    - fields both changed keep the user's value in the input, with the current value noted
      beside it (a field error), so that a second save keeps it knowingly;
    - the token is the current one, i.e. what the page now shows as the baseline: a change
      landing before the second save is detected again.

    A POST without a readable token (missing, forged, an old copy of the form) is refused
    too, with the current value noted beside every field whose input differs from it.
    """

    audit_version = None

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or self.instance.pk is None or self.instance._state.adding:
            return
        current = locked_current(self.instance)
        if current is None:
            self.add_error(
                None,
                ValidationError(_("This record has been deleted by someone else."), code="deleted"),
            )
            return
        # The page shown after this POST carries the current version (see render_change_form).
        self.audit_version = version_token(current)
        conflict = check(self.data.get(VERSION_FIELD), current, submitted_digests(self))
        if conflict is None:
            return
        if conflict.token_valid:
            message, code = stale_message(current, conflict.changed, conflict.both), "stale"
        else:
            message, code = no_token_message(), "no_version"
        self.add_error(None, ValidationError(message, code=code))
        # Untouched fields show the stored values (rendered from them, not from the POST).
        self._audit_current = {
            self.add_prefix(f.name): f.value_from_object(current) for f in conflict.refresh
        }
        for field in conflict.both:
            self.add_error(
                field.name, ValidationError(conflict_note(current, field), code="conflict")
            )

    def _widget_data_value(self, widget, html_name):
        # A BoundField reads its data through here each time it renders.
        current = getattr(self, "_audit_current", {})
        if html_name in current:
            return current[html_name]
        return super()._widget_data_value(widget, html_name)


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

    # Optimistic locking of change forms (audit.locking).
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or not change:
            return form
        return type(form.__name__, (VersionCheckedFormMixin, form), {})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and obj.pk is not None:
            form = context["adminform"].form
            context["audit_version_field"] = VERSION_FIELD
            context["audit_version"] = getattr(form, "audit_version", None) or version_token(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

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

    # django-import-export's export: hand the user to the resource so exports are scoped.
    def get_export_resource_kwargs(self, request, **kwargs):
        kwargs = super().get_export_resource_kwargs(request, **kwargs)
        kwargs["user"] = request.user
        return kwargs


class ScopedAdmin(
    ScopedAdminMixin, RegisterImportMixin, ExportMixin, SimpleHistoryAdmin, admin.ModelAdmin
):
    """The ModelAdmin base of every register."""

    # The changelist's buttons: "Import" (our flow, same URL name) and "Export".
    import_export_change_list_template = "admin/import_export/change_list_import_export.html"

    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # no COUNT(*) of a whole big table (scoping.paginators)
    # CSV for Excel: UTF-8 with a byte-order mark, or Excel shows the Chinese as mojibake.
    to_encoding = "utf-8-sig"

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

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # django-import-export's ODS is declared a text format but tablib writes it as
        # bytes (a zip): the text encoding above (``to_encoding``) must not be applied to
        # it ("'bytes' object has no attribute 'encode'"). Formats the library itself lists
        # as binary are written as they are.
        if type(file_format) in BINARY_FORMATS:
            kwargs["encoding"] = None
        return super().get_export_data(file_format, request, queryset, **kwargs)
