"""Helpers of the reports tests: more rows, to show that query counts do not grow."""

import datetime
from decimal import Decimal

import pytest

from communities.models import Committee
from facilities.models import Premises
from returns.models import QuarterlyReturn, ReturnStatus

APPROVED_AT = datetime.datetime(2007, 1, 10, 9, 0, tzinfo=datetime.UTC)


def add_rows(demo, count=40, street="南湖"):
    """``count`` more committees in ``street``, each with premises and approved returns, plus
    ``count`` more people in post (through the staffing tests' factory)."""
    from tests.staffing.factories import add_people

    target = demo["streets"][street]
    committees = Committee.objects.bulk_create(
        Committee(
            code=f"R{target.pk:03d}{index:05d}",
            name=f"加测社区{index}",
            street=target,
            households=1000 + index,
            population=3000 + index,
            established_on=datetime.date(2005, 1, 1),
        )
        for index in range(count)
    )
    committees = list(Committee.objects.filter(code__startswith=f"R{target.pk:03d}"))
    Premises.objects.bulk_create(
        Premises(committee=c, name=f"{c.name}用房", area=Decimal("320.00")) for c in committees
    )
    QuarterlyReturn.objects.bulk_create(
        QuarterlyReturn(
            committee=c,
            year=2006,
            quarter=q,
            households=c.households,
            status=ReturnStatus.APPROVED,
            first_submitted_at=APPROVED_AT,
            approved_at=APPROVED_AT,
        )
        for c in committees
        for q in (1, 2, 3, 4)
    )
    add_people(demo, count, street=street)
    return committees


@pytest.fixture
def more_rows(demo):
    return lambda count=40, street="南湖": add_rows(demo, count, street)
