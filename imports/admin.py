from django.contrib import admin

from .models import ImportRecord


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
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
    search_fields = ("file_name", "sha256", "user__username")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
