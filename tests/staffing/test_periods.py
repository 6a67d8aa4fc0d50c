"""Part months: a month counts in full when the posting covers any day of it."""

import datetime

import pytest

from staffing.models import Person, Position, Posting


@pytest.fixture
def setup(demo):
    committee = demo["committees"]["南湖东路社区"]
    position, _ = Position.objects.get_or_create(code="test-worker", defaults={"name": "测试岗位"})
    person = Person.objects.create(name="张三", street=committee.street)
    return committee, position, person


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "months_2006"),
    [
        (datetime.date(2006, 1, 1), None, 12),
        (datetime.date(2006, 4, 15), None, 9),  # starts in April: paid from April
        (datetime.date(2005, 3, 1), datetime.date(2006, 10, 10), 10),  # leaves in October
        (datetime.date(2006, 7, 31), datetime.date(2006, 8, 1), 2),
        (datetime.date(2006, 5, 1), datetime.date(2006, 5, 31), 1),
        (datetime.date(2004, 1, 1), datetime.date(2005, 12, 31), 0),
        (datetime.date(2007, 1, 1), None, 0),
        (datetime.date(2003, 6, 1), None, 12),
    ],
)
def test_months_in_post(setup, start, end, months_2006):
    committee, position, person = setup
    posting = Posting.objects.create(
        person=person, committee=committee, position=position, start_date=start, end_date=end
    )
    assert Posting.objects.with_months_in(2006).get(pk=posting.pk).months == months_2006
