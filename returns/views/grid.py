"""The street's grid: every committee of a street in one form, saved through
:func:`returns.workflow.returns_save`, submitted through :func:`returns.workflow.return_submit`
after a confirmation (:func:`returns.workflow.submission_plan`), withdrawn through
:func:`returns.workflow.return_withdraw`.

Saving is per row: the rows without an error are saved, the rows with one are shown again
as typed, each error on its cell; the select boxes stay ticked. Submitting first shows what
will and will not be submitted (and why); the confirmation posts the grid again with the
list it confirmed, and only that list is submitted.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _

from ..figures import parse_figure
from ..forms import ReturnGridFormSet
from ..models import FIGURES, QuarterlyReturn, ReturnStatus, quarter_deadline
from ..selectors import grid_rows
from ..workflow import (
    GridChange,
    StaleVersions,
    WorkflowError,
    findings_for,
    return_submit,
    return_withdraw,
    returns_save,
    submission_plan,
)
from .common import check_quarter, grid_url, require_perm, street_chooser, street_for

SUBMIT_ACTIONS = ("submit_selected", "submit_all")
CONFIRM_ACTIONS = {"confirm_selected": "submit_selected", "confirm_all": "submit_all"}

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


def _editable(row, user) -> bool:
    """A row takes input when the user may change returns (not the viewer) and its return
    is not submitted or approved."""
    if not user.has_perm("returns.change_quarterlyreturn"):
        return False
    return row.quarterly_return is None or row.quarterly_return.is_editable


def _formset(rows, user, data=None) -> GridFormSet:
    return GridFormSet(
        data,
        initial=[_row_initial(row) for row in rows],
        editables=[_editable(row, user) for row in rows],
    )


def _number(value) -> int | None:
    """The number a cell holds (typed text read as the form reads it), else None."""
    if isinstance(value, int):
        return value
    try:
        return parse_figure(value)
    except ValidationError:
        return None


def _show(value) -> str:
    return "" if value is None else formats.number_format(value, 0, force_grouping=True)


def _signed(change) -> str:
    if change is None:
        return ""
    if change == 0:
        return "±0"
    text = formats.number_format(abs(change), 0, force_grouping=True)
    return ("+" if change > 0 else "−") + text


def _grid_context(request, *, street, year, quarter, rows, formset, plan=None, plan_action=""):
    user = request.user
    can_change = user.has_perm("returns.change_quarterlyreturn")
    can_submit = user.has_perm("returns.submit_quarterlyreturn")
    # The rules' findings for the rows shown as saved (a row shown with typed errors is not
    # what is saved: its findings would be of other figures).
    shown = [
        row.quarterly_return
        for row, form in zip(rows, formset.forms, strict=True)
        if row.quarterly_return and not form.errors
    ]
    findings = findings_for(shown)
    sums = {name: [] for name in FIGURES}
    previous_sums = {name: [] for name in FIGURES}
    lines = []
    for row, form in zip(rows, formset.forms, strict=True):
        item = row.quarterly_return
        previous = row.previous_figures() or {}
        row_findings = findings.get(item.pk, []) if item and not form.errors else []
        cells = []
        for name in FIGURES:
            field = form[name]
            value = _number(field.value())
            before = previous.get(name)
            on_cell = [f for f in row_findings if name in f.figures]
            errors = [str(e) for e in field.errors]
            for finding in on_cell:
                if form.editable:
                    form.mark(name, finding.message, invalid=finding.is_error)
            if errors:
                state = "invalid"
            elif any(f.is_error for f in on_cell):
                state = "rule-error"
            elif on_cell:
                state = "outside"  # a warning: outside the usual range (e.g. ±20 %)
            else:
                state = ""
            change = value - before if value is not None and before is not None else None
            cells.append(
                {
                    "name": name,
                    "field": field,
                    "value": value,
                    "value_text": _show(value),
                    "previous": before,
                    "previous_text": _show(before) or "–",
                    "change": change,
                    "change_text": _signed(change),
                    "reasons": [*errors, *(f.message for f in on_cell)],
                    "state": state,
                }
            )
            if value is not None:
                sums[name].append(value)
            if before is not None:
                previous_sums[name].append(before)
        selectable = can_submit and (
            form.editable or (item is not None and item.status == ReturnStatus.SUBMITTED)
        )
        lines.append(
            {
                "row": row,
                "form": form,
                "return": item,
                "cells": cells,
                "selectable": selectable,
                "withdrawable": can_submit
                and item is not None
                and item.status == ReturnStatus.SUBMITTED,
                "findings": row_findings,
                # A finding that names no figure of this quarter is shown beside the status.
                "row_findings": [f for f in row_findings if not f.figures],
            }
        )
    totals = []
    for name in FIGURES:
        value = sum(sums[name]) if sums[name] else None
        before = sum(previous_sums[name]) if previous_sums[name] else None
        # The change of the total is told only when every row reported last quarter has a
        # figure now (otherwise it would only say who has not typed yet).
        complete = all(
            cell["value"] is not None
            for line in lines
            for cell in line["cells"]
            if cell["name"] == name and cell["previous"] is not None
        )
        change = value - before if complete and value is not None and before is not None else None
        totals.append(
            {
                "name": name,
                "value": value,
                "value_text": _show(value),
                "previous": before,
                "previous_text": _show(before) or "–",
                "change_text": _signed(change),
            }
        )
    ready = [line for line in plan or [] if line.ready]
    return {
        "street": street,
        "year": year,
        "quarter": quarter,
        "due_on": quarter_deadline(year=year, quarter=quarter),
        "formset": formset,
        "lines": lines,
        "totals": totals,
        "figure_labels": [QuarterlyReturn._meta.get_field(n).verbose_name for n in FIGURES],
        "read_only": not can_change,
        "can_change": can_change,
        "can_submit": can_submit,
        "can_review": user.has_perm("returns.approve_quarterlyreturn"),
        "plan": plan,
        "plan_ready": ready,
        "plan_not_ready": [line for line in plan or [] if not line.ready],
        "confirm_action": {v: k for k, v in CONFIRM_ACTIONS.items()}.get(plan_action, ""),
        "grid_url": grid_url(street, year, quarter),
    }


def _render(request, *, street, year, quarter, rows, formset, status=200, **extra):
    context = _grid_context(
        request, street=street, year=year, quarter=quarter, rows=rows, formset=formset, **extra
    )
    return render(request, "returns/grid.html", context, status=status)


def _action(post) -> str:
    if post.get("withdraw"):
        return "withdraw"
    action = post.get("action", "save")
    known = ("save", "withdraw_selected", *SUBMIT_ACTIONS, *CONFIRM_ACTIONS)
    return action if action in known else "save"


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
    place = {"street": street, "year": year, "quarter": quarter}
    if request.method != "POST":
        return _render(request, rows=rows, formset=_formset(rows, request.user), **place)

    formset = _formset(rows, request.user, request.POST)
    if len(formset.forms) != len(rows):
        # A post that is not this page's grid (no or another management form).
        messages.error(
            request, _("The list of committees changed; please enter the figures again.")
        )
        return redirect(grid_url(street, year, quarter))
    formset.is_valid()  # every row checked; each row is saved or shown again on its own
    by_committee = {row.committee.pk: row for row in rows}
    posted = [form.cleaned_data.get("committee") for form in formset.forms]
    if any(pk is not None and pk not in by_committee for pk in posted):
        raise Http404(_("No such committee in your scope."))
    if any(
        "committee" in form.errors or "version" in form.errors or pk != row.committee.pk
        for form, pk, row in zip(formset.forms, posted, rows, strict=True)
    ):
        # The page no longer matches the street's committees (or was tampered with).
        messages.error(
            request, _("The list of committees changed; please enter the figures again.")
        )
        return redirect(grid_url(street, year, quarter))

    # The rows without an error that the user changed, saved together (returns_save: one
    # read, bulk writes); the rows with an error are left as they are, and shown again.
    invalid = {
        row.committee.pk for form, row in zip(formset.forms, rows, strict=True) if form.errors
    }
    changes = [
        GridChange(
            committee=row.committee,
            data=form.data_values(),
            version=form.cleaned_data["version"],
            original=form.original_values(),
        )
        for form, row in zip(formset.forms, rows, strict=True)
        if not form.errors and form.editable and form.user_changed()
    ]
    try:
        saved = returns_save(year=year, quarter=quarter, user=request.user, changes=changes)
    except StaleVersions as exc:
        return _reshow_after_conflict(request, street, year, quarter, formset, exc.conflicts)
    except WorkflowError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(grid_url(street, year, quarter))

    if invalid:
        messages.error(
            request,
            _(
                "%(saved)s saved, %(errors)s with errors (marked in the grid): those rows "
                "were not saved; correct them and save again."
            )
            % {"saved": len(saved), "errors": len(invalid)},
        )
    elif saved:
        messages.success(request, _("Saved %(count)s return(s) as draft.") % {"count": len(saved)})

    action = _action(request.POST)
    if action == "save" and not invalid:
        return redirect(grid_url(street, year, quarter))
    if saved:
        # What was just saved moved those rows' versions on: read the rows again. (Nothing
        # saved, nothing changed: the rows read above are the street's as they stand.)
        rows = grid_rows(street=street, year=year, quarter=quarter, user=request.user)
        if len(rows) != len(formset.forms):
            messages.error(
                request, _("The list of committees changed; please enter the figures again.")
            )
            return redirect(grid_url(street, year, quarter))
    ticked = {
        row.committee.pk
        for form, row in zip(formset.forms, rows, strict=True)
        if form.cleaned_data.get("select")
    }
    plan, plan_action = None, ""
    written = False  # by a withdrawal or a confirmed submission: the rows are read again
    if action in ("withdraw", "withdraw_selected"):
        chosen = {_int(request.POST.get("withdraw"))} if action == "withdraw" else ticked
        _withdraw(request, formset, rows, chosen)
        written = True
    elif action in SUBMIT_ACTIONS or action in CONFIRM_ACTIONS:
        plan_action = CONFIRM_ACTIONS.get(action, action)
        if plan_action == "submit_all":
            chosen_rows = rows
        else:
            chosen_rows = [row for row in rows if row.committee.pk in ticked]
        if not chosen_rows:
            messages.error(request, _("Tick the committees to submit first."))
        else:
            plan = submission_plan(
                lines=[(row.committee, row.quarterly_return) for row in chosen_rows],
                invalid=invalid,
            )
            if action in CONFIRM_ACTIONS and _submit_confirmed(request, plan):
                plan = None
                written = True
    if plan is None and not invalid:
        return redirect(grid_url(street, year, quarter))
    if written:
        rows = grid_rows(street=street, year=year, quarter=quarter, user=request.user)
    reshown = _reshown_formset(request, formset, rows, keep=invalid)
    return _render(
        request,
        rows=rows,
        formset=reshown,
        status=400 if invalid else 200,
        plan=plan,
        plan_action=plan_action,
        **place,
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _names(lines) -> str:
    return "、".join(str(line.committee.name) for line in lines)


def _submit_confirmed(request, plan) -> bool:
    """Submit the returns the user confirmed, if they are still exactly those ready to go;
    True when the confirmation is done with (submitted, or refused with the reasons)."""
    ready = [line for line in plan if line.ready]
    confirmed = {_int(value) for value in request.POST.getlist("confirmed")}
    if not ready or {line.committee.pk for line in ready} != confirmed:
        messages.warning(
            request,
            _(
                "What can be submitted changed since you confirmed (see the list); check it "
                "and confirm again."
            ),
        )
        return False
    try:
        return_submit(returns=[line.quarterly_return for line in ready], user=request.user)
    except WorkflowError as exc:
        messages.error(request, _("Nothing was submitted:"))
        for message in exc.messages:
            messages.error(request, message)
        return True
    messages.success(request, _("Submitted %(count)s return(s).") % {"count": len(ready)})
    left = [line for line in plan if not line.ready]
    if left:
        messages.warning(
            request,
            _("Not submitted: %(list)s.")
            % {
                "list": "；".join(
                    _("%(committee)s (%(reasons)s)")
                    % {"committee": line.committee.name, "reasons": "；".join(line.reasons)}
                    for line in left
                )
            },
        )
    return True


def _withdraw(request, formset, rows, chosen: set) -> None:
    """Withdraw the chosen committees' submitted returns, checked against the versions the
    user's page showed."""
    by_committee = {row.committee.pk: row for row in rows}
    items, versions = [], {}
    for form in formset.forms:
        row = by_committee.get(form.cleaned_data.get("committee"))
        if row is None or row.committee.pk not in chosen or row.quarterly_return is None:
            continue
        item = row.quarterly_return
        items.append(item)
        versions[item.pk] = form.cleaned_data.get("version")
    if not items:
        messages.error(request, _("Tick the submitted returns to withdraw first."))
        return
    try:
        done = return_withdraw(returns=items, user=request.user, versions=versions)
    except WorkflowError as exc:
        messages.error(request, _("Nothing was withdrawn:"))
        for message in exc.messages:
            messages.error(request, message)
        return
    messages.success(
        request,
        _("Withdrew %(list)s: drafts again, to change and submit anew.")
        % {"list": "、".join(str(item.committee.name) for item in done)},
    )


