"""Report pages for large scopes: a summary by street or district, linking down; the same
totals at every level; the downloads unchanged; drill-down scoped like everything else."""

import re

import pytest
from django.urls import reverse

from communities.models import District
from reports.registry import REPORTS, RowLevel, get_report_class

pytestmark = pytest.mark.django_db

PARAMS = {"quarterly": {"year": 2006, "quarter": 4}}
IDENTIFIERS = [report.identifier for report in REPORTS]


def url(identifier):
    return reverse("reports:report-detail", args=[identifier])


def get(client, identifier, **extra):
    params = {"year": 2006, **PARAMS.get(identifier, {}), **extra}
    response = client.get(url(identifier), params)
    assert response.status_code == 200, response.content[:300]
    return response


def cells(response, level=None):
    """(label, level, cells) of the page's rows."""
    return [
        (row["label"], row["level"], row["cells"])
        for row in response.context["rows"]
        if level is None or row["level"] == level
    ]


def full_table(identifier, user):
    """The rows of the full committee table as the page would print them."""
    from reports.rendering import display_value

    report = get_report_class(identifier)(user=user, **{"year": 2006, **PARAMS.get(identifier, {})})
    columns = report.columns()
    return [
        (row.label, row.level, [display_value(row.values.get(c.key), c.kind) for c in columns])
        for row in report.rows()
    ]


@pytest.fixture
def two_districts(demo):
    """The demo's streets in two districts: 南湖 and 滨湖 move to a new one."""
    other = District.objects.create(code="320199", name="测试区")
    for name in ("南湖", "滨湖"):
        street = demo["streets"][name]
        street.district = other
        street.save()
    return other


@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_a_small_scope_shows_every_committee_as_before(clients, users, identifier):
    response = get(clients["clerk"], identifier)
    assert response.context["level"] == RowLevel.COMMITTEE
    assert cells(response) == full_table(identifier, users["clerk"])
    body = response.content.decode()
    assert "street=" not in body and "district=" not in body
    assert 'class="report-level"' not in body


@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_street_level_has_the_same_total_and_streets(clients, users, settings, identifier):
    settings.REPORT_DETAIL_LIMIT = 5  # the demo's 36 committees are "too many"
    response = get(clients["clerk"], identifier)
    assert response.context["level"] == RowLevel.STREET
    full = full_table(identifier, users["clerk"])
    shown = cells(response)
    assert shown[0] == full[0]  # the total row, figure for figure
    assert shown[1:] == [row for row in full if row[1] == RowLevel.STREET]
    assert not any(row[1] == RowLevel.COMMITTEE for row in shown)
    links = [row["url"] for row in response.context["rows"]]
    assert links[0] is None and all("street=" in link for link in links[1:])
    assert response.content.decode().count("street=") == len(shown) - 1
    assert "38" in response.context["level_note"]  # committees on record, 村代居 included


@pytest.mark.parametrize("identifier", IDENTIFIERS)
def test_district_level_and_a_district_adds_up(clients, users, settings, two_districts, identifier):
    settings.REPORT_DETAIL_LIMIT = 4  # 5 streets in 2 districts: by district
    client = clients["clerk"]
    response = get(client, identifier)
    assert response.context["level"] == RowLevel.DISTRICT
    full = full_table(identifier, users["clerk"])
    shown = cells(response)
    assert shown[0] == full[0]
    assert [row[0] for row in shown[1:]] == ["建邺区", "测试区"]
    assert all(row[1] == RowLevel.DISTRICT for row in shown[1:])
    main = District.objects.exclude(pk=two_districts.pk).get()
    links = [row["url"] for row in response.context["rows"]]
    assert links[0] is None
    assert [link.split("district=")[1] for link in links[1:]] == [
        str(main.pk),
        str(two_districts.pk),
    ]
    # The new district's page: its two streets, and a total that is the district's row.
    narrowed = get(client, identifier, district=two_districts.pk)
    rows = cells(narrowed)
    assert rows[0][2] == shown[2][2]
    assert [row[0] for row in rows[1:]] == ["南湖街道", "滨湖街道"]
    streets = {row[0]: row for row in full if row[1] == RowLevel.STREET}
    assert rows[1:] == [streets["南湖街道"], streets["滨湖街道"]]
    assert [crumb["label"] for crumb in narrowed.context["trail"]] == ["全部区", "测试区"]


