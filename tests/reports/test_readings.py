"""Reports that cannot be misread (issue 15): what a table leaves out says so, a figure is
rounded once, the default period is one rule, downloads say what they are, and the foot
names who made the table and the bureau."""

import io
import re

import openpyxl
import pytest

from returns.models import QuarterlyReturn, ReturnStatus

QUARTERLY = "/reports/quarterly/?year=2006&quarter=4"


def cells_of(body: bytes):
    return list(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


def leave_approved(count: int) -> set[str]:
    """Send back every 2006 Q4 return but ``count``; the names of the committees left."""
    returns = list(QuarterlyReturn.objects.filter(year=2006, quarter=4).order_by("pk"))
    kept = returns[:count]
    QuarterlyReturn.objects.filter(pk__in=[r.pk for r in returns[count:]]).update(
        status=ReturnStatus.SUBMITTED
    )
    return {r.committee.name for r in kept}


@pytest.mark.django_db
def test_quarterly_report_marks_missing_returns_and_provisional_totals(clients):
    kept = leave_approved(7)
    approved = QuarterlyReturn.objects.filter(year=2006, quarter=4, status=ReturnStatus.APPROVED)
    households = sum(r.households or 0 for r in approved)

    cells = cells_of(clients["clerk"].get(QUARTERLY + "&format=xlsx").content)
    assert "（暂定数）" in cells[0][0]
    assert "已审核 7/38" in cells[1][0]
    header = cells[3]
    total = cells[4]
    assert total[0] == "合计（仅含已审核的 7 份报表）"
    assert total[1] == 38 and total[2] == 7 and total[3] == households
    status = header.index("报表情况")
    committees = [row for row in cells[5:] if row[1] == 1]
    assert len(committees) == 38
    for row in committees:
        name = row[0].strip("\u3000 ")
        if name in kept:
            assert row[3] is not None and row[status] is None
        else:
            # Not reported: blank figures, never 0, and said in words.
            assert row[3:status] == (None,) * (status - 3)
            assert row[status] == "未报"
    notes = " ".join(str(row[0]) for row in cells if row[0] and "暂定数：" in str(row[0]))
    assert "已审核 7 份" in notes and "合计仅含已审核的报表" in notes

    page = clients["clerk"].get(QUARTERLY).content.decode()
    assert "（暂定数）" in page and "已审核 7/38" in page
    assert "合计（仅含已审核的 7 份报表）" in page
    assert page.count("<td>未报</td>") == 31


@pytest.mark.django_db
def test_quarterly_report_with_every_return_approved_is_final(clients):
    cells = cells_of(clients["clerk"].get(QUARTERLY + "&format=xlsx").content)
    assert "暂定数" not in cells[0][0]
    assert "已审核 38/38" in cells[1][0]
    assert cells[4][0] == "合计"
    assert not any(row[-1] == "未报" for row in cells[5:])


@pytest.mark.django_db
def test_quarterly_summary_leaves_a_street_without_returns_blank(demo, users):
    from reports.registry import get_report_class

    QuarterlyReturn.objects.filter(
        year=2006, quarter=4, committee__street=demo["streets"]["南湖"]
    ).update(status=ReturnStatus.SUBMITTED)
    report = get_report_class("quarterly")(user=users["clerk"], year=2006, quarter=4)
    summary = report.summary()
    nanhu = next(r for r in summary.streets if r.label == demo["streets"]["南湖"].name)
    assert nanhu.values["approved"] == 0 and nanhu.values["households"] is None
    assert summary.total.label.startswith("合计（")
    full_total = report.rows()[0].values
    assert {k: summary.total.values[k] for k in full_total if k != "status"} == {
        k: v for k, v in full_total.items() if k != "status"
    }


def cell_text(cell) -> str:
    """A number cell as Excel shows it, for the formats percentages use."""
    if cell.value is None:
        return ""
    if cell.number_format == "0.0%":
        return f"{cell.value * 100:.1f}%"
    return str(cell.value)


@pytest.mark.django_db
def test_function_standard_percentages_are_rounded_once(clients, demo):
    from facilities.models import Compliance, FunctionStandardItem

    Compliance.objects.all().delete()
    items = list(FunctionStandardItem.objects.order_by("order", "code"))
    FunctionStandardItem.objects.filter(pk__in=[i.pk for i in items[3:]]).delete()
    items = items[:3]
    two_of_three = demo["committees"]["沿河社区"]
    Compliance.objects.bulk_create(
        [Compliance(committee=two_of_three, year=2006, item=item, met=True) for item in items[:2]]
    )
    url = "/reports/function-standard/?year=2006"
    page = clients["clerk"].get(url).content.decode()
    sheet = openpyxl.load_workbook(
        io.BytesIO(clients["clerk"].get(url + "&format=xlsx").content)
    ).active
    header = [c.value for c in sheet[4]]
    share = header.index("达标率")
    compared = 0
    for row in sheet.iter_rows(min_row=5):
        label = (row[0].value or "").strip("\u3000 ")
        if not label or row[share].value is None:
            continue
        text = cell_text(row[share])
        match = re.search(
            rf"<th scope=\"row\">(?:<a [^>]*>)?{re.escape(label)}(?:</a>)?</th>((?:<td>[^<]*</td>)+)",
            page,
        )
        assert match, label
        page_cells = re.findall(r"<td>([^<]*)</td>", match.group(1))
        assert page_cells[share - 1] == text, label
        compared += 1
    committee_row = next(
        r for r in sheet.iter_rows(min_row=5) if (r[0].value or "").strip("\u3000 ") == "沿河社区"
    )
    assert cell_text(committee_row[share]) == "66.7%"
    assert compared > 3


@pytest.mark.django_db
def test_signature_lines_name_the_person_and_the_bureau(clients, users, settings):
    clerk = users["clerk"]
    clerk.first_name, clerk.last_name = "小明", "王"
    clerk.save()
    url = "/reports/establishment/?year=2006"
    page = clients["clerk"].get(url).content.decode()
    assert "填表人：王小明" in page and "制表机关：建邺区民政局" in page
    cells = cells_of(clients["clerk"].get(url + "&format=xlsx").content)
    text = " ".join(str(v) for row in cells for v in row if v)
    assert "填表人：王小明" in text and "制表机关：建邺区民政局" in text
    assert "填表人：clerk" not in text

    settings.BUREAU_NAME = "鼓楼区民政局"
    viewer = clients["viewer"].get(url).content.decode()
    assert "制表机关：鼓楼区民政局" in viewer
    assert f"填表人：{users['viewer'].username}" in viewer  # no real name: the username


def download_name(response) -> str:
    from urllib.parse import unquote

    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    match = re.search(r"filename\*=utf-8''([^;]+)", header)
    assert match, header  # RFC 5987: the Chinese name, percent-encoded in UTF-8
    return unquote(match.group(1))


@pytest.mark.django_db
def test_downloads_are_named_in_chinese_for_what_they_are(clients):
    from budgets.models import Scenario

    response = clients["clerk"].get("/reports/funding/?year=2006&format=xlsx")
    assert download_name(response) == "建邺区社区居委会经费情况表（2006年）.xlsx"
    csv = clients["clerk"].get("/reports/establishment/?year=2006&format=csv")
    assert download_name(csv) == "建邺区社区居委会建制情况表（2006年）.csv"
    quarterly = clients["clerk"].get(QUARTERLY + "&format=xlsx")
    assert "2006年第4季度" in download_name(quarterly)

    Scenario.objects.create(name="社工800/办公250")
    response = clients["clerk"].get(
        "/reports/funding/?year=2006&scenario=社工800/办公250&format=xlsx"
    )
    assert response.status_code == 200
    name = download_name(response)
    assert name.startswith("建邺区社区居委会经费情况表（2006年）") and name.endswith(".xlsx")
    assert "测算方案：社工800／办公250" in name  # a slash cannot be in a file name


@pytest.mark.django_db
def test_one_default_period_for_every_page(clients, users, demo):
    import datetime

    from django.utils import timezone

    from overview.dashboard import latest_data_year
    from reports.registry import default_period

    clerk = users["clerk"]
    year = latest_data_year(user=clerk)
    assert year == 2006  # the demo's approved returns and party-affairs allocations
    today = timezone.localdate()
    assert default_period(clerk) == (year, 4 if year < today.year else (today.month - 1) // 3 + 1)
    # This year's data: the current quarter.
    assert default_period(clerk, today=datetime.date(2006, 5, 1)) == (2006, 2)

    listing = clients["clerk"].get("/reports/")
    forms = [entry["form"] for entry in listing.context["entries"]]
    assert {form["year"].value() for form in forms} == {year}
    assert {form["quarter"].value() for form in forms if "quarter" in form.fields} == {
        default_period(clerk)[1]
    }
    detail = clients["clerk"].get("/reports/quarterly/")
    assert detail.context["form"]["year"].value() == year
    assert detail.context["form"]["quarter"].value() == default_period(clerk)[1]

    overview = clients["clerk"].get("/budgets/")
    assert overview.context["year"] == year
    assert overview.context["form"]["year"].value() == year
    committee = demo["committees"]["沿河社区"]
    assert clients["clerk"].get(f"/budgets/committees/{committee.pk}/").context["year"] == year
    # The dashboard starts at the same year.
    assert clients["clerk"].get("/").context["dashboard"].year == year
