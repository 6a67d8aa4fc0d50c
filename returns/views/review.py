"""The clerk's review: approve, send back or reopen returns, one or many at a time."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from communities.models import Street
from scoping.rules import scope_queryset

from ..forms import ReasonForm
from ..models import QuarterlyReturn, ReturnStatus, quarter_deadline
from ..selectors import review_returns
from ..workflow import (
    WorkflowError,
    findings_for,
    return_approve,
    return_reopen,
    return_send_back,
)
from .common import check_quarter, street_for

# Review ------------------------------------------------------------------------------------


@login_required
def return_review(request, year, quarter):
    check_quarter(year, quarter)
    user = request.user
    if not (
        user.has_perm("returns.approve_quarterlyreturn")
        or user.has_perm("returns.reopen_quarterlyreturn")
    ):
        raise PermissionDenied(_("You may not do this with quarterly returns."))
    street = street_for(request)
    status = request.GET.get("status") or None
    if status not in (None, *ReturnStatus.values):
        status = None
    if request.method == "POST":
        return _review_post(request, year, quarter, street)
    items = review_returns(year=year, quarter=quarter, user=user, street=street, status=status)
    findings = findings_for(items)
    context = {
        "year": year,
        "quarter": quarter,
        "street": street,
        "status": status,
        "statuses": ReturnStatus.choices,
        "streets": scope_queryset(Street.objects.all(), user).order_by("sort_order", "code"),
        "lines": [{"return": item, "findings": findings.get(item.pk, [])} for item in items],
        "reason_form": ReasonForm(),
        "can_approve": user.has_perm("returns.approve_quarterlyreturn"),
        "can_reopen": user.has_perm("returns.reopen_quarterlyreturn"),
        "due_on": quarter_deadline(year=year, quarter=quarter),
    }
    return render(request, "returns/review.html", context)


def _review_post(request, year, quarter, street):
    user = request.user
    one = request.POST.get("approve_one")
    action = "approve" if one else request.POST.get("action")
    raw_ids = [one] if one else request.POST.getlist("ids")
    try:
        ids = [int(value) for value in raw_ids]
    except ValueError:
        raise Http404(_("No such return in your scope.")) from None
    chosen = list(
        scope_queryset(QuarterlyReturn.objects.for_quarter(year, quarter), user).filter(pk__in=ids)
    )
    if len(chosen) != len(set(ids)):
        raise Http404(_("No such return in your scope."))
    back = reverse("returns:return-review", args=[year, quarter])
    if street is not None:
        back += f"?street={street.pk}"
    if not chosen:
        messages.error(request, _("Select at least one return."))
        return redirect(back)
    try:
        if action == "approve":
            return_approve(returns=chosen, user=user)
            done = _("Approved %(count)s return(s).")
        elif action in ("send_back", "reopen"):
            form = ReasonForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give a reason."))
                return redirect(back)
            handler = return_send_back if action == "send_back" else return_reopen
            handler(returns=chosen, user=user, reason=form.cleaned_data["reason"])
            done = (
                _("Sent %(count)s return(s) back.")
                if action == "send_back"
                else _("Reopened %(count)s return(s).")
            )
        else:
            raise Http404(_("Unknown action."))
    except WorkflowError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, done % {"count": len(chosen)})
    return redirect(back)
