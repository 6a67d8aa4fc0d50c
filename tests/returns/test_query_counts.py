"""The grid, review and completeness pages run a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Committee
from returns.models import QuarterlyReturn, ReturnStatus

pytestmark = pytest.mark.django_db


def grow(street, count):
    for index in range(count):
        committee = Committee.objects.create(
            code=f"Q{street.pk}{index:03d}",
            name=f"增长{index}",
            street=street,
            households=2000,
            population=5600,
            established_on=datetime.date(2005, 1, 1),
        )
        for quarter, status in ((4, ReturnStatus.APPROVED), (1, ReturnStatus.SUBMITTED)):
            year = 2006 if quarter == 4 else 2007
            QuarterlyReturn.objects.create(
                committee=committee,
                year=year,
                quarter=quarter,
                status=status,
                households=2000,
                registered_population=5600,
                resident_population=5800,
                volunteers=10,
                activities=5,
                one_stop_cases=0,
                approved_at=timezone.now() if status == ReturnStatus.APPROVED else None,
                first_submitted_at=timezone.now(),
            )


PAGES = [
    ("nanhu", "returns:return-grid"),
    ("clerk", "returns:return-review"),
    ("clerk", "returns:completeness"),
    ("nanhu", "returns:completeness"),
]


@pytest.mark.parametrize(("who", "name"), PAGES)
def test_queries_do_not_grow_with_committees(
    who, name, clients, demo, django_assert_max_num_queries
):
    street = demo["streets"]["南湖"]
    url = reverse(name, args=[2007, 1]) + f"?street={street.pk}"
    client = clients[who]
    client.get(url)  # warm up the session and permissions
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(street, 25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "增长24" in response.content.decode() or name == "returns:completeness"
