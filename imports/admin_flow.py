"""The one upload flow of the registers (:class:`UploadFlow`), through
:func:`imports.services.import_file`, and the admin's import page of every register, which
uses it. Any other page that takes a register's file uses it too (the quarterly grid's
workbook import, ``returns.views.workbook.grid_import``): the same upload, job, preview and confirm,
rendered with that page's own template and leading back to that page.

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
from collections.abc import Callable
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
SESSION_PAGES = "admin_import_pages"  # token → the page of the flow that took the upload
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


def remember(request, job: ImportJob, *, page: str = "", back: str = "", back_label="") -> None:
    """Keeps the job's token in the session (only this session may preview and confirm it)
    and, when given, the page of the flow that took it: its preview is shown there, and the
    job's page leads back to ``back``."""
    token = str(job.token)
    tokens = [t for t in request.session.get(SESSION_KEY, []) if t != token]
    request.session[SESSION_KEY] = (tokens + [token])[-SESSION_KEEP:]
    if page:
        pages = {t: p for t, p in request.session.get(SESSION_PAGES, {}).items() if t != token}
        pages[token] = {"page": page, "back": back, "back_label": str(back_label)}
        request.session[SESSION_PAGES] = dict(list(pages.items())[-SESSION_KEEP:])


def flow_page(request, job: ImportJob) -> dict | None:
    """The page (``page``, ``back``, ``back_label``) of the flow that took the job's file in
    this session, if any; kept after the confirmation, for the job's page."""
    if request is None:
        return None
    return request.session.get(SESSION_PAGES, {}).get(str(job.token))


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


def with_query(url: str, **params) -> str:
    """``url`` with ``params`` set in its query (other parameters kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def admin_import_url(register: str) -> str:
    opts = model_for_register(register)._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_import")


def preview_url(job: ImportJob, request=None) -> str:
    """The job's preview: on the page of the flow that took it (as this session remembers),
    else on the register's admin import page."""
    page = flow_page(request, job)
    return with_query(page["page"] if page else admin_import_url(job.register), token=job.token)


# --- the flow -------------------------------------------------------------------------------


class UploadFlow:
    """upload → :class:`~imports.models.ImportJob` → preview (the dry run) → confirm → the
    job's page, for one register, on one page.

    ``page_url`` is the page's own URL (the form; with ``?token=`` the preview; the confirm
    is posted there); ``render(request, context)`` answers with the page's template, given
    ``step`` ("upload": ``form``; "preview": ``job``, ``page_obj``, ``page_range``,
    ``errors``, ``goes_to_background``, ``preview_url``) and ``upload_url``. The job's page
    (progress, then result) is :func:`imports.views.job_page`, which leads back to
    ``back_url`` (labelled ``back_label``) when given. Who may import is
    :func:`imports.services.can_import`, asked first (403).
    """

    def __init__(
        self,
        *,
        register: str,
        page_url: str,
        render: Callable,
        back_url: str = "",
        back_label="",
    ):
        self.register = register
        self.page_url = page_url
        self.render = render
        self.back_url = back_url
        self.back_label = back_label

    def preview_url(self, job: ImportJob) -> str:
        return with_query(self.page_url, token=job.token)

    def view(self, request):
        if not can_import(self.register, request.user):
            raise PermissionDenied
        token = request.POST.get("token") or request.GET.get("token")
        if token:
            job = session_job(request, token, self.register)
            if request.method == "POST":
                return self.confirm(request, job)
            return self.preview(request, job)
        form = UploadForm()
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                response = self.upload(request, form)
                if response is not None:
                    return response
        return self._render(request, {"form": form, "step": "upload"})

    def _render(self, request, context):
        return self.render(request, {"upload_url": self.page_url, **context})

    def upload(self, request, form):
        """Stores the file (``default_storage``), makes the job and checks it: here, or by the
        worker for a big file. None when the file cannot be read (the form says why)."""
        upload = form.cleaned_data["file"]
        jobs.prune_stale_uploads()
        suffix = Path(upload.name).suffix.lower()
        stored = default_storage.save(f"{jobs.UPLOADS}/{uuid.uuid4().hex}{suffix}", upload)
        job = ImportJob.objects.create(
            user=request.user,
            register=self.register,
            file_name=Path(upload.name).name[:255],
            stored=stored,
            size=upload.size,
            language=get_language() or "",
        )
        remember(request, job, page=self.page_url, back=self.back_url, back_label=self.back_label)
        with jobs.local_path(stored) as local:
            estimated = jobs.estimated_rows(local)
        background = jobs.goes_to_background(job, estimated=estimated)
        if tasks.start(job, ImportJob.Phase.CHECK, background=background):
            return HttpResponseRedirect(job_url(job))
        if job.status == ImportJob.Status.FAILED:
            forget(request, job)
            form.add_error("file", job.message)
            return None  # the form again, with the reason
        return HttpResponseRedirect(self.preview_url(job))

    def preview(self, request, job):
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
            "preview_url": self.preview_url(job),
        }
        return self._render(request, context)

    def confirm(self, request, job):
        if request.POST.get("confirm") is None:
            return HttpResponseRedirect(self.preview_url(job))
        if not job.can_confirm:
            messages.error(request, _("This file cannot be imported; see its errors."))
            return HttpResponseRedirect(self.preview_url(job))
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

    # The view: the one upload flow, rendered in the admin ------------------------------

    def get_upload_flow(self, request) -> UploadFlow:
        return UploadFlow(
            register=self.get_import_register(),
            page_url=admin_import_url(self.get_import_register()),
            render=self._render,
        )

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        return self.get_upload_flow(request).view(request)

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
