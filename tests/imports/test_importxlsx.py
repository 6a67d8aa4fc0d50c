"""importxlsx: the shared import path, all or nothing, scoped by the user."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from communities.models import Committee
from communities.resources import CommitteeResource
from facilities.resources import PremisesResource
from imports.services import import_file


def committee_workbook(path, rows, user):
    """A workbook exported by the resource itself, then edited like a clerk would."""
    dataset = CommitteeResource(user=user).export(
        queryset=Committee.objects.filter(name__in=[r[0] for r in rows]).order_by("code")
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(dataset.headers))
    index = {header: i for i, header in enumerate(dataset.headers)}
    by_name = {row[index["名称"]] if "名称" in index else row[1]: list(row) for row in dataset}
    for name, changes in rows:
        row = by_name[name]
        for header, value in changes.items():
            row[index[header]] = value
        sheet.append(row)
    sheet.append([None] * len(dataset.headers))  # blank padding row, skipped
    book.save(path)
    return dataset.headers


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("importxlsx", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_updates_committees(users, tmp_path, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    path = tmp_path / "committees.xlsx"
    headers = committee_workbook(path, [("沿河社区", {})], users["clerk"])
    households_header = str(CommitteeResource.fields["households"].column_name)
    assert households_header in headers
    book = openpyxl.load_workbook(path)
    sheet = book.active
    column = list(headers).index(households_header) + 1
    sheet.cell(row=2, column=column, value=2001)
    book.save(path)
    out, _err = run("committees", str(path), "--user", "clerk")
    assert Committee.objects.get(name="沿河社区").households == 2001
    assert "1" in out


@pytest.mark.django_db
def test_one_bad_row_writes_nothing(users, tmp_path):
    path = tmp_path / "committees.xlsx"
    headers = committee_workbook(path, [("沿河社区", {}), ("长虹社区", {})], users["clerk"])
    households_header = str(CommitteeResource.fields["households"].column_name)
    column = list(headers).index(households_header) + 1
    book = openpyxl.load_workbook(path)
    book.active.cell(row=2, column=column, value=1234)
    book.active.cell(row=3, column=column, value=-5)
    book.save(path)
    before = dict(Committee.objects.values_list("name", "households"))
    outcome = import_file(register="committees", path=path, user=users["clerk"])
    assert not outcome.written
    assert [(e.row, e.column) for e in outcome.errors] == [(3, households_header)], outcome.errors
    with pytest.raises(CommandError):
        run("committees", str(path), "--user", "clerk")
    assert dict(Committee.objects.values_list("name", "households")) == before


@pytest.mark.django_db
def test_street_user_cannot_import_another_streets_row(users, tmp_path):
    """Street staff may import their roster and premises, within their street only (they may
    not import committees at all: tests/imports/test_import_permissions.py)."""
    from facilities.models import Premises
    from imports.exports import export_register

    path = tmp_path / "premises.xlsx"
    export_register("premises", path, user=users["binhu"])  # 滨湖's premises only
    book = openpyxl.load_workbook(path)
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    area = headers.index(str(PremisesResource.fields["area"].column_name)) + 1
    sheet.cell(row=2, column=area, value=9999)
    book.save(path)
    before = dict(Premises.objects.values_list("pk", "area"))
    outcome = import_file(register="premises", path=path, user=users["nanhu"])
    assert outcome.errors and not outcome.written
    assert 2 in {e.row for e in outcome.errors}
    with pytest.raises(CommandError):
        run("premises", str(path), "--user", "street-南湖")
    assert dict(Premises.objects.values_list("pk", "area")) == before
    assert not Premises.objects.filter(area=9999).exists()


@pytest.mark.django_db
def test_bad_command_lines(users, tmp_path):
    with pytest.raises(CommandError, match="committeez"):
        path = tmp_path / "x.xlsx"
        openpyxl.Workbook().save(path)
        run("committeez", str(path), "--user", "clerk")
    with pytest.raises(CommandError):
        run("committees", str(tmp_path / "missing.xlsx"), "--user", "clerk")
    with pytest.raises(CommandError):
        run("committees", str(path), "--user", "nobody")


@pytest.mark.django_db
def test_a_blank_required_cell_says_it_cannot_be_blank(users, tmp_path):
    """Not Django's "这个值不能为 null。" (issue 13, item 8): a blank cell of a column that
    needs a value (a new pay standard without its amount) reads "此字段不能为空。"."""
    from django.utils import translation

    path = tmp_path / "pay-standards.csv"
    path.write_text("岗位,月标准（元）,起始执行日期,备注\n主任,,2031-01-01,\n", encoding="utf-8")
    with translation.override("zh-hans"):
        outcome = import_file(register="pay-standards", path=path, user=users["admin"])
        messages = [str(error) for error in outcome.errors]
    assert not outcome.written
    assert messages == ["工作表“pay-standards”第2行，“月标准（元）”列：此字段不能为空。"], messages
