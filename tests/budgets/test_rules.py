"""The funding rules, with figures worked by hand."""

import datetime
from decimal import Decimal

import pytest

from budgets.calculations import budget_compute, budget_explain
from budgets.models import CostShare, OfficeFundRate, PartyAffairsAllocation
from budgets.money import money, round_units, yuan
from communities.models import CommitteeKind, CommitteeStatus
from scoping.rules import SYSTEM
from staffing.models import PayStandard

D = datetime.date


def row(result, committee):
    found = result.committee(committee.pk)
    assert found is not None, committee.name
    return found.amounts


@pytest.mark.django_db
def test_money_rounds_half_up_to_the_fen():
    assert money(Decimal("2.675")) == Decimal("2.68")
    assert money(Decimal("0.005")) == Decimal("0.01")
    assert money(Decimal("-0.005")) == Decimal("-0.01")
    assert money(12) == Decimal("12.00")
    with pytest.raises(TypeError):
        money(0.1)


@pytest.mark.parametrize("units", [0, 1, 4999, 5000, 5001, 15000, -5000, -4999, 123456789, 2675])
@pytest.mark.parametrize("exponent", [2, 3, 4, 8])
def test_integer_rounding_agrees_with_money(units, exponent):
    assert yuan(round_units(units, exponent)) == money(Decimal(units).scaleb(-exponent))


@pytest.mark.django_db
def test_a_full_year_and_a_start_on_15_april(world):
    committee = world.committee("甲社区", households=0)
    world.post(committee, world.director, D(2003, 5, 1))
    world.post(committee, world.worker, D(2006, 4, 15))  # paid from April: 9 months
    amounts = row(budget_compute(year=2006, user=SYSTEM), committee)
    assert amounts.staff == Decimal(12 * 850 + 9 * 750)  # 10,200 + 6,750 = 16,950


@pytest.mark.django_db
def test_leaving_mid_month_counts_that_month(world):
    committee = world.committee("甲社区", households=0)
    world.post(committee, world.worker, D(2005, 1, 1), D(2006, 10, 10))  # Jan–Oct: 10 months
    assert row(budget_compute(year=2006, user=SYSTEM), committee).staff == Decimal(10 * 750)


@pytest.mark.django_db
def test_a_standard_that_rises_on_1_july_applies_from_july(world):
    committee = world.committee("甲社区", households=0)
    world.post(committee, world.worker, D(2005, 1, 1))
    PayStandard.objects.create(
        position=world.worker, monthly_amount=800, effective_from=D(2006, 7, 1)
    )
    assert row(budget_compute(year=2006, user=SYSTEM), committee).staff == Decimal(
        6 * 750 + 6 * 800
    )  # 9,300
    # The year before is recomputed with its own standards.
    assert row(budget_compute(year=2005, user=SYSTEM), committee).staff == Decimal(0)


@pytest.mark.django_db
def test_a_standard_from_15_july_applies_from_august(world):
    committee = world.committee("甲社区", households=0)
    world.post(committee, world.worker, D(2005, 1, 1))
    PayStandard.objects.create(
        position=world.worker, monthly_amount=800, effective_from=D(2006, 7, 15)
    )
    assert row(budget_compute(year=2006, user=SYSTEM), committee).staff == Decimal(
        7 * 750 + 5 * 800
    )  # 9,250


@pytest.mark.django_db
def test_one_rule_for_when_a_standard_is_in_force_on_a_mid_month_date(world):
    """The standard from 15 July is in force from 1 August: the question "which standard on
    20 July?" (PayStandard.in_force, area_standard_on) and the budget's months agree (they
    used to answer 800 and 750)."""
    from communities.effective import first_month_in_force, is_in_force
    from facilities.models import AreaStandard
    from facilities.selectors import area_standard_on

    committee = world.committee("甲社区", households=0)
    world.post(committee, world.worker, D(2005, 1, 1))
    PayStandard.objects.create(
        position=world.worker, monthly_amount=800, effective_from=D(2006, 7, 15)
    )
    assert first_month_in_force(D(2006, 7, 15)) == D(2006, 8, 1)
    assert PayStandard.in_force(world.worker, D(2006, 7, 20)).monthly_amount == 750
    assert PayStandard.in_force(world.worker, D(2006, 7, 31)).monthly_amount == 750
    assert PayStandard.in_force(world.worker, D(2006, 8, 1)).monthly_amount == 800
    explanation = budget_explain(committee=committee, year=2006)
    july = [line for line in explanation.staff_lines if line.period_start <= D(2006, 7, 1)]
    assert [line.monthly_amount for line in july] == [750]
    for day in (D(2006, 7, 1), D(2006, 7, 14), D(2006, 7, 15), D(2006, 7, 31), D(2006, 8, 1)):
        assert is_in_force(D(2006, 7, 15), day) == (first_month_in_force(D(2006, 7, 15)) <= day)
    AreaStandard.objects.create(effective_from=D(2006, 7, 15), floor_area=Decimal("100"))
    assert area_standard_on(day=D(2006, 7, 20)) is None
    assert area_standard_on(day=D(2006, 8, 1)).effective_from == D(2006, 7, 15)


