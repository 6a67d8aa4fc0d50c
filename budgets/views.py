"""Budget pages: the committees' budgets, one committee's explanation, scenario comparison,
and the approval (核定) of a year's budget.

Every page reads through :func:`budgets.calculations.budget_compute` (or ``budget_explain``)
and the approved budget through :mod:`budgets.approval`, with the signed-in user, so a
street's staff see only their street.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from communities.models import Committee
from returns.models import QuarterlyReturn, ReturnStatus
from scoping.rules import scope_queryset

from .approval import (
    ApprovalError,
    approved_comparison,
    approved_versions,
    budget_approve,
    committee_approved,
    latest_approved,
    line_amounts,
    may_approve,
    scenario_against_approved,
)
from .calculations import Amounts, budget_compare, budget_compute, budget_explain
from .forms import Against, ApprovalForm, BudgetParametersForm, ScenarioCompareForm
from .models import Scenario


def _parameters(request):
    form = BudgetParametersForm(request.GET or None, user=request.user)
    year, scenario = form.values()
    return form, year, scenario


@login_required
def budget_overview(request):
    form, year, scenario = _parameters(request)
    result = budget_compute(year=year, user=request.user, scenario=scenario)
    # Beside the approved budget: only the real standards' figures, never a scenario's.
    comparison = (
        approved_comparison(year=year, user=request.user, current=result)
        if scenario is None
        else None
    )
    return render(
        request,
        "budgets/overview.html",
        {
            "form": form,
            "year": year,
            "scenario": scenario,
            "result": result,
            "comparison": comparison,
            # The current figures of every kind of funds, as before the approval.
            "show_current": request.GET.get("view") == "current",
            "versions": approved_versions(year, request.user) if comparison else [],
            "can_approve": may_approve(request.user),
        },
    )


@login_required
def committee_budget(request, pk):
    committee = get_object_or_404(
        scope_queryset(
            Committee.objects.select_related("street", "shares_office_with"), request.user
        ),
        pk=pk,
    )
    form, year, scenario = _parameters(request)
    explanation = budget_explain(committee=committee, year=year, scenario=scenario)
    approved, line = (None, None)
    if scenario is None:
        approved, line = committee_approved(year=year, committee=committee, user=request.user)
    approved_amounts = line_amounts(line.staff, line.office, line.district_share) if line else None
    return render(
        request,
        "budgets/committee.html",
        {
            "form": form,
            "year": year,
            "scenario": scenario,
            "committee": committee,
            "explanation": explanation,
            "approved": approved,
            "approved_line": line,
            "approved_amounts": approved_amounts,
            "difference": explanation.amounts - (approved_amounts or Amounts()),
            "households_difference": explanation.households - line.households if line else None,
        },
    )


@login_required
def scenario_list(request):
    scenarios = Scenario.objects.prefetch_related(
        "pay_changes__position", "rate_changes", "cost_share_changes"
    ).order_by("name")
    return render(request, "budgets/scenario_list.html", {"scenarios": scenarios})


@login_required
def scenario_compare(request, pk):
    scenario = get_object_or_404(scope_queryset(Scenario.objects.all(), request.user), pk=pk)
    form = ScenarioCompareForm(request.GET or None, user=request.user)
    year, _ignored = form.values()
    approved = latest_approved(year)
    against = form.comparison_base()
    if against == Against.APPROVED and approved is None:
        messages.warning(
            request,
            _(
                "The %(year)s budget has not been approved yet: the scenario is set against "
                "the current standards."
            )
            % {"year": year},
        )
        against = Against.STANDARDS
    if against == Against.APPROVED:
        lines = scenario_against_approved(budget=approved, scenario=scenario, user=request.user)
    else:
        lines = budget_compare(year=year, scenario=scenario, user=request.user)
    return render(
        request,
        "budgets/scenario_compare.html",
        {
            "form": form,
            "year": year,
            "scenario": scenario,
            "lines": lines,
            "against_approved": against == Against.APPROVED,
            "approved": approved,
        },
    )


@login_required
def budget_approval(request):
    """Approve (核定) a year's budget: a confirmation page showing what will be frozen, then
    the approval itself (POST). Only who may approve (the district administrator) gets here;
    anyone else gets the refusal page."""
    user = request.user
    if not may_approve(user):
        raise PermissionDenied(_("Only the district administrator may approve a year's budget."))
    if request.method == "POST":
        form = ApprovalForm(request.POST)
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                budget = budget_approve(
                    year=year,
                    user=user,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["expected_version"],
                )
            except ApprovalError as error:
                # Shown again with the version as it is now, so that confirming again (after
                # reading the figures) is possible; the reason typed is kept.
                data = request.POST.copy()
                latest = latest_approved(year)
                data["expected_version"] = str(latest.version if latest else 0)
                form = ApprovalForm(data)
                form.is_valid()
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "The %(year)s budget is approved (version %(version)s): its figures "
                        "are kept as they are now, and the budget pages compare with them."
                    )
                    % {"year": year, "version": budget.version},
                )
                return redirect(reverse("budgets:budget-overview") + f"?year={year}")
        year = _posted_year(form, user)
        latest = latest_approved(year)
    else:
        year, _scenario = BudgetParametersForm(request.GET or None, user=user).values()
        latest = latest_approved(year)
        form = ApprovalForm(
            initial={"year": year, "expected_version": latest.version if latest else 0}
        )
    result = budget_compute(year=year, user=user)
    pending = (
        scope_queryset(QuarterlyReturn.objects.filter(year=year), user)
        .exclude(status=ReturnStatus.APPROVED)
        .count()
    )
    return render(
        request,
        "budgets/approve.html",
        {
            "form": form,
            "year": year,
            "result": result,
            "latest": latest,
            "committee_count": sum(len(street.committees) for street in result.streets),
            "pending_returns": pending,
        },
    )


def _posted_year(form, user) -> int:
    """The year of a refused confirmation: the posted one when it is valid."""
    if "year" in getattr(form, "cleaned_data", {}):
        return form.cleaned_data["year"]
    return BudgetParametersForm(None, user=user).values()[0]
