"""The record of every import: who imported which file into which register, and what changed.

Written by :func:`jianye.imports.import_file` (the one import path), inside the import's own
transaction when rows were written, so a record exists exactly when its rows do.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import record")
        verbose_name_plural = _("import records")

    def __str__(self):
        return f"{self.register} · {self.file_name} · {self.created_at:%Y-%m-%d %H:%M}"
