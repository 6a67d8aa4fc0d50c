"""One test per file of tests/imports/data: files as people make them, and their outcome.

The .xlsx, .ods and .xls files were saved by LibreOffice (see data/make_files.py). Files that
would be large (the oversized and the compressed-bomb ones) are made at run time.
"""

import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from communities.models import Committee, Title
from imports.errors import ImportFileError, ImportNotAllowed
from imports.models import ImportRecord
from imports.services import import_file

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def households():
    return dict(
        Committee.objects.filter(code__in=["320105001001", "320105001002"]).values_list(
            "code", "households"
        )
    )


def run(register, path, user, *flags):
    out, err = io.StringIO(), io.StringIO()
    call_command("importxlsx", register, str(path), "--user", user, *flags, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["committees_libreoffice.xlsx", "committees_libreoffice.ods", "committees_libreoffice.xls"],
)
def test_libreoffice_workbook_with_title_row_and_extra_column(users, name):
    """A merged title row above the headers, headers in their own order, an extra column."""
    outcome = import_file(register="committees", path=DATA / name, user=users["clerk"])
    assert outcome.errors == []
    assert outcome.written and outcome.sheet == "社区名册"
    assert (outcome.updated, outcome.new) == (1, 0)  # 南湖西路社区 is unchanged
    assert outcome.unchanged == 1
    assert households()["320105001001"] == 2501
    assert Committee.objects.get(code="320105001001").population == 7001
    assert any("备注（内部）" in notice for notice in outcome.notices)
    record = ImportRecord.objects.get()
    assert (record.register, record.file_name, record.user) == ("committees", name, users["clerk"])
    assert (record.created, record.updated, record.unchanged, record.written) == (0, 1, 1, True)
    assert len(record.sha256) == 64


@pytest.mark.django_db
def test_gbk_csv_with_chinese_dates(users):
    committee = Committee.objects.get(code="320105001001")
    committee.established_on = None
    committee.save()
    outcome = import_file(
        register="committees", path=DATA / "committees_gbk.csv", user=users["clerk"]
    )
    assert outcome.errors == [] and outcome.written
    committee.refresh_from_db()
    assert committee.households == 2501
    assert str(committee.established_on) == "2002-01-01"  # from 2002年1月1日


@pytest.mark.django_db
def test_bom_csv_with_english_headers_in_another_order(users):
    out, _err = run("committees", DATA / "committees_bom.csv", "clerk")
    assert households() == {"320105001001": 2502, "320105001002": 2303}


@pytest.mark.django_db
def test_padded_sheet_skips_thousands_of_blank_rows(users):
    outcome = import_file(
        register="committees", path=DATA / "committees_padded.xlsx", user=users["clerk"]
    )
    assert outcome.errors == [] and outcome.rows == 2
    assert households()["320105001001"] == 2501


@pytest.mark.django_db
def test_wrong_types_are_all_listed_and_nothing_is_written(users):
    before = households()
    outcome = import_file(
        register="committees", path=DATA / "committees_wrong_types.xlsx", user=users["clerk"]
    )
    assert not outcome.written
    found = {(e.row, e.column) for e in outcome.errors}
    assert found >= {(2, "户数"), (2, "建立日期"), (3, "类别"), (3, "人口")}, outcome.errors
    assert all(e.sheet for e in outcome.errors)
    messages = " ".join(str(e) for e in outcome.errors)
    assert "工作表“Sheet”第2行，“户数”列：“很多”不是整数。" in messages, messages
    assert "ConversionSyntax" not in messages
    assert households() == before
    record = ImportRecord.objects.get()
    assert not record.written and record.errors == len(outcome.errors)
    with pytest.raises(CommandError):
        run("committees", DATA / "committees_wrong_types.xlsx", "clerk")


@pytest.mark.django_db
def test_unknown_committees_are_refused_row_by_row(users):
    outcome = import_file(
        register="titles", path=DATA / "titles_unknown_committees.xlsx", user=users["clerk"]
    )
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "社区代码"), (4, "社区代码")]
    assert not Title.objects.filter(name="文化特色社区", year=2006).exists()


