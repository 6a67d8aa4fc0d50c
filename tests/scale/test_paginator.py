"""The admin's estimated-count paginator: estimates only a whole big table on PostgreSQL."""

import pytest
from django.db import connection

from scoping import paginators
from scoping.paginators import EstimatedCountPaginator
from staffing.models import Person


@pytest.mark.django_db
def test_small_or_filtered_lists_are_counted_exactly(demo):
    everyone = Person.objects.all()
    assert EstimatedCountPaginator(everyone, 50).count == everyone.count()
    some = Person.objects.filter(street=demo["streets"]["南湖"])
    assert EstimatedCountPaginator(some, 50).count == some.count()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statistics")
def test_a_whole_big_table_is_estimated(demo, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE staffing_person")
    monkeypatch.setattr(paginators, "ESTIMATE_ABOVE", 1)
    exact = Person.objects.count()
    assert paginators.estimated_rows(Person.objects.all()) == exact
    assert paginators.estimated_rows(Person.objects.filter(name="x")) is None
    assert EstimatedCountPaginator(Person.objects.all(), 50).count == exact
