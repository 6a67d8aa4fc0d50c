"""Bad input to the communities register gets a clear Chinese message and writes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from communities.models import Committee

from .test_scoping_matrix import committee_form_data, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def new_committee(demo, **fields):
    values = {
        "code": "320105001099",
        "name": "新建社区",
        "street": demo["streets"]["南湖"],
        "households": 2000,
        "population": 5600,
    }
    values.update(fields)
    return Committee(**values)


def messages_of(exc_info, field):
    return exc_info.value.message_dict[field]


# Duplicate code ------------------------------------------------------------------------------


def test_duplicate_code_full_clean(demo):
    existing = demo["committees"]["沿河社区"]
    committee = new_committee(demo, code=existing.code)
    with pytest.raises(ValidationError) as exc_info:
        committee.full_clean()
    assert messages_of(exc_info, "code") == ["该代码的社区居委会已存在。"]
    assert Committee.objects.filter(code=existing.code).count() == 1


def test_duplicate_code_is_refused_by_the_database(demo):
    existing = demo["committees"]["沿河社区"]
    before = Committee.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        new_committee(demo, code=existing.code).save()
    assert Committee.objects.count() == before


def test_duplicate_code_in_the_admin_form(clients, demo):
    existing = demo["committees"]["沿河社区"]
    template = demo["committees"]["南湖东路社区"]
    before = snapshot()
    response = clients["clerk"].post(
        reverse("admin:communities_committee_add"),
        committee_form_data(
            template,
            code=existing.code,
            name="新建社区",
            one_stop_service="none",
            one_stop_since="",
        ),
    )
    assert response.status_code == 200
    assert response.context_data["adminform"].form.errors["code"] == ["该代码的社区居委会已存在。"]
    assert "该代码的社区居委会已存在。" in response.content.decode()
    assert snapshot() == before


# Negative households -------------------------------------------------------------------------


def test_negative_households_full_clean(demo):
    with pytest.raises(ValidationError) as exc_info:
        new_committee(demo, households=-5).full_clean()
    assert "户数不能为负数。" in exc_info.value.messages


def test_negative_households_is_refused_by_the_database(demo):
    committee = demo["committees"]["沿河社区"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Committee.objects.filter(pk=committee.pk).update(households=-1)
    assert Committee.objects.get(pk=committee.pk).households == 1972


def test_negative_households_in_the_admin_form(clients, demo):
    committee = demo["committees"]["沿河社区"]
    before = snapshot()
    response = clients["clerk"].post(
        reverse("admin:communities_committee_change", args=[committee.pk]),
        committee_form_data(committee, households=-1),
    )
    assert response.status_code == 200
    assert "户数不能为负数。" in response.content.decode()
    assert snapshot() == before


# Office shared with a committee of another street -------------------------------------------


def test_sharing_with_another_street_full_clean(demo):
    committee = demo["committees"]["沿河社区"]
    committee.status = "sharing"
    committee.shares_office_with = demo["committees"]["滨湖社区"]
    with pytest.raises(ValidationError) as exc_info:
        committee.full_clean()
    assert messages_of(exc_info, "shares_office_with") == ["只能与本街道的社区居委会合署办公。"]
    assert Committee.objects.get(pk=committee.pk).status == "operating"


def test_sharing_with_another_street_in_the_admin_form(clients, demo):
    committee = demo["committees"]["沿河社区"]
    host = demo["committees"]["滨湖社区"]
    before = snapshot()
    response = clients["clerk"].post(
        reverse("admin:communities_committee_change", args=[committee.pk]),
        committee_form_data(committee, status="sharing", shares_office_with=host.pk),
    )
    assert response.status_code == 200
    errors = response.context_data["adminform"].form.errors
    assert errors["shares_office_with"] == ["只能与本街道的社区居委会合署办公。"]
    assert snapshot() == before


def test_sharing_without_naming_the_host(demo):
    committee = demo["committees"]["沿河社区"]
    committee.status = "sharing"
    with pytest.raises(ValidationError) as exc_info:
        committee.full_clean()
    assert (
        "合署办公的社区居委会必须填写与其合署办公的社区，其他社区居委会不得填写。"
        in exc_info.value.messages
    )


def test_sharing_within_the_street_is_accepted(clients, demo):
    """Positive control for the two refusals above."""
    committee = demo["committees"]["沿河社区"]
    host = demo["committees"]["南湖东路社区"]
    response = clients["clerk"].post(
        reverse("admin:communities_committee_change", args=[committee.pk]),
        committee_form_data(committee, status="sharing", shares_office_with=host.pk),
    )
    assert response.status_code == 302
    assert Committee.objects.get(pk=committee.pk).shares_office_with == host
