"""What every quarterly-return page shares: the quarter check, the permission check, the
street a page is about (a street user's own; for district roles ``?street=``) and the links
back to the grid."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Street
from communities.validators import EARLIEST_YEAR, LATEST_YEAR
from reports.registry import quarter_shown
from scoping.rules import scope_queryset, sees_all_streets

from ..models import previous_quarter


def check_quarter(year: int, quarter: int) -> None:
    if quarter not in (1, 2, 3, 4) or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise Http404(_("No such quarter."))


def require_perm(user, codename: str) -> None:
    if not user.has_perm(f"returns.{codename}"):
        raise PermissionDenied(_("You may not do this with quarterly returns."))


def street_for(request) -> Street | None:
    """The street whose grid is shown: a street user's own; for district roles ``?street=``."""
    if not sees_all_streets(request.user):
        street = request.user.street
        if street is None:
            raise Http404(_("No such street in your scope."))
        return street
    street_id = request.GET.get("street") or request.POST.get("street")
    if not street_id:
        return None
    try:
        return scope_queryset(Street.objects.all(), request.user).get(pk=int(street_id))
    except (ValueError, Street.DoesNotExist):
        raise Http404(_("No such street in your scope.")) from None


def current_quarter() -> tuple[int, int]:
    """This year and quarter, by the one rule of the pages' periods (``quarter_shown``)."""
    year = timezone.localdate().year
    return year, quarter_shown(year)


@login_required
def return_index(request):
    require_perm(request.user, "view_quarterlyreturn")
    year, quarter = current_quarter()
    quarters = []
    for _i in range(6):
        quarters.append((year, quarter))
        year, quarter = previous_quarter(year, quarter)
    streets = scope_queryset(Street.objects.all(), request.user).order_by("sort_order", "code")
    return render(
        request,
        "returns/index.html",
        {"quarters": quarters, "streets": streets, "demo_year": 2006},
    )


def street_chooser(request, year, quarter):
    streets = scope_queryset(Street.objects.all(), request.user).order_by("sort_order", "code")
    return render(
        request,
        "returns/street_chooser.html",
        {
            "streets": streets,
            "year": year,
            "quarter": quarter,
            "can_review": request.user.has_perm("returns.approve_quarterlyreturn"),
        },
    )


def grid_url(street, year, quarter) -> str:
    return reverse("returns:return-grid", args=[year, quarter]) + f"?street={street.pk}"
