"""Import templates: header, example, drop-downs scoped to the user, help sheet; they import."""

import io
import re
from urllib.parse import quote

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from imports.registry import REGISTERS
from imports.services import can_import, import_file
from imports.template_workbooks import template_workbook
from scoping.sorting import pinyin_key


@pytest.mark.django_db
@pytest.mark.parametrize("register", sorted(REGISTERS))
def test_every_register_has_a_template(users, register):
    book = openpyxl.load_workbook(
        io.BytesIO(template_workbook(register=register, user=users["clerk"]))
    )
    data, _lists, columns = book.worksheets
    assert data.freeze_panes == "A2"
    headers = [c.value for c in data[1]]
    assert all(headers)
    assert [
        row[0].value for row in columns.iter_rows(min_row=2, max_row=len(headers) + 1)
    ] == headers


@pytest.mark.django_db
def test_committee_dropdown_is_the_users_own(users, tmp_path):
    content = template_workbook(register="premises", user=users["nanhu"])
    book = openpyxl.load_workbook(io.BytesIO(content))
    data, lists, _columns = book.worksheets
    assert data.data_validations.dataValidation
    options = [c.value for c in lists["A"] if c.value]
    # 南湖's committees only, each as its name and code, in pinyin order of the names.
    assert options and all(re.fullmatch(r".+（320105001\d{3}）", o) for o in options)
    names = [o.split("（")[0] for o in options]
    assert names == sorted(names, key=lambda n: (pinyin_key(n), n)) and names != sorted(names)


@pytest.mark.django_db
def test_template_example_imports_unchanged(users, tmp_path):
    path = tmp_path / "committees.xlsx"
    path.write_bytes(template_workbook(register="committees", user=users["clerk"]))
    outcome = import_file(register="committees", path=path, user=users["clerk"], dry_run=True)
    assert outcome.errors == [] and outcome.unchanged == 1


@pytest.mark.django_db
def test_view_and_command(clients, users, tmp_path):
    response = clients["nanhu"].get("/imports/committees/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(
        "社区居委会导入模板.xlsx"
    )
    assert clients["nanhu"].get("/imports/nothing/template.xlsx").status_code == 404
    output = tmp_path / "t.xlsx"
    call_command(
        "importtemplate",
        "postings",
        "--output",
        str(output),
        "--user",
        users["clerk"].username,
        stdout=io.StringIO(),
    )
    assert openpyxl.load_workbook(output).worksheets[0]["A1"].value
    with pytest.raises(CommandError):
        call_command(
            "importtemplate", "nothing", "--output", str(output), "--user", users["clerk"].username
        )


def test_view_requires_login(client):
    response = client.get("/imports/committees/template.xlsx")
    assert response.status_code == 302


# The templates obey their own instructions (issue 15) -------------------------------------

ASCII_WORD = re.compile(r"\b[a-z][a-z_]+\b")  # a field's name leaking (name、short_name、code)


def book_of(register, user):
    return openpyxl.load_workbook(io.BytesIO(template_workbook(register=register, user=user)))


@pytest.mark.django_db
@pytest.mark.parametrize("register", sorted(REGISTERS))
def test_headers_and_help_speak_chinese(users, register):
    data, _lists, columns = book_of(register, users["admin"]).worksheets
    headers = [c.value for c in data[1]]
    assert not [h for h in headers if re.search(r"[A-Za-z]", h)], headers  # no "id"
    for column, _required, explanation in columns.iter_rows(
        min_row=2, max_row=len(headers) + 1, values_only=True
    ):
        assert not ASCII_WORD.findall(explanation), (column, explanation)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "clerk", "nanhu"])
def test_every_template_imports_its_own_example(users, who, tmp_path):
    """Filled in as given (the example row), every template the user may import reads back
    without an error: yes/no as 是/否, dates, masked ID-card numbers with the name and birth
    date beside them, committees, streets and positions as the drop-downs offer them."""
    user = users[who]
    tried = 0
    for register in sorted(REGISTERS):
        if not can_import(register, user):
            continue
        path = tmp_path / f"{register}.xlsx"
        path.write_bytes(template_workbook(register=register, user=user))
        outcome = import_file(register=register, path=path, user=user, dry_run=True)
        assert outcome.errors == [], (register, outcome.errors)
        assert outcome.unchanged == 1, register  # the example is the user's own first row
        tried += 1
    assert tried >= 5


def column_values(sheet, header):
    headers = [c.value for c in sheet[1]]
    return [row[headers.index(header)] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.django_db
def test_a_yes_no_example_says_yes_or_no(users):
    for register, column in (("people", "中共党员"), ("positions", "领取报酬")):
        data, _lists, columns = book_of(register, users["admin"]).worksheets
        assert column_values(data, column)[0] in ("是", "否")
        help_text = {row[0]: row[2] for row in columns.iter_rows(min_row=2, values_only=True)}
        assert "是" in help_text[column] and "否" in help_text[column]


@pytest.mark.django_db
def test_the_dropdowns_show_names_with_codes_and_import_back(users, demo, tmp_path):
    book = book_of("premises", users["nanhu"])
    data, lists, _columns = book.worksheets
    validations = {str(v.sqref): v for v in data.data_validations.dataValidation}
    committee = validations["A2:A5000"]
    count = len([c for c in lists["A"] if c.value])
    assert committee.formula1.endswith(f"$A$1:$A${count}")
    assert committee.errorStyle == "warning"  # a code typed in stays (the import reads it)
    option = [c.value for c in lists["A"] if c.value][-1]
    name, code = re.fullmatch(r"(.+)（(\d{12})）", option).groups()
    assert column_values(data, "社区代码")[0].endswith("）")  # the example as the list says
    # A new row with the committee chosen from the list, one with its bare code, one with
    # a wrong name beside the code.
    data.append([option, "测试活动室甲", None, "活动", 80, "租用", "在用", "2006-07-01"])
    data.append([code, "测试活动室乙", None, "活动", 60, "租用", "在用", "2006年7月1日"])
    path = tmp_path / "premises.xlsx"
    book.save(path)
    outcome = import_file(register="premises", path=path, user=users["nanhu"], dry_run=True)
    assert outcome.errors == [] and outcome.new == 2 and outcome.unchanged == 1
    data.append([f"沙洲社区（{code}）", "测试活动室丙", None, "活动", 60, "租用", "在用", None])
    book.save(path)
    outcome = import_file(register="premises", path=path, user=users["nanhu"], dry_run=True)
    assert [(e.row, e.column) for e in outcome.errors] == [(5, "社区代码")]
    assert name in outcome.errors[0].message and code in outcome.errors[0].message


@pytest.mark.django_db
def test_street_dropdown_reads_back_without_the_prefetch(users):
    """The widget reads an option on its own too (a single cell, no file)."""
    from communities.resources import street_widget

    widget = street_widget()
    street = widget.clean("南湖街道（320105001）", user=users["clerk"])
    assert street.name == "南湖街道"
    assert widget.clean("南湖街道(320105001)", user=users["clerk"]) == street
    with pytest.raises(ValueError, match="滨湖街道"):
        widget.clean("南湖街道（320105002）", user=users["clerk"])
    with pytest.raises(ValueError):
        widget.clean("南湖街道（320105001）", user=users["binhu"])  # outside 滨湖's scope


@pytest.mark.django_db
def test_a_training_class_title_is_not_an_honour(users):
    """The class's title column reads 培训班名称, not 称号 (the honours' word, whose msgid
    "title" it used to share with the communities' titles)."""
    data, _lists, _columns = book_of("training", users["admin"]).worksheets
    assert [c.value for c in data[1]][0] == "培训班名称"
