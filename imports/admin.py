from django.contrib import admin

from .models import ImportJob, ImportRecord


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
