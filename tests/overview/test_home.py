"""The home page: each role's to-do list (待办), one click from where each item is done, and
the top navigation showing each role what it may do and nothing else."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from communities.models import Committee
from imports.models import ImportJob
from overview.todo import period_of_interest, todo_for
from returns.models import QuarterlyReturn, ReturnStatus, quarter_deadline
from returns.selectors import committees_in_quarter
from returns.workflow import return_send_back

pytestmark = pytest.mark.django_db

FIGURES = dict(
    households=2000,
    registered_population=5600,
    resident_population=5800,
    volunteers=10,
    activities=5,
    one_stop_cases=0,
)


def period():
    return period_of_interest(timezone.localdate())


def street_committees(street):
    year, quarter = period()
    return list(
        committees_in_quarter(
            Committee.objects.filter(street=street), year=year, quarter=quarter
        ).order_by("code")
    )


def submitted(committee, year=None, quarter=None):
    if year is None:
        year, quarter = period()
    return QuarterlyReturn.objects.create(
        committee=committee,
        year=year,
        quarter=quarter,
        status=ReturnStatus.SUBMITTED,
        first_submitted_at=timezone.now(),
        submitted_at=timezone.now(),
        **FIGURES,
    )


def todo_section(response) -> str:
    body = response.content.decode()
    return body[body.index('<section class="todo"') : body.index("</section>")]


def todo_links(response) -> list[str]:
    return [
        link.replace("&amp;", "&")
        for link in re.findall(r'<a href="([^"]+)"', todo_section(response))
    ]


def nav_keys(response) -> list[str]:
    return re.findall(r'data-nav="([^"]+)"', response.content.decode())


def assert_links_open(client, response):
    links = todo_links(response)
    for link in links:
        assert client.get(link).status_code == 200, link
    return links


# Street staff ------------------------------------------------------------------------------


def test_street_home_lists_returns_to_fill_and_sent_back_with_the_reason(clients, users, demo):
    street = demo["streets"]["南湖"]
    committees = street_committees(street)
    assert len(committees) >= 2
    sent_back = submitted(committees[0])
    return_send_back(returns=[sent_back], user=users["clerk"], reason="户数与台账不符，请核实")
    year, quarter = period()

    response = clients["nanhu"].get("/")
    assert response.status_code == 200
    todo = response.context["todo"]
    texts = " ".join(f"{item.text} {item.detail}" for item in todo.items)
    assert "户数与台账不符，请核实" in texts
    assert committees[0].name in texts
    # The others are still to fill in, with the due date.
    assert committees[1].name in texts
    assert quarter_deadline(year=year, quarter=quarter).isoformat() in texts
    # Nothing of another street.
    for other in street_committees(demo["streets"]["滨湖"]):
        assert other.name not in texts
    links = assert_links_open(clients["nanhu"], response)
    assert reverse("returns:return-grid", args=[year, quarter]) in links
    # In Chinese, the site's language.
    section = todo_section(response)
    assert "待办" in section and "退回原因：户数与台账不符，请核实" in section


def test_street_home_has_nothing_to_fill_once_all_are_submitted(clients, demo):
    # The demo holds one return sent back (2007); corrected and submitted again here.
    QuarterlyReturn.objects.filter(status=ReturnStatus.RETURNED).update(
        status=ReturnStatus.SUBMITTED
    )
    for committee in street_committees(demo["streets"]["南湖"]):
        submitted(committee)
    response = clients["nanhu"].get("/")
    todo = response.context["todo"]
    assert todo.sections and todo.items == []
    assert 'class="todo-none"' in todo_section(response)


# Clerk and administrator -------------------------------------------------------------------


def test_clerk_home_lists_submitted_returns_and_late_streets(clients, users, demo):
    committee = street_committees(demo["streets"]["南湖"])[0]
    submitted(committee)
    year, quarter = period()
    response = clients["clerk"].get("/")
    texts = [item.text for item in response.context["todo"].items]
    assert any("南湖" in text and str(year) in text for text in texts)
    links = assert_links_open(clients["clerk"], response)
    review = reverse("returns:return-review", args=[year, quarter])
    assert any(link.startswith(review) for link in links)
    # The review page, followed from the home page, shows that return.
    followed = clients["clerk"].get(next(link for link in links if link.startswith(review)))
    assert committee.name in followed.content.decode()

    # Past the due date, the streets still missing returns are late; 南湖 too (one of its
    # committees submitted, the others not).
    late_day = quarter_deadline(year=year, quarter=quarter) + datetime.timedelta(days=1)
    late = [item for item in todo_for(users["clerk"], today=late_day).items if item.urgent]
    streets = {s.name for s in demo["streets"].values()}
    assert {name for name in streets if any(name in item.text for item in late)} == streets
    completeness = reverse("returns:completeness", args=[year, quarter])
    assert {item.url for item in late} == {completeness}
    assert clients["clerk"].get(completeness).status_code == 200
    # Before the due date nobody is late.
    early = quarter_deadline(year=year, quarter=quarter) - datetime.timedelta(days=1)
    assert not [i for i in todo_for(users["clerk"], today=early).items if i.urgent]


def test_a_provinces_late_streets_are_named_up_to_a_limit_then_counted(
    users, demo, monkeypatch
):
    """A clerk over 1,000 streets is not shown 1,000 lines: the first LATE_SHOWN late
    streets by name, in the bureau's order, then one line counting the others."""
    from overview import todo

    year, quarter = period()
    late_day = quarter_deadline(year=year, quarter=quarter) + datetime.timedelta(days=1)
    monkeypatch.setattr(todo, "LATE_SHOWN", 2)
    late = [item for item in todo_for(users["clerk"], today=late_day).items if item.urgent]
    first_two = sorted(demo["streets"].values(), key=lambda s: (s.sort_order, s.code))[:2]
    assert [item.text.split("20")[0] for item in late[:2]] == [s.name for s in first_two]
    others = len(demo["streets"]) - 2
    assert len(late) == 3 and f"另有{others}个街道" in late[2].text


