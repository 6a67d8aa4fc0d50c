"""Quarterly-return pages: the street's grid, the clerk's review, completeness, history,
the grid's workbook and its import.

Every page reads through :mod:`scoping.rules` with the signed-in user (another
street's ids are a 404) and changes returns only through :mod:`returns.workflow`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Street
from communities.validators import EARLIEST_YEAR, LATEST_YEAR
from imports.admin_flow import UploadFlow
from scoping.rules import scope_queryset, sees_all_streets

from .exporters import grid_workbook_bytes
from .forms import ReasonForm, ReturnGridFormSet
from .models import FIGURES, QuarterlyReturn, ReturnStatus, quarter_deadline
from .selectors import completeness, grid_rows, review_returns
from .workflow import (
    GridChange,
    StaleVersions,
    WorkflowError,
    findings_for,
    return_approve,
    return_reopen,
    return_send_back,
    return_submit,
    returns_save,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _check_quarter(year: int, quarter: int) -> None:
    if quarter not in (1, 2, 3, 4) or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise Http404(_("No such quarter."))


def _require_perm(user, codename: str) -> None:
    if not user.has_perm(f"returns.{codename}"):
        raise PermissionDenied(_("You may not do this with quarterly returns."))


def _street_for(request) -> Street | None:
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


def _current_quarter() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


@login_required
def return_index(request):
    _require_perm(request.user, "view_quarterlyreturn")
    year, quarter = _current_quarter()
    quarters = []
    for _i in range(6):
        quarters.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    streets = scope_queryset(Street.objects.all(), request.user).order_by("sort_order", "code")
    return render(
        request,
        "returns/index.html",
        {"quarters": quarters, "streets": streets, "demo_year": 2006},
    )


# The grid ------------------------------------------------------------------------------


def _row_initial(row) -> dict:
    item = row.quarterly_return
    initial = {"committee": row.committee.pk, "version": item.version if item else 0}
    for name in (*FIGURES, "note", "comment"):
        initial[name] = (
            getattr(item, name) if item else ("" if name in ("note", "comment") else None)
        )
    return initial


class GridFormSet(ReturnGridFormSet):
    def __init__(self, *args, editables=(), **kwargs):
        self.editables = list(editables)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < len(self.editables):
            kwargs["editable"] = self.editables[index]
        return kwargs


def _editable(row) -> bool:
    return row.quarterly_return is None or row.quarterly_return.is_editable


def _grid_context(request, *, street, year, quarter, rows, formset):
    saved = [row.quarterly_return for row in rows if row.quarterly_return]
    findings = findings_for(saved)
    lines = []
    for row, form in zip(rows, formset.forms, strict=True):
        item = row.quarterly_return
        previous = row.previous_figures() or {}
        lines.append(
            {
                "row": row,
                "form": form,
                "return": item,
                "cells": [
                    {"field": form[name], "previous": previous.get(name)} for name in FIGURES
                ],
                "findings": findings.get(item.pk, []) if item else [],
            }
        )
    return {
        "street": street,
        "year": year,
        "quarter": quarter,
        "due_on": quarter_deadline(year=year, quarter=quarter),
        "formset": formset,
        "lines": lines,
        "figure_labels": [QuarterlyReturn._meta.get_field(n).verbose_name for n in FIGURES],
        "can_change": request.user.has_perm("returns.change_quarterlyreturn"),
        "can_submit": request.user.has_perm("returns.submit_quarterlyreturn"),
        "can_review": request.user.has_perm("returns.approve_quarterlyreturn"),
    }


def _street_chooser(request, year, quarter):
    streets = scope_queryset(Street.objects.all(), request.user).order_by("sort_order", "code")
    return render(
        request,
        "returns/street_chooser.html",
        {"streets": streets, "year": year, "quarter": quarter},
    )


@login_required
def return_grid(request, year, quarter):
    _check_quarter(year, quarter)
    _require_perm(request.user, "view_quarterlyreturn")
    if request.method == "POST":
        _require_perm(request.user, "change_quarterlyreturn")
    street = _street_for(request)
    if street is None:
        return _street_chooser(request, year, quarter)
    rows = grid_rows(street=street, year=year, quarter=quarter, user=request.user)
    initial = [_row_initial(row) for row in rows]
    editables = [_editable(row) for row in rows]
    if request.method != "POST":
        formset = GridFormSet(initial=initial, editables=editables)
        context = _grid_context(
            request, street=street, year=year, quarter=quarter, rows=rows, formset=formset
        )
        return render(request, "returns/grid.html", context)

    _require_perm(request.user, "change_quarterlyreturn")
    formset = GridFormSet(request.POST, initial=initial, editables=editables)
    by_committee = {row.committee.pk: row for row in rows}
    if len(formset.forms) != len(rows):
        # A post that is not this page's grid (no or another management form).
        messages.error(
            request, _("The list of committees changed; please enter the figures again.")
        )
        return redirect(_grid_url(street, year, quarter))
    if not formset.is_valid():
        messages.error(
            request, _("Some figures cannot be saved (see the marked cells); nothing was saved.")
        )
        context = _grid_context(
            request, street=street, year=year, quarter=quarter, rows=rows, formset=formset
        )
        return render(request, "returns/grid.html", context, status=400)
    if len(formset.forms) != len(rows) or any(
        form.cleaned_data["committee"] != row.committee.pk
        for form, row in zip(formset.forms, rows, strict=False)
    ):
        # The page no longer matches the street's committees (or was tampered with).
        if any(form.cleaned_data["committee"] not in by_committee for form in formset.forms):
            raise Http404(_("No such committee in your scope."))
        messages.error(
            request, _("The list of committees changed; please enter the figures again.")
        )
        return redirect(_grid_url(street, year, quarter))

    # The rows the user changed, saved together (returns_save: one read, bulk writes).
    changes = [
        GridChange(
            committee=row.committee,
            data=form.data_values(),
            version=form.cleaned_data["version"],
            original=form.original_values(),
        )
        for form, row in zip(formset.forms, rows, strict=True)
        if form.editable and form.user_changed()
    ]
    try:
        saved = returns_save(year=year, quarter=quarter, user=request.user, changes=changes)
    except StaleVersions as exc:
        return _reshow_after_conflict(request, street, year, quarter, formset, exc.conflicts)
    except WorkflowError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_grid_url(street, year, quarter))

    action = request.POST.get("action", "save")
    if saved:
        messages.success(request, _("Saved %(count)s return(s) as draft.") % {"count": len(saved)})
    if action in ("submit_selected", "submit_all"):
        current = {
            r.committee_id: r
            for r in QuarterlyReturn.objects.filter(
                committee__street=street, year=year, quarter=quarter
            )
        }
        if action == "submit_all":
            chosen = [r for r in current.values() if r.is_editable]
        else:
            chosen = [
                current[form.cleaned_data["committee"]]
                for form in formset.forms
                if form.cleaned_data.get("select") and form.cleaned_data["committee"] in current
            ]
        if not chosen:
            messages.error(
                request, _("Nothing to submit: select returns that are drafts or returned.")
            )
        else:
            try:
                return_submit(returns=chosen, user=request.user)
            except WorkflowError as exc:
                messages.error(request, _("Nothing was submitted:"))
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request, _("Submitted %(count)s return(s).") % {"count": len(chosen)}
                )
    return redirect(_grid_url(street, year, quarter))


def _grid_url(street, year, quarter) -> str:
    return reverse("returns:return-grid", args=[year, quarter]) + f"?street={street.pk}"


def _reshow_after_conflict(request, street, year, quarter, formset, conflicts):
    """Nothing was saved. Show the user's own input again, with each row's current version
    (and, for rows the user did not touch, the current figures), and name what changed."""
    rows = grid_rows(street=street, year=year, quarter=quarter, user=request.user)
    data = request.POST.copy()
    for index, (form, row) in enumerate(zip(formset.forms, rows, strict=True)):
        prefix = formset.add_prefix(index)
        current = _row_initial(row)
        data[f"{prefix}-version"] = str(current["version"])
        for name in (*FIGURES, "note", "comment"):
            value = "" if current[name] is None else str(current[name])
            data[f"initial-{prefix}-{name}"] = value
            if name not in form.changed_data:
                # Only what this user typed is kept; everything else shows the latest.
                data[f"{prefix}-{name}"] = value
    initial = [_row_initial(row) for row in rows]
    reshown = GridFormSet(data, initial=initial, editables=[_editable(r) for r in rows])
    reshown.is_valid()
    for conflict in conflicts:
        messages.error(request, conflict.messages[0])
    context = _grid_context(
        request, street=street, year=year, quarter=quarter, rows=rows, formset=reshown
    )
    context["conflicts"] = {c.current.committee_id: c for c in conflicts}
    for line in context["lines"]:
        line["conflict"] = context["conflicts"].get(line["row"].committee.pk)
    return render(request, "returns/grid.html", context, status=409)


# Review ------------------------------------------------------------------------------------


@login_required
def return_review(request, year, quarter):
    _check_quarter(year, quarter)
    user = request.user
    if not (
        user.has_perm("returns.approve_quarterlyreturn")
        or user.has_perm("returns.reopen_quarterlyreturn")
    ):
        raise PermissionDenied(_("You may not do this with quarterly returns."))
    street = _street_for(request)
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


# Completeness and history ----------------------------------------------------------------


@login_required
def completeness_page(request, year, quarter):
    _check_quarter(year, quarter)
    _require_perm(request.user, "view_quarterlyreturn")
    result = completeness(year=year, quarter=quarter, user=request.user)
    return render(
        request,
        "returns/completeness.html",
        {"year": year, "quarter": quarter, "result": result},
    )


@login_required
def return_history(request, pk):
    _require_perm(request.user, "view_quarterlyreturn")
    item = get_object_or_404(
        scope_queryset(QuarterlyReturn.objects.select_related("committee__street"), request.user),
        pk=pk,
    )
    events = item.events.select_related("actor")
    return render(request, "returns/history.html", {"return": item, "events": events})


# Workbook out and in ------------------------------------------------------------------------


@login_required
def grid_workbook(request, year, quarter):
    _check_quarter(year, quarter)
    _require_perm(request.user, "view_quarterlyreturn")
    if request.method == "POST":
        _require_perm(request.user, "change_quarterlyreturn")
    street = _street_for(request)
    if street is None:
        return _street_chooser(request, year, quarter)
    rows = grid_rows(street=street, year=year, quarter=quarter, user=request.user)
    body = grid_workbook_bytes(
        street=street, year=year, quarter=quarter, rows=rows, user=request.user
    )
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="returns-{street.code}-{year}-Q{quarter}.xlsx"'
    )
    return response


@login_required
def grid_import(request, year, quarter):
    """The grid's workbook back in: the registers' one upload flow
    (:class:`imports.admin_flow.UploadFlow`) into the register "returns", whose resource
    reads the grid's columns; upload, the preview (a dry run) on this page, confirm, then
    the job's page, which leads back to the grid."""
    _check_quarter(year, quarter)
    _require_perm(request.user, "change_quarterlyreturn")
    street = _street_for(request)
    page_url = reverse("returns:return-import", args=[year, quarter])
    if street is not None:
        page_url += f"?street={street.pk}"
        back_url = _grid_url(street, year, quarter)
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
