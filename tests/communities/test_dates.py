"""Absurd dates are refused by the model (issue 13: 9999-12-31 was accepted as a committee's
establishment date): the admin, the imports and everything else share the validators."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from communities.models import Committee, CommunityCentre

from .test_bad_input import new_committee
from .test_scoping_matrix import committee_form_data, snapshot

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    "value",
    [datetime.date(9999, 12, 31), TODAY + datetime.timedelta(days=1), datetime.date(1949, 9, 30),
     datetime.date(1, 1, 1)],
)
def test_an_establishment_date_outside_1949_to_today_is_refused(demo, value):
    with pytest.raises(ValidationError) as exc_info:
        new_committee(demo, established_on=value).full_clean()
    [message] = exc_info.value.message_dict["established_on"]
    assert message == f"成立日期应在 1949-10-01 至今天（{TODAY.isoformat()}）之间。"


@pytest.mark.parametrize("value", [datetime.date(1949, 10, 1), datetime.date(1984, 5, 1), TODAY])
def test_an_establishment_date_in_range_is_accepted(demo, value):
    new_committee(demo, established_on=value).full_clean()


@pytest.mark.parametrize("field", ["revoked_on", "one_stop_since"])
def test_other_committee_dates_may_be_planned_but_not_absurd(demo, field):
    try:
        new_committee(demo, **{field: TODAY + datetime.timedelta(days=400)}).full_clean()
    except ValidationError as exc:  # revoked_on needs the status "revoked" too (model clean)
        assert field not in exc.message_dict
    with pytest.raises(ValidationError) as exc_info:
        new_committee(demo, **{field: datetime.date(9999, 12, 31)}).full_clean()
    assert exc_info.value.message_dict[field] == ["请填写 1900-01-01 至 2100-12-31 之间的日期。"]


def test_a_centres_status_date_is_bounded(demo):
    centre = CommunityCentre.objects.first()
    centre.status_date = datetime.date(2101, 1, 1)
    with pytest.raises(ValidationError) as exc_info:
        centre.full_clean()
    assert "status_date" in exc_info.value.message_dict


def test_the_admin_form_refuses_9999_12_31(clients, demo):
    committee = demo["committees"]["沿河社区"]
    before = snapshot()
    response = clients["clerk"].post(
        reverse("admin:communities_committee_change", args=[committee.pk]),
        committee_form_data(committee, established_on="9999-12-31"),
    )
    assert response.status_code == 200
    assert "成立日期应在 1949-10-01 至今天" in response.content.decode()
    assert snapshot() == before
    assert Committee.objects.get(pk=committee.pk).established_on != datetime.date(9999, 12, 31)
