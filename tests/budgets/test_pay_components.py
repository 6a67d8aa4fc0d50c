"""The funding formula stays on the standard: what the streets add (staffing.PayComponent) is
income as received (staffing.income), never part of a budget; and the income's pay at the
standards is the budget's staff funds, month for month."""

import datetime
from decimal import Decimal

import pytest

from budgets.calculations import budget_compute
from scoping.rules import SYSTEM
from staffing.income import income_by, income_of
from staffing.models import PayComponent, PayStandard, Position

from .conftest import D


@pytest.mark.django_db
def test_components_do_not_change_the_budget(demo, users):
    nanhu = demo["streets"]["南湖"]
    before = budget_compute(year=2006, user=users["admin"])
    income_before = income_of(SYSTEM, 2006)
    person = nanhu.people.first()
    PayComponent.objects.create(
        street=nanhu, kind="subsidy", position=Position.objects.get(code="director"),
        amount=Decimal("5000"), effective_from=datetime.date(2006, 1, 1),
    )
    PayComponent.objects.create(
        street=nanhu, kind="bonus", person=person, basis="yearly", amount=Decimal("8000"),
        effective_from=datetime.date(2006, 3, 1),
    )
    after = budget_compute(year=2006, user=users["admin"])
    assert after.amounts == before.amounts
    assert [s.amounts for s in after.streets] == [s.amounts for s in before.streets]
    assert after.amounts.staff == Decimal("2031600.00")
    # ... while the income as received grew by them.
    grown = income_of(SYSTEM, 2006).total - income_before.total
    assert grown > Decimal(5000 * 12)
    assert income_of(SYSTEM, 2006).standard == after.amounts.staff


@pytest.mark.django_db
def test_pay_at_the_standards_is_the_budgets_staff_funds(world):
    """A rise from 15 July (in force from August), a part-year posting, a position paid as
    another, a volunteer, and an open posting on a committee revoked in September."""
    old = world.committee("旧社区", revoked_on=D(2006, 9, 20), status="revoked")
    new = world.committee("新社区", street=world.west)
    PayStandard.objects.create(
        position=world.worker, monthly_amount=800, effective_from=D(2006, 7, 15)
    )
    world.post(old, world.director, D(2004, 1, 1))
    world.post(old, world.worker, D(2006, 4, 10), D(2006, 11, 30))
    world.post(new, world.party, D(2005, 1, 1))
    world.post(new, world.volunteer, D(2005, 1, 1))
    world.post(new, world.worker, D(2006, 6, 1), D(2006, 8, 31))
    budget = budget_compute(year=2006, user=SYSTEM)
    income = income_by(user=SYSTEM, year=2006)
    for street in budget.streets:
        assert income[street.id].standard == street.amounts.staff, street.name
    assert income_of(SYSTEM, 2006).standard == budget.amounts.staff
    # Volunteers are not staff here: 9 + 6 months in 旧社区, 12 + 3 in 新社区.
    assert income_of(SYSTEM, 2006).person_months == 9 + 6 + 12 + 3
