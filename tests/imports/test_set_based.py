"""The import path is set-based: its queries do not grow with the rows, rules across rows of
one file hold, the database's constraints are reported row by row, and every written row's
history names the import's record."""

import datetime
import zipfile

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Committee, Street
from imports.errors import ImportFileError
from imports.models import ImportRecord
from imports.services import import_file
from staffing.idcards import gender_of, make_id_number
from staffing.models import Person, Position, Posting
from staffing.resources import PostingResource

from .hostile import ods

PEOPLE_HEADERS = ["姓名", "性别", "出生日期", "身份证号码", "联系电话", "文化程度", "党员", "街道"]


def people_workbook(path, count, *, street, start=0):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(PEOPLE_HEADERS)
    for i in range(start, start + count):
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=i)
        number = make_id_number("320105", birth, i % 500)
        sheet.append([
            f"测试人员{i:04d}", "男" if gender_of(number) == "m" else "女", birth, number,
            f"1390000{i:04d}", "本科", "是" if i % 2 else "否", street,
        ])
    book.save(path)
    return path


def queries_for(path, user):
    with CaptureQueriesContext(connection) as queries:
        outcome = import_file(register="people", path=path, user=user)
    assert outcome.written, [str(e) for e in outcome.errors[:5]]
    return len(queries), outcome


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_rows(users, tmp_path):
    street = Street.objects.order_by("sort_order").first().name
    small, outcome = queries_for(people_workbook(tmp_path / "s.xlsx", 5, street=street), users["admin"])
    assert outcome.new == 5
    large, outcome = queries_for(
        people_workbook(tmp_path / "l.xlsx", 300, street=street, start=100), users["admin"]
    )
    assert outcome.new == 300
    # The same statements in bigger batches (SQLite takes about 100 rows per INSERT): a query
    # per row would add hundreds.
    assert large - small <= 300 // 50, (small, large)


@pytest.mark.django_db
def test_every_row_written_has_history_naming_the_record(users, tmp_path):
    street = Street.objects.order_by("sort_order").first().name
    path = people_workbook(tmp_path / "p.xlsx", 12, street=street)
    outcome = import_file(register="people", path=path, user=users["admin"])
    record = outcome.record
    assert record.written and record.created == 12
    history = Person.history.filter(history_change_reason=f"import #{record.pk}")
    assert history.count() == 12
    assert set(history.values_list("history_user", flat=True)) == {users["admin"].pk}
    assert set(history.values_list("history_type", flat=True)) == {"+"}
    # An update of some of them: history rows with the update, and only for changed rows.
    book = openpyxl.load_workbook(path)
    book.active.cell(row=2, column=5, value="13911112222")
    book.save(path)
    again = import_file(register="people", path=path, user=users["admin"])
    assert (again.new, again.updated, again.unchanged) == (0, 1, 11)
    changed = Person.history.filter(history_change_reason=f"import #{again.record.pk}")
    assert list(changed.values_list("history_type", "phone")) == [("~", "13911112222")]
    assert [row.action for row in again.preview].count("skip") == 11
    update = next(row for row in again.preview if row.action == "update")
    assert update.row == 2 and update.changes == ["联系电话"]


@pytest.mark.django_db
def test_overlapping_postings_within_one_file_are_refused(users, tmp_path):
    committee = Committee.objects.filter(status="operating").first()
    birth = datetime.date(1980, 5, 5)
    number = make_id_number("320105", birth, 77)
    person = Person.objects.create(
        name="新来的", id_number=number, birth_date=birth, gender=gender_of(number),
        street=committee.street,
    )
    position = Position.objects.order_by("sort_order").first().name
    book = openpyxl.Workbook()
    sheet = book.active
    fields = PostingResource.fields
    sheet.append([str(fields[name].column_name) for name in (
        "person", "person_name", "person_birth_date", "committee", "position", "start_date",
        "end_date")])
    for start, end in ((datetime.date(2030, 1, 1), datetime.date(2030, 6, 30)),
                       (datetime.date(2030, 6, 1), None)):
        sheet.append([person.id_number, person.name, person.birth_date, committee.code,
                      position, start, end])
    path = tmp_path / "postings.xlsx"
    book.save(path)
    before = Posting.objects.count()
    outcome = import_file(register="postings", path=path, user=users["admin"])
    assert not outcome.written
    start_column = str(PostingResource.fields["start_date"].column_name)
    assert [(e.row, e.column) for e in outcome.errors] == [(3, start_column)], [
        str(e) for e in outcome.errors
    ]
    assert "已有" in outcome.errors[0].message or "posting" in outcome.errors[0].message
    assert Posting.objects.count() == before


