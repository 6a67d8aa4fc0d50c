"""A small hand-made district for the budget rules, independent of the demo data."""

import datetime
from decimal import Decimal

import pytest

from budgets.models import CostShare, OfficeFundRate
from communities.models import Committee, District, Street
from staffing.models import PayStandard, Person, Position, Posting

D = datetime.date


class World:
    def __init__(self):
        district = District.objects.create(code="900", name="测试区")
        self.east = Street.objects.create(
            district=district, code="901", name="东街道", sort_order=1
        )
        self.west = Street.objects.create(
            district=district, code="902", name="西街道", sort_order=2
        )
        self.director = Position.objects.create(code="t-director", name="测试主任", sort_order=1)
        self.worker = Position.objects.create(code="t-worker", name="测试社工", sort_order=2)
        self.party = Position.objects.create(
            code="t-party", name="测试党务", paid_as=self.worker, sort_order=3
        )
        self.volunteer = Position.objects.create(
            code="t-volunteer", name="测试义工", is_paid=False, sort_order=4
        )
        PayStandard.objects.create(
            position=self.director, monthly_amount=850, effective_from=D(2006, 1, 1)
        )
        PayStandard.objects.create(
            position=self.worker, monthly_amount=750, effective_from=D(2006, 1, 1)
        )
        OfficeFundRate.objects.create(amount_per_100_households=200, effective_from=D(2006, 1, 1))
        CostShare.objects.create(district_percent=50, effective_from=D(2006, 1, 1))
        self.sequence = 0

    def committee(self, name, households=1000, street=None, **fields):
        self.sequence += 1
        fields.setdefault("established_on", D(2002, 1, 1))
        return Committee.objects.create(
            code=f"T{self.sequence:03d}",
            name=name,
            street=street or self.east,
            households=households,
            **fields,
        )

    def post(self, committee, position, start, end=None, name=None):
        self.sequence += 1
        person = Person.objects.create(name=name or f"人员{self.sequence}", street=committee.street)
        return Posting.objects.create(
            person=person, committee=committee, position=position, start_date=start, end_date=end
        )


@pytest.fixture
def world(empty_registers):
    return World()


def money(text):
    return Decimal(text)
