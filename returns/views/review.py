"""The clerk's review: every figure of each return beside last quarter's, the change and
what changed since the last approval; approve, send back or reopen one or many at a time,
each return's outcome reported (:func:`returns.workflow.returns_review`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.models import Street
from scoping.rules import scope_queryset

from ..forms import ReasonForm
from ..models import FIGURES, QuarterlyReturn, ReturnStatus, quarter_deadline
from ..selectors import review_returns
from ..workflow import REVIEW_ACTIONS, WorkflowError, findings_for, returns_review
from .common import check_quarter, street_for


def _may_review(user) -> bool:
    return user.has_perm("returns.approve_quarterlyreturn") or user.has_perm(
        "returns.reopen_quarterlyreturn"
    )


def _status(request) -> str | None:
    status = request.GET.get("status") or None
    return status if status in ReturnStatus.values else None


def _filters(street, status) -> str:
    """The page's filters as a query string ("" when none), kept across a bulk action."""
    query = {}
    if street is not None:
        query["street"] = street.pk
    if status:
        query["status"] = status
    return "?" + urlencode(query) if query else ""


@login_required
def return_review(request, year, quarter):
    check_quarter(year, quarter)
    if not _may_review(request.user):
        raise PermissionDenied(
            _("Only the district's clerks and administrators review quarterly returns.")
        )
    street = street_for(request)
    status = _status(request)
    if request.method == "POST":
        return _review_post(request, year, quarter, street, status)
    return _render(request, year=year, quarter=quarter, street=street, status=status)


def _render(
    request,
    *,
    year,
    quarter,
    street,
    status,
    selected=(),
    all_selected=False,
    reason_form=None,
    http_status=200,
):
    user = request.user
    lines = review_returns(year=year, quarter=quarter, user=user, street=street, status=status)
    findings = findings_for([line.quarterly_return for line in lines])
    for line in lines:
        line.findings = findings.get(line.quarterly_return.pk, [])
    can_approve = user.has_perm("returns.approve_quarterlyreturn")
    can_send_back = user.has_perm("returns.return_quarterlyreturn")
    can_reopen = user.has_perm("returns.reopen_quarterlyreturn")
    context = {
        "year": year,
        "quarter": quarter,
        "street": street,
        "status": status,
        "statuses": ReturnStatus.choices,
        "streets": scope_queryset(Street.objects.all(), user).order_by("sort_order", "code"),
        "lines": lines,
        "figure_labels": [QuarterlyReturn._meta.get_field(n).verbose_name for n in FIGURES],
        "selected": {int(pk) for pk in selected},
        "all_selected": all_selected,
        "reason_form": reason_form or ReasonForm(),
        "can_approve": can_approve,
        "can_send_back": can_send_back,
        "can_reopen": can_reopen,
        "can_act": can_approve or can_send_back or can_reopen,
        "due_on": quarter_deadline(year=year, quarter=quarter),
        "filters": _filters(street, status),
    }
    return render(request, "returns/review.html", context, status=http_status)


def _ints(values) -> list[int]:
    try:
        return [int(value) for value in values]
    except (TypeError, ValueError):
        raise Http404(_("No such return in your scope.")) from None


DONE = {
    "approve": lambda count: ngettext(
        "Approved %(count)s return: %(names)s.", "Approved %(count)s returns: %(names)s.", count
    ),
    "send_back": lambda count: ngettext(
        "Sent %(count)s return back: %(names)s.", "Sent %(count)s returns back: %(names)s.", count
    ),
    "reopen": lambda count: ngettext(
        "Reopened %(count)s return: %(names)s.", "Reopened %(count)s returns: %(names)s.", count
    ),
}


def _review_post(request, year, quarter, street, status):
    user = request.user
    one = request.POST.get("approve_one")
    action = "approve" if one else request.POST.get("action")
    if not action:
        # A post without a button (Enter in an old page, a bare reload): nothing to do.
        messages.error(request, _("Choose what to do with the ticked returns."))
        return _render(request, year=year, quarter=quarter, street=street, status=status)
    if action not in REVIEW_ACTIONS:
        raise Http404(_("Unknown action."))
    all_selected = bool(request.POST.get("all_shown")) and not one
    if one:
        ids = _ints([one])
    elif all_selected:
        ids = _ints(request.POST.getlist("shown"))
    else:
        ids = _ints(request.POST.getlist("ids"))
    # The returns of this page only: the quarter, the street filter, the user's scope.
    # Anything else in the post is a 404 and nothing is changed.
    queryset = scope_queryset(QuarterlyReturn.objects.for_quarter(year, quarter), user)
    if street is not None:
        queryset = queryset.filter(committee__street=street)
    chosen = list(
        queryset.filter(pk__in=ids).order_by(
            "committee__street__sort_order", "committee__street__code", "committee__code"
        )
    )
    if len(chosen) != len(set(ids)):
        raise Http404(_("No such return in your scope."))
    versions = {}
    for item in chosen:
        seen = request.POST.get(f"version-{item.pk}")
        if seen:
            (versions[item.pk],) = _ints([seen])
    again = {
        "year": year,
        "quarter": quarter,
        "street": street,
        "status": status,
        "selected": ids,
        "all_selected": all_selected,
        "http_status": 400,
    }
    reason = ""
    if action == "approve":  # the reason box is kept as typed, but not required
        form = ReasonForm(initial={"reason": request.POST.get("reason", "")})
    else:
        form = ReasonForm(request.POST)
    problems = []
    if not chosen:
        problems.append(_("Select at least one return."))
    if action != "approve":
        if form.is_valid():
            reason = form.cleaned_data["reason"]
        else:
            problems.append(_("Give a reason to send back or reopen returns."))
    if problems:
        for problem in problems:
            messages.error(request, problem)
        return _render(request, reason_form=form, **again)
    try:
        outcomes = returns_review(
            action=action, returns=chosen, user=user, reason=reason, versions=versions
        )
    except WorkflowError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _render(request, reason_form=form, **again)
    done = [o.quarterly_return.committee.name for o in outcomes if o.done]
    refused = [o for o in outcomes if not o.done]
    if done:
        messages.success(
            request, DONE[action](len(done)) % {"count": len(done), "names": "、".join(done)}
        )
    if refused:
        messages.error(
            request,
            ngettext(
                "%(count)s return was left as it was:",
                "%(count)s returns were left as they were:",
                len(refused),
            )
            % {"count": len(refused)},
        )
        for outcome in refused:
            messages.error(request, outcome.message)
    back = reverse("returns:return-review", args=[year, quarter]) + _filters(street, status)
    return redirect(back)
