"""The grid as fast as paper (issue 15): each defect of the quarterly grid listed in the
issue, tested through the page (the test client) and the workflow.

南湖's grid of Q1 2007 in the demo: 南湖东路 and 凤栖苑 in draft, 沿河 sent back with a
reason, the six others not started; every committee has approved figures for Q4 2006.
"""

import io
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from imports.services import import_file
from returns import figures, workflow
from returns.models import FIGURES, QuarterlyReturn, ReturnEvent, ReturnStatus, ValidationRule
from returns.workflow import WorkflowError, return_approve, return_send_back, return_submit

from .conftest import grid_data, prefixes

pytestmark = pytest.mark.django_db

YEAR, QUARTER = 2007, 1


def grid_url(street):
    return reverse("returns:return-grid", args=[YEAR, QUARTER]) + f"?street={street.pk}"


def current(name):
    return QuarterlyReturn.objects.filter(committee__name=name, year=YEAR, quarter=QUARTER).first()


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def full_row(data, prefix, households=2300, registered=6500, resident=6900):
    values = dict(zip(FIGURES, (households, registered, resident, 21, 11, 85), strict=True))
    for name, value in values.items():
        data[f"{prefix}-{name}"] = str(value)


@pytest.fixture
def nanhu(clients, demo):
    street = demo["streets"]["南湖"]
    page = clients["nanhu"].get(grid_url(street))
    return street, clients["nanhu"], page


# 1. Tab and Enter ------------------------------------------------------------------------


