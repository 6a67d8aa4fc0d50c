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


def filled_grid(client, url, volunteers):
    """The grid's POST data with every editable row's volunteers changed, and their number."""
    from .conftest import grid_data

    page = client.get(url)
    data = grid_data(page)
    changed = 0
    for form in page.context["formset"].forms:
        if form.editable:
            data[f"{form.prefix}-volunteers"] = str(volunteers)
            changed += 1
    data["action"] = "save"
    return data, changed


def test_saving_a_grid_does_not_grow_with_committees(
    clients, users, demo, django_assert_max_num_queries
):
    """A street's grid is saved set-based: no more queries for 49 committees than for 9, new
    returns and drafts alike, each with its history row, attributed to the user. (49 rows
    of 18 fields stay under Django's DATA_UPLOAD_MAX_NUMBER_FIELDS of 1,000.)"""
    street = demo["streets"]["南湖"]
    client = clients["nanhu"]
    url = reverse("returns:return-grid", args=[2007, 1]) + f"?street={street.pk}"
    data, changed = filled_grid(client, url, 21)
    assert changed == 9  # 2 drafts, 1 returned, 6 not started: updates and inserts
    with django_assert_max_num_queries(40) as small:
        assert client.post(url, data).status_code == 302
    baseline = len(small.captured_queries)
    # 40 more committees: 20 with a draft for the quarter, 20 with none yet.
    for index in range(40):
        committee = Committee.objects.create(
            code=f"S{street.pk}{index:03d}",
            name=f"保存{index}",
            street=street,
            households=2000,
            population=5600,
            established_on=datetime.date(2005, 1, 1),
        )
        if index % 2:
            QuarterlyReturn.objects.create(committee=committee, year=2007, quarter=1)
    data, changed = filled_grid(client, url, 22)
    assert changed == 49
    since = timezone.now()
    with django_assert_max_num_queries(baseline):
        assert client.post(url, data).status_code == 302
    saved = QuarterlyReturn.objects.filter(committee__street=street, year=2007, quarter=1)
    assert saved.count() == 49
    assert set(saved.values_list("volunteers", flat=True)) == {22}
    history = QuarterlyReturn.history.filter(
        committee__street=street, year=2007, quarter=1, history_date__gte=since
    )
    assert history.count() == 49
    assert set(history.values_list("history_user", flat=True)) == {users["nanhu"].pk}
    assert set(history.values_list("history_type", flat=True)) == {"+", "~"}


def test_a_street_of_80_committees_saves_its_grid(clients, demo):
    """80 committees post about 1,450 fields, past Django's default limit of 1,000."""
    street = demo["streets"]["南湖"]
    client = clients["nanhu"]
    url = reverse("returns:return-grid", args=[2007, 1]) + f"?street={street.pk}"
    have = Committee.objects.filter(street=street).count()
    for index in range(80 - have):
        Committee.objects.create(
            code=f"B{street.pk}{index:03d}", name=f"大街道{index}", street=street,
            households=2000, population=5600, established_on=datetime.date(2005, 1, 1),
        )
    data, changed = filled_grid(client, url, 23)
    assert len(data) > 1000 and changed >= 70
    assert client.post(url, data).status_code == 302
    saved = QuarterlyReturn.objects.filter(committee__street=street, year=2007, quarter=1)
    assert saved.filter(volunteers=23).count() == changed