@pytest.mark.django_db
def test_paid_as_and_unpaid_positions(world):
    committee = world.committee("甲社区", households=0)
    world.post(committee, world.party, D(2006, 1, 1))  # paid as a social worker
    world.post(committee, world.volunteer, D(2006, 1, 1))  # not paid
    assert row(budget_compute(year=2006, user=SYSTEM), committee).staff == Decimal(12 * 750)


@pytest.mark.django_db
def test_office_funds_per_100_households(world):
    committee = world.committee("甲社区", households=2468)
    # 2,468 / 100 × 200 × 12 = 59,232
    amounts = row(budget_compute(year=2006, user=SYSTEM), committee)
    assert amounts.office == Decimal("59232.00")
    assert amounts.district_share == amounts.street_share == Decimal("29616.00")


@pytest.mark.django_db
def test_office_funds_are_rounded_half_up_once(world):
    OfficeFundRate.objects.filter(effective_from=D(2006, 1, 1)).update(
        amount_per_100_households=Decimal("200.05")
    )
    committee = world.committee("甲社区", households=1)
    # 1 / 100 × 200.05 × 12 = 24.006 → 24.01; the district's half 12.003 → 12.00, the street the rest
    amounts = row(budget_compute(year=2006, user=SYSTEM), committee)
    assert amounts.office == Decimal("24.01")
    assert amounts.district_share == Decimal("12.00")
    assert amounts.street_share == Decimal("12.01")


@pytest.mark.django_db
def test_a_committee_that_shares_an_office(world):
    host = world.committee("主社区", households=3000)
    guest = world.committee(
        "合署社区", households=2000, status=CommitteeStatus.SHARING, shares_office_with=host
    )
    result = budget_compute(year=2006, user=SYSTEM)
    # The guest's households are still served: 2,000 / 100 × 200 × 12 = 48,000
    assert row(result, guest).office == Decimal("48000.00")
    assert row(result, host).office == Decimal("72000.00")
    entry = result.committee(guest.pk)
    assert entry.host_name == "主社区"
    assert entry.street_id == host.street_id
    assert result.street(world.east.pk).amounts.office == Decimal("120000.00")


@pytest.mark.django_db
def test_a_committee_revoked_mid_year(world):
    committee = world.committee(
        "撤销社区", households=2500, status=CommitteeStatus.REVOKED, revoked_on=D(2006, 6, 30)
    )
    # January–June: 2,500 / 100 × 200 × 6 = 30,000
    assert row(budget_compute(year=2006, user=SYSTEM), committee).office == Decimal("30000.00")
    # Out of the years after its revocation.
    assert budget_compute(year=2007, user=SYSTEM).committee(committee.pk) is None


@pytest.mark.django_db
def test_a_committee_established_mid_year(world):
    committee = world.committee("新社区", households=1500, established_on=D(2006, 3, 10))
    # March–December: 1,500 / 100 × 200 × 10 = 30,000
    assert row(budget_compute(year=2006, user=SYSTEM), committee).office == Decimal("30000.00")


@pytest.mark.django_db
def test_village_committees_get_no_office_funds(world):
    committee = world.committee("测试村", households=1460, kind=CommitteeKind.VILLAGE)
    assert row(budget_compute(year=2006, user=SYSTEM), committee).office == Decimal("0.00")


@pytest.mark.django_db
def test_a_different_cost_share_from_july(world):
    committee = world.committee("甲社区", households=1000)  # 2,000 a month
    CostShare.objects.create(district_percent=60, effective_from=D(2006, 7, 1))
    amounts = row(budget_compute(year=2006, user=SYSTEM), committee)
    assert amounts.total == Decimal("24000.00")
    assert amounts.district_share == Decimal(6 * 2000 * 50 / 100 + 6 * 2000 * 60 / 100)  # 13,200
    assert amounts.street_share == Decimal("10800.00")


