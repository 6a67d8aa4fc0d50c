"""The street's grid: every committee of a street in one form, saved through
:func:`returns.workflow.returns_save` and submitted through :func:`returns.workflow.return_submit`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..forms import ReturnGridFormSet
from ..models import FIGURES, QuarterlyReturn, quarter_deadline
from ..selectors import grid_rows
from ..workflow import (
    GridChange,
    StaleVersions,
    WorkflowError,
    findings_for,
    return_submit,
    returns_save,
)
from .common import check_quarter, grid_url, require_perm, street_chooser, street_for

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


@login_required
def return_grid(request, year, quarter):
    check_quarter(year, quarter)
    require_perm(request.user, "view_quarterlyreturn")
    if request.method == "POST":
        require_perm(request.user, "change_quarterlyreturn")
    street = street_for(request)
    if street is None:
        return street_chooser(request, year, quarter)
    rows = grid_rows(street=street, year=year, quarter=quarter, user=request.user)
    initial = [_row_initial(row) for row in rows]
    editables = [_editable(row) for row in rows]
    if request.method != "POST":
        formset = GridFormSet(initial=initial, editables=editables)
        context = _grid_context(
            request, street=street, year=year, quarter=quarter, rows=rows, formset=formset
        )
        return render(request, "returns/grid.html", context)

    require_perm(request.user, "change_quarterlyreturn")
    formset = GridFormSet(request.POST, initial=initial, editables=editables)
    by_committee = {row.committee.pk: row for row in rows}
    if len(formset.forms) != len(rows):
        # A post that is not this page's grid (no or another management form).
        messages.error(
            request, _("The list of committees changed; please enter the figures again.")
        )
        return redirect(grid_url(street, year, quarter))
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
        return redirect(grid_url(street, year, quarter))

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
        return redirect(grid_url(street, year, quarter))

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
    return redirect(grid_url(street, year, quarter))


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
