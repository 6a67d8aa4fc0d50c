"""Work targets: who enters them, who sees them, and progress counted from the registers."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from communities.models import CentreStatus, Committee, CommunityCentre, OneStopService
from reports.levels import OneStreet
from reports.registry import get_report_class
from targets.models import Target
from targets.progress import progress

ADD = "/admin/targets/target/add/"


@pytest.mark.django_db
def test_the_demo_target_is_the_document_s(users):
    """The document: the one-stop service in 12 pilot committees at mid-year, to reach 28
    by the end of 2006."""
    (item,) = progress(users["clerk"], 2006, datetime.date(2006, 6, 30))
    assert (item.code, item.target, item.actual) == ("one_stop", 28, 12)
    assert item.percent == Decimal("42.9") and not item.reached
    (item,) = progress(users["clerk"], 2006)
    assert (item.actual, item.percent, item.reached) == (28, Decimal("100.0"), True)


KEEP_DEMO_TARGETS = {
    "test_the_demo_target_is_the_document_s",
    "test_the_yearly_text_says_the_progress_against_the_target",
}


@pytest.fixture(autouse=True)
def no_demo_targets(request):
    """Each test below sets the targets it needs (the demo's one is taken away)."""
    if request.node.name not in KEEP_DEMO_TARGETS and "db" in request.fixturenames:
        Target.objects.all().delete()


LIST = "/admin/targets/target/"


def district_target(indicator="one_stop", target=28, year=2006):
    return Target.objects.create(indicator=indicator, year=year, target=target)


def one_stop_count(street=None, day=datetime.date(2006, 12, 31)):
    """Counted here the plain way, to check the indicator against."""
    committees = Committee.objects.existing_on(day).exclude(one_stop_service=OneStopService.NONE)
    committees = committees.filter(one_stop_since__lte=day)
    if street is not None:
        committees = committees.filter(street=street)
    return committees.count()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "clerk"])
