"""Sending notices and notifications, marking them read, and the e-mail that goes with them.

- :func:`post_notice`: the district posts a notice to all its streets or chosen ones (the
  ``notices.add_notice`` permission: district administrators and clerks);
- :func:`notify_streets`: the system (or a clerk's reminder) tells streets something, one
  notice per :class:`Message` (each names one street);
- :func:`mark_read`: a street user opened a notice (the read receipt).

Every notice is also sent by e-mail to the active users of its streets who have an address,
after the transaction commits (``transaction.on_commit``), through Django's e-mail settings
(``EMAIL_BACKEND``: the console in development). Sending never fails the action that caused
it: an error is logged and the notice stays in the application.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from communities.models import Street
from scoping.rules import scope_queryset, sees_all_streets

from .models import Delivery, Kind, Notice, Reading

logger = logging.getLogger("jianye.notices")


def may_post(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("notices.add_notice"))


def post_notice(*, user, title: str, body: str, streets: Iterable, attachment=None) -> Notice:
    """A notice from the district to ``streets`` (all of them within ``user``'s scope).

    ``attachment`` is an uploaded file already checked by :mod:`notices.attachments`; it is
    saved through ``default_storage``."""
    if not may_post(user):
        raise PermissionDenied(_("You may not post notices."))
    allowed = set(scope_queryset(Street.objects.all(), user).values_list("pk", flat=True))
    street_ids = sorted({street.pk for street in streets})
    if not street_ids or not set(street_ids) <= allowed:
        raise PermissionDenied(_("This record belongs to a street outside your scope."))
    with transaction.atomic():
        notice = Notice(
            kind=Kind.NOTICE, title=title.strip(), body=body.strip(), sent_by=_actor(user)
        )
        if attachment is not None:
            notice.attachment_name = attachment.name[-200:]
            notice.attachment.save(attachment.name, attachment, save=False)
        notice.save()
        Delivery.objects.bulk_create(
            Delivery(notice=notice, street_id=street_id) for street_id in street_ids
        )
        _mail_after_commit([notice.pk])
    return notice


@dataclass
class Message:
    """One notification to one street."""

    street: object  # communities.Street
    kind: str
    title: str
    body: str
    link: str = ""
    year: int | None = None
    quarter: int | None = None
    key: str = ""  # set: sent at most once (see Notice.key)


def notify_streets(messages: list[Message], *, sent_by=None) -> list[Notice]:
    """Write one notice per message, delivered to its street, and e-mail them after commit.

    A message whose ``key`` was sent before is skipped (checked first, and the unique key
    holds against a concurrent run). Returns the notices written."""
    if not messages:
        return []
    keys = [m.key for m in messages if m.key]
    seen = set(Notice.objects.filter(key__in=keys).values_list("key", flat=True)) if keys else set()
    now = timezone.now()
    actor = _actor(sent_by)
    written, plain = [], []
    with transaction.atomic():
        for message in messages:
            if message.key and message.key in seen:
                continue
            notice = Notice(
                kind=message.kind,
                title=message.title[:120],
                body=message.body,
                link=message.link,
                year=message.year,
                quarter=message.quarter,
                key=message.key,
                sent_by=actor,
                sent_at=now,
            )
            if message.key:
                try:
                    with transaction.atomic():
                        notice.save()
                except IntegrityError:
                    continue  # sent meanwhile by another run
            else:
                plain.append(notice)
            written.append((notice, message.street))
        # One INSERT for the notices without a key (a bulk approval's streets), one for the
        # deliveries: the workflow's queries do not grow with the returns.
        Notice.objects.bulk_create(plain)
        Delivery.objects.bulk_create(
            Delivery(notice=notice, street=street) for notice, street in written
        )
        _mail_after_commit([notice.pk for notice, _street in written])
    return [notice for notice, _street in written]


def mark_read(notice: Notice, user) -> Reading | None:
    """Record that ``user`` read ``notice``, once (the first time counts). Only the users of a
    street the notice was delivered to leave a receipt; the district's readers do not."""
    if sees_all_streets(user) or not getattr(user, "street_id", None):
        return None
    delivery = Delivery.objects.filter(notice=notice, street_id=user.street_id).first()
    if delivery is None:
        return None
    try:
        with transaction.atomic():
            reading, _created = Reading.objects.get_or_create(
                delivery=delivery, user=user, defaults={"read_at": timezone.now()}
            )
    except IntegrityError:  # the same user's other tab, at the same moment
        reading = Reading.objects.get(delivery=delivery, user=user)
    return reading


# E-mail ------------------------------------------------------------------------------------


def _mail_after_commit(notice_ids: list[int]) -> None:
    if notice_ids:
        transaction.on_commit(lambda: send_notice_mail(notice_ids))


def recipients_by_street(street_ids) -> dict[int, list[str]]:
    """The addresses of the active street users of each street (those who gave one)."""
    found: dict[int, list[str]] = {}
    users = (
        get_user_model()
        .objects.filter(is_active=True, role=Role.STREET, street_id__in=street_ids)
        .exclude(email="")
        .order_by("pk")
        .values_list("street_id", "email")
    )
    for street_id, email in users:
        found.setdefault(street_id, []).append(email)
    return found


def send_notice_mail(notice_ids: list[int]) -> int:
    """E-mail each notice to its streets' users; returns the number of messages sent. Never
    raises: a failure is logged (``jianye.notices``) and the notices stay in the application."""
    try:
        notices = list(Notice.objects.filter(pk__in=notice_ids).prefetch_related("deliveries"))
        street_ids = {d.street_id for n in notices for d in n.deliveries.all()}
        addresses = recipients_by_street(street_ids)
        messages = []
        for notice in notices:
            to = sorted(
                {a for d in notice.deliveries.all() for a in addresses.get(d.street_id, [])}
            )
            if to:
                messages.append(
                    EmailMessage(
                        subject=f"【{settings.BUREAU_NAME}】{notice.title}",
                        body=mail_body(notice),
                        to=to,
                    )
                )
        if not messages:
            return 0
        return get_connection(fail_silently=False).send_messages(messages) or 0
    except Exception:  # the mail server, the network, a bad address: log, never fail
        logger.exception("Could not e-mail notices %s", notice_ids)
        return 0


def mail_body(notice: Notice) -> str:
    lines = [notice.body, ""]
    if notice.attachment:
        lines.append(_("Attachment: %(name)s") % {"name": notice.attachment_name})
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    if site:
        url = site + reverse("notices:detail", args=[notice.pk])
        lines.append(_("Read it in the community affairs system: %(url)s") % {"url": url})
    else:
        lines.append(_("Read it in the community affairs system, under Notices."))
    return "\n".join(lines)


def _actor(user):
    return user if getattr(user, "pk", None) else None