def lock_out(username, ip="10.0.0.9"):
    return AccessAttempt.objects.create(
        username=username,
        ip_address=ip,
        user_agent="test",
        http_accept="*/*",
        path_info="/admin/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )


def failed_job(user):
    return ImportJob.objects.create(
        user=user,
        register="committees",
        file_name="坏文件.xlsx",
        phase=ImportJob.Phase.IMPORT,
        status=ImportJob.Status.FAILED,
        message="boom",
    )


def test_admin_home_lists_lockouts_and_failed_imports(clients, users):
    lock_out(users["clerk"].username)
    job = failed_job(users["nanhu"])
    failed_job(users["nanhu"]).__class__.objects.filter(file_name="坏文件.xlsx").exclude(
        pk=job.pk
    ).update(created_at=timezone.now() - datetime.timedelta(days=30))  # too old to list
    response = clients["admin"].get("/")
    titles = [section.title for section in response.context["todo"].sections]
    assert len(titles) == 4  # review, lockouts, failed imports, notices not read
    section = todo_section(response)
    assert users["clerk"].username in section
    assert section.count("坏文件.xlsx") == 1
    links = assert_links_open(clients["admin"], response)
    # Not the uploader: the job's record in the admin.
    assert reverse("admin:imports_importjob_change", args=[job.pk]) in links


def test_superuser_follows_a_lockout_to_axes_and_a_job_to_its_page(users):
    root = User(username="root", is_superuser=True)
    root.set_password("Secret-pass-2006")
    root.save()
    client = Client()
    client.force_login(root)
    lock_out(users["clerk"].username)
    job = failed_job(root)
    response = client.get("/")
    links = assert_links_open(client, response)
    assert any(link.startswith(reverse("admin:axes_accessattempt_changelist")) for link in links)
    assert reverse("imports:job", args=[job.token]) in links


def test_viewer_has_nothing_to_do(clients):
    lock_out("someone")
    response = clients["viewer"].get("/")
    assert response.context["todo"].sections == []
    assert todo_links(response) == []
    assert "key-figures" in response.content.decode()  # the figures stay below


# Navigation --------------------------------------------------------------------------------

NAV = {
    "nanhu": [
        "home",
        "returns",
        "budgets",
        "scenarios",
        "reports",
        "basic-situation",
        "yearly-report",
        "notices",
        "registers",
    ],
    "clerk": [
        "home",
        "review",
        "completeness",
        "budgets",
        "scenarios",
        "reports",
        "basic-situation",
        "yearly-report",
        "notices",
        "registers",
    ],
    "viewer": [
        "home",
        "budgets",
        "scenarios",
        "reports",
        "basic-situation",
        "yearly-report",
        "notices",
        "registers",
    ],
    "admin": [
        "home",
        "returns",
        "review",
        "completeness",
        "budgets",
        "scenarios",
        "reports",
        "basic-situation",
        "yearly-report",
        "notices",
        "registers",
    ],
}


@pytest.mark.parametrize("who", sorted(NAV))
def test_each_role_sees_exactly_its_links_and_each_opens(clients, who):
    from django.urls import NoReverseMatch

    response = clients[who].get("/")
    expected = list(NAV[who])
    if who == "admin":
        try:  # the admin's user pages, once they exist
            reverse("admin:accounts_user_changelist")
            expected.append("users")
        except NoReverseMatch:
            pass
    assert nav_keys(response) == expected
    body = response.content.decode()
    for url in re.findall(r'<a href="([^"]+)" data-nav=', body):
        assert clients[who].get(url).status_code == 200, (who, url)
    assert 'data-nav="home" aria-current="page"' in body


def test_the_street_reaches_the_grid_from_the_menu(clients):
    index = clients["nanhu"].get(reverse("returns:return-index"))
    assert 'data-nav="returns" aria-current="page"' in index.content.decode()


def test_signed_out_pages_have_no_menu(client):
    response = client.get(reverse("admin:login"))
    assert "data-nav=" not in response.content.decode()


# Queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["nanhu", "clerk", "admin", "viewer"])
def test_home_queries_do_not_grow_with_rows(
    clients, users, demo, who, django_assert_max_num_queries
):
    client = clients[who]
    street = demo["streets"]["南湖"]
    committees = street_committees(street)
    lock_out("x1")
    failed_job(users["admin"])
    sent = submitted(committees[0])
    return_send_back(returns=[sent], user=users["clerk"], reason="请核实")
    client.get("/")  # warm up the session and permissions
    cache.clear()  # the dashboard below is computed both times (its cache is not measured)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/").status_code == 200
    for committee in committees[1:]:
        returned = submitted(committee)
        return_send_back(returns=[returned], user=users["clerk"], reason="请核实")
    binhu = street_committees(demo["streets"]["滨湖"])
    for committee in binhu:
        submitted(committee)
    for index in range(5):
        lock_out(f"y{index}")
        failed_job(users["admin"])
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/")
    assert response.status_code == 200
