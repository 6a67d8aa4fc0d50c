"""Query counts of the communities pages do not grow with the rows."""

import datetime

import pytest

from communities.models import Committee

PAGES = [
    "/admin/communities/committee/",
    "/admin/communities/committee/?street__id__exact={street}",
    "/admin/communities/title/",
    "/admin/communities/communitycentre/",
    "/admin/communities/street/",
    "/reports/establishment/?year=2006",
]


def add_committees(street, count):
    Committee.objects.bulk_create(
        Committee(
            code=f"X{street.pk:03d}{i:05d}",
            name=f"加测社区{i}",
            street=street,
            households=1000 + i,
            population=3000 + i,
            established_on=datetime.date(2005, 1, 1),
        )
        for i in range(count)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["clerk", "nanhu"])
def test_query_count_does_not_grow(clients, demo, page, who, django_assert_max_num_queries):
    street = demo["streets"]["南湖"]
    url = page.format(street=street.pk)
    client = clients[who]
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    baseline = len(small.captured_queries)
    add_committees(street, 120)
    with django_assert_max_num_queries(baseline):
        assert client.get(url).status_code == 200
