"""The admin's import page of every register, through :func:`imports.services.import_file`.

``ScopedAdmin`` (jianye/admin.py) mixes :class:`RegisterImportMixin` in; each register's
admin (the model of one of ``imports.registry.REGISTERS``) gets ``…/import/`` under the name
django-import-export used (``admin:<app>_<model>_import``), so the changelist's "Import"
button leads here. The flow:

1. upload (GET: the form; POST: the file is stored with ``default_storage`` under a random
   name, an :class:`~imports.models.ImportJob` is created and its token kept in the session);
2. the check (a dry run), in the request or, for a big file, by the worker (the user waits on
   the job's progress page);
3. the preview (GET ``?token=…&page=…``): counts of new / updated / unchanged rows, the
   notices, every error, and what each row will do, 100 rows a page;
4. confirm (POST ``token``): the import, in the request or by the worker; then the job's
   page shows the counts and the import record. The uploaded file is deleted.

Who may import is the import path's one rule (:func:`imports.services.can_import`: the add
and change permissions of the register's model), which ``import_file`` itself enforces for
every caller; the page asks it first to answer 403. Scoping is the import path's too (the
resource is given the user).
"""

from __future__ import annotations

import uuid
from functools import cache
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from audit.admin_locking import VersionCheckedAdminMixin
from scoping.admin_base import ScopedAdmin

from . import jobs, tasks
from .admin_export import RegisterExportMixin
from .models import ImportJob
from .registry import REGISTERS, resource_class
from .services import can_import

SESSION_KEY = "admin_imports"  # the tokens of this session's uploads, newest last
SESSION_KEEP = 20
PREVIEW_PER_PAGE = 100
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")  # what import_file reads


@cache
def registers_by_model() -> dict:
    return {resource_class(name)._meta.model: name for name in REGISTERS}


def register_for_model(model) -> str | None:
    return registers_by_model().get(model)


def model_for_register(register: str):
    return resource_class(register)._meta.model


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "An .xlsx, .xls, .ods or .csv file with a header row, like the register's template. "
            "Nothing is saved before you confirm."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in SUFFIXES:
            raise forms.ValidationError(
                _("Files of type “%(suffix)s” cannot be imported; use .xlsx, .xls, .ods or .csv."),
                params={"suffix": suffix or upload.name},
            )
        max_bytes = int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
        if upload.size > max_bytes:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(limit)s MB can be imported."),
                params={
                    "size": round(upload.size / 1048576, 1),
                    "limit": round(max_bytes / 1048576, 1),
                },
            )
        return upload


# --- the session's uploads -----------------------------------------------------------------


def remember(request, job: ImportJob) -> None:
    tokens = [t for t in request.session.get(SESSION_KEY, []) if t != str(job.token)]
    request.session[SESSION_KEY] = (tokens + [str(job.token)])[-SESSION_KEEP:]


def forget(request, job: ImportJob) -> None:
    tokens = request.session.get(SESSION_KEY, [])
    if str(job.token) in tokens:
        request.session[SESSION_KEY] = [t for t in tokens if t != str(job.token)]


def session_job(request, token: str, register: str) -> ImportJob:
    """The upload of this session and user with ``token``; 404 for anything else."""
    if token not in request.session.get(SESSION_KEY, []):
        raise Http404(_("This import has expired; upload the file again."))
    try:
        job = ImportJob.objects.get(token=uuid.UUID(token), register=register)
    except (ValueError, ImportJob.DoesNotExist):
        raise Http404(_("This import has expired; upload the file again.")) from None
    if job.user_id != request.user.pk:
        raise Http404(_("This import has expired; upload the file again."))
    return job


def job_url(job: ImportJob) -> str:
    return reverse("imports:job", args=[job.token])


def preview_url(job: ImportJob) -> str:
    opts = model_for_register(job.register)._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_import")
    return f"{url}?token={job.token}"


# --- the admin ------------------------------------------------------------------------------


