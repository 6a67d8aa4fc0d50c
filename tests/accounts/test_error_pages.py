"""The project's own 403, 404 and 500 pages, in Chinese."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_refused_page_says_why_and_where_to_go(clients):
    response = clients["nanhu"].get("/returns/2006/4/review/")  # the clerk's review
    assert response.status_code == 403
    page = response.content.decode()
    assert "您无权打开此页面" in page
    assert "街道工作人员" in page  # the user's role, named
    with translation.override("zh-hans"):
        reason = translation.gettext(
            "Only the district's clerks and administrators review quarterly returns."
        )
    assert reason.startswith("季度报表由区民政局")
    assert reason in page  # the view's own reason
    assert 'href="/"' in page and "返回首页" in page
    assert "Forbidden" not in page


def test_admin_refusal_is_the_chinese_page(clients):
    response = clients["clerk"].get("/admin/accounts/user/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "您无权打开此页面" in page and "区民政局工作人员" in page and "返回首页" in page
    assert "403 Forbidden" not in page


def test_missing_page_is_the_chinese_page(clients):
    response = clients["nanhu"].get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "返回首页" in page
    assert "Not Found" not in page


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken), path("", include("jianye.urls"))]


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_is_the_chinese_page_without_a_database(django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错了" in page and "返回首页" in page
    assert "Server Error (500)" not in page


def test_denied_for_anonymous_still_renders(rf):
    from django.views.defaults import permission_denied

    request = rf.get("/x/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with translation.override("zh-hans"):
        response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "此页面需要具有相应权限的账户" in response.content.decode()
