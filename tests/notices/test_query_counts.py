"""The notices pages read in a fixed number of queries, however many notices, streets and
readers there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notices.models import Notice
from notices.services import post_notice

pytestmark = pytest.mark.django_db


def some_notices(users, demo, count):
    streets = list(demo["streets"].values())
    made = [
        post_notice(user=users["clerk"], title=f"通知{i}", body="正文", streets=streets)
        for i in range(count)
    ]
    return made


def measure(client, url):
    client.get(url)  # warm up the session and permissions
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["nanhu", "clerk", "viewer"])
def test_list_queries_do_not_grow(clients, users, demo, who, django_assert_max_num_queries):
    some_notices(users, demo, 2)
    url = reverse("notices:list")
    small = measure(clients[who], url)
    for notice in some_notices(users, demo, 25):
        clients["nanhu"].get(reverse("notices:detail", args=[notice.pk]))
        clients["binhu"].get(reverse("notices:detail", args=[notice.pk]))
    with django_assert_max_num_queries(small):
        assert clients[who].get(url).status_code == 200


@pytest.mark.parametrize("who", ["nanhu", "clerk"])
def test_detail_queries_do_not_grow(clients, users, demo, who, django_assert_max_num_queries):
    (notice,) = some_notices(users, demo, 1)
    url = reverse("notices:detail", args=[notice.pk])
    clients["nanhu"].get(url)  # the first reading writes the receipt
    small = measure(clients[who], url)
    from django.test import Client

    from accounts.roles import Role
    from tests.conftest import make_user

    for index in range(8):
        reader = Client()
        reader.force_login(make_user(Role.STREET, demo["streets"]["南湖"], username=f"r{index}"))
        reader.get(url)
    with django_assert_max_num_queries(small):
        assert clients[who].get(url).status_code == 200
    assert (
        Notice.objects.get(pk=notice.pk).deliveries.get(street__short_name="南湖").readings.count()
        == 9
    )