class Focusable(HTMLParser):
    """The elements the Tab key reaches, with their tabindex, in the order of the page."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden":
            return
        if "disabled" in attrs:
            return
        if tag in ("input", "button", "select", "textarea") or (tag == "a" and "href" in attrs):
            index = int(attrs.get("tabindex") or 0)
            if index >= 0:
                self.found.append((index, tag, attrs))


def tab_sequence(html):
    parser = Focusable()
    parser.feed(html)
    positive = sorted((e for e in parser.found if e[0] > 0), key=lambda e: e[0])  # stable
    return positive + [e for e in parser.found if e[0] == 0]


def test_tab_walks_the_figures_row_by_row_then_the_buttons_then_notes(nanhu):
    """Before: Tab went through the note, the comment, the next row's checkbox and a history
    link before the next figure."""
    _street, _client, page = nanhu
    editable = [line["form"] for line in page.context["lines"] if line["form"].editable]
    sequence = tab_sequence(page.content.decode())
    figures = [f"{form.prefix}-{name}" for form in editable for name in FIGURES]
    assert [attrs.get("name") for _i, _t, attrs in sequence[: len(figures)]] == figures
    buttons = sequence[len(figures) : len(figures) + 4]
    assert [attrs.get("value") for _i, tag, attrs in buttons] == [
        "save",
        "submit_selected",
        "submit_all",
        "withdraw_selected",
    ]
    notes = sequence[len(figures) + 4 : len(figures) + 4 + 2 * len(editable)]
    assert [attrs.get("name") for _i, _t, attrs in notes] == [
        f"{form.prefix}-{name}" for form in editable for name in ("note", "comment")
    ]
    # Select boxes and history links come after, never between two figures.
    rest = sequence[len(figures) + 4 + 2 * len(editable) :]
    assert any(attrs.get("type") == "checkbox" for _i, _t, attrs in rest)
    assert any("history" in attrs.get("href", "") for _i, _t, attrs in rest)


def test_enter_without_the_script_saves_and_the_script_is_the_apps(nanhu):
    """Implicit submission (Enter in a field) presses the form's first submit button: it is
    "save", never a submit or a withdraw. With grid.js (served by the app itself), Enter
    moves down the column instead (tests/browser/test_grid.py)."""
    _street, _client, page = nanhu
    html = page.content.decode()
    form = html[html.index('<form method="post" action="" id="grid-form"') :]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'value="save"' in first_button and 'name="action"' in first_button
    assert '<script src="/static/js/grid.js" defer></script>' in html
    assert "//" not in html.split('src="/static/js/grid.js"')[0].rsplit("<script", 1)[-1]
    from django.contrib.staticfiles import finders

    body = open(finders.find("js/grid.js"), encoding="utf-8").read()
    assert '"Enter"' in body and "preventDefault" in body


# 2. What a figure may look like ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed, number",
    [("2,235", 2235), ("２，２３５", 2235), (" 12 ", 12), ("\u3000７\u3000", 7),
     ("1,234,567", 1234567), ("0", 0), ("", None), (2235.0, 2235)],
)  # fmt: skip
def test_parse_figure_accepts_what_people_type(typed, number):
    assert figures.parse_figure(typed) == number


@pytest.mark.parametrize(
    "typed, words",
    [("12a", "不是整数"), ("1.5", "小数"), ("１２．５", "小数"), ("22,35", "逗号"),
     ("2 235", "不是整数"), ("1e3", "不是整数"), (2235.5, "小数"), ("9" * 40, "不是整数")],
)  # fmt: skip
def test_parse_figure_refuses_the_rest_in_chinese(typed, words):
    with pytest.raises(ValidationError) as raised:
        figures.parse_figure(typed)
    assert words in raised.value.messages[0]


def test_the_grid_saves_figures_with_separators_and_full_width_digits(nanhu):
    """Before: "2,235" was refused although the app prints thousands separators."""
    street, client, page = nanhu
    rows = prefixes(page)
    data = grid_data(page)
    full_row(data, rows["南湖西路社区"])
    data[f"{rows['南湖西路社区']}-households"] = "2,305"
    data[f"{rows['南湖西路社区']}-registered_population"] = "６，５２０"
    data[f"{rows['南湖西路社区']}-volunteers"] = "  22 "
    data["action"] = "save"
    response = client.post(grid_url(street), data)
    assert response.status_code == 302
    item = current("南湖西路社区")
    assert (item.households, item.registered_population, item.volunteers) == (2305, 6520, 22)


# 3. Each error on its cell ---------------------------------------------------------------


def cell_html(html, prefix, name):
    """The <td> of a figure cell."""
    start = html.index(f'name="{prefix}-{name}"')
    return html[html.rindex("<td", 0, start) : html.index("</td>", start)]


@pytest.mark.parametrize("typed", ["12a", "1.5", "22,35"])
def test_an_error_is_shown_on_its_cell(nanhu, typed):
    """Before: errors came in a separate row below the row, in English words."""
    street, client, page = nanhu
    rows = prefixes(page)
    data = grid_data(page)
    full_row(data, rows["文体社区"], households=2800, registered=8000, resident=8400)
    data[f"{rows['文体社区']}-volunteers"] = typed
    data["action"] = "save"
    response = client.post(grid_url(street), data)
    assert response.status_code == 400
    html = response.content.decode()
    td = cell_html(html, rows["文体社区"], "volunteers")
    assert 'class="fig invalid"' in td
    assert 'aria-invalid="true"' in td
    assert f'value="{typed}"' in td  # what was typed, kept
    reason = re.search(r'<span class="reason" id="([^"]+)">([^<]+)</span>', td)
    assert reason and f"“{typed}”" in reason.group(2)
    assert f'aria-describedby="{reason.group(1)}"' in td
    assert re.search(r'title="[^"]*“' + re.escape(typed), td)
    # Only that cell: its neighbours are not marked, and there is no row of errors.
    assert "invalid" not in cell_html(html, rows["文体社区"], "activities")
    assert 'colspan="13"' not in html and "<tr><td></td><td colspan" not in html


def test_a_note_too_long_is_shown_on_its_cell(nanhu):
    street, client, page = nanhu
    rows = prefixes(page)
    data = grid_data(page)
    data[f"{rows['南湖东路社区']}-note"] = "长" * 201
    data["action"] = "save"
    response = client.post(grid_url(street), data)
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index(f'name="{rows["南湖东路社区"]}-note"')
    td = html[html.rindex("<td", 0, start) : html.index("</td>", start)]
    assert 'class="text invalid"' in td and 'aria-invalid="true"' in td
    assert "200" in td and f'id="id_{rows["南湖东路社区"]}-note-reason"' in td


def test_rule_findings_are_shown_on_the_cells_they_concern(nanhu):
    """A rule's error (more households than people) marks both cells it reads, and a
    warning (up by more than 20 % on last quarter) the cell it concerns, with the message."""
    street, client, page = nanhu
    rows = prefixes(page)
    data = grid_data(page)
    full_row(data, rows["南湖西路社区"], households=2300, registered=100)
    full_row(data, rows["长虹社区"], households=2390, registered=6000, resident=6300)
    data["action"] = "save"
    assert client.post(grid_url(street), data).status_code == 302
    html = client.get(grid_url(street)).content.decode()
    for name in ("households", "registered_population"):
        td = cell_html(html, rows["南湖西路社区"], name)
        assert "rule-error" in td and "户数多于户籍人口" in td and 'aria-invalid="true"' in td
    assert "户数多于户籍人口" not in cell_html(html, rows["南湖西路社区"], "volunteers")
    td = cell_html(html, rows["长虹社区"], "households")
    assert "fig outside" in td and "户数较上季度变动超过20%" in td
    assert 'aria-invalid="true"' not in td  # a warning, not an error


# 4. Valid rows saved, nothing lost --------------------------------------------------------


def test_valid_rows_are_saved_when_another_row_has_an_error(nanhu):
    """Before: one bad cell and nothing on the page was saved."""
    street, client, page = nanhu
    rows = prefixes(page)
    data = grid_data(page)
    full_row(data, rows["南湖西路社区"])
    full_row(data, rows["长虹社区"], households=1960, registered=5530, resident=5860)
    data[f"{rows['南湖东路社区']}-note"] = "新增备注"
    full_row(data, rows["文体社区"], households=2840, registered=8015, resident=8500)
    data[f"{rows['文体社区']}-households"] = "2,84O"  # a letter O
    data["action"] = "save"
    response = client.post(grid_url(street), data)
    assert response.status_code == 400
    assert texts(response) == [
        "已保存 3 份；1 份有错误（已在表中标出），这些行未保存，请改正后再保存。"
    ]
    assert current("南湖西路社区").households == 2300
    assert current("长虹社区").households == 1960
    assert current("南湖东路社区").note == "新增备注"
    assert current("文体社区") is None
    html = response.content.decode()
    assert f'name="{rows["文体社区"]}-households" value="2,84O"' in html
    assert f'name="{rows["文体社区"]}-registered_population" value="8015"' in html
    # The page shown is up to date: saving it again (the error fixed) is no conflict, and
    # the rows saved before are not written again.
    again = grid_data(response)
    again[f"{rows['文体社区']}-households"] = "2,840"
    again["action"] = "save"
    version = current("南湖西路社区").version
    response = client.post(grid_url(street), again)
    assert response.status_code == 302, texts(response)
    assert current("文体社区").households == 2840
    assert current("南湖西路社区").version == version


def test_ticked_boxes_stay_ticked_after_a_failed_submit(nanhu):
    """Before: the ticks were cleared when a submit failed."""
    street, client, page = nanhu
    rows = prefixes(page)
    data = grid_data(page)
    full_row(data, rows["南湖西路社区"])
    data[f"{rows['南湖西路社区']}-volunteers"] = "很多"
    for name in ("南湖西路社区", "南湖东路社区"):
        data[f"{rows[name]}-select"] = "on"
    data["action"] = "submit_selected"
    response = client.post(grid_url(street), data)
    assert response.status_code == 400
    html = response.content.decode()
    for name in ("南湖西路社区", "南湖东路社区"):
        assert re.search(rf'name="{rows[name]}-select" id="[^"]+" checked', html), name
    assert not re.search(rf'name="{rows["凤栖苑社区"]}-select" id="[^"]+" checked', html)
    assert current("南湖东路社区").status == ReturnStatus.DRAFT  # nothing submitted yet
    plan = {line.committee.name: line for line in response.context["plan"]}
    assert plan["南湖西路社区"].reasons == ["有错误（已在表中标出），未保存"]
    assert plan["南湖东路社区"].ready


# 5. Totals and the change from last quarter ----------------------------------------------


def test_totals_and_changes_are_computed_on_the_server(nanhu, demo):
    street, _client, page = nanhu
    saved = QuarterlyReturn.objects.filter(committee__street=street, year=YEAR, quarter=QUARTER)
    last = QuarterlyReturn.objects.filter(committee__street=street, year=2006, quarter=4)
    totals = {t["name"]: t for t in page.context["totals"]}
    for name in FIGURES:
        assert totals[name]["value"] == sum(getattr(r, name) for r in saved)
        assert totals[name]["previous"] == sum(getattr(r, name) for r in last)
    html = page.content.decode()
    assert (
        f'<td class="fig" data-total="households"><span class="total-value">{totals["households"]["value_text"]}</span>'
        in html
    )
    # Each cell: last quarter's figure and the change, e.g. 南湖东路 households +12.
    line = next(li for li in page.context["lines"] if li["row"].committee.name == "南湖东路社区")
    households = line["cells"][0]
    assert households["previous"] == 2468 and households["change_text"] == "+12"
    assert '上季度 2,468 <span class="delta">+12</span>' in html
    # A rule's warning highlights the cells it reads (here a rule an administrator adds:
    # households may not grow from last quarter; 南湖东路's grew by 12).
    ValidationRule.objects.create(
        name="户数不应增加",
        expression="households <= prev_households",
        severity="warning",
        message="户数比上季度增加。",
    )
    again = _client.get(grid_url(street))
    line = next(li for li in again.context["lines"] if li["row"].committee.name == "南湖东路社区")
    households = line["cells"][0]
    assert households["state"] == "outside" and "户数比上季度增加。" in households["reasons"]


# 6. Submitting asks first, and says what will not be submitted ----------------------------


def test_submitting_the_whole_street_asks_first_and_names_what_is_left_out(nanhu):
    """Before: "save and submit the whole street" submitted at once, skipped the empty
    committees without a word and reported success."""
    street, client, page = nanhu
    rows = prefixes(page)
    data = grid_data(page)
    full_row(data, rows["南湖西路社区"])
    data["action"] = "submit_all"
    response = client.post(grid_url(street), data)
    assert response.status_code == 200
    assert current("南湖西路社区").status == ReturnStatus.DRAFT  # saved, not submitted
    plan = {line.committee.name: line for line in response.context["plan"]}
    assert len(plan) == 9
    assert plan["南湖西路社区"].ready and plan["沿河社区"].ready
    for name in ("文体社区", "长虹社区", "广电社区", "贵都社区", "南湖新村社区"):
        assert plan[name].reasons == ["空白，未填写任何数字"], name
    # 南湖东路 is over its planning standard and explains it; 凤栖苑 too.
    ready = [name for name, line in plan.items() if line.ready]
    html = response.content.decode()
    assert "确认上报" in html and f"将上报以下 {len(ready)} 个社区的报表" in html
    assert "<strong>文体社区</strong>：空白，未填写任何数字" in html
    # Confirm: exactly the listed returns are submitted; the others are named again.
    confirm = grid_data(response)
    confirm["action"] = "confirm_all"
    confirm["confirmed"] = [plan[name].committee.pk for name in ready]
    response = client.post(grid_url(street), confirm, follow=True)
    said = texts(response)
    assert f"已上报 {len(ready)} 份报表。" in said
    assert any(m.startswith("未上报：") and "文体社区（空白，未填写任何数字）" in m for m in said)
    for name in ready:
        assert current(name).status == ReturnStatus.SUBMITTED, name
    assert current("文体社区") is None


def test_a_confirmation_of_another_list_submits_nothing(nanhu):
    street, client, page = nanhu
    rows = prefixes(page)
    data = grid_data(page)
    data[f"{rows['南湖东路社区']}-select"] = "on"
    data["action"] = "confirm_selected"
    data["confirmed"] = [current("南湖东路社区").committee_id, current("沿河社区").committee_id]
    response = client.post(grid_url(street), data)
    assert response.status_code == 200
    assert "可上报的报表在您确认后有了变化" in " ".join(texts(response))
    assert current("南湖东路社区").status == ReturnStatus.DRAFT
    assert current("沿河社区").status == ReturnStatus.RETURNED


def test_submitting_nothing_ticked_says_so(nanhu):
    street, client, page = nanhu
    data = grid_data(page)
    data["action"] = "submit_selected"
    response = client.post(grid_url(street), data, follow=True)
    assert "请先勾选要上报的社区。" in texts(response)


# 7. Withdraw -----------------------------------------------------------------------------


@pytest.fixture
def submitted(users, demo):
    item = current("南湖东路社区")
    return_submit(returns=[item], user=users["nanhu"])
    item.refresh_from_db()
    return item


def test_return_withdraw_makes_a_draft_with_an_event(users, submitted):
    version = submitted.version
    (item,) = workflow.return_withdraw(
        returns=[submitted], user=users["nanhu"], versions={submitted.pk: version}
    )
    item.refresh_from_db()
    assert item.status == ReturnStatus.DRAFT and item.version == version + 1
    event = ReturnEvent.objects.filter(quarterly_return=item).latest("at", "pk")
    assert (event.from_status, event.to_status, event.actor) == (
        ReturnStatus.SUBMITTED, ReturnStatus.DRAFT, users["nanhu"],
    )  # fmt: skip


def test_withdrawing_is_version_checked(users, submitted):
    with pytest.raises(WorkflowError) as raised:
        workflow.return_withdraw(
            returns=[submitted], user=users["nanhu"], versions={submitted.pk: submitted.version - 1}
        )
    assert "在您打开本页后已有变动" in raised.value.messages[0]
    submitted.refresh_from_db()
    assert submitted.status == ReturnStatus.SUBMITTED


def test_an_approved_return_cannot_be_withdrawn(users, submitted):
    return_approve(returns=[submitted], user=users["clerk"])
    with pytest.raises(WorkflowError) as raised:
        workflow.return_withdraw(returns=[submitted], user=users["nanhu"])
    assert raised.value.messages == [
        "南湖东路社区：报表已审核通过，不能再撤回；如确需修改，请联系区民政局重新打开。"
    ]
    submitted.refresh_from_db()
    assert submitted.status == ReturnStatus.APPROVED


def test_only_who_may_submit_may_withdraw(users, submitted):
    for who in ("clerk", "viewer"):
        with pytest.raises(PermissionDenied):
            workflow.return_withdraw(returns=[submitted], user=users[who])
    with pytest.raises(PermissionDenied):  # another street's
        workflow.return_withdraw(returns=[submitted], user=users["binhu"])


def test_the_grid_withdraws_one_row_and_a_selection(clients, demo, submitted):
    street = demo["streets"]["南湖"]
    client = clients["nanhu"]
    page = client.get(grid_url(street))
    html = page.content.decode()
    assert f'name="withdraw" value="{submitted.committee_id}"' in html
    data = grid_data(page)
    data["withdraw"] = str(submitted.committee_id)
    response = client.post(grid_url(street), data, follow=True)
    assert "已撤回南湖东路社区的报表，现为草稿，可修改后重新上报。" in texts(response)
    assert current("南湖东路社区").status == ReturnStatus.DRAFT
    # The selection: submit two, withdraw both with "withdraw selected".
    return_submit(
        returns=[current("南湖东路社区"), current("凤栖苑社区")], user=submitted.updated_by
    )
    page = client.get(grid_url(street))
    rows = prefixes(page)
    data = grid_data(page)
    for name in ("南湖东路社区", "凤栖苑社区"):
        data[f"{rows[name]}-select"] = "on"
    data["action"] = "withdraw_selected"
    response = client.post(grid_url(street), data, follow=True)
    assert current("南湖东路社区").status == current("凤栖苑社区").status == ReturnStatus.DRAFT


def test_the_grid_refuses_to_withdraw_an_approved_return_in_chinese(
    clients, users, demo, submitted
):
    street = demo["streets"]["南湖"]
    page = clients["nanhu"].get(grid_url(street))  # the page still shows it submitted
    return_approve(returns=[submitted], user=users["clerk"])
    data = grid_data(page)
    data["withdraw"] = str(submitted.committee_id)
    response = clients["nanhu"].post(grid_url(street), data, follow=True)
    said = texts(response)
    assert "未撤回任何报表：" in said
    assert any("已审核通过，不能再撤回" in m for m in said)
    assert current("南湖东路社区").status == ReturnStatus.APPROVED


# 8. The reason of the present status only ------------------------------------------------


def test_an_old_send_back_reason_is_not_shown_after_resubmission(clients, users, demo):
    street = demo["streets"]["南湖"]
    reason = "户籍人口与派出所数据不一致，请核实后重报。"
    assert reason in clients["nanhu"].get(grid_url(street)).content.decode()  # sent back
    yanhe = current("沿河社区")
    return_submit(returns=[yanhe], user=users["nanhu"])
    html = clients["nanhu"].get(grid_url(street)).content.decode()
    assert reason not in html
    # Sent back again with a new reason: that one shows.
    return_send_back(returns=[yanhe], user=users["clerk"], reason="常住人口偏低，请核实。")
    html = clients["nanhu"].get(grid_url(street)).content.decode()
    assert "常住人口偏低，请核实。" in html and reason not in html


# 9. The viewer -----------------------------------------------------------------------------


def test_the_viewer_sees_a_read_only_grid(clients, demo):
    """Before: the viewer saw editable inputs and a review link that ended in a 403."""
    street = demo["streets"]["南湖"]
    response = clients["viewer"].get(grid_url(street))
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r'<input type="text" name="form-\d+-', html)
    assert 'id="grid-form"' not in html and 'type="checkbox"' not in html
    assert 'name="action"' not in html and 'name="withdraw"' not in html
    for url in (
        reverse("returns:return-review", args=[YEAR, QUARTER]),
        reverse("returns:return-import", args=[YEAR, QUARTER]),
    ):
        assert url not in html
    # The figures as text, with thousands separators.
    assert '<span class="ro">2,480</span>' in html  # 南湖东路's households
    # Every link left on the grid opens for the viewer.
    for link in set(re.findall(r'href="(/returns/[^"]+)"', html)):
        assert clients["viewer"].get(link.replace("&amp;", "&")).status_code == 200, link


# 10. The grid's workbook ---------------------------------------------------------------------


def test_the_workbook_is_laid_out_like_the_paper_form(clients, users, demo, settings):
    """Before: no title, no print setup (5 portrait pages), an English slug as its name."""
    settings.BUREAU_NAME = "南京市建邺区民政局"
    user = users["nanhu"]
    user.first_name, user.last_name = "小明", "王"
    user.save()
    street = demo["streets"]["南湖"]
    response = clients["nanhu"].get(
        reverse("returns:return-workbook", args=[YEAR, QUARTER]) + f"?street={street.pk}"
    )
    title = "建邺区南湖街道社区居委会季度报表（2007年第1季度）"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + __import__("urllib.parse").parse.quote(f"{title}.xlsx")
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet["A1"].value == title
    assert "制表机关：南京市建邺区民政局" in sheet["A2"].value
    assert "报告期：2007年第1季度" in sheet["A2"].value
    assert (
        "填报单位：南湖街道" in sheet["A3"].value
        and "计量单位：户、人、次、件" in sheet["A3"].value
    )
    values = [row[0] for row in sheet.iter_rows(min_row=5, values_only=True)]
    total_at = values.index("合计") + 5
    assert sheet.cell(row=total_at, column=3).value == f"=SUM(C5:C{total_at - 1})"
    foot = [v for v in values[values.index("合计") + 1 :] if v]
    assert len(foot) == 1 and "填表人：王小明" in foot[0] and "单位负责人：" in foot[0]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.print_area.endswith(f"!$A$1:$J${total_at + 2}")  # not the year and quarter


def test_the_workbook_round_trip(clients, users, demo, tmp_path, settings):
    """Download the grid's workbook, change a figure with openpyxl (and type one as text
    with a thousands separator), import it: the figures change, the total and the signature
    lines are left out."""
    settings.MEDIA_ROOT = tmp_path / "media"
    street = demo["streets"]["南湖"]
    response = clients["nanhu"].get(
        reverse("returns:return-workbook", args=[YEAR, QUARTER]) + f"?street={street.pk}"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    header = [c.value for c in sheet[4]]
    rows = {
        row[0].value: {header[i]: c for i, c in enumerate(row) if i < len(header)}
        for row in sheet.iter_rows(min_row=5)
        if row[1].value  # a committee's row: it has a code
    }
    assert "南湖东路社区" in rows and "合计" not in rows
    rows["南湖东路社区"]["户数"].value = 2490
    rows["南湖东路社区"]["义工人数"].value = "2,1"  # a wrong comma: refused with the reason
    path = tmp_path / "grid.xlsx"
    book.save(path)
    outcome = import_file(register="returns", path=path, user=users["nanhu"], dry_run=True)
    assert [e.message for e in outcome.errors] == [
        "“2,1”的逗号位置不对：逗号只能用来分隔千位（如 2,235、1,234,567）。"
    ]
    rows["南湖东路社区"]["义工人数"].value = "２１"  # full-width, as text
    rows["凤栖苑社区"]["户籍人口"].value = "7,300"
    book.save(path)
    outcome = import_file(register="returns", path=path, user=users["nanhu"])
    assert outcome.errors == [] and outcome.written
    assert outcome.rows == 9  # the committees only
    item = current("南湖东路社区")
    assert (item.households, item.volunteers) == (2490, 21)
    assert current("凤栖苑社区").registered_population == 7300


def test_the_import_refuses_a_fraction_instead_of_cutting_it(users, demo, tmp_path, settings):
    """Before: django-import-export's IntegerWidget made 2235.7 households 2235."""
    settings.MEDIA_ROOT = tmp_path / "media"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["社区代码", "年份", "季度", "户数"])
    sheet.append([current("南湖东路社区").committee.code, YEAR, QUARTER, 2235.7])
    path = tmp_path / "fraction.xlsx"
    book.save(path)
    outcome = import_file(register="returns", path=path, user=users["nanhu"], dry_run=True)
    assert [e.message for e in outcome.errors] == ["“2235.7”带有小数，本项只能填整数。"]


