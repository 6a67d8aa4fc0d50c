"""Budget pages: the committees' budgets, one committee's explanation, scenario comparison.

Every page reads through :func:`budgets.calculations.budget_compute` (or ``budget_explain``)
with the signed-in user, so a street's staff see only their street.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from communities.models import Committee
from scoping.rules import scope_queryset

from .calculations import budget_compare, budget_compute, budget_explain
from .forms import BudgetParametersForm
from .models import Scenario


def _parameters(request):
    form = BudgetParametersForm(request.GET or None, user=request.user)
    year, scenario = form.values()
    return form, year, scenario


@login_required
def budget_overview(request):
    form, year, scenario = _parameters(request)
    result = budget_compute(year=year, user=request.user, scenario=scenario)
    return render(
        request,
        "budgets/overview.html",
        {"form": form, "year": year, "scenario": scenario, "result": result},
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
    return render(
        request,
        "budgets/committee.html",
        {
            "form": form,
            "year": year,
            "scenario": scenario,
            "committee": committee,
            "explanation": explanation,
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
    form = BudgetParametersForm(request.GET or None, user=request.user)
    year, _ignored = form.values()
    lines = budget_compare(year=year, scenario=scenario, user=request.user)
    return render(
        request,
        "budgets/scenario_compare.html",
        {"form": form, "year": year, "scenario": scenario, "lines": lines},
    )
