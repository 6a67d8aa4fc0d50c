"""The demo roster reproduces the brief: 34 directors, 33 deputies, 152 social workers."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count

from communities.models import CommitteeKind, CommitteeStatus
from staffing import demo as staffing_demo
from staffing.models import Attendance, ExamResult, PayStandard, Person, Position, Posting

JAN_1, DEC_31 = datetime.date(2006, 1, 1), datetime.date(2006, 12, 31)


def in_post_all_2006():
    return Posting.objects.in_post_on(JAN_1).in_post_on(DEC_31)


@pytest.mark.django_db
def test_headcounts_by_pay_position(demo):
    counts = dict(
        in_post_all_2006()
        .filter(position__is_paid=True)
        .values_list("position__code")
        .annotate(n=Count("pk"))
    )
    assert counts["director"] == 34
    assert counts["deputy"] == 33
    assert counts["social-worker"] + counts["party-worker"] == 152
    assert counts["party-worker"] == 34
    assert in_post_all_2006().filter(position__code="volunteer").count() > 0


@pytest.mark.django_db
def test_standards_in_force_and_the_party_worker_is_paid_as_a_social_worker(demo):
    positions = {p.code: p for p in Position.objects.all()}
    day = datetime.date(2006, 6, 30)
    assert PayStandard.in_force(positions["director"], day).monthly_amount == Decimal("850")
    assert PayStandard.in_force(positions["deputy"], day).monthly_amount == Decimal("800")
    assert PayStandard.in_force(positions["social-worker"], day).monthly_amount == Decimal("750")
    party = positions["party-worker"]
    assert party.pay_position == positions["social-worker"]
    assert PayStandard.in_force(party, day).monthly_amount == Decimal("750")
    assert PayStandard.in_force(positions["director"], datetime.date(2005, 12, 31)) is None
    assert not positions["volunteer"].is_paid


@pytest.mark.django_db
def test_the_2006_roster_costs_the_brief_figure(demo):
    """Months in post × the standard in force, summed over paid postings (12 months each)."""
    total = Decimal(0)
    standards = {}
    postings = Posting.objects.with_months_in(2006).filter(position__is_paid=True, months__gt=0)
    for posting in postings.select_related("position__paid_as"):
        assert posting.months == 12
        position = posting.position
        if position.pk not in standards:
            standards[position.pk] = PayStandard.in_force(position, JAN_1).monthly_amount
        total += standards[position.pk] * posting.months
    assert total == 34 * 850 * 12 + 33 * 800 * 12 + 152 * 750 * 12


@pytest.mark.django_db
def test_roster_only_in_operating_urban_committees(demo):
    committees = in_post_all_2006().values_list("committee__kind", "committee__status").distinct()
    assert set(committees) == {(CommitteeKind.URBAN, CommitteeStatus.OPERATING)}
    assert in_post_all_2006().values("committee").distinct().count() == 34


@pytest.mark.django_db
def test_every_demo_row_is_valid(demo):
    for person in Person.objects.all():
        person.full_clean()
    for posting in Posting.objects.select_related("person__street", "committee__street"):
        posting.full_clean()
    # some people moved between committees: their earlier posting is kept as history
    assert Posting.objects.filter(end_date__lt=JAN_1).exists()


@pytest.mark.django_db
def test_a_second_load_changes_nothing(demo):
    def snapshot():
        return (
            list(Person.objects.order_by("pk").values()),
            list(Posting.objects.order_by("pk").values()),
            list(Attendance.objects.order_by("pk").values()),
            list(ExamResult.objects.order_by("pk").values()),
            list(PayStandard.objects.order_by("pk").values()),
            list(Position.objects.order_by("pk").values()),
        )

    before = snapshot()
    staffing_demo.load(demo["context"])
    assert snapshot() == before
