"""Pay standards are effective-dated; postings cannot overlap or end before they start."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from staffing.models import PayStandard, Person, Position, Posting


@pytest.mark.django_db
def test_a_later_standard_supersedes_from_its_date_and_the_old_one_stays(demo):
    worker = Position.objects.get(code="social-worker")
    party = Position.objects.get(code="party-worker")
    old = PayStandard.in_force(worker, datetime.date(2006, 1, 1))
    PayStandard.objects.create(
        position=worker, monthly_amount=Decimal("800"), effective_from=datetime.date(2006, 7, 1)
    )
    assert PayStandard.in_force(worker, datetime.date(2006, 6, 30)) == old
    assert PayStandard.in_force(worker, datetime.date(2006, 7, 1)).monthly_amount == 800
    assert PayStandard.in_force(party, datetime.date(2006, 12, 31)).monthly_amount == 800
    assert PayStandard.objects.filter(pk=old.pk, monthly_amount=750).exists()


@pytest.fixture
def person(demo):
    return Person.objects.create(name="王五", street=demo["streets"]["南湖"])


def posting(person, committee, start, end=None):
    return Posting(
        person=person,
        committee=committee,
        position=Position.objects.get(code="social-worker"),
        start_date=start,
        end_date=end,
    )


@pytest.mark.django_db
def test_overlapping_postings_are_refused(demo, person):
    committees = demo["committees"]
    first = posting(person, committees["沿河社区"], datetime.date(2005, 1, 1))
    first.full_clean()
    first.save()
    second = posting(person, committees["长虹社区"], datetime.date(2006, 3, 1))
    with pytest.raises(ValidationError) as caught:
        second.full_clean()
    assert "请先结束原任职" in str(caught.value)
    assert Posting.objects.filter(person=person).count() == 1


@pytest.mark.django_db
def test_a_posting_cannot_end_before_it_starts(demo, person):
    bad = posting(person, demo["committees"]["沿河社区"], datetime.date(2006, 3, 1), datetime.date(2006, 2, 1))
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    assert "不能早于起始日期" in str(caught.value)


@pytest.mark.django_db
def test_a_posting_in_another_streets_committee_is_refused(demo, person):
    bad = posting(person, demo["committees"]["滨湖社区"], datetime.date(2006, 3, 1))
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    assert "committee" in caught.value.message_dict


@pytest.mark.django_db
def test_the_person_street_follows_the_latest_posting(demo, person):
    committees = demo["committees"]
    posting(person, committees["沿河社区"], datetime.date(2005, 1, 1)).save()
    person.street = demo["streets"]["滨湖"]
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "street" in caught.value.message_dict
