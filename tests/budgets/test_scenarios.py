"""Scenarios change the calculation's standards, never the real ones."""

import datetime
from decimal import Decimal

import pytest

from budgets.calculations import budget_compare, budget_compute
from budgets.models import (
    CostShare,
    OfficeFundRate,
    Scenario,
    ScenarioCostShareChange,
    ScenarioPayChange,
    ScenarioRateChange,
)
from scoping.rules import SYSTEM
from staffing.models import PayStandard

D = datetime.date


@pytest.fixture
def scenario(world):
    scenario = Scenario.objects.create(name="社工800、办公250")
    ScenarioPayChange.objects.create(
        scenario=scenario, position=world.worker, monthly_amount=800, effective_from=D(2006, 1, 1)
    )
    ScenarioRateChange.objects.create(
        scenario=scenario, amount_per_100_households=250, effective_from=D(2006, 1, 1)
    )
    return scenario


@pytest.mark.django_db
def test_scenario_changes_the_result_not_the_base_nor_the_standards(world, scenario):
    committee = world.committee("甲社区", households=2000)
    world.post(committee, world.worker, D(2005, 1, 1))
    world.post(committee, world.party, D(2006, 4, 15))  # paid as a social worker
    world.post(committee, world.director, D(2005, 1, 1))
    standards_before = list(
        PayStandard.objects.values_list("position_id", "monthly_amount", "effective_from")
    )
    rates_before = list(
        OfficeFundRate.objects.values_list("amount_per_100_households", "effective_from")
    )

    what_if = (
        budget_compute(year=2006, user=SYSTEM, scenario=scenario).committee(committee.pk).amounts
    )
    # Social workers 800 from January (the party-affairs worker too, from April): 12×800 + 9×800
    # plus the director unchanged 12×850; office 2,000 / 100 × 250 × 12 = 60,000.
    assert what_if.staff == Decimal(12 * 800 + 9 * 800 + 12 * 850)
    assert what_if.office == Decimal("60000.00")

    base = budget_compute(year=2006, user=SYSTEM).committee(committee.pk).amounts
    assert base.staff == Decimal(12 * 750 + 9 * 750 + 12 * 850)
    assert base.office == Decimal("48000.00")

    assert (
        list(PayStandard.objects.values_list("position_id", "monthly_amount", "effective_from"))
        == standards_before
    )
    assert (
        list(OfficeFundRate.objects.values_list("amount_per_100_households", "effective_from"))
        == rates_before
    )


@pytest.mark.django_db
def test_scenario_replaces_later_real_standards_from_its_date(world):
    committee = world.committee("甲社区", households=0)
    world.post(committee, world.worker, D(2005, 1, 1))
    PayStandard.objects.create(
        position=world.worker, monthly_amount=800, effective_from=D(2006, 7, 1)
    )
    scenario = Scenario.objects.create(name="四月起900")
    ScenarioPayChange.objects.create(
        scenario=scenario, position=world.worker, monthly_amount=900, effective_from=D(2006, 4, 1)
    )
    # Real 750 before April, then the scenario's 900 (the real July rise is replaced).
    staff = (
        budget_compute(year=2006, user=SYSTEM, scenario=scenario)
        .committee(committee.pk)
        .amounts.staff
    )
    assert staff == Decimal(3 * 750 + 9 * 900)


@pytest.mark.django_db
def test_scenario_cost_share(world):
    committee = world.committee("甲社区", households=1000)  # 24,000 a year
    scenario = Scenario.objects.create(name="区六成")
    ScenarioCostShareChange.objects.create(
        scenario=scenario, district_percent=60, effective_from=D(2006, 1, 1)
    )
    amounts = (
        budget_compute(year=2006, user=SYSTEM, scenario=scenario).committee(committee.pk).amounts
    )
    assert amounts.district_share == Decimal("14400.00")
    assert amounts.street_share == Decimal("9600.00")
    assert list(CostShare.objects.values_list("district_percent", flat=True)) == [Decimal("50.00")]


@pytest.mark.django_db
def test_comparison_per_street_and_district(world, scenario):
    east = world.committee("东一", households=1000)
    west = world.committee("西一", households=2000, street=world.west)
    world.post(east, world.worker, D(2006, 1, 1))
    world.post(west, world.director, D(2006, 1, 1))
    lines = budget_compare(year=2006, user=SYSTEM, scenario=scenario)
    assert [line.level for line in lines] == ["total", "street", "street"]
    total, east_line, west_line = lines
    # East: 12 × 50 more pay, 1,000 / 100 × 50 × 12 = 6,000 more office funds.
    assert east_line.difference.total == Decimal(12 * 50 + 6000)
    # West: the director is unchanged; 2,000 / 100 × 50 × 12 = 12,000 more office funds.
    assert west_line.difference.total == Decimal(12000)
    assert total.difference.total == Decimal(12 * 50 + 6000 + 12000)
    assert total.difference.district_share + total.difference.street_share == total.difference.total


@pytest.mark.django_db
def test_street_staff_see_scenario_results_of_their_street_only(world, scenario):
    from accounts.models import User

    world.committee("东一", households=1000)
    world.committee("西一", households=2000, street=world.west)
    user = User.objects.create(username="east", role="street", street=world.east)
    lines = budget_compare(year=2006, scenario=scenario, user=user)
    assert [line.label for line in lines[1:]] == ["东街道"]
    assert lines[0].scenario.office == Decimal(1000 * 250 * 12 / 100)


@pytest.mark.django_db
def test_a_scenario_changes_the_standard_a_position_is_paid_at(world):
    from django.core.exceptions import ValidationError

    scenario = Scenario.objects.create(name="党务")
    change = ScenarioPayChange(
        scenario=scenario, position=world.party, monthly_amount=900, effective_from=D(2006, 1, 1)
    )
    with pytest.raises(ValidationError, match="测试社工"):
        change.full_clean()
