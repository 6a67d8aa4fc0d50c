"""The dashboard, the reports page and the login that leads to the dashboard."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from overview.dashboard import dashboard, latest_data_year, quarter_of_interest


def charts_of(response):
    body = response.content.decode()
    start = body.index('<script id="dashboard-charts" type="application/json">')
    start = body.index(">", start) + 1
    return json.loads(body[start : body.index("</script>", start)])


@pytest.mark.django_db
def test_dashboard_key_figures(clients):
    response = clients["clerk"].get("/")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert response.context["dashboard"].year == 2006  # the latest year with data
    assert (figures.established, figures.operating, figures.sharing, figures.village) == (36, 34, 2, 2)
    assert figures.premises == 51 and str(figures.area) == "14680.00"
    assert str(figures.budget_total) == "4074000.00"
    assert str(figures.budget_district) == str(figures.budget_street) == "2037000.00"
    assert str(figures.district_percent) == "50.0"
    assert figures.expected == figures.submitted == figures.approved == 38  # Q4 2006
    body = response.content.decode()
    for text in ("4,074,000.00", "14,680.00", "建制社区居委会", "第4季度报表"):
        assert text in body, text
    assert "vendor/echarts/echarts.min.js" in body and "js/dashboard.js" in body
    # Nothing from another site (a CDN): every script and style is the app's own. (The
    # page's CSRF token is random text, so a bare "cdn" substring test failed now and then.)
    assert re.findall(r'(?:src|href)="(?:https?:)?//', body) == []


@pytest.mark.django_db
def test_dashboard_charts_data(clients):
    charts = charts_of(clients["clerk"].get("/", {"year": 2006}))
    assert set(charts) == {"committees", "budget", "area", "completeness", "staff"}
    committees = charts["committees"]
    assert committees["categories"] == ["南湖街道", "滨湖街道", "南苑街道", "兴隆街道", "双闸街道"]
    assert committees["series"][0]["data"] == [9, 9, 9, 6, 1]
    assert committees["series"][1]["data"] == [0, 0, 0, 2, 0]
    district, street = charts["budget"]["series"]
    assert sum(float(v) for v in district["data"]) == 2037000
    assert len(charts["area"]["categories"]) == 34
    assert charts["completeness"]["categories"] == ["第1季度", "第2季度", "第3季度", "第4季度"]
    assert charts["staff"]["categories"][:3] == ["主任", "副主任", "社工"]


@pytest.mark.django_db
def test_street_user_dashboard_shows_their_street_only(clients):
    response = clients["nanhu"].get("/", {"year": 2006})
    charts = charts_of(response)
    assert charts["committees"]["categories"] == ["南湖街道"]
    assert charts["budget"]["categories"] == ["南湖街道"]
    assert all(not name.startswith(("滨湖", "兴隆")) for name in charts["area"]["categories"])
    assert len(charts["area"]["categories"]) == 9
    figures = response.context["figures"]
    assert figures.established == 9 and figures.expected == 9
    body = response.content.decode()
    assert "滨湖" not in body and "兴隆" not in body and "4,074,000" not in body


@pytest.mark.django_db
def test_dashboard_year_parameter(clients):
    assert clients["clerk"].get("/", {"year": 2005}).context["dashboard"].year == 2005
    response = clients["clerk"].get("/", {"year": "x"})
    assert response.status_code == 400
    assert response.context["dashboard"].year == 2006


@pytest.mark.django_db
def test_latest_year_and_quarter_rules(users):
    assert latest_data_year(user=users["clerk"], today=datetime.date(2026, 5, 1)) == 2006
    assert latest_data_year(user=users["clerk"], today=datetime.date(2005, 5, 1)) == 2005
    assert quarter_of_interest(2006, datetime.date(2026, 5, 1)) == 4
    assert quarter_of_interest(2026, datetime.date(2026, 5, 1)) == 2
    result = dashboard(year=2006, user=users["nanhu"], today=datetime.date(2007, 2, 1))
    assert result.streets == ["南湖街道"]


@pytest.mark.django_db
def test_reports_page_lists_every_report_with_its_parameters(clients, demo):
    from budgets.models import Scenario
    from reports.registry import REPORTS

    Scenario.objects.create(name="社工800")
    response = clients["clerk"].get(reverse("reports:report-list"))
    body = response.content.decode()
    for report_class in REPORTS:
        assert f'id="report-{report_class.identifier}"' in body
        assert str(report_class.verbose_name) in body
        url = reverse("reports:report-detail", args=[report_class.identifier])
        assert f'action="{url}"' in body
    assert body.count('value="xlsx"') == len(REPORTS)
    assert body.count('value="csv"') == len(REPORTS)
    assert 'value="docx"' in body  # the basic situation
    assert '<option value="社工800">社工800</option>' in body
    assert 'name="quarter"' in body and 'value="2006"' in body


@pytest.mark.django_db
def test_funding_with_a_scenario_from_the_page(clients, demo):
    from budgets.models import Scenario

    Scenario.objects.create(name="社工800")
    response = clients["clerk"].get(
        reverse("reports:report-detail", args=["funding"]), {"year": 2006, "scenario": "社工800"}
    )
    assert response.status_code == 200
    assert "社工800" in response.context["title"]
    bad = clients["clerk"].get(
        reverse("reports:report-detail", args=["funding"]), {"year": 2006, "scenario": "无"}
    )
    assert bad.status_code == 400


PAGES = [
    "/",
    "/?year=2006",
    "/reports/",
    "/reports/basic-situation/?year=2006",
    "/reports/basic-situation/?year=2006&format=docx",
    "/reports/funding/?year=2006",
    "/reports/quarterly/?year=2006&quarter=4",
    "/reports/staffing/?year=2006&format=xlsx",
]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["clerk", "nanhu"])
def test_query_count_does_not_grow(clients, more_rows, page, who, django_assert_max_num_queries):
    client = clients[who]
    with django_assert_max_num_queries(100) as small:
        assert client.get(page).status_code == 200
    baseline = len(small.captured_queries)
    more_rows(40)
    with django_assert_max_num_queries(baseline):
        assert client.get(page).status_code == 200


@pytest.mark.django_db
def test_login_form_leads_to_the_dashboard(client, users, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = users["admin"]
    user.set_password("Secret-pass-2006")
    user.save()
    login = client.get(reverse("admin:login"))
    assert 'name="next" value="/"' in login.content.decode()
    response = client.post(
        reverse("admin:login"),
        {"username": user.username, "password": "Secret-pass-2006", "next": "/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"
    # A page asked for is still where the login goes.
    client.logout()
    asked = client.get(reverse("admin:login"), {"next": "/reports/"}).content.decode()
    assert 'name="next" value="/reports/"' in asked
    # The dashboard sends anonymous users to the login and back.
    client.logout()
    assert client.get("/")["Location"] == "/admin/login/?next=/"


@pytest.mark.django_db
def test_admin_header_and_index_lead_to_the_dashboard(clients):
    body = clients["clerk"].get(reverse("admin:index")).content.decode()
    assert '<div id="site-name"><a href="/">' in body
    assert "工作台" in body


@pytest.mark.django_db
def test_the_two_volunteer_figures_say_which_is_which(clients):
    """The roster's volunteers (people in a volunteer post) and the returns' volunteers (all
    a committee has registered) are different figures for the same date: each page that
    shows one says which it is and that the other is counted differently."""
    from returns.models import QuarterlyReturn

    home = clients["clerk"].get("/")
    roster = home.context["figures"].volunteers
    assert roster > 0
    assert f"名册中担任义工岗位的{roster}人" in home.content.decode()
    reported = sum(
        r.volunteers or 0
        for r in QuarterlyReturn.objects.filter(year=2006, quarter=4, status="approved")
    )
    assert reported != roster  # the two figures of the brief's data differ (998 and 101)
    quarterly = clients["clerk"].get("/reports/quarterly/?year=2006&quarter=4").content.decode()
    assert "本表义工人数为各社区登记的全部义工" in quarterly
    staffing = clients["clerk"].get("/reports/staffing/?year=2006").content.decode()
    assert "义工指名册中担任义工岗位的人员" in staffing