@pytest.mark.parametrize("identifier", ["funding", "facilities", "staffing", "quarterly"])
def test_a_street_link_leads_to_its_committees(clients, users, demo, settings, identifier):
    settings.REPORT_DETAIL_LIMIT = 5
    client = clients["clerk"]
    summary = get(client, identifier)
    link = next(row["url"] for row in summary.context["rows"] if row["label"] == "南湖街道")
    response = client.get(link)
    assert response.status_code == 200
    rows = cells(response)
    street_row = next(row for row in cells(summary) if row[0] == "南湖街道")
    # The street's page: its total is the street's row, then its committees.
    assert rows[0][2] == street_row[2]
    assert len([row for row in rows if row[1] == RowLevel.COMMITTEE]) == 9
    nanhu = {
        row[0]: row[2]
        for row in full_table(identifier, users["nanhu"])
        if row[1] == RowLevel.COMMITTEE
    }
    assert {row[0]: row[2] for row in rows if row[1] == RowLevel.COMMITTEE} == nanhu
    assert "南湖街道" in response.context["title"]


def test_narrowing_is_scoped(clients, demo, two_districts):
    binhu, nanhu = demo["streets"]["滨湖"], demo["streets"]["南湖"]
    street_user = clients["nanhu"]
    page = url("funding")
    assert street_user.get(page, {"year": 2006, "street": binhu.pk}).status_code == 404
    assert street_user.get(page, {"year": 2006, "street": nanhu.pk}).status_code == 200
    main = District.objects.exclude(pk=two_districts.pk).get()
    assert street_user.get(page, {"year": 2006, "district": main.pk}).status_code == 404
    assert street_user.get(page, {"year": 2006, "district": two_districts.pk}).status_code == 200
    # The same for downloads, and for ids that are no ids.
    download = {"year": 2006, "street": binhu.pk, "format": "xlsx"}
    assert street_user.get(page, download).status_code == 404
    clerk = clients["clerk"]
    for bad in ("999999", "x", "-1"):
        assert clerk.get(page, {"year": 2006, "street": bad}).status_code == 404
        assert clerk.get(page, {"year": 2006, "district": bad}).status_code == 404


@pytest.mark.parametrize("output", ["csv", "xlsx"])
def test_downloads_keep_the_full_table(clients, settings, output):
    import io

    from openpyxl import load_workbook

    def download(**extra):
        response = clients["clerk"].get(
            url("facilities"), {"year": 2006, "format": output, **extra}
        )
        assert response.status_code == 200
        if output == "csv":
            return response.content.decode("utf-8-sig").splitlines()[3:]
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4, max_row=50)]

    before = download()
    settings.REPORT_DETAIL_LIMIT = 5
    assert download() == before
    assert len(before) > 36  # every committee, each street and the total
    assert download(street=1) == before


def test_summary_pages_run_a_fixed_number_of_queries(
    clients, more_rows, settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    settings.REPORT_DETAIL_LIMIT = 5
    client = clients["clerk"]
    counts = {}
    for identifier in IDENTIFIERS:
        params = {"year": 2006, **PARAMS.get(identifier, {})}
        with django_assert_max_num_queries(60) as captured:
            assert client.get(url(identifier), params).status_code == 200
        counts[identifier] = len(captured.captured_queries)
    more_rows(40)
    cache.clear()
    for identifier in IDENTIFIERS:
        params = {"year": 2006, **PARAMS.get(identifier, {})}
        with django_assert_max_num_queries(counts[identifier]):
            assert client.get(url(identifier), params).status_code == 200


def test_summaries_are_cached_and_follow_changes(
    clients, demo, settings, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    settings.REPORT_DETAIL_LIMIT = 5
    client = clients["clerk"]
    first = get(client, "establishment")
    with django_assert_max_num_queries(12):  # session, user, parameters, version: no report
        again = get(client, "establishment")
    assert cells(again) == cells(first)
    committee = demo["committees"]["南湖东路社区"]
    committee.households += 1000
    with django_capture_on_commit_callbacks(execute=True):
        committee.save()
    after = get(client, "establishment")
    households = [int(re.sub(r"\D", "", cells(page)[0][2][4])) for page in (first, after)]
    assert households[1] == households[0] + 1000