@pytest.mark.django_db
def test_no_cost_share_standard_means_half_and_half(world):
    CostShare.objects.all().delete()
    committee = world.committee("甲社区", households=1000)
    amounts = row(budget_compute(year=2006, user=SYSTEM), committee)
    assert amounts.district_share == amounts.street_share == Decimal("12000.00")


@pytest.mark.django_db
def test_streets_and_district_add_up(world):
    east = world.committee("东一", households=1000)
    west = world.committee("西一", households=2000, street=world.west)
    world.post(east, world.director, D(2006, 1, 1))
    world.post(west, world.worker, D(2006, 4, 15))
    result = budget_compute(year=2006, user=SYSTEM)
    assert result.street(world.east.pk).amounts.total == Decimal(24000 + 12 * 850)
    assert result.street(world.west.pk).amounts.total == Decimal(48000 + 9 * 750)
    assert result.amounts.total == Decimal(24000 + 12 * 850 + 48000 + 9 * 750)
    only_west = budget_compute(year=2006, user=SYSTEM, street=world.west)
    assert [s.name for s in only_west.streets] == ["西街道"]
    assert only_west.amounts.total == Decimal(48000 + 9 * 750)


@pytest.mark.django_db
def test_party_affairs_allocations_by_street_and_district_wide(world):
    PartyAffairsAllocation.objects.create(year=2006, source="city_district", amount=1000)
    PartyAffairsAllocation.objects.create(
        year=2006, source="street_match", street=world.east, amount=300
    )
    PartyAffairsAllocation.objects.create(year=2005, source="city_district", amount=999)
    result = budget_compute(year=2006, user=SYSTEM)
    assert result.party_city_district == Decimal("1000.00")
    assert result.party_street_match == Decimal("300.00")
    assert result.street(world.east.pk).party_street_match == Decimal("300.00")
    assert result.street(world.west.pk).party_street_match == Decimal("0.00")
    # Beside the formula funds, not in them.
    assert result.amounts.total == Decimal(0)


@pytest.mark.django_db
def test_the_explanation_lists_who_how_long_at_what_standard(world):
    committee = world.committee("甲社区", households=2468)
    world.post(committee, world.director, D(2003, 5, 1), name="王主任")
    world.post(committee, world.worker, D(2006, 4, 15), name="李社工")
    PayStandard.objects.create(
        position=world.worker, monthly_amount=800, effective_from=D(2006, 7, 1)
    )
    explanation = budget_explain(committee=committee, year=2006)
    lines = [(line.person, line.months, line.monthly_amount) for line in explanation.staff_lines]
    assert ("王主任", 6, Decimal("850.00")) in lines  # January–June, then July–December
    assert ("李社工", 3, Decimal("750.00")) in lines  # April–June
    assert ("李社工", 6, Decimal("800.00")) in lines  # July–December
    assert sum(line.months for line in explanation.staff_lines if line.person == "王主任") == 12
    assert explanation.amounts.staff == Decimal(12 * 850 + 3 * 750 + 6 * 800)
    assert sum(line.months for line in explanation.office_lines) == 12
    # Exactly the committee's row of the one calculation.
    assert (
        explanation.amounts
        == budget_compute(year=2006, user=SYSTEM).committee(committee.pk).amounts
    )


@pytest.mark.django_db
def test_staff_funds_follow_a_cost_share_change(world):
    committee = world.committee("甲社区", households=0)
    world.post(committee, world.worker, D(2006, 4, 15))
    world.post(committee, world.director, D(2005, 1, 1))
    CostShare.objects.create(district_percent=60, effective_from=D(2006, 7, 1))
    amounts = row(budget_compute(year=2006, user=SYSTEM), committee)
    # Social worker: April–June 3 × 750 at 50%, July–December 6 × 750 at 60%;
    # director: 6 × 850 at 50%, 6 × 850 at 60%.
    district = Decimal(3 * 750 * 50 + 6 * 750 * 60 + 6 * 850 * 50 + 6 * 850 * 60) / 100
    assert amounts.staff == Decimal(9 * 750 + 12 * 850)
    assert amounts.district_share == district  # 1,125 + 2,700 + 2,550 + 3,060 = 9,435
    assert amounts.street_share == amounts.staff - district
