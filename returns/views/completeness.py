"""Completeness of a quarter, and one return's history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from scoping.rules import scope_queryset

from ..models import QuarterlyReturn
from ..selectors import completeness
from .common import check_quarter, require_perm

# Completeness and history ----------------------------------------------------------------


@login_required
def completeness_page(request, year, quarter):
    check_quarter(year, quarter)
    require_perm(request.user, "view_quarterlyreturn")
    result = completeness(year=year, quarter=quarter, user=request.user)
    return render(
        request,
        "returns/completeness.html",
        {"year": year, "quarter": quarter, "result": result},
    )


@login_required
def return_history(request, pk):
    require_perm(request.user, "view_quarterlyreturn")
    item = get_object_or_404(
        scope_queryset(QuarterlyReturn.objects.select_related("committee__street"), request.user),
        pk=pk,
    )
    events = item.events.select_related("actor")
    return render(request, "returns/history.html", {"return": item, "events": events})
