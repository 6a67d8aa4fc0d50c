"""The budget pages: login required, scoped by street, figures from the one calculation."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import Scenario, ScenarioPayChange
from staffing.models import Position


@pytest.fixture
def scenario(demo):
    scenario = Scenario.objects.create(name="社工800")
    ScenarioPayChange.objects.create(
        scenario=scenario,
        position=Position.objects.get(code="social-worker"),
        monthly_amount=Decimal(800),
        effective_from=datetime.date(2006, 1, 1),
    )
    return scenario


@pytest.mark.django_db
def test_pages_need_a_login(client, demo):
    for url in ("/budgets/", "/budgets/scenarios/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_overview_lists_the_streets_the_user_may_see(clients):
    response = clients["clerk"].get("/budgets/", {"year": 2006})
    page = response.content.decode()
    assert "南湖街道" in page and "滨湖街道" in page
    assert response.context["result"].amounts.total == Decimal("4074000.00")
    assert "4,074,000.00" in page  # grouped by thousands (jianye/formats)
    page = clients["nanhu"].get("/budgets/", {"year": 2006}).content.decode()
    assert "南湖街道" in page and "滨湖街道" not in page


@pytest.mark.django_db
def test_committee_page_explains_the_figure(clients, demo):
    committee = demo["committees"]["南湖东路社区"]
    response = clients["nanhu"].get(f"/budgets/committees/{committee.pk}/", {"year": 2006})
    assert response.status_code == 200
    explanation = response.context["explanation"]
    assert explanation.staff_lines
    assert all(line.months == 12 for line in explanation.staff_lines)
    # 2,468 households / 100 × 200 × 12
    assert explanation.amounts.office == Decimal("59232.00")
    assert "59,232.00" in response.content.decode()


@pytest.mark.django_db
def test_another_streets_committee_page_is_not_found(clients, demo):
    committee = demo["committees"]["滨湖社区"]
    assert clients["nanhu"].get(f"/budgets/committees/{committee.pk}/").status_code == 404
    assert clients["binhu"].get(f"/budgets/committees/{committee.pk}/").status_code == 200


@pytest.mark.django_db
def test_scenario_comparison_page(clients, scenario):
    response = clients["viewer"].get(f"/budgets/scenarios/{scenario.pk}/", {"year": 2006})
    assert response.status_code == 200
    total = response.context["lines"][0]
    assert total.difference.staff == 152 * 50 * 12
    assert total.difference.office == 0
    page = clients["nanhu"].get(f"/budgets/scenarios/{scenario.pk}/", {"year": 2006})
    labels = [line.label for line in page.context["lines"][1:]]
    assert labels == ["南湖街道"]
    assert "滨湖街道" not in page.content.decode()
    assert clients["nanhu"].get("/budgets/scenarios/").status_code == 200


@pytest.mark.django_db
def test_funding_page_query_count_does_not_grow_with_rows(
    clients, demo, django_assert_max_num_queries
):
    from communities.models import Committee
    from staffing.models import Person, Posting

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = clients["clerk"].get("/reports/funding/", {"year": 2006})
        assert response.status_code == 200
        return len(queries)

    before = count()
    street = demo["streets"]["南湖"]
    worker = Position.objects.get(code="social-worker")
    for index in range(20):
        committee = Committee.objects.create(
            code=f"X{index:03d}", name=f"新增社区{index}", street=street, households=1000
        )
        person = Person.objects.create(name=f"新人{index}", street=street)
        Posting.objects.create(
            person=person,
            committee=committee,
            position=worker,
            start_date=datetime.date(2006, 1, 1),
        )
    assert count() == before
    with django_assert_max_num_queries(before):
        clients["clerk"].get("/budgets/", {"year": 2006})
