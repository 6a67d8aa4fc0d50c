"""Revoking a committee while people are still in post (issue 13, item 5).

The rule is the model's (``Committee.check_revocation``), so the admin form, the import and
anything else refuse the same way, listing the people; the admin form's box ends their
postings at the revocation date instead. And the budget (``budget_compute``) pays nothing on
a committee after the month it was revoked in, even for a posting left open.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from budgets.calculations import budget_compute, budget_explain
from budgets.models import OfficeFundRate
from communities.models import Committee, CommitteeStatus, people_in_post
from communities.resources import CommitteeResource
from imports.services import import_file
from scoping.rules import SYSTEM
from staffing.models import PayStandard, Posting

from .test_scoping_matrix import committee_form_data

REVOKED_ON = datetime.date(2006, 6, 15)
YEAR = 2006


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def open_postings(committee):
    return list(
        Posting.objects.filter(committee=committee, end_date__isnull=True)
        .select_related("person", "position")
        .order_by("start_date", "pk")
    )


@pytest.fixture
def committee(demo):
    committee = demo["committees"]["沿河社区"]
    assert committee.status == CommitteeStatus.OPERATING
    assert open_postings(committee), "the demo committee has people in post"
    return committee


def revoke(committee):
    committee.status = CommitteeStatus.REVOKED
    committee.revoked_on = REVOKED_ON
    return committee


def test_revocation_with_people_in_post_is_refused_listing_them(committee):
    people = open_postings(committee)
    with pytest.raises(ValidationError) as refused:
        revoke(committee).full_clean()
    message = " ".join(refused.value.message_dict["status"])
    assert "沿河社区" in message and "2006-06-15" in message and "仍有人员在岗" in message and "不能于2006-06-15撤销" in message
    for posting in people[:10]:
        assert f"{posting.person.name}（{posting.position.name}）" in message
    assert Committee.objects.get(pk=committee.pk).status == CommitteeStatus.OPERATING


def test_a_long_list_is_cut_after_ten():
    postings = [
        SimpleNamespace(person=SimpleNamespace(name=f"人员{n}"), position=SimpleNamespace(name="社工"))
        for n in range(12)
    ]
    with translation.override("zh-hans"):
        text = people_in_post(postings)
    assert text.startswith("人员0（社工）、人员1（社工）")
    assert "人员9（社工）" in text and "人员10" not in text
    assert text.endswith("等12人")


def test_the_admin_form_refuses_then_ends_the_postings_when_confirmed(clients, committee):
    url = reverse("admin:communities_committee_change", args=[committee.pk])
    people = open_postings(committee)
    data = committee_form_data(committee, status="revoked", revoked_on="2006-06-15")

    response = clients["clerk"].post(url, data)
    assert response.status_code == 200
    errors = response.context_data["adminform"].form.errors
    assert any(people[0].person.name in error for error in errors["status"])
    assert "同时结束这些人员的在岗记录" in response.content.decode()  # the box is offered
    assert Committee.objects.get(pk=committee.pk).status == CommitteeStatus.OPERATING
    assert all(p.end_date is None for p in Posting.objects.filter(pk__in=[p.pk for p in people]))

    response = clients["clerk"].post(url, {**data, "end_postings": "on"})
    assert response.status_code == 302, response.context_data["adminform"].form.errors
    saved = Committee.objects.get(pk=committee.pk)
    assert (saved.status, saved.revoked_on) == (CommitteeStatus.REVOKED, REVOKED_ON)
    ended = Posting.objects.filter(pk__in=[p.pk for p in people])
    assert {p.end_date for p in ended} == {REVOKED_ON}
    assert not saved.postings_open_at_revocation().exists()
    for posting in ended:  # each with its history row, by the clerk
        last = posting.history.latest("history_date")
        assert last.end_date == REVOKED_ON and last.history_user.username == "clerk-district"


def test_an_import_that_revokes_is_refused_the_same_way(users, committee, tmp_path):
    dataset = CommitteeResource(user=users["clerk"]).export(
        queryset=Committee.objects.filter(pk=committee.pk)
    )
    book = openpyxl.Workbook()
    sheet = book.active
    headers = list(dataset.headers)
    sheet.append(headers)
    row = list(dataset[0])
    row[headers.index(str(CommitteeResource.fields["status"].column_name))] = "已撤销"
    row[headers.index(str(CommitteeResource.fields["revoked_on"].column_name))] = "2006-06-15"
    sheet.append(row)
    path = tmp_path / "committees.xlsx"
    book.save(path)
    outcome = import_file(register="committees", path=path, user=users["clerk"])
    assert not outcome.written
    messages = " ".join(str(error) for error in outcome.errors)
    assert open_postings(committee)[0].person.name in messages, messages
    assert Committee.objects.get(pk=committee.pk).status == CommitteeStatus.OPERATING


def test_no_new_posting_runs_past_a_revocation(committee):
    posting = open_postings(committee)[0]
    Committee.objects.filter(pk=committee.pk).update(status="revoked", revoked_on=REVOKED_ON)
    posting.refresh_from_db()
    posting.committee.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        posting.full_clean()
    assert "end_date" in refused.value.message_dict
    posting.end_date = REVOKED_ON
    posting.full_clean()  # ending by the revocation date is fine


# The budget ----------------------------------------------------------------------------------


def in_force(schedule, month_start):
    """The value of the latest row that took effect on or before the month's first day."""
    value = None
    for day, amount in sorted(schedule):
        if day <= month_start:
            value = amount
    return value


