"""The admin's Export button writes through the one export path, :func:`imports.exports.export_register`.

django-import-export's export page stays (the formats, the resource, the columns to tick,
the "export selected" action, the scoped changelist queryset with its filters and search,
the file name and content type), but for a register's own resource the .xlsx and .csv files
are written by the compiled, streamed export ``manage.py exportxlsx`` uses: the changelist's
queryset (already the user's scope, filtered, searched, narrowed to the selected ids) goes
to ``export_register`` with the user and the ticked columns, so memory stays flat and the
number of queries does not grow with the rows. The other formats (tsv, ods, json, html) get
the same compiled rows as a tablib dataset (``register_dataset``), which tablib serialises;
only an export of a resource that is not a register's stays django-import-export's own.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied

from scoping.admin_base import ScopedExportMixin

from .exports import EXPORT_FORMATS, export_register, register_dataset
from .registry import REGISTERS, resource_class


def register_of_resource(resource_type) -> str | None:
    """The register whose resource is ``resource_type``, or ``None``."""
    return next((name for name in REGISTERS if resource_class(name) is resource_type), None)


class RegisterExportMixin(ScopedExportMixin):
    """The scoped export, whose .xlsx and .csv files come from ``export_register``."""

    def get_export_data(self, file_format, request, queryset, **kwargs):
        suffix = "." + file_format.get_extension()
        export_form = kwargs.get("export_form")
        register = None
        if suffix in EXPORT_FORMATS:
            register = register_of_resource(self.choose_export_resource_class(export_form, request))
        if register is None:
            return super().get_export_data(file_format, request, queryset, **kwargs)
        if not self.has_export_permission(request):
            raise PermissionDenied
        fields = self.get_export_resource_fields_from_form(export_form)
        with tempfile.TemporaryDirectory(prefix="export-") as folder:
            path = Path(folder) / f"{register}{suffix}"
            export_register(register, path, user=request.user, queryset=queryset, fields=fields)
            return path.read_bytes()

    def get_data_for_export(self, request, queryset, **kwargs):
        """The formats tablib writes (ods, tsv, json, html) from the compiled rows too."""
        export_form = kwargs.get("export_form")
        register = register_of_resource(self.choose_export_resource_class(export_form, request))
        if register is None:
            return super().get_data_for_export(request, queryset, **kwargs)
        fields = self.get_export_resource_fields_from_form(export_form)
        return register_dataset(register, user=request.user, queryset=queryset, fields=fields)
