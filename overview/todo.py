"""The home page's to-do list (待办): what a user has to do now, each item one click from the
page where it is done.

- street staff: their street's returns of the period (the last quarter that has ended, whose
  returns are due, or overdue, 15 days after it ends — :func:`returns.models.quarter_deadline`)
  still to fill in or in draft, and every return sent back to them, with the reason the
  clerk gave (the send-back's :class:`returns.models.ReturnEvent`);
- whoever approves returns (clerks, administrators): returns waiting for review, per
  quarter and street, and the streets that are late with the period
  (:func:`returns.selectors.outstanding_by_street`);
- whoever manages users (administrators): accounts locked out by django-axes;
- whoever reads the uploads' record (administrators): import jobs that failed lately;
- street staff: the notices and notifications of their street they have not read
  (:func:`notices.selectors.unread`), each one click from where it is read;
- who posts notices (clerks, administrators): the notices of the last 30 days that some
  street has not read yet, with how many have.

Which part a user gets follows their permissions (so their role, ``accounts.roles``); a
viewer has nothing to do. Every part reads through :func:`scoping.rules.scope_queryset` with
the user and runs a fixed number of queries, however many rows there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, FilteredRelation, OuterRef, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.models import Committee
from imports.models import ImportJob
from notices.models import URGENT_KINDS
from notices.selectors import unread, unread_by_streets
from notices.services import may_post
from returns.models import (
    QuarterlyReturn,
    ReturnEvent,
    ReturnStatus,
    period_due,
    quarter_deadline,
)
from returns.notifications import quarter_label
from returns.selectors import committees_in_quarter, outstanding_by_street
from scoping.rules import scope_queryset

RETURNED_SHOWN = 20  # sent-back returns listed (the oldest first: they have waited longest)
REVIEW_SHOWN = 20  # quarter-and-street lines of returns waiting for review
LATE_SHOWN = 20  # late streets named one by one; the others are one line
FAILED_JOBS_DAYS = 14  # failed uploads of the last two weeks
FAILED_JOBS_SHOWN = 10
LOCKOUTS_SHOWN = 20
UNREAD_SHOWN = 10  # unread notices listed on a street's home page (then a link to all)
FOLLOWED_SHOWN = 10  # the district's notices not read by every street


@dataclass
class Item:
    text: str
    url: str = ""
    detail: str = ""
    urgent: bool = False  # overdue, sent back, failed, locked out


@dataclass
class Section:
    title: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Todo:
    year: int
    quarter: int
    due_on: datetime.date
    sections: list[Section] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]


def period_of_interest(today: datetime.date) -> tuple[int, int]:
    """The quarter whose returns are due now (or overdue): the last one that has ended
    (:func:`returns.models.period_due`, which ``notify_deadlines`` uses too)."""
    return period_due(today)


def _due_text(due_on: datetime.date, today: datetime.date) -> tuple[str, bool]:
    if today > due_on:
        days = (today - due_on).days
        return (
            ngettext(
                "due %(date)s, overdue by %(days)s day",
                "due %(date)s, overdue by %(days)s days",
                days,
            )
            % {"date": due_on.isoformat(), "days": days},
            True,
        )
    return _("due %(date)s") % {"date": due_on.isoformat()}, False


# Street staff ------------------------------------------------------------------------------


def _street_section(user, *, year, quarter, due_on, today) -> Section:
    section = Section(title=_("Quarterly returns of your street"))
    grid = reverse("returns:return-grid", args=[year, quarter])
    # One query: the street's committees of the quarter with their return's status.
    committees = list(
        committees_in_quarter(
            scope_queryset(Committee.objects.all(), user),  # street staff: their street
            year=year,
            quarter=quarter,
        )
        .annotate(
            this_quarter=FilteredRelation(
                "quarterly_returns",
                condition=Q(quarterly_returns__year=year, quarterly_returns__quarter=quarter),
            ),
            return_status=F("this_quarter__status"),
        )
        .order_by("code")
        .values_list("name", "return_status")
    )
    to_fill = [name for name, status in committees if status is None]
    drafts = [name for name, status in committees if status == ReturnStatus.DRAFT]
    due_text, overdue = _due_text(due_on, today)
    label = quarter_label(year, quarter)
    if to_fill:
        section.items.append(
            Item(
                text=ngettext(
                    "%(count)s return of %(quarter)s to fill in, %(due)s",
                    "%(count)s returns of %(quarter)s to fill in, %(due)s",
                    len(to_fill),
                )
                % {"count": len(to_fill), "quarter": label, "due": due_text},
                url=grid,
                detail="、".join(to_fill),
                urgent=overdue,
            )
        )
    if drafts:
        section.items.append(
            Item(
                text=ngettext(
                    "%(count)s return of %(quarter)s in draft, not submitted, %(due)s",
                    "%(count)s returns of %(quarter)s in draft, not submitted, %(due)s",
                    len(drafts),
                )
                % {"count": len(drafts), "quarter": label, "due": due_text},
                url=grid,
                detail="、".join(drafts),
                urgent=overdue,
            )
        )
    # Sent back, in any quarter, with the reason of the send-back (its event): one query.
    send_back_reason = (
        ReturnEvent.objects.filter(quarterly_return=OuterRef("pk"), to_status=ReturnStatus.RETURNED)
        .order_by("-at", "-pk")
        .values("reason")[:1]
    )
    returned = (
        scope_queryset(QuarterlyReturn.objects.filter(status=ReturnStatus.RETURNED), user)
        .annotate(send_back_reason=Subquery(send_back_reason))
        .select_related("committee")
        .order_by("year", "quarter", "committee__code")[:RETURNED_SHOWN]
    )
    for item in returned:
        section.items.append(
            Item(
                text=_("%(committee)s, %(quarter)s: sent back, to correct and submit again")
                % {
                    "committee": item.committee.name,
                    "quarter": quarter_label(item.year, item.quarter),
                },
                url=reverse("returns:return-grid", args=[item.year, item.quarter]),
                detail=_("Reason: %(reason)s") % {"reason": item.send_back_reason or item.reason},
                urgent=True,
            )
        )
    return section


# Review ------------------------------------------------------------------------------------


def _review_section(user, *, year, quarter, due_on, today) -> Section:
    section = Section(title=_("Quarterly returns to review"))
    # One query: submitted returns counted per quarter and street.
    waiting = (
        scope_queryset(QuarterlyReturn.objects.filter(status=ReturnStatus.SUBMITTED), user)
        .values(
            "year",
            "quarter",
            street_id=F("committee__street_id"),
            street_name=F("committee__street__name"),
            street_order=F("committee__street__sort_order"),
        )
        .annotate(count=Count("pk"))
        .order_by("-year", "-quarter", "street_order", "street_id")[:REVIEW_SHOWN]
    )
    for line in waiting:
        url = reverse("returns:return-review", args=[line["year"], line["quarter"]])
        section.items.append(
            Item(
                text=ngettext(
                    "%(street)s: %(count)s return of %(quarter)s waiting for review",
                    "%(street)s: %(count)s returns of %(quarter)s waiting for review",
                    line["count"],
                )
                % {
                    "street": line["street_name"],
                    "count": line["count"],
                    "quarter": quarter_label(line["year"], line["quarter"]),
                },
                url=url
                + "?"
                + urlencode({"street": line["street_id"], "status": ReturnStatus.SUBMITTED}),
            )
        )
    if today > due_on:
        url = reverse("returns:completeness", args=[year, quarter])
        late = outstanding_by_street(year=year, quarter=quarter, user=user)
        for line in late[:LATE_SHOWN]:
            section.items.append(
                Item(
                    text=_(
                        "%(street)s is late with %(quarter)s: %(missing)s of %(expected)s "
                        "returns not submitted, due %(date)s"
                    )
                    % {
                        "street": line["street_name"],
                        "quarter": quarter_label(year, quarter),
                        "missing": line["outstanding"],
                        "expected": line["expected"],
                        "date": due_on.isoformat(),
                    },
                    url=url,
                    urgent=True,
                )
            )
        if len(late) > LATE_SHOWN:
            # A province's clerk: the rest are one line, their list is on completeness.
            others = len(late) - LATE_SHOWN
            section.items.append(
                Item(
                    text=ngettext(
                        "%(count)s more street is late with %(quarter)s",
                        "%(count)s more streets are late with %(quarter)s",
                        others,
                    )
                    % {"count": others, "quarter": quarter_label(year, quarter)},
                    url=url,
                    urgent=True,
                )
            )
    return section


# Notices -----------------------------------------------------------------------------------


def _unread_section(user) -> Section:
    """The street's notices this user has not opened, newest first: two queries."""
    section = Section(title=_("Unread notices"))
    waiting = unread(user)
    shown = list(waiting[: UNREAD_SHOWN + 1])
    for delivery in shown[:UNREAD_SHOWN]:
        notice = delivery.notice
        section.items.append(
            Item(
                text=notice.title,
                url=reverse("notices:detail", args=[notice.pk]),
                detail=_("%(kind)s, %(time)s")
                % {
                    "kind": notice.get_kind_display(),
                    "time": timezone.localtime(notice.sent_at).strftime("%Y-%m-%d %H:%M"),
                },
                urgent=notice.kind in URGENT_KINDS,
            )
        )
    if len(shown) > UNREAD_SHOWN:
        more = waiting.count() - UNREAD_SHOWN
        section.items.append(
            Item(
                text=ngettext("%(count)s more unread notice", "%(count)s more unread notices", more)
                % {"count": more},
                url=reverse("notices:list"),
            )
        )
    return section