@pytest.mark.django_db
def test_a_database_constraint_is_reported_on_its_row(users, tmp_path):
    """A committee marked as sharing an office without naming the host: no form rule says
    so, the database's constraint does; the file is refused with the row named."""
    street = Street.objects.order_by("sort_order").first()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["代码", "名称", "街道", "状态", "户数", "人口"])
    sheet.append(["T9001", "测试一社区", street.name, "正常运转", 100, 300])
    sheet.append(["T9002", "测试二社区", street.name, "合署办公（未撤销）", 100, 300])
    path = tmp_path / "committees.xlsx"
    book.save(path)
    outcome = import_file(register="committees", path=path, user=users["admin"])
    assert not outcome.written
    assert [e.row for e in outcome.errors] == [3], [str(e) for e in outcome.errors]
    assert "合署办公" in outcome.errors[0].message
    assert not Committee.objects.filter(code__startswith="T900").exists()
    assert ImportRecord.objects.get(pk=outcome.record.pk).written is False


@pytest.mark.django_db
def test_the_preview_writes_nothing_and_records_nothing(users, tmp_path):
    street = Street.objects.order_by("sort_order").first().name
    path = people_workbook(tmp_path / "p.xlsx", 7, street=street, start=700)
    records, people = ImportRecord.objects.count(), Person.objects.count()
    outcome = import_file(register="people", path=path, user=users["admin"], dry_run=True)
    assert (outcome.new, outcome.written) == (7, False)
    assert [row.action for row in outcome.preview] == ["new"] * 7
    assert (ImportRecord.objects.count(), Person.objects.count()) == (records, people)


@pytest.mark.django_db
def test_progress_is_reported_to_the_end(users, tmp_path):
    street = Street.objects.order_by("sort_order").first().name
    path = people_workbook(tmp_path / "p.xlsx", 30, street=street, start=900)
    seen = []
    import_file(register="people", path=path, user=users["admin"],
                progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 0
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)


@pytest.mark.django_db
def test_xml_entity_tricks_are_refused_unopened(users, tmp_path):
    path = tmp_path / "laughs.xlsx"
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c>'
        "</row></sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", laughs)
    with pytest.raises(ImportFileError, match="实体"):
        import_file(register="committees", path=path, user=users["clerk"])
    assert not ImportRecord.objects.exists()


@pytest.mark.django_db
def test_postings_keep_the_stored_rules_overlap_and_roster_street(users, tmp_path):
    """Checked for the whole file at once, the rules of Posting.clean still hold: no overlap
    with a stored posting, and a latest posting on the person's roster street."""
    committee = Committee.objects.filter(status="operating").first()
    elsewhere = Committee.objects.filter(status="operating").exclude(street=committee.street).first()
    position = Position.objects.order_by("sort_order").first()
    people = []
    for i in (81, 82):
        birth = datetime.date(1981, 6, i - 80)
        number = make_id_number("320105", birth, i)
        people.append(Person.objects.create(
            name=f"规则{i}", id_number=number, birth_date=birth, gender=gender_of(number),
            street=committee.street,
        ))
    Posting.objects.create(person=people[0], committee=committee, position=position,
                           start_date=datetime.date(2031, 1, 1))
    fields = PostingResource.fields
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([str(fields[name].column_name) for name in (
        "person", "person_name", "person_birth_date", "committee", "position", "start_date")])
    sheet.append([people[0].id_number, people[0].name, people[0].birth_date, committee.code,
                  position.name, datetime.date(2032, 1, 1)])  # overlaps the open posting
    sheet.append([people[1].id_number, people[1].name, people[1].birth_date, elsewhere.code,
                  position.name, datetime.date(2032, 1, 1)])  # another street's committee
    path = tmp_path / "postings.xlsx"
    book.save(path)
    outcome = import_file(register="postings", path=path, user=users["admin"])
    assert [(e.row, e.column) for e in outcome.errors] == [
        (2, str(fields["start_date"].column_name)),
        (3, str(fields["committee"].column_name)),
    ], [str(e) for e in outcome.errors]
    assert committee.street.name in outcome.errors[1].message
    assert Posting.objects.filter(person__in=people).count() == 1


