"""Office funds use the households of the latest approved quarterly return."""

from decimal import Decimal

import pytest
from django.utils import timezone

from budgets.calculations import budget_compute
from returns.models import QuarterlyReturn, ReturnStatus
from scoping.rules import SYSTEM


@pytest.mark.django_db
def test_latest_approved_return_sets_the_households(demo):
    committee = demo["committees"]["沿河社区"]
    QuarterlyReturn.objects.filter(committee=committee, year=2006).delete()
    before = budget_compute(year=2006, user=SYSTEM).committee(committee.pk).amounts.office
    # Record: households on the register -> 24 yuan a household a year at 200/100/month.
    assert before == Decimal(committee.households) * 24

    QuarterlyReturn.objects.create(
        committee=committee, year=2006, quarter=2, households=2100, status=ReturnStatus.APPROVED,
        approved_at=timezone.now(), submitted_at=timezone.now()
    )
    QuarterlyReturn.objects.create(
        committee=committee, year=2006, quarter=3, households=2500, status=ReturnStatus.APPROVED,
        approved_at=timezone.now(), submitted_at=timezone.now()
    )
    # A later return that is not approved does not count.
    QuarterlyReturn.objects.create(
        committee=committee, year=2006, quarter=4, households=9999, status=ReturnStatus.SUBMITTED,
        submitted_at=timezone.now()
    )
    assert budget_compute(year=2006, user=SYSTEM).committee(committee.pk).amounts.office == Decimal(2500 * 24)