def touches(posting, month_start, month_end):
    return posting.start_date <= month_end and (
        posting.end_date is None or posting.end_date >= month_start
    )


def months_of(year, last_month):
    for month in range(1, last_month + 1):
        start = datetime.date(year, month, 1)
        end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        yield start, end - datetime.timedelta(days=1)


def test_a_committee_revoked_mid_year_is_paid_only_until_its_revocation(committee):
    """Data from before the rule: revoked in June with its postings left open. Staff and
    office funds count January to June (the month of the revocation, like a posting that
    ends in it), from the pay standards and the office-fund rate in force each month."""
    before = budget_compute(year=YEAR, user=SYSTEM)
    whole_year = before.committee(committee.pk)
    Committee.objects.filter(pk=committee.pk).update(status="revoked", revoked_on=REVOKED_ON)
    assert open_postings(committee)  # still open: the budget must stop paying them anyway

    staff = Decimal(0)
    for posting in Posting.objects.filter(committee=committee, position__is_paid=True).select_related(
        "position"
    ):
        pay_position = posting.position.paid_as_id or posting.position_id
        schedule = list(
            PayStandard.objects.filter(position_id=pay_position).values_list(
                "effective_from", "monthly_amount"
            )
        )
        for start, end in months_of(YEAR, REVOKED_ON.month):
            if touches(posting, start, end):
                staff += in_force(schedule, start) or 0
    rates = list(OfficeFundRate.objects.values_list("effective_from", "amount_per_100_households"))
    households = whole_year.households
    office = sum(
        Decimal(households) / 100 * in_force(rates, start)
        for start, _end in months_of(YEAR, REVOKED_ON.month)
    )

    result = budget_compute(year=YEAR, user=SYSTEM)
    revoked = result.committee(committee.pk)
    assert revoked.amounts.staff == staff.quantize(Decimal("0.01"))
    assert revoked.amounts.office == office.quantize(Decimal("0.01"))
    assert revoked.office_months == REVOKED_ON.month
    assert revoked.amounts.staff < whole_year.amounts.staff
    # The explanation page says the same.
    explained = budget_explain(committee=Committee.objects.get(pk=committee.pk), year=YEAR)
    assert explained.amounts == revoked.amounts
    assert explained.staff_lines and all(line.months <= 6 for line in explained.staff_lines)
    # Every other committee is untouched.
    others = {c.id: c.amounts for c in before.committees() if c.id != committee.pk}
    assert {c.id: c.amounts for c in result.committees() if c.id != committee.pk} == others
    # Revoked before the year: nothing at all.
    Committee.objects.filter(pk=committee.pk).update(revoked_on=datetime.date(YEAR - 1, 12, 31))
    assert budget_compute(year=YEAR, user=SYSTEM).committee(committee.pk) is None
