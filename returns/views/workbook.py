"""The grid's workbook out, and back in through the registers' one upload flow."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from imports.admin_flow import UploadFlow
from reports.views import attachment

from ..exporters import grid_title, grid_workbook_bytes
from ..selectors import grid_rows
from .common import check_quarter, grid_url, require_perm, street_chooser, street_for

# Workbook out and in ------------------------------------------------------------------------


@login_required
def grid_workbook(request, year, quarter):
    check_quarter(year, quarter)
    require_perm(request.user, "view_quarterlyreturn")
    if request.method == "POST":
        require_perm(request.user, "change_quarterlyreturn")
    street = street_for(request)
    if street is None:
        return street_chooser(request, year, quarter)
    rows = grid_rows(street=street, year=year, quarter=quarter, user=request.user)
    body = grid_workbook_bytes(
        street=street, year=year, quarter=quarter, rows=rows, user=request.user
    )
    # Named by its title, as the reports' downloads are (建邺区南湖街道社区居委会季度报表
    # （2007年第1季度）.xlsx).
    return attachment(body, "xlsx", grid_title(street=street, year=year, quarter=quarter))


@login_required
def grid_import(request, year, quarter):
    """The grid's workbook back in: the registers' one upload flow
    (:class:`imports.admin_flow.UploadFlow`) into the register "returns", whose resource
    reads the grid's columns; upload, the preview (a dry run) on this page, confirm, then
    the job's page, which leads back to the grid."""
    check_quarter(year, quarter)
    require_perm(request.user, "change_quarterlyreturn")
    street = street_for(request)
    page_url = reverse("returns:return-import", args=[year, quarter])
    if street is not None:
        page_url += f"?street={street.pk}"
        back_url = grid_url(street, year, quarter)
    else:
        back_url = reverse("returns:return-index")

    def render_page(request, context):
        page = {"year": year, "quarter": quarter, "street": street, **context}
        return render(request, "returns/import.html", page)

    flow = UploadFlow(
        register="returns",
        page_url=page_url,
        render=render_page,
        back_url=back_url,
        back_label=_("Back to the grid") if street is not None else _("Back to the returns"),
    )
    return flow.view(request)
