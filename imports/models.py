"""The record of every import: who imported which file into which register, and what changed.

Written by :func:`imports.services.import_file` (the one import path), inside the import's own
transaction when rows were written, so a record exists exactly when its rows do.

:class:`ImportJob` follows one upload through the admin's import page (preview, confirm,
progress of a background import) and links to the record the import wrote.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .registry import resource_class


def history_reason(record) -> str:
    """The change reason on every history row an import wrote (the record's own page lists
    those rows by it)."""
    return f"import #{record.pk}"


class ImportRecord(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_records",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("imported at"), default=timezone.now, db_index=True)
    register = models.CharField(_("register"), max_length=40, db_index=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    rows = models.PositiveIntegerField(_("rows in the file"), default=0)
    created = models.PositiveIntegerField(_("rows created"), default=0)
    updated = models.PositiveIntegerField(_("rows updated"), default=0)
    unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    written = models.BooleanField(
        _("written"), default=False, help_text=_("False when the file was refused.")
    )

    # District-wide: no street's row; only district administrators read it (accounts.roles).
    street_scope = None

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import record")
        verbose_name_plural = _("import records")

    def __str__(self):
        return f"{self.register} · {self.file_name} · {self.created_at:%Y-%m-%d %H:%M}"

    def history(self):
        """The history rows this import wrote: one per row it created or changed."""
        model = resource_class(self.register)._meta.model
        return model.history.filter(history_change_reason=history_reason(self))


class ImportJob(models.Model):
    """One file uploaded in the admin, from its preview to its import.

    The admin's import page creates it on upload; checking (the preview) and importing are
    each done by :func:`imports.jobs.run_job` — in the request for a small file, by the task
    worker for a big one (``IMPORT_BACKGROUND_ROWS``) — which calls
    :func:`imports.services.import_file` and keeps here what the user's pages show: the status,
    the progress, the counts, every error and the per-row preview. The import's own
    :class:`ImportRecord` is linked once it exists. Only its user (or a superuser) sees it.
    """

    class Phase(models.TextChoices):
        CHECK = "check", _("checking")
        IMPORT = "import", _("importing")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("user"),
    )
    register = models.CharField(_("register"), max_length=40, db_index=True)
    file_name = models.CharField(_("file name"), max_length=255)
    stored = models.CharField(
        _("stored file"),
        max_length=255,
        blank=True,
        help_text=_("The uploaded file while it is kept; emptied once it is deleted."),
    )
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    language = models.CharField(_("language"), max_length=15, blank=True)
    background = models.BooleanField(_("in the background"), default=False)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase, default=Phase.CHECK)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows to do"), default=0)
    rows = models.PositiveIntegerField(_("rows in the file"), default=0)
    new = models.PositiveIntegerField(_("rows new"), default=0)
    updated = models.PositiveIntegerField(_("rows updated"), default=0)
    unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # [sheet, row, column, message] per error; [row, action, label, changes] per preview row.
    errors = models.JSONField(_("error list"), default=list, blank=True)
    notices = models.JSONField(_("notices"), default=list, blank=True)
    preview = models.JSONField(_("preview"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    # Who runs the job while it runs ("host:pid:start"), and when it last said it was alive:
    # a job whose process died is marked failed (imports.jobs.fail_if_dead), not left running.
    runner = models.CharField(_("run by"), max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    record = models.ForeignKey(
        ImportRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("import record"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    # No street's row: its user or a superuser sees it (visible_to), administrators list it.
    street_scope = None

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self):
        return f"{self.register} · {self.file_name} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def checked(self) -> bool:
        """The preview is ready (the file was checked and not yet confirmed)."""
        return self.phase == self.Phase.CHECK and self.status == self.Status.DONE

    @property
    def can_confirm(self) -> bool:
        return self.checked and not self.error_count and bool(self.stored) and self.rows > 0

    def visible_to(self, user) -> bool:
        return user.is_superuser or (self.user_id is not None and self.user_id == user.pk)
