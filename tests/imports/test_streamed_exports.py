"""Streamed exports (imports.exports and ``manage.py exportxlsx``): rows, formula guard, scope."""

import csv

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from communities.models import Committee
from imports.exports import ExportError, export_register
from staffing.models import Posting


def read_xlsx(path):
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    book.close()
    return rows


@pytest.mark.django_db
def test_committees_to_xlsx_row_by_row(users, tmp_path):
    path = tmp_path / "committees.xlsx"
    count = export_register("committees", path, user=users["clerk"])
    rows = read_xlsx(path)
    assert count == Committee.objects.count() == len(rows) - 1
    assert rows[0][:3] == ["代码", "名称", "街道"]
    codes = {row[0] for row in rows[1:]}
    assert codes == set(Committee.objects.values_list("code", flat=True))
    households = rows[0].index("户数")
    assert all(isinstance(row[households], int) for row in rows[1:])  # numbers stay numbers


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(1)", "\tx"])
def test_formula_text_is_neutralised(users, tmp_path, suffix, name):
    Committee.objects.filter(code="320105001001").update(name=name)
    path = tmp_path / f"committees{suffix}"
    export_register("committees", path, user=users["admin"])
    if suffix == ".xlsx":
        rows = read_xlsx(path)
        book = openpyxl.load_workbook(path)  # no cell is a formula
        assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)
    else:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
        rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    names = [row[1] for row in rows[1:]]
    assert "'" + name in names
    assert not any(isinstance(v, str) and v.startswith("=") for row in rows for v in row)


@pytest.mark.django_db
def test_street_user_sees_their_street_only(users, demo, tmp_path):
    path = tmp_path / "postings.xlsx"
    count = export_register("postings", path, user=users["nanhu"])
    rows = read_xlsx(path)
    nanhu = Posting.objects.filter(committee__street=demo["streets"]["南湖"])
    assert count == nanhu.count() == len(rows) - 1 > 0
    code = rows[0].index("社区代码")
    assert {row[code] for row in rows[1:]} == set(nanhu.values_list("committee__code", flat=True))
    number = rows[0].index("身份证号码")
    assert all("*" in row[number] for row in rows[1:])  # masked for a street user


@pytest.mark.django_db
def test_command_writes_the_file(users, tmp_path, capsys):
    path = tmp_path / "people.xlsx"
    call_command("exportxlsx", "people", "--output", str(path), "--user", users["binhu"].username)
    assert "row(s)" in capsys.readouterr().out or path.exists()
    assert len(read_xlsx(path)) > 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["nope", "--output", "{tmp}/x.xlsx"], "nope"),
        (["people", "--output", "{tmp}/x.xlsx", "--user", "ghost"], "ghost"),
        (["people", "--output", "{tmp}/missing/x.xlsx"], "missing"),
        (["people", "--output", "{tmp}/x.pdf"], ".pdf"),
    ],
)
def test_command_refuses_clearly(users, tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("exportxlsx", *args)


def test_export_error_is_a_value_error():
    with pytest.raises(ExportError):
        export_register("streets", "/tmp/x.txt", user=None)