@pytest.mark.django_db
def test_street_user_sees_other_streets_committees_as_unknown(users):
    """The 南湖 file, imported by 滨湖's staff: refused, nothing revealed. Street staff may
    not import committees at all (the admin's rule, tests/imports/test_import_permissions.py);
    the file's rows are not even read, so nothing about 南湖 can show in the message."""
    before = households()
    with pytest.raises(ImportNotAllowed) as refused:
        import_file(register="committees", path=DATA / "committees_gbk.csv", user=users["binhu"])
    assert "南湖" not in str(refused.value)
    assert households() == before


@pytest.mark.django_db
def test_duplicates_within_a_file(users):
    before = households()
    outcome = import_file(
        register="committees", path=DATA / "committees_duplicates.csv", user=users["clerk"]
    )
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "代码")]
    assert "2" in outcome.errors[0].message
    assert households() == before


@pytest.mark.django_db
def test_formula_cells_give_their_value_and_formula_text_stays_text(users):
    outcome = import_file(
        register="committees", path=DATA / "committees_formula_text.xlsx", user=users["clerk"]
    )
    assert outcome.errors == []
    assert households()["320105001001"] == 2501  # =2500+1, as LibreOffice computed it
    assert Committee.objects.get(code="320105001002").name == "=1+1"  # text, guard undone


@pytest.mark.django_db
def test_oversized_file_is_refused_unread(users, settings, tmp_path):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    path = tmp_path / "big.csv"
    shutil.copy(DATA / "committees_gbk.csv", path)
    with path.open("ab") as handle:
        handle.write(b"\r\n" * 2000)
    with pytest.raises(ImportFileError, match="MB"):
        import_file(register="committees", path=path, user=users["clerk"])
    assert not ImportRecord.objects.exists()


@pytest.mark.django_db
def test_compressed_bomb_is_refused_unopened(users, tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    assert path.stat().st_size < 100_000
    with pytest.raises(ImportFileError, match="拒绝"):
        import_file(register="committees", path=path, user=users["clerk"])


@pytest.mark.django_db
def test_total_uncompressed_bound(users, settings, tmp_path):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 10_000
    path = tmp_path / "committees.xlsx"
    shutil.copy(DATA / "committees_libreoffice.xlsx", path)
    with pytest.raises(ImportFileError):
        import_file(register="committees", path=path, user=users["clerk"])


@pytest.mark.django_db
def test_a_file_that_is_not_what_its_name_says(users, tmp_path):
    path = tmp_path / "committees.xlsx"
    shutil.copy(DATA / "committees_gbk.csv", path)
    with pytest.raises(ImportFileError):
        import_file(register="committees", path=path, user=users["clerk"])
    path = tmp_path / "committees.csv"
    shutil.copy(DATA / "committees_libreoffice.xlsx", path)
    with pytest.raises(ImportFileError):
        import_file(register="committees", path=path, user=users["clerk"])
    with pytest.raises(CommandError):
        run("committees", path, "clerk")


@pytest.mark.django_db
def test_row_limit(users, settings):
    settings.IMPORT_MAX_ROWS = 1
    with pytest.raises(ImportFileError, match="1"):
        import_file(register="committees", path=DATA / "committees_gbk.csv", user=users["clerk"])


@pytest.mark.django_db
def test_dry_run_writes_and_records_nothing(users):
    before = households()
    out, _err = run("committees", DATA / "committees_gbk.csv", "clerk", "--dry-run")
    assert households() == before
    assert not ImportRecord.objects.exists()


@pytest.mark.django_db
def test_missing_column_names_it(users, tmp_path):
    book = openpyxl.load_workbook(DATA / "committees_libreoffice.xlsx")
    sheet = book.active
    sheet.delete_cols(2)  # 代码
    path = tmp_path / "committees.xlsx"
    book.save(path)
    with pytest.raises(ImportFileError, match="代码"):
        import_file(register="committees", path=path, user=users["clerk"])
