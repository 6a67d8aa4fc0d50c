"""Completeness of a quarter (with the reminders, 催报), and one return's history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.models import Street
from notices.models import Kind
from notices.selectors import latest_per_street
from scoping.rules import scope_queryset, sees_all_streets

from ..models import QuarterlyReturn, ReturnStatus
from ..notifications import REMIND_AGAIN_AFTER, may_remind, remind_streets
from ..selectors import CATEGORIES, completeness
from .common import check_quarter, require_perm

# Completeness and history ----------------------------------------------------------------

LISTED = 1000  # committees listed under the table at most (a province's "not submitted")


def category_labels() -> dict[str, str]:
    return {
        "not_submitted": _("Not submitted"),
        "on_time": _("Submitted on time"),
        "late": _("Submitted late"),
        "approved": _("Approved"),
    }


def _chosen_street(request, result):
    """``?street=`` among the page's streets (a street user: their own), else None."""
    value = request.GET.get("street")
    if not value:
        return None
    try:
        wanted = int(value)
    except ValueError:
        raise Http404(_("No such street in your scope.")) from None
    for line in result.streets:
        if line.street.pk == wanted:
            return line
    raise Http404(_("No such street in your scope."))


@login_required
def completeness_page(request, year, quarter):
    """The quarter's four counts per street and in total, each a link that lists its
    committees under the table (``?show=<category>[&street=<id>]``); the last reminder of each
    street, and, for who reviews returns, the reminder buttons."""
    check_quarter(year, quarter)
    require_perm(request.user, "view_quarterlyreturn")
    result = completeness(year=year, quarter=quarter, user=request.user)
    page = reverse("returns:completeness", args=[year, quarter])
    reminders = latest_per_street(
        kind=Kind.REMINDER,
        year=year,
        quarter=quarter,
        street_ids=[line.street.pk for line in result.streets],
    )
    for line in (result.district, *result.streets):
        street = f"&street={line.street.pk}" if line.street else ""
        line.cells = [
            (key, getattr(line, key), f"{page}?show={key}{street}#list") for key in CATEGORIES
        ]
        line.reminder = reminders.get(line.street.pk) if line.street else None
    show = request.GET.get("show")
    show = show if show in CATEGORIES else None
    shown_line = _chosen_street(request, result) if show else None
    everything = (shown_line or result.district).committees(show) if show else []
    listed = everything[:LISTED]
    statuses = dict(ReturnStatus.choices)
    grid = reverse("returns:return-grid", args=[year, quarter])
    district_view = sees_all_streets(request.user)
    for committee in listed:
        committee.status_label = statuses.get(committee.return_status) or _("No return yet")
        committee.grid_url = f"{grid}?street={committee.street_id}" if district_view else grid
    return render(
        request,
        "returns/completeness.html",
        {
            "year": year,
            "quarter": quarter,
            "result": result,
            "categories": category_labels(),
            "show": show,
            "show_label": category_labels().get(show, ""),
            "shown_line": shown_line,
            "listed": listed,
            "listed_count": len(everything),
            "listed_more": len(everything) - len(listed),
            "may_remind": may_remind(request.user),
            "any_missing": result.district.not_submitted > 0,
        },
    )


@login_required
@require_POST
def completeness_remind(request, year, quarter):
    """Send a reminder (催报) to every street with returns not submitted, or to ``street``."""
    check_quarter(year, quarter)
    if not may_remind(request.user):
        raise PermissionDenied(_("Only those who review quarterly returns may send reminders."))
    street = None
    if request.POST.get("street"):
        try:
            street = scope_queryset(Street.objects.all(), request.user).get(
                pk=int(request.POST["street"])
            )
        except (ValueError, Street.DoesNotExist):
            raise Http404(_("No such street in your scope.")) from None
    reminded = remind_streets(year=year, quarter=quarter, user=request.user, street=street)
    if reminded.sent:
        messages.success(
            request,
            _("Reminder sent to %(streets)s.")
            % {
                "streets": "、".join(
                    _("%(street)s (%(count)s not submitted)") % {"street": s.name, "count": count}
                    for s, count in reminded.sent
                )
            },
        )
    # Reminded moments ago (a double click, or a colleague): one line per earlier reminder.
    earlier: dict[tuple, list[str]] = {}
    for skipped_street, last in reminded.skipped:
        key = (
            timezone.localtime(last.notice.sent_at).strftime("%H:%M:%S"),
            str(last.notice.sent_by or _("the system")),
        )
        earlier.setdefault(key, []).append(skipped_street.name)
    for (time, sender), names in earlier.items():
        messages.warning(
            request,
            _(
                "%(street)s was already reminded at %(time)s by %(user)s, less than "
                "%(minutes)s minutes ago: the reminder was not sent again."
            )
            % {
                "street": "、".join(names),
                "time": time,
                "user": sender,
                "minutes": int(REMIND_AGAIN_AFTER.total_seconds() // 60),
            },
        )
    if not reminded.sent and not reminded.skipped:
        messages.info(request, _("Every street has submitted its returns: nobody to remind."))
    return redirect(reverse("returns:completeness", args=[year, quarter]) + "#reminders")


@login_required
def return_history(request, pk):
    require_perm(request.user, "view_quarterlyreturn")
    item = get_object_or_404(
        scope_queryset(QuarterlyReturn.objects.select_related("committee__street"), request.user),
        pk=pk,
    )
    events = item.events.select_related("actor")
    return render(request, "returns/history.html", {"return": item, "events": events})
