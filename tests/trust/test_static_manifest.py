"""DEBUG off and ``collectstatic`` not run (issue 13): pages render instead of a server error
("Missing staticfiles manifest entry"), and the system check audit.W001 says to collect."""

import pytest
from django.core.management import call_command
from django.test import Client

from audit.checks import static_manifest

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "jianye.storage.StaticFilesStorage"},
}


@pytest.fixture
def uncollected(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static-root"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = PRODUCTION_STORAGES
    return settings


def test_the_check_says_to_run_collectstatic(uncollected):
    warnings = static_manifest()
    assert [w.id for w in warnings] == ["audit.W001"]
    assert "collectstatic" in warnings[0].hint
    assert "staticfiles.json" in warnings[0].msg


def test_the_check_is_registered(uncollected):
    from django.core import checks

    assert "audit.W001" in [w.id for w in checks.run_checks()]


def test_no_warning_once_collected(uncollected):
    call_command("collectstatic", "--noinput", verbosity=0)
    assert static_manifest() == []


def test_no_warning_for_the_development_storage(settings):
    assert static_manifest() == []  # tests' (and DEBUG's) plain StaticFilesStorage


@pytest.mark.parametrize("role", ["admin", "nanhu"])
def test_pages_render_without_the_manifest(uncollected, users, role):
    client = Client()
    assert client.get("/admin/login/").status_code == 200
    client.force_login(users[role])
    for url in ("/", "/admin/", "/reports/", "/returns/"):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
    page = client.get("/admin/").content.decode()
    assert "/static/admin/css/base.css" in page


def test_pages_link_hashed_names_once_collected(uncollected, users):
    call_command("collectstatic", "--noinput", verbosity=0)
    client = Client()
    client.force_login(users["admin"])
    page = client.get("/admin/").content.decode()
    assert "/static/admin/css/base.css" not in page
    assert "/static/admin/css/base." in page
