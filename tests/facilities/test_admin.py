"""The premises admin: scoped to the user's street, clear refusals, constant query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.locking import VERSION_FIELD, version_token
from facilities.models import Premises, PremisesStatus

CHANGELIST = reverse("admin:facilities_premises_changelist")
ADD = reverse("admin:facilities_premises_add")


def premises_form(committee, **overrides):
    data = {
        "committee": committee.pk,
        "name": "新增活动室",
        "address": "",
        "use": "activity",
        "area": "120.50",
        "tenure": "rented",
        "status": "in_use",
        "status_since": "2006-07-01",
        "ended_on": "",
        "note": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_street_user_adds_premises_to_own_committee(clients, demo):
    committee = demo["committees"]["南湖东路社区"]
    response = clients["nanhu"].post(ADD, premises_form(committee))
    assert response.status_code == 302
    assert Premises.objects.filter(committee=committee, name="新增活动室").exists()


@pytest.mark.django_db
def test_street_user_cannot_add_premises_to_another_streets_committee(clients, demo):
    before = Premises.objects.count()
    response = clients["nanhu"].post(ADD, premises_form(demo["committees"]["滨湖社区"]))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "committee" in errors
    assert "不在您可以填报的范围内" in errors["committee"][0]
    assert Premises.objects.count() == before


@pytest.mark.django_db
def test_negative_area_is_refused_in_chinese(clients, demo):
    before = Premises.objects.count()
    response = clients["clerk"].post(
        ADD, premises_form(demo["committees"]["南湖东路社区"], area="-5")
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "面积不能为负数。" in str(form.errors)
    assert Premises.objects.count() == before


@pytest.mark.django_db
def test_street_user_sees_only_own_streets_premises(clients, demo):
    response = clients["nanhu"].get(CHANGELIST)
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown and {p.committee.street.short_name for p in shown} == {"南湖"}
    content = response.content.decode()
    assert "滨湖社区" not in content

    binhu = Premises.objects.filter(committee__street__short_name="滨湖").first()
    change = reverse("admin:facilities_premises_change", args=[binhu.pk])
    assert clients["nanhu"].get(change).status_code == 404
    assert clients["binhu"].get(change).status_code == 200
    history = reverse("admin:facilities_premises_history", args=[binhu.pk])
    assert clients["nanhu"].get(history).status_code == 404
    delete = reverse("admin:facilities_premises_delete", args=[binhu.pk])
    assert clients["nanhu"].post(delete, {"post": "yes"}).status_code == 404
    assert Premises.objects.filter(pk=binhu.pk).exists()


@pytest.mark.django_db
def test_street_user_cannot_move_own_premises_to_another_street(clients, demo):
    own = Premises.objects.filter(committee__street__short_name="南湖").first()
    change = reverse("admin:facilities_premises_change", args=[own.pk])
    data = premises_form(demo["committees"]["滨湖社区"], name=own.name, area=str(own.area))
    data[VERSION_FIELD] = version_token(own)  # as the change page carries it
    response = clients["nanhu"].post(change, data)
    assert response.status_code == 200
    assert "committee" in response.context["adminform"].form.errors
    own.refresh_from_db()
    assert own.committee.street.short_name == "南湖"


@pytest.mark.django_db
def test_street_user_cannot_change_the_standards(clients):
    for url in (
        reverse("admin:facilities_functionstandarditem_add"),
        reverse("admin:facilities_areastandard_add"),
        reverse("admin:facilities_compliance_add"),
    ):
        assert clients["nanhu"].get(url).status_code == 403
    assert clients["admin"].get(reverse("admin:facilities_areastandard_add")).status_code == 200
    assert clients["clerk"].get(reverse("admin:facilities_areastandard_add")).status_code == 403
    assert clients["clerk"].get(reverse("admin:facilities_compliance_add")).status_code == 200


def add_premises(committees, count):
    Premises.objects.bulk_create(
        Premises(
            committee=committees[i % len(committees)],
            name=f"测试用房{i}",
            area=Decimal("50.00"),
            status=PremisesStatus.IN_USE,
        )
        for i in range(count)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["clerk", "nanhu"])
def test_changelist_query_count_does_not_grow(clients, demo, role, django_assert_max_num_queries):
    client = clients[role]
    client.get(CHANGELIST)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(CHANGELIST).status_code == 200
    nanhu = [c for c in demo["committees"].values() if c.street.short_name == "南湖"]
    add_premises(nanhu, 40)
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    with django_assert_max_num_queries(len(baseline)):
        assert client.get(CHANGELIST + "?status=in_use&q=测试").status_code == 200


@pytest.mark.django_db
def test_compliance_changelist_query_count_does_not_grow(clients, django_assert_max_num_queries):
    url = reverse("admin:facilities_compliance_changelist")
    clients["clerk"].get(url)
    with CaptureQueriesContext(connection) as baseline:
        assert clients["clerk"].get(url).status_code == 200
    with django_assert_max_num_queries(len(baseline)):
        assert clients["clerk"].get(url + "?p=3").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", ["premises", "functionstandarditem", "compliance", "areastandard"]
)
def test_every_facilities_page_opens_in_chinese(clients, model):
    client = clients["admin"]
    changelist = client.get(reverse(f"admin:facilities_{model}_changelist"))
    assert changelist.status_code == 200
    assert client.get(reverse(f"admin:facilities_{model}_add")).status_code == 200
    assert client.get(reverse(f"admin:facilities_{model}_export")).status_code == 200
    assert client.get(reverse(f"admin:facilities_{model}_import")).status_code == 200
    assert "办公活动用房" in client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_street_filter_offers_only_own_street(clients):
    response = clients["nanhu"].get(CHANGELIST)
    content = response.content.decode()
    assert "南湖街道" in content and "滨湖街道" not in content
    assert clients["nanhu"].get(CHANGELIST + "?q=滨湖").context["cl"].result_count == 0
