"""The committee list counts its rows and sums its totals line in one query."""

import pytest
from django.db import connection
from django.db.models import Q, Sum
from django.test.utils import CaptureQueriesContext

from communities.models import Committee


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["clerk", "nanhu"])
@pytest.mark.parametrize("query", ["", "?q=社区", "?q=NOSUCHTHING"])
def test_count_and_totals_in_one_query(clients, demo, who, query):
    with CaptureQueriesContext(connection) as captured:
        response = clients[who].get("/admin/communities/committee/" + query)
    assert response.status_code == 200
    expected = Committee.objects.all()
    if who == "nanhu":
        expected = expected.filter(street=demo["streets"]["南湖"])
    if query:
        term = query.removeprefix("?q=")
        expected = expected.filter(Q(code__icontains=term) | Q(name__icontains=term))
    sums = expected.aggregate(households=Sum("households"), population=Sum("population"))
    totals = response.context_data["totals"]
    assert totals["households"] == sums["households"]
    assert totals["population"] == sums["population"]
    assert response.context_data["cl"].result_count == expected.count()
    over_committees = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT")
        and 'FROM "communities_committee"' in q["sql"]
        and ("COUNT(" in q["sql"] or "SUM(" in q["sql"])
    ]
    assert len(over_committees) == 1, over_committees
