"""The reports app keeps one row of its own: the registers' data version (audit.data_version)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """A counter that goes up after every committed change to a register or a return.

    The dashboard and the summaries of large reports are cached under a key that includes it
    (see :mod:`audit.data_version`); nobody edits it by hand.
    """

    value = models.BigIntegerField(_("version"), default=0)

    street_scope = None
    is_standard = True  # only administrators get permissions on it (accounts.roles)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self):
        return str(self.value)
