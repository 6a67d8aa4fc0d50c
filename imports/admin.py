from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import ImportJob, ImportRecord

CHANGED_ROWS_SHOWN = 100


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the import path alone: seen by district administrators, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportRecord)
class ImportRecordAdmin(ReadOnlyAdmin):
    """Read only: the record of imports is written by the import path alone."""

    list_display = (
        "created_at",
        "register",
        "file_name",
        "user",
        "written",
        "rows",
        "created",
        "updated",
        "unchanged",
        "errors",
    )
    list_filter = ("register", "written")
    list_select_related = ("user",)
    search_fields = ("file_name", "sha256", "user__username")
    date_hierarchy = "created_at"
    readonly_fields = ("changed_rows",)

    @admin.display(description=_("rows written by this import"))
    def changed_rows(self, record):
        """Each row the import created or changed, linked to that row's history page."""
        if not record.pk or not record.written:
            return "—"
        history = record.history().order_by("history_id")
        total = history.count()
        kinds = {"+": gettext("created"), "~": gettext("changed")}
        items = []
        for row in history[:CHANGED_ROWS_SHOWN]:
            meta = row.instance_type._meta
            try:
                url = reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[row.id])
            except NoReverseMatch:
                url = ""
            items.append((kinds.get(row.history_type, row.history_type), url, str(row.instance)))
        listing = format_html_join("", '<li>{} · <a href="{}">{}</a></li>', items)
        more = (
            gettext("… and %(count)s more (filter the register's history by “%(reason)s”).")
            % {"count": total - CHANGED_ROWS_SHOWN, "reason": f"import #{record.pk}"}
            if total > CHANGED_ROWS_SHOWN
            else ""
        )
        return format_html("<p>{}</p><ul>{}</ul><p>{}</p>", total, listing, more)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """The admin's uploads: checked, imported (in the request or by the worker) or failed."""

    list_display = (
        "created_at",
        "register",
        "file_name",
        "user",
        "phase",
        "status",
        "background",
        "rows",
        "new",
        "updated",
        "unchanged",
        "error_count",
        "record",
    )
    list_filter = ("register", "phase", "status", "background")
    list_select_related = ("user", "record")
    search_fields = ("file_name", "user__username")
    date_hierarchy = "created_at"
    # The per-row preview can be long; the job's own page shows it to its user.
    fields = (
        "token",
        "user",
        "register",
        "file_name",
        "size",
        "background",
        "phase",
        "status",
        "done",
        "total",
        "rows",
        "new",
        "updated",
        "unchanged",
        "error_count",
        "errors",
        "notices",
        "message",
        "task_id",
        "record",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("preview")