def _reshown_formset(request, formset, rows, *, keep=frozenset()) -> GridFormSet:
    """The grid as posted, brought up to date: every row's version and hidden initial values
    are the current ones, and what the user did not type shows the latest figures; what the
    user typed is kept, and so are the ticks. The rows in ``keep`` (not saved: they had
    errors) keep the version and values the user's page was built from, so that a change
    someone else made meanwhile is still caught when they are saved."""
    data = request.POST.copy()
    for index, (form, row) in enumerate(zip(formset.forms, rows, strict=True)):
        if row.committee.pk in keep:
            continue
        prefix = formset.add_prefix(index)
        current = _row_initial(row)
        data[f"{prefix}-version"] = str(current["version"])
        for name in (*FIGURES, "note", "comment"):
            value = "" if current[name] is None else str(current[name])
            data[f"initial-{prefix}-{name}"] = value
            if name not in form.changed_data:
                # Only what this user typed is kept; everything else shows the latest.
                data[f"{prefix}-{name}"] = value
    reshown = _formset(rows, request.user, data)
    reshown.is_valid()
    return reshown


def _reshow_after_conflict(request, street, year, quarter, formset, conflicts):
    """Nothing was saved. Show the user's own input again, with each row's current version
    (and, for rows the user did not touch, the current figures), and name what changed."""
    rows = grid_rows(street=street, year=year, quarter=quarter, user=request.user)
    if len(rows) != len(formset.forms):
        messages.error(
            request, _("The list of committees changed; please enter the figures again.")
        )
        return redirect(grid_url(street, year, quarter))
    reshown = _reshown_formset(request, formset, rows)
    for conflict in conflicts:
        messages.error(request, conflict.messages[0])
    context = _grid_context(
        request, street=street, year=year, quarter=quarter, rows=rows, formset=reshown
    )
    context["conflicts"] = {c.current.committee_id: c for c in conflicts}
    for line in context["lines"]:
        line["conflict"] = context["conflicts"].get(line["row"].committee.pk)
    return render(request, "returns/grid.html", context, status=409)
