"""Notices (通知公告) and notifications: what the district and the system tell the streets.

A :class:`Notice` is one message, delivered to one or more streets (a :class:`Delivery` per
street); a :class:`Reading` records that a user of that street opened it (the read receipt:
who and when). The district posts notices (``kind`` NOTICE, with an optional attachment);
the system writes the others: a return sent back, approved or reopened, a deadline near or
past, a clerk's reminder (催报). Those concern one street and one quarter each.

A street's users see the notices delivered to their street (``scoping.rules``: a Delivery is
scoped by its street, a Notice through its deliveries); district roles see them all.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scoping.rules import ScopedQuerySet


class Kind(models.TextChoices):
    NOTICE = "notice", _("Notice")
    REMINDER = "reminder", _("Reminder to submit")
    DEADLINE_NEAR = "deadline_near", _("Deadline near")
    DEADLINE_PAST = "deadline_past", _("Deadline passed")
    SENT_BACK = "sent_back", _("Send-back of returns")
    APPROVED = "approved", _("Approval of returns")
    REOPENED = "reopened", _("Reopening of returns")


# Kinds that ask the street to act at once: marked on the home page.
URGENT_KINDS = frozenset({Kind.REMINDER, Kind.DEADLINE_PAST, Kind.SENT_BACK, Kind.REOPENED})


def attachment_path(instance, filename: str) -> str:
    """Stored under a random name (the user's file name is kept in ``attachment_name`` and
    given back on download): no clash, no path tricks, any storage."""
    suffix = "".join(c for c in filename.rpartition(".")[2].lower() if c.isalnum())[:10]
    return f"notices/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix or 'bin'}"


class Notice(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NOTICE)
    title = models.CharField(_("notice title"), max_length=120)
    body = models.TextField(_("text"))
    attachment = models.FileField(
        _("attachment"), upload_to=attachment_path, max_length=200, blank=True
    )
    attachment_name = models.CharField(_("attachment name"), max_length=200, blank=True)
    link = models.CharField(
        _("link"),
        max_length=300,
        blank=True,
        help_text=_("The page of this site where the notice is acted on."),
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    key = models.CharField(
        _("key"),
        max_length=100,
        blank=True,
        help_text=_("Set on notifications sent at most once (a deadline per street and quarter)."),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    street_scope = "deliveries__street"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices and notifications")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["-sent_at"], name="notice_sent_at"),
            models.Index(fields=["kind", "year", "quarter"], name="notice_kind_quarter"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="notice_key_once"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_urgent(self) -> bool:
        return self.kind in URGENT_KINDS


class Delivery(models.Model):
    """A notice delivered to one street."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="deliveries"
    )
    street = models.ForeignKey(
        "communities.Street",
        verbose_name=_("street"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    street_scope = "street"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "street"], name="notice_delivered_once_per_street"
            ),
        ]
        indexes = [models.Index(fields=["street", "notice"], name="delivery_street_notice")]

    def __str__(self):
        return f"{self.notice} → {self.street}"


class Reading(models.Model):
    """A read receipt: ``user`` of the street opened the notice at ``read_at``."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="readings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    street_scope = "delivery__street"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        ordering = ["read_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "user"], name="notice_read_once_per_user"),
        ]

    def __str__(self):
        return f"{self.user} · {self.read_at:%Y-%m-%d %H:%M}"