class RegisterImportMixin:
    """Replaces django-import-export's import view with the register's import flow."""

    import_template_name = "admin/imports/import.html"

    def get_import_register(self) -> str | None:
        return register_for_model(self.model)

    def has_import_permission(self, request) -> bool:
        register = self.get_import_register()
        return register is not None and can_import(register, request.user)

    def get_urls(self):
        urls = super().get_urls()
        if self.get_import_register() is None:
            return urls
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        return [path("import/", self.admin_site.admin_view(self.import_view), name=name), *urls]

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["has_import_permission"] = self.has_import_permission(request)
        return super().changelist_view(request, extra_context)

    # The view --------------------------------------------------------------------------

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        register = self.get_import_register()
        token = request.POST.get("token") or request.GET.get("token")
        if token:
            job = session_job(request, token, register)
            if request.method == "POST":
                return self._confirm(request, job)
            return self._preview(request, job)
        form = UploadForm()
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                response = self._upload(request, register, form)
                if response is not None:
                    return response
        return self._render(request, {"form": form, "step": "upload"})

    def _render(self, request, context):
        opts = self.opts
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "app_label": opts.app_label,
            "register": self.get_import_register(),
            "title": _("Import %(name)s") % {"name": opts.verbose_name_plural},
            "template_url": reverse("imports:template", args=[self.get_import_register()]),
            "background_rows": jobs.background_rows(),
            **context,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.import_template_name, context)

    def _upload(self, request, register, form):
        upload = form.cleaned_data["file"]
        jobs.prune_stale_uploads()
        suffix = Path(upload.name).suffix.lower()
        stored = default_storage.save(f"{jobs.UPLOADS}/{uuid.uuid4().hex}{suffix}", upload)
        job = ImportJob.objects.create(
            user=request.user,
            register=register,
            file_name=Path(upload.name).name[:255],
            stored=stored,
            size=upload.size,
            language=get_language() or "",
        )
        remember(request, job)
        with jobs.local_path(stored) as local:
            estimated = jobs.estimated_rows(local)
        background = jobs.goes_to_background(job, estimated=estimated)
        if tasks.start(job, ImportJob.Phase.CHECK, background=background):
            return HttpResponseRedirect(job_url(job))
        if job.status == ImportJob.Status.FAILED:
            forget(request, job)
            form.add_error("file", job.message)
            return None  # the form again, with the reason
        return HttpResponseRedirect(preview_url(job))

    def _preview(self, request, job):
        if not job.checked:
            return HttpResponseRedirect(job_url(job))  # being checked, imported, or failed
        page = Paginator(job.preview, PREVIEW_PER_PAGE).get_page(request.GET.get("page"))
        context = {
            "step": "preview",
            "job": job,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "errors": job.errors,
            "goes_to_background": jobs.goes_to_background(job),
        }
        return self._render(request, context)

    def _confirm(self, request, job):
        if request.POST.get("confirm") is None:
            return HttpResponseRedirect(preview_url(job))
        if not job.can_confirm:
            messages.error(request, _("This file cannot be imported; see its errors."))
            return HttpResponseRedirect(preview_url(job))
        # One confirmation only (a double click, a second tab): the move out of "checked" is
        # made by one request.
        moved = ImportJob.objects.filter(
            pk=job.pk, phase=ImportJob.Phase.CHECK, status=ImportJob.Status.DONE
        ).update(phase=ImportJob.Phase.IMPORT, status=ImportJob.Status.QUEUED)
        forget(request, job)
        if not moved:
            return HttpResponseRedirect(job_url(job))
        job.refresh_from_db()
        tasks.start(job, ImportJob.Phase.IMPORT, background=jobs.goes_to_background(job))
        return HttpResponseRedirect(job_url(job))


class RegisterAdmin(
    RegisterImportMixin, RegisterExportMixin, VersionCheckedAdminMixin, ScopedAdmin
):
    """The ModelAdmin base of every register: :class:`scoping.admin_base.ScopedAdmin` (street
    scoping, history, the list settings) with the import page of the one import path, the
    scoped export whose .xlsx and .csv go through ``export_register``
    (:mod:`imports.admin_export`), and the optimistic locking of change forms
    (:mod:`audit.admin_locking`).

    The order of the bases keeps the import and export mixins before ``ScopedAdmin``, as
    django-import-export asks, and the scoping of the export (``RegisterExportMixin``, a
    ``ScopedExportMixin``) before django-import-export's own ``ExportMixin``.
    """

    # The changelist's buttons: "Import" (our flow, same URL name) and "Export".
    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
