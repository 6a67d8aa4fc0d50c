"""What the streets are told about their quarterly returns, through :mod:`notices`:

- :func:`notify_transition`: returns sent back, approved or reopened (called by
  :mod:`returns.workflow`), one notification per street and quarter naming the committees
  (and the reason), not one per return;
- :func:`remind_streets`: a clerk's reminder (催报) from the completeness page, to each street
  with committees not submitted; a street reminded less than :data:`REMIND_AGAIN_AFTER` ago
  is not reminded again (a double click sends once);
- :func:`notify_deadlines`: the quarter due is near its deadline or past it
  (``manage.py notify_deadlines``, daily from cron), at most once per street, quarter and kind.

The texts are written in the site's language (``LANGUAGE_CODE``), the one the streets read,
whatever language the clerk's page is in. Each notification also goes by e-mail, after the
transaction commits (:mod:`notices.services`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.models import Street
from notices.models import Delivery, Kind, Notice
from notices.selectors import latest_per_street
from notices.services import Message, notify_streets
from scoping.rules import SYSTEM

from .models import period_due, quarter_deadline
from .selectors import completeness

REMIND_AGAIN_AFTER = datetime.timedelta(minutes=10)
DEADLINE_NEAR_DAYS = 3  # notify_deadlines: "near" from this many days before the due date


def quarter_label(year: int, quarter: int) -> str:
    return _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}


def grid_link(year: int, quarter: int) -> str:
    return reverse("returns:return-grid", args=[year, quarter])


def _names(committees) -> str:
    return "、".join(str(getattr(c, "name", c)) for c in committees)


# Transitions -------------------------------------------------------------------------------

TRANSITION_KINDS = {
    "sent_back": Kind.SENT_BACK,
    "approved": Kind.APPROVED,
    "reopened": Kind.REOPENED,
}


def _transition_text(action: str, params: dict) -> tuple[str, str]:
    if action == "sent_back":
        return (
            _("Returns of %(quarter)s sent back") % params,
            ngettext(
                "The district sent back %(count)s return of %(quarter)s: %(committees)s.",
                "The district sent back %(count)s returns of %(quarter)s: %(committees)s.",
                params["count"],
            )
            % params
            + "\n"
            + _("Reason given: %(reason)s") % params
            + "\n"
            + _("Correct them on the quarterly grid and submit them again."),
        )
    if action == "approved":
        return (
            _("Returns of %(quarter)s approved") % params,
            ngettext(
                "The district approved %(count)s return of %(quarter)s: %(committees)s.",
                "The district approved %(count)s returns of %(quarter)s: %(committees)s.",
                params["count"],
            )
            % params,
        )
    return (
        _("Approved returns of %(quarter)s reopened") % params,
        ngettext(
            "The district reopened %(count)s approved return of %(quarter)s for correction: "
            "%(committees)s.",
            "The district reopened %(count)s approved returns of %(quarter)s for correction: "
            "%(committees)s.",
            params["count"],
        )
        % params
        + "\n"
        + _("Reason given: %(reason)s") % params
        + "\n"
        + _("Correct them on the quarterly grid and submit them again."),
    )


def notify_transition(items, *, action: str, user, reason: str = "") -> list[Notice]:
    """Tell each street whose returns ``items`` just went through ``action`` ("sent_back",
    "approved", "reopened"): one notification per street and quarter. ``items`` carry their
    committee and its street (as :func:`returns.workflow._lock` reads them): no query."""
    groups: dict[tuple, list] = {}
    streets = {}
    for item in items:
        street = item.committee.street
        streets[street.pk] = street
        groups.setdefault((street.pk, item.year, item.quarter), []).append(item.committee)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for (street_id, year, quarter), committees in groups.items():
            committees = sorted(committees, key=lambda c: c.code)
            params = {
                "quarter": quarter_label(year, quarter),
                "count": len(committees),
                "committees": _names(committees),
                "reason": reason,
            }
            title, body = _transition_text(action, params)
            messages.append(
                Message(
                    street=streets[street_id],
                    kind=TRANSITION_KINDS[action],
                    title=title,
                    body=body,
                    link=grid_link(year, quarter),
                    year=year,
                    quarter=quarter,
                )
            )
    return notify_streets(messages, sent_by=user)


# Reminders (催报) ----------------------------------------------------------------------------


def may_remind(user) -> bool:
    """Who reviews returns may remind the streets to submit them."""
    return bool(user and user.is_authenticated and user.has_perm("returns.approve_quarterlyreturn"))


@dataclass
class Reminded:
    sent: list[tuple[Street, int]] = field(default_factory=list)  # street, committees missing
    skipped: list[tuple[Street, Delivery]] = field(default_factory=list)  # reminded just now


def _reminder_text(line, *, year, quarter, due_on, today) -> tuple[str, str]:
    params = {
        "quarter": quarter_label(year, quarter),
        "count": line.not_submitted,
        "committees": _names(line.not_submitted_committees),
        "date": due_on.isoformat(),
    }
    title = _("Reminder: submit the returns of %(quarter)s") % params
    body = (
        ngettext(
            "The district reminds you that %(count)s return of %(quarter)s is not submitted: "
            "%(committees)s.",
            "The district reminds you that %(count)s returns of %(quarter)s are not submitted: "
            "%(committees)s.",
            line.not_submitted,
        )
        % params
    )
    if today > due_on:
        body += "\n" + _("They were due on %(date)s: submit them as soon as possible.") % params
    else:
        body += "\n" + _("They are due on %(date)s.") % params
    return title, body


def remind_streets(*, year: int, quarter: int, user, street: Street | None = None) -> Reminded:
    """Remind every street of ``user``'s scope that has committees not submitted for the
    quarter (or only ``street``): one notification each, naming those committees, by e-mail
    too. A street reminded for this quarter less than :data:`REMIND_AGAIN_AFTER` ago is
    skipped and reported in ``skipped`` (with that reminder)."""
    if not may_remind(user):
        raise PermissionDenied(_("Only those who review quarterly returns may send reminders."))
    result = completeness(year=year, quarter=quarter, user=user)
    lines = [
        line
        for line in result.streets
        if line.not_submitted and (street is None or line.street.pk == street.pk)
    ]
    reminded = Reminded()
    if not lines:
        return reminded
    with transaction.atomic():
        ids = [line.street.pk for line in lines]
        # One reminder at a time per street: a second click waits for the first, then sees it.
        list(Street.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
        recent = latest_per_street(kind=Kind.REMINDER, year=year, quarter=quarter, street_ids=ids)
        now = timezone.now()
        messages = []
        with translation.override(settings.LANGUAGE_CODE):
            for line in lines:
                last = recent.get(line.street.pk)
                if last is not None and now - last.notice.sent_at < REMIND_AGAIN_AFTER:
                    reminded.skipped.append((line.street, last))
                    continue
                title, body = _reminder_text(
                    line, year=year, quarter=quarter, due_on=result.due_on, today=result.today
                )
                messages.append(
                    Message(
                        street=line.street,
                        kind=Kind.REMINDER,
                        title=title,
                        body=body,
                        link=grid_link(year, quarter),
                        year=year,
                        quarter=quarter,
                    )
                )
                reminded.sent.append((line.street, line.not_submitted))
        notify_streets(messages, sent_by=user)
    return reminded


# Deadlines ---------------------------------------------------------------------------------


@dataclass
class DeadlineRun:
    year: int
    quarter: int
    due_on: datetime.date
    kind: str | None  # None: neither near nor past, nothing to say
    notified: list[Street] = field(default_factory=list)
    already: list[Street] = field(default_factory=list)  # told before: not again


def notify_deadlines(
    *,
    today: datetime.date | None = None,
    days_before: int = DEADLINE_NEAR_DAYS,
    year: int | None = None,
    quarter: int | None = None,
) -> DeadlineRun:
    """Tell each street with returns not submitted that the quarter's deadline is near
    (``days_before`` days or fewer away) or past; each street once per quarter and kind (the
    notification's key), so running it every day, or twice, tells nobody twice. The quarter
    is the one due now (:func:`returns.models.period_due`) unless given."""
    today = today or timezone.localdate()
    if year is None:
        year, quarter = period_due(today)
    due_on = quarter_deadline(year=year, quarter=quarter)
    if today > due_on:
        kind = Kind.DEADLINE_PAST
    elif (due_on - today).days <= days_before:
        kind = Kind.DEADLINE_NEAR
    else:
        return DeadlineRun(year=year, quarter=quarter, due_on=due_on, kind=None)
    run = DeadlineRun(year=year, quarter=quarter, due_on=due_on, kind=kind)
    result = completeness(year=year, quarter=quarter, user=SYSTEM, today=today)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for line in result.streets:
            if not line.not_submitted:
                continue
            params = {
                "quarter": quarter_label(year, quarter),
                "count": line.not_submitted,
                "committees": _names(line.not_submitted_committees),
                "date": due_on.isoformat(),
            }
            if kind == Kind.DEADLINE_PAST:
                title = _("Returns of %(quarter)s overdue") % params
                body = (
                    ngettext(
                        "The returns of %(quarter)s were due on %(date)s; %(count)s is not "
                        "submitted: %(committees)s. Submit it as soon as possible.",
                        "The returns of %(quarter)s were due on %(date)s; %(count)s are not "
                        "submitted: %(committees)s. Submit them as soon as possible.",
                        line.not_submitted,
                    )
                    % params
                )
            else:
                title = _("Returns of %(quarter)s due on %(date)s") % params
                body = (
                    ngettext(
                        "The returns of %(quarter)s are due on %(date)s; %(count)s is not "
                        "submitted yet: %(committees)s.",
                        "The returns of %(quarter)s are due on %(date)s; %(count)s are not "
                        "submitted yet: %(committees)s.",
                        line.not_submitted,
                    )
                    % params
                )
            messages.append(
                Message(
                    street=line.street,
                    kind=kind,
                    title=title,
                    body=body,
                    link=grid_link(year, quarter),
                    year=year,
                    quarter=quarter,
                    key=f"{kind}:{year}-Q{quarter}:street-{line.street.pk}",
                )
            )
    sent = notify_streets(messages)
    sent_keys = {notice.key for notice in sent}
    for message in messages:
        (run.notified if message.key in sent_keys else run.already).append(message.street)
    return run
