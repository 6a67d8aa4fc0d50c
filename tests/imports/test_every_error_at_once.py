"""Every error of every row in one pass, each with its sheet, row, column and reason; a
file of a header and no rows is refused; a CSV is named after the user's file."""


import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from communities.models import Committee
from facilities.models import Premises
from imports.errors import ImportFileError
from imports.services import import_file

HEADERS = ["社区代码", "名称", "地址", "用途", "面积（平方米）", "产权形式", "状态", "状态日期",
           "停用日期", "备注"]


def premises_file(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "用房"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def good(code, name, **changes):
    row = dict(zip(HEADERS, [code, name, "", "活动", 50, "自有产权", "在用", "2005-01-01", None,
                             ""], strict=True))
    row.update(changes)
    return [row[h] for h in HEADERS]


@pytest.mark.django_db
def test_every_error_of_every_row_comes_in_one_pass(users, tmp_path):
    code = Committee.objects.order_by("code").first().code
    before = Premises.objects.count()
    path = premises_file(
        tmp_path / "premises.xlsx",
        [
            # an unknown committee, a wrong use and a negative area: all three
            good("999999999999", "甲", **{"用途": "活动用房", "面积（平方米）": -5}),
            # a negative area beside a wrong tenure (the area came only once the rest was fixed)
            good(code, "乙", **{"产权形式": "自有", "面积（平方米）": -5}),
            # given up before taken into use, and no name: both
            good(code, "", **{"停用日期": "2004-01-01"}),
            good(code, "丁"),  # a good row between bad ones
        ],
    )
    with translation.override("zh-hans"):
        outcome = import_file(register="premises", path=path, user=users["admin"])
        found = {(e.row, e.column): e.message for e in outcome.errors}
        texts = [str(e) for e in outcome.errors]
    assert not outcome.written and Premises.objects.count() == before
    assert set(found) == {
        (2, "社区代码"),
        (2, "用途"),
        (2, "面积（平方米）"),
        (3, "产权形式"),
        (3, "面积（平方米）"),
        (4, "名称"),
        (4, "停用日期、状态日期"),
    }, texts
    assert found[(2, "面积（平方米）")] == found[(3, "面积（平方米）")] == "面积不能为负数。"
    assert all(e.column for e in outcome.errors), texts  # every message names its column
    assert all(text.startswith("工作表“用房”第") for text in texts), texts


@pytest.mark.django_db
def test_the_rules_of_a_row_cost_no_query_per_row(users, tmp_path):
    code = Committee.objects.order_by("code").first().code

    def queries(count):
        rows = [good(code, f"室{i}", **{"面积（平方米）": -1}) for i in range(count)]
        path = premises_file(tmp_path / f"p{count}.xlsx", rows)
        with CaptureQueriesContext(connection) as captured:
            outcome = import_file(register="premises", path=path, user=users["admin"],
                                  dry_run=True)
        assert len(outcome.errors) == count
        return len(captured)

    queries(4)  # the user's permissions are read once, then cached on the user
    assert queries(40) == queries(4)


@pytest.mark.django_db
def test_a_file_of_a_header_and_no_rows_is_refused(users, tmp_path):
    path = premises_file(tmp_path / "empty.xlsx", [])
    with translation.override("zh-hans"), pytest.raises(ImportFileError) as refused:
        import_file(register="premises", path=path, user=users["admin"])
    assert "没有数据行" in str(refused.value)


@pytest.mark.django_db
def test_importxlsx_of_a_header_and_no_rows_exits_non_zero(users, tmp_path):
    path = premises_file(tmp_path / "empty.xlsx", [])
    with pytest.raises(CommandError) as refused:  # manage.py exits with 1 and the message
        call_command("importxlsx", "premises", str(path), "--user", users["admin"].username)
    assert "没有数据行" in str(refused.value) or "no data rows" in str(refused.value)


@pytest.mark.django_db
def test_a_csv_upload_is_named_after_the_users_file(users, tmp_path):
    stored = tmp_path / "3f2a9c0d1e.csv"  # how the admin stores an upload
    stored.write_text(",".join(HEADERS) + "\n" + "999999999999,甲,,活动,50,自有产权,在用,,,\n",
                      encoding="utf-8")
    with translation.override("zh-hans"):
        outcome = import_file(register="premises", path=stored, user=users["admin"],
                              file_name="南湖用房.csv")
        text = str(outcome.errors[0])
    assert outcome.sheet == "南湖用房" and "工作表“南湖用房”" in text and "3f2a" not in text
