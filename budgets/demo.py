"""The 2006 funding standards and party-affairs allocations of the brief (``loaddemo``).

The rate of 200 yuan per 100 households per month and the 50 / 50 cost share from
1 January 2006; the party-affairs allocations of 2006, both recorded district-wide because
the brief gives no split by street. Idempotent.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from .models import AllocationSource, CostShare, OfficeFundRate, PartyAffairsAllocation

START = datetime.date(2006, 1, 1)

ALLOCATIONS = [
    (2006, AllocationSource.CITY_DISTRICT, Decimal("278000.00"), "市、区财政拨付社区党建工作经费"),
    (2006, AllocationSource.STREET_MATCH, Decimal("103000.00"), "各街道配套社区党建工作经费"),
]


@transaction.atomic
def load(context=None):
    OfficeFundRate.objects.update_or_create(
        effective_from=START,
        defaults={"amount_per_100_households": Decimal("200.00"), "note": "每百户每月200元"},
    )
    CostShare.objects.update_or_create(
        effective_from=START,
        defaults={"district_percent": Decimal("50.00"), "note": "区、街道各承担一半"},
    )
    for year, source, amount, note in ALLOCATIONS:
        PartyAffairsAllocation.objects.update_or_create(
            year=year, source=source, street=None, defaults={"amount": amount, "note": note}
        )
    return {}