# Queries -------------------------------------------------------------------------------------


def test_a_partial_save_does_not_grow_with_committees(clients, demo, django_assert_max_num_queries):
    """The page shown again after a save with an error runs as many queries for 34
    committees as for 9."""
    import datetime

    from communities.models import Committee

    street = demo["streets"]["南湖"]
    client = clients["nanhu"]

    def post_with_an_error():
        page = client.get(grid_url(street))
        rows = list(prefixes(page).values())
        data = grid_data(page)
        full_row(data, rows[1], households=2300 + len(rows))
        data[f"{rows[4]}-volunteers"] = "x"
        data["action"] = "submit_all"
        return data

    data = post_with_an_error()
    with django_assert_max_num_queries(80) as small:
        assert client.post(grid_url(street), data).status_code == 400
    baseline = len(small.captured_queries)
    for index in range(25):
        Committee.objects.create(
            code=f"P{street.pk}{index:03d}", name=f"部分{index}", street=street,
            households=2000, population=5600, established_on=datetime.date(2005, 1, 1),
        )  # fmt: skip
    data = post_with_an_error()
    with django_assert_max_num_queries(baseline):
        response = client.post(grid_url(street), data)
    assert response.status_code == 400 and "部分24" in response.content.decode()
    assert timezone.now()
