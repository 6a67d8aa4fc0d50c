"""The demo standards load idempotently; the admin pages of the budget registers work."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from budgets.models import CostShare, OfficeFundRate, PartyAffairsAllocation, Scenario


@pytest.mark.django_db
def test_loaddemo_twice_changes_nothing(demo):
    counts = (
        OfficeFundRate.objects.count(),
        CostShare.objects.count(),
        PartyAffairsAllocation.objects.count(),
    )
    call_command("loaddemo", stdout=io.StringIO())
    assert counts == (1, 1, 2)
    assert counts == (
        OfficeFundRate.objects.count(),
        CostShare.objects.count(),
        PartyAffairsAllocation.objects.count(),
    )
    rate = OfficeFundRate.objects.get()
    assert rate.amount_per_100_households == Decimal("200.00")
    assert CostShare.objects.get().street_percent == Decimal("50.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", ["officefundrate", "costshare", "partyaffairsallocation", "scenario"]
)
def test_admin_changelists(clients, model):
    assert clients["admin"].get(f"/admin/budgets/{model}/").status_code == 200
    assert clients["clerk"].get(f"/admin/budgets/{model}/").status_code == 200


@pytest.mark.django_db
def test_only_administrators_change_standards_and_scenarios(clients):
    assert clients["admin"].get("/admin/budgets/scenario/add/").status_code == 200
    assert clients["clerk"].get("/admin/budgets/scenario/add/").status_code == 403
    assert clients["clerk"].get("/admin/budgets/officefundrate/add/").status_code == 403
    # Party-affairs allocations are a register the clerks keep.
    assert clients["clerk"].get("/admin/budgets/partyaffairsallocation/add/").status_code == 200


@pytest.mark.django_db
def test_street_staff_do_not_see_district_wide_allocations_in_the_admin(clients, users):
    PartyAffairsAllocation.objects.create(
        year=2006, source="street_match", street=users["binhu"].street, amount=1
    )
    page = clients["nanhu"].get("/admin/budgets/partyaffairsallocation/")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 0
    assert Scenario.objects.count() == 0
