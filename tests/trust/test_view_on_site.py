"""The admin's "view on site" redirect (/admin/r/<content type>/<id>/) answers an id that is
not a key of the model with a 404, never a server error (issue 13: the task results of
django-tasks-db have UUID keys, and a malformed UUID reached the database lookup)."""

import uuid

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import resolve, reverse

from jianye import views


def shortcut_url(label, object_id):
    content_type = ContentType.objects.get_for_model(apps.get_model(label))
    return reverse("admin:view_on_site", args=[content_type.pk, object_id])


@pytest.mark.parametrize("role", ["admin", "clerk", "viewer", "nanhu"])
@pytest.mark.parametrize(
    "label, object_id",
    [
        ("django_tasks_database.DBTaskResult", "not-a-uuid"),
        ("django_tasks_database.DBTaskResult", "1"),
        ("django_tasks_database.DBTaskResult", str(uuid.uuid4())),
        ("communities.Committee", "abc"),
        ("communities.Committee", "99999999999999999999"),
        ("returns.QuarterlyReturn", "1.5"),
    ],
)
def test_an_id_that_is_not_a_key_is_a_404(clients, role, label, object_id):
    response = clients[role].get(shortcut_url(label, object_id))
    assert response.status_code == 404


def test_an_unknown_content_type_is_a_404(clients):
    response = clients["admin"].get(reverse("admin:view_on_site", args=[999999, "1"]))
    assert response.status_code == 404


def test_the_admin_url_keeps_its_name_and_login(client, db):
    url = reverse("admin:view_on_site", args=[1, "x"])
    assert resolve(url).func.__wrapped__ is views.view_on_site
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