def _followed_section(user) -> Section:
    """The district's notices of the last 30 days not yet read by every street: one query."""
    section = Section(title=_("Notices not read by every street"))
    for notice in unread_by_streets(user, limit=FOLLOWED_SHOWN):
        streets, read = notice.street_count or 0, notice.read_count or 0
        section.items.append(
            Item(
                text=_("“%(title)s”: read by %(read)s of %(streets)s streets")
                % {"title": notice.title, "read": read, "streets": streets},
                url=reverse("notices:detail", args=[notice.pk]),
                detail=_("%(kind)s, %(time)s")
                % {
                    "kind": notice.get_kind_display(),
                    "time": timezone.localtime(notice.sent_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
        )
    return section


# Administration ----------------------------------------------------------------------------


def _admin_url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _lockout_section(user, *, now) -> Section:
    section = Section(title=_("Locked-out accounts"))
    limit = settings.AXES_FAILURE_LIMIT
    if not isinstance(limit, int):  # a callable limit needs a request; the design's is 5
        return section
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=limit)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=now - cool_off)
    attempts = list(attempts.order_by("-attempt_time")[:LOCKOUTS_SHOWN])
    # Where it is undone: axes' own list (superusers), else the user's admin page.
    axes_list = (
        _admin_url("admin:axes_accessattempt_changelist")
        if user.has_perm("axes.view_accessattempt")
        else ""
    )
    accounts = {}
    if not axes_list and user.has_perm("accounts.change_user"):
        accounts = dict(
            get_user_model()
            .objects.filter(username__in=[a.username for a in attempts if a.username])
            .values_list("username", "pk")
        )
    for attempt in attempts:
        if axes_list:
            url = axes_list + "?" + urlencode({"q": attempt.username or ""})
        elif attempt.username in accounts:
            url = _admin_url("admin:accounts_user_change", accounts[attempt.username])
        else:
            url = ""
        section.items.append(
            Item(
                text=_("%(username)s is locked out after %(count)s failed logins")
                % {"username": attempt.username or "?", "count": attempt.failures_since_start},
                url=url,
                detail=_("from %(address)s, last at %(time)s")
                % {
                    "address": attempt.ip_address or "?",
                    "time": timezone.localtime(attempt.attempt_time).strftime("%Y-%m-%d %H:%M"),
                },
                urgent=True,
            )
        )
    return section


def _failed_jobs_section(user, *, now) -> Section:
    section = Section(title=_("Failed imports"))
    jobs = ImportJob.objects.filter(
        status=ImportJob.Status.FAILED,
        created_at__gte=now - datetime.timedelta(days=FAILED_JOBS_DAYS),
    ).select_related("user")[:FAILED_JOBS_SHOWN]
    for job in jobs:
        # The job's own page is its uploader's (and superusers'); others read the record.
        if job.visible_to(user):
            url = reverse("imports:job", args=[job.token])
        else:
            url = _admin_url("admin:imports_importjob_change", job.pk)
        section.items.append(
            Item(
                text=_("Import of “%(file)s” (%(register)s) failed")
                % {"file": job.file_name, "register": job.register},
                url=url,
                detail=_("by %(user)s, %(time)s")
                % {
                    "user": job.user.get_username() if job.user else "?",
                    "time": timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M"),
                },
                urgent=True,
            )
        )
    return section


def todo_for(user, *, today: datetime.date | None = None) -> Todo:
    """The user's to-do list. Not cached: it is small, and it must show a send-back or a
    lockout at once."""
    now = timezone.now()
    today = today or timezone.localdate()
    year, quarter = period_of_interest(today)
    due_on = quarter_deadline(year=year, quarter=quarter)
    todo = Todo(year=year, quarter=quarter, due_on=due_on)
    period = {"year": year, "quarter": quarter, "due_on": due_on, "today": today}
    if getattr(user, "street_id", None) and user.has_perm("notices.view_notice"):
        todo.sections.append(_unread_section(user))
    if getattr(user, "street_id", None) and user.has_perm("returns.submit_quarterlyreturn"):
        todo.sections.append(_street_section(user, **period))
    if user.has_perm("returns.approve_quarterlyreturn"):
        todo.sections.append(_review_section(user, **period))
    if user.has_perm("accounts.change_user"):
        todo.sections.append(_lockout_section(user, now=now))
    if user.has_perm("imports.view_importjob"):
        todo.sections.append(_failed_jobs_section(user, now=now))
    if may_post(user):
        todo.sections.append(_followed_section(user))
    return todo
