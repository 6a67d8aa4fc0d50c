"""The admin's Export button writes through the one export path (issue 14): its .xlsx and
.csv are those of ``export_register`` (``manage.py exportxlsx``) for the same user, scoped,
filtered like the list, in a number of queries that does not grow with the rows."""

import csv
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from imports.registry import REGISTERS, resource_class
from staffing.models import Posting


def model_of(register):
    return resource_class(register)._meta.model


def export_url(model):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/export/"


def export_data(model, extension, fields=None, **extra):
    model_admin = admin.site._registry[model]
    formats = model_admin.get_export_formats()
    index = next(i for i, f in enumerate(formats) if f().get_extension() == extension)
    resource = model_admin.get_export_resource_classes(None)[0]
    data = {"resource": "0", "format": str(index), **extra}
    for field in fields or resource().get_export_order():
        data[f"{resource.__name__.lower()}_{field}"] = "on"
    return data


def xlsx_values(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def sorted_rows(rows):
    return sorted(rows, key=repr)


@pytest.mark.parametrize("register", sorted(REGISTERS))
@pytest.mark.parametrize("role", ["clerk", "nanhu"])
def test_admin_xlsx_is_the_exportxlsx_file(clients, users, tmp_path, register, role):
    model = model_of(register)
    response = clients[role].post(export_url(model), export_data(model, "xlsx"))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    # In Chinese, saying what the file is: 社区居委会（2026年11月30日导出）.xlsx
    name = str(model._meta.verbose_name_plural)
    day = date_format(timezone.localdate(), "DATE_FORMAT")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(
        f"{name}（{day}导出）.xlsx"
    )
    path = tmp_path / f"{register}.xlsx"
    call_command("exportxlsx", register, "--output", str(path), "--user", users[role].username)
    header, *rows = xlsx_values(response.content)
    command_header, *command_rows = xlsx_values(path.read_bytes())
    assert header == command_header
    assert sorted_rows(rows) == sorted_rows(command_rows)


def test_admin_csv_is_the_compiled_csv(clients, users, tmp_path):
    model = model_of("postings")
    response = clients["nanhu"].post(export_url(model), export_data(model, "csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # UTF-8 with BOM, for Excel
    path = tmp_path / "postings.csv"
    call_command("exportxlsx", "postings", "--output", str(path), "--user", "nanhu")
    ours = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    theirs = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert ours[0] == theirs[0] and sorted_rows(ours[1:]) == sorted_rows(theirs[1:])


def test_street_user_gets_their_street_only(clients, demo):
    model = model_of("postings")
    response = clients["nanhu"].post(export_url(model), export_data(model, "xlsx"))
    header, *rows = xlsx_values(response.content)
    codes = {row[header.index("社区代码")] for row in rows}
    nanhu = Posting.objects.filter(committee__street=demo["streets"]["南湖"])
    assert len(rows) == nanhu.count() > 0
    assert codes == set(nanhu.values_list("committee__code", flat=True))


def test_the_ticked_columns_and_the_selected_rows(clients):
    model = model_of("postings")
    chosen = list(Posting.objects.order_by("pk").values_list("pk", flat=True)[:3])
    other_street = Posting.objects.exclude(committee__street__short_name="南湖").first()
    data = export_data(
        model,
        "xlsx",
        fields=["committee", "start_date"],
        export_items=[str(pk) for pk in [*chosen, other_street.pk]],
    )
    header, *rows = xlsx_values(clients["clerk"].post(export_url(model), data).content)
    assert len(header) == 2
    assert len(rows) == 4
    header, *rows = xlsx_values(clients["nanhu"].post(export_url(model), data).content)
    assert other_street.pk not in chosen
    assert (
        len(rows)
        == Posting.objects.filter(pk__in=chosen, committee__street__short_name="南湖").count()
    )


def test_queries_do_not_grow_with_the_rows(clients):
    model = model_of("postings")
    pks = [str(pk) for pk in Posting.objects.order_by("pk").values_list("pk", flat=True)[:50]]
    assert len(pks) == 50
    counts = []
    for size in (5, 50):
        data = export_data(model, "xlsx", export_items=pks[:size])
        with CaptureQueriesContext(connection) as queries:
            response = clients["clerk"].post(export_url(model), data)
        assert len(xlsx_values(response.content)) == size + 1
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("extension", ["xlsx", "csv", "ods", "tsv", "json", "html"])
def test_the_stock_dataset_is_never_built(clients, monkeypatch, extension):
    def refuse(*args, **kwargs):
        raise AssertionError("django-import-export's whole-dataset export was used")

    monkeypatch.setattr("import_export.resources.Resource.export", refuse)
    model = model_of("people")
    response = clients["clerk"].post(export_url(model), export_data(model, extension))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f".{extension}")