@pytest.mark.django_db
def test_an_ods_padded_to_a_million_rows_and_16384_columns_reads_fast(users, tmp_path):
    """LibreOffice pads a sheet with repeated empty rows and cells; the reader skips them."""
    committee = Committee.objects.order_by("code").first()
    cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    number = '<table:table-cell office:value-type="float" office:value="{0}"><text:p>{0}</text:p></table:table-cell>'
    pad = '<table:table-cell table:number-columns-repeated="16382"/>'
    path = ods(
        tmp_path / "padded.ods",
        f"<table:table-row>{cell.format('代码')}{cell.format('户数')}{pad}</table:table-row>"
        f"<table:table-row>{cell.format(committee.code)}{number.format(committee.households + 7)}"
        f"{pad}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>',
    )
    outcome = import_file(register="committees", path=path, user=users["admin"])
    assert (outcome.rows, outcome.updated, outcome.written) == (1, 1, True), [
        str(e) for e in outcome.errors
    ]
    committee.refresh_from_db()
    assert committee.households == Committee.history.filter(id=committee.pk).first().households
    assert Committee.history.filter(id=committee.pk).first().history_change_reason == (
        f"import #{outcome.record.pk}"
    )


@pytest.mark.django_db
def test_the_import_record_page_lists_the_rows_it_wrote(users, clients, tmp_path):
    street = Street.objects.order_by("sort_order").first().name
    path = people_workbook(tmp_path / "p.xlsx", 3, street=street, start=1200)
    record = import_file(register="people", path=path, user=users["admin"]).record
    assert record.history().count() == 3
    page = clients["admin"].get(f"/admin/imports/importrecord/{record.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "本次导入写入的行" in text
    for person in Person.objects.filter(name__startswith="测试人员12"):
        assert person.name in text
        assert f"/admin/staffing/person/{person.pk}/history/" in text


@pytest.mark.django_db
def test_an_import_that_only_updates_raises_the_data_version(
    users, tmp_path, django_capture_on_commit_callbacks
):
    """Bulk updates send no save signal; the cached summaries must still see the import."""
    from audit.data_version import data_version

    committee = Committee.objects.order_by("code").first()
    book = openpyxl.Workbook()
    book.active.append(["代码", "户数"])
    book.active.append([committee.code, committee.households + 11])
    path = tmp_path / "households.xlsx"
    book.save(path)
    before = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = import_file(register="committees", path=path, user=users["admin"])
    assert (outcome.updated, outcome.written) == (1, True)
    assert data_version() != before
    # A preview changes nothing, and says nothing changed.
    again = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        import_file(register="committees", path=path, user=users["admin"], dry_run=True)
    assert data_version() == again


@pytest.mark.django_db
def test_a_bug_in_a_row_check_is_logged_with_its_row_and_raised(users, tmp_path, monkeypatch, caplog):
    from staffing.resources import PersonResource

    street = Street.objects.order_by("sort_order").first().name
    path = people_workbook(tmp_path / "p.xlsx", 3, street=street)

    def broken(self, instance, row, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(PersonResource, "before_save_instance", broken)
    with pytest.raises(KeyError), caplog.at_level("ERROR", logger="imports.checking"):
        import_file(register="people", path=path, user=users["admin"])
    assert "row 2 failed" in caplog.text and "KeyError" in caplog.text
    assert not Person.objects.filter(name__startswith="测试人员").exists()


@pytest.mark.django_db
def test_a_row_error_from_a_hook_is_noted_and_the_other_checks_still_run(
    users, tmp_path, monkeypatch
):
    from django.core.exceptions import ValidationError

    from staffing.resources import PersonResource

    street = Street.objects.order_by("sort_order").first().name
    path = people_workbook(tmp_path / "p.xlsx", 3, street=street)
    book = openpyxl.load_workbook(path)
    book.active.cell(row=3, column=4).value = "320105196001010000"  # a wrong check digit
    book.save(path)

    def refuse(self, row, **kwargs):
        raise ValidationError("行前检查不通过")

    monkeypatch.setattr(PersonResource, "before_import_row", refuse)
    outcome = import_file(register="people", path=path, user=users["admin"])
    assert not outcome.written
    messages = {(e.row, e.message) for e in outcome.errors}
    assert {(2, "行前检查不通过"), (3, "行前检查不通过"), (4, "行前检查不通过")} <= messages
    # Row 3's ID number is still checked after its hook failed.
    assert any(e.row == 3 and "身份证" in e.column for e in outcome.errors)
