"""Import templates over HTTP: ``GET /imports/<register>/template.xlsx``."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from .imports import REGISTERS, resource_class
from .templates_xlsx import template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def template(request, register):
    if register not in REGISTERS:
        raise Http404
    model = resource_class(register)._meta.model
    if not request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
        raise Http404
    response = HttpResponse(template_workbook(register=register, user=request.user), XLSX)
    response["Content-Disposition"] = f'attachment; filename="{register}-template.xlsx"'
    return response