def test_district_users_enter_targets(clients, demo, who):
    street = demo["streets"]["南湖"]
    response = clients[who].post(
        ADD, {"year": 2006, "street": street.pk, "indicator": "one_stop", "target": 9, "note": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Target.objects.get(street=street, indicator="one_stop", year=2006).target == 9
    response = clients[who].post(ADD, {"year": 2006, "indicator": "one_stop", "target": 28})
    assert response.status_code == 302
    assert Target.objects.get(street=None, indicator="one_stop", year=2006).target == 28
    whole = Target.objects.get(street=None, indicator="one_stop", year=2006)
    response = clients[who].post(
        f"{LIST}{whole.pk}/change/",
        {"year": 2006, "street": "", "indicator": "one_stop", "target": 30, "note": "调整"},
    )
    assert response.status_code == 302
    whole.refresh_from_db()
    assert (whole.target, whole.note) == (30, "调整")
    assert whole.history.count() == 2  # who changed it and when, as for every register
    response = clients[who].post(f"{LIST}{whole.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Target.objects.filter(pk=whole.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["viewer", "nanhu"])
def test_viewers_and_streets_cannot_enter_targets(clients, who):
    response = clients[who].post(ADD, {"year": 2006, "indicator": "one_stop", "target": 28})
    assert response.status_code == 403
    assert not Target.objects.exists()
    target = district_target()
    response = clients[who].post(
        f"{LIST}{target.pk}/change/", {"year": 2006, "indicator": "one_stop", "target": 1}
    )
    assert response.status_code in (403, 404)
    target.refresh_from_db()
    assert target.target == 28
    response = clients[who].post(f"{LIST}{target.pk}/delete/", {"post": "yes"})
    assert response.status_code in (403, 404)
    assert Target.objects.filter(pk=target.pk).exists()


@pytest.mark.django_db
def test_a_street_sees_only_its_own_targets(clients, demo):
    nanhu, binhu = demo["streets"]["南湖"], demo["streets"]["滨湖"]
    whole = district_target(target=28)
    own = Target.objects.create(indicator="one_stop", year=2006, street=nanhu, target=7)
    other = Target.objects.create(indicator="one_stop", year=2006, street=binhu, target=5)
    listing = clients["nanhu"].get(LIST)
    assert listing.status_code == 200
    shown = {t.pk for t in listing.context["cl"].result_list}
    assert shown == {own.pk}
    assert clients["nanhu"].get(f"{LIST}{other.pk}/change/").status_code == 404
    assert clients["nanhu"].get(f"{LIST}{whole.pk}/change/").status_code == 404
    assert {t.pk for t in clients["clerk"].get(LIST).context["cl"].result_list} == {
        whole.pk,
        own.pk,
        other.pk,
    }


@pytest.mark.django_db
def test_a_second_target_on_the_same_indicator_is_refused_in_chinese(clients):
    district_target()
    response = clients["clerk"].post(ADD, {"year": 2006, "indicator": "one_stop", "target": 30})
    assert response.status_code == 200
    assert "全区在该年度已有这一指标的目标" in response.content.decode()
    assert Target.objects.get().target == 28
    response = clients["clerk"].post(ADD, {"year": 2006, "indicator": "one_stop", "target": -1})
    assert response.status_code == 200 and Target.objects.count() == 1


@pytest.mark.django_db
def test_progress_is_counted_from_the_registers(users, demo):
    district_target(target=28)
    before = one_stop_count()
    assert before > 0
    (item,) = progress(users["clerk"], 2006)
    assert (item.code, item.target, item.actual) == ("one_stop", 28, before)
    assert item.percent == (Decimal(100) * before / 28).quantize(Decimal("0.1"))
    # Change the data, and the progress changes.
    committee = Committee.objects.filter(one_stop_service=OneStopService.NONE).first()
    committee.one_stop_service = OneStopService.IN_SERVICE
    committee.one_stop_since = datetime.date(2006, 9, 1)
    committee.save()
    (item,) = progress(users["clerk"], 2006)
    assert item.actual == before + 1
    # As of mid-year, the committee that started in September is not counted yet.
    (midyear,) = progress(users["clerk"], 2006, datetime.date(2006, 6, 30))
    assert midyear.actual == one_stop_count(day=datetime.date(2006, 6, 30)) < before + 1
    committee.one_stop_since = datetime.date(2006, 6, 1)
    committee.save()
    (midyear_after,) = progress(users["clerk"], 2006, datetime.date(2006, 6, 30))
    assert midyear_after.actual == midyear.actual + 1


@pytest.mark.django_db
def test_a_street_s_progress_is_the_street_s(users, demo):
    nanhu = demo["streets"]["南湖"]
    district_target(indicator="centres_built", target=4)
    Target.objects.create(indicator="centres_built", year=2006, street=nanhu, target=2)
    (street_item,) = progress(users["nanhu"], 2006)
    assert (street_item.target, street_item.actual) == (2, 1)  # 南湖社区中心, built 2005
    assert street_item.percent == Decimal("50.0")
    # A district user looking at the street (reports.levels.OneStreet) sees the same.
    (narrowed,) = progress(OneStreet(users["clerk"], nanhu), 2006)
    assert (narrowed.target, narrowed.actual) == (2, 1)
    (district,) = progress(users["clerk"], 2006)
    built = CommunityCentre.objects.filter(status=CentreStatus.BUILT).count()
    assert (district.target, district.actual) == (4, built)
    # Before 南苑's centre was built (1 March 2006), the district had one fewer.
    (early,) = progress(users["clerk"], 2006, datetime.date(2006, 2, 1))
    assert early.actual == built - 1


@pytest.mark.django_db
def test_area_indicator_is_the_facilities_table_s(users):
    from targets.indicators import area_standard_met

    summary = get_report_class("facilities")(user=users["clerk"], year=2006).summary()
    expected = summary.total.values["operating"] - summary.total.values["under_standard"]
    counted = area_standard_met(user=users["clerk"], year=2006, as_of=datetime.date(2006, 12, 31))
    assert counted[None] == expected
    for row in summary.streets:
        assert counted.get(row.extra["street_id"], 0) == (
            row.values["operating"] - row.values["under_standard"]
        )


def cells_of(response):
    rows = response.context["rows"]
    keys = [c.key for c in response.context["columns"]]
    return {row["label"]: dict(zip(keys, row["cells"], strict=True)) for row in rows}


@pytest.mark.django_db
def test_targets_table_page_and_workbook(clients, demo):
    district_target(target=28)
    Target.objects.create(indicator="one_stop", year=2006, street=demo["streets"]["南湖"], target=8)
    actual = one_stop_count()
    page = clients["clerk"].get("/reports/targets/", {"year": 2006})
    assert page.status_code == 200
    cells = cells_of(page)
    percent = (Decimal(100) * actual / 28).quantize(Decimal("0.1"))
    assert cells["合计"]["one_stop_target"] == "28"
    assert cells["合计"]["one_stop_actual"] == str(actual)
    assert cells["合计"]["one_stop_percent"] == f"{percent}%"
    nanhu_actual = one_stop_count(demo["streets"]["南湖"])
    assert cells["南湖街道"]["one_stop_target"] == "8"
    assert cells["南湖街道"]["one_stop_actual"] == str(nanhu_actual)
    assert cells["滨湖街道"]["one_stop_target"] == ""  # no target: blank, not 0
    body = clients["clerk"].get("/reports/targets/", {"year": 2006, "format": "xlsx"}).content
    sheet = load_workbook(io.BytesIO(body)).active
    headers = [c.value for c in sheet[4]]
    total = [c.value for c in sheet[5]]
    assert total[0] == "合计"
    column = headers.index("开展一站式服务的社区：完成率")
    assert round(total[column] * 100, 1) == float(percent)
    assert total[headers.index("开展一站式服务的社区：目标")] == 28
    # A street's staff: their street's target against their street's figure.
    street_cells = cells_of(clients["nanhu"].get("/reports/targets/", {"year": 2006}))
    assert street_cells["合计"]["one_stop_target"] == "8"
    assert street_cells["合计"]["one_stop_actual"] == str(nanhu_actual)
    assert "滨湖街道" not in street_cells


@pytest.mark.django_db
def test_dashboard_shows_progress_and_last_year(clients, users):
    district_target(indicator="centres_built", target=4)
    response = clients["clerk"].get("/", {"year": 2006})
    data = response.context["dashboard"]
    built = CommunityCentre.objects.filter(status=CentreStatus.BUILT).count()
    assert [(t.code, t.target, t.actual) for t in data.targets] == [("centres_built", 4, built)]
    body = response.content.decode()
    assert "工作目标" in body and "建成社区中心" in body
    from overview.dashboard import _compute_year

    last = _compute_year(2005, data.quarter, users["clerk"], datetime.date(2026, 11, 30)).figures
    change = data.changes["established"]
    assert change.last == last.established
    assert change.change == data.figures.established - last.established
    assert f"上年{last.established:,}" in body.replace(" ", "")
    # No budget was computed for 2005: no change is shown rather than a rise from nothing.
    assert last.budget_total == 0 and "budget_total" not in data.changes


@pytest.mark.django_db
def test_targets_table_as_of_mid_year_and_a_bad_day(clients):
    page = clients["clerk"].get("/reports/targets/", {"year": 2006, "as_of": "2006-02-01"})
    assert page.status_code == 200
    assert "2006年，截至2月1日" in page.content.decode()
    built = CommunityCentre.objects.filter(status=CentreStatus.BUILT).count()
    assert cells_of(page)["合计"]["centres_built_actual"] == str(built - 1)
    wrong = clients["clerk"].get("/reports/targets/", {"year": 2006, "as_of": "2005-06-30"})
    assert wrong.status_code == 400
    body = wrong.content.decode()
    assert "截至日期须在所选年度之内" in body and 'value="2005-06-30"' in body


@pytest.mark.django_db
def test_the_yearly_text_says_the_progress_against_the_target(clients, demo):
    from tests.overview.test_basic_situation import page_text

    url = "/reports/yearly-report/"
    text = page_text(clients["clerk"].get(url, {"year": 2006}))
    assert "2006年的目标为28个，截至2006年底已达到28个，完成率100.0%。" in text
    midyear = page_text(clients["clerk"].get(url, {"year": 2006, "as_of": "2006-06-30"}))
    assert "2006年的目标为28个，截至2006年6月30日已达到12个，完成率42.9%。" in midyear
    # A street speaks of its own target; without one, nothing is said of targets.
    assert "的目标为" not in page_text(clients["nanhu"].get(url, {"year": 2006}))
    Target.objects.create(indicator="one_stop", year=2006, street=demo["streets"]["南湖"], target=6)
    street = page_text(clients["nanhu"].get(url, {"year": 2006}))
    nanhu = one_stop_count(demo["streets"]["南湖"])
    assert f"2006年的目标为6个，截至2006年底已达到{nanhu}个" in street
