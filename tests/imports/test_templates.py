"""Import templates: header, example, drop-downs scoped to the user, help sheet; they import."""

import io
from urllib.parse import quote

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from imports.registry import REGISTERS
from imports.services import import_file
from imports.template_workbooks import template_workbook


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
    codes = {c.value for c in lists["A"] if c.value}
    assert codes and all(code.startswith("320105001") for code in codes)  # 南湖 only


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
