"""The imports app's pages outside the admin: a register's import template
(``GET /imports/<register>/template.xlsx``), and the page of one admin upload
(:class:`imports.models.ImportJob`): the progress bar of a background check or import, then
its result; and the JSON the progress bar polls.

Only the user who uploaded the file, or a superuser, sees a job's pages; anyone else gets a
404.
"""

import uuid

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from scoping.downloads import attachment

from .admin_flow import SESSION_KEY, admin_import_url, flow_page, model_for_register, preview_url
from .jobs import fail_if_dead
from .models import ImportJob
from .registry import REGISTERS, resource_class
from .template_workbooks import template_workbook


@login_required
def template(request, register):
    """The register's import template, made for the user who asks."""
    if register not in REGISTERS:
        raise Http404
    model = resource_class(register)._meta.model
    if not request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
        raise Http404
    title = _("%(register)s import template") % {"register": model._meta.verbose_name_plural}
    return attachment(template_workbook(register=register, user=request.user), "xlsx", title)


def visible_job(request, token) -> ImportJob:
    try:
        job = ImportJob.objects.select_related("record").get(token=uuid.UUID(str(token)))
    except (ValueError, ImportJob.DoesNotExist):
        raise Http404 from None
    if not job.visible_to(request.user):
        raise Http404
    return fail_if_dead(job)


def next_url(request, job: ImportJob) -> str:
    """Where the user goes once the job is done: the preview after a check (in the session
    that uploaded the file, on the page of the flow that took it), else the job's own page
    with its result."""
    if job.checked and str(job.token) in request.session.get(SESSION_KEY, []):
        return preview_url(job, request)
    return reverse("imports:job", args=[job.token])


@never_cache
@login_required
def job_page(request, token):
    job = visible_job(request, token)
    if job.checked and job.user_id == request.user.pk:
        target = next_url(request, job)
        if target != request.path:
            return HttpResponseRedirect(target)
    opts = model_for_register(job.register)._meta
    record_url = None
    if job.record_id and request.user.has_perm("imports.view_importrecord"):
        record_url = reverse("admin:imports_importrecord_change", args=[job.record_id])
    page = flow_page(request, job)  # the page that took the file, in this session
    context = {
        **admin.site.each_context(request),
        "title": _("Import of “%(file)s”") % {"file": job.file_name},
        "opts": opts,
        "job": job,
        "record_url": record_url,
        "progress_url": reverse("imports:job-progress", args=[job.token]),
        "import_url": page["page"] if page else admin_import_url(job.register),
        "back_url": page["back"] if page else "",
        "back_label": page["back_label"] if page else "",
    }
    return TemplateResponse(request, "admin/imports/job.html", context)


@never_cache
@login_required
def job_progress(request, token):
    job = visible_job(request, token)
    return JsonResponse(
        {
            "phase": job.phase,
            "status": job.status,
            "done": job.done,
            "total": job.total,
            "finished": job.finished,
            "next": next_url(request, job),
        }
    )
