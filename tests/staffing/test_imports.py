"""Imports: natural keys, masked ID numbers round-trip, all or nothing, scoped."""

import pytest
import tablib

from imports.services import import_file
from staffing.models import Person, Posting
from staffing.resources import PersonResource, PostingResource


def dataset(resource, rows):
    headers = resource.get_export_headers()
    return tablib.Dataset(*rows, headers=headers)


@pytest.mark.django_db
def test_clerk_reimports_a_masked_export_unchanged(users):
    resource = PersonResource(user=users["clerk"])
    exported = resource.export(queryset=Person.objects.filter(street__short_name="南湖")[:5])
    assert all("********" in row[exported.headers.index("身份证号码")] for row in exported)
    result = PersonResource(user=users["clerk"]).import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Person.objects.filter(id_number__contains="*").count() == 0


@pytest.mark.django_db
def test_bad_id_number_rejects_the_whole_file(users, tmp_path):
    # Through the one import path (the blank party-member cell reads 否, so the good row
    # is valid on its own: only the bad one keeps it out).
    resource = PersonResource(user=users["admin"])
    headers = resource.get_export_headers()
    good = dict.fromkeys(headers, "")
    good.update({"姓名": "孙八", "性别": "女", "街道": "南湖街道", "身份证号码": "11010519491231002X"})
    bad = dict(good, 姓名="周九", 身份证号码="110105194912310021")
    path = tmp_path / "people.csv"
    data = tablib.Dataset(*[[r[h] for h in headers] for r in (good, bad)], headers=headers)
    path.write_text(data.export("csv"), encoding="utf-8")
    before = Person.objects.count()
    outcome = import_file(register="people", path=path, user=users["admin"])
    assert [e.row for e in outcome.errors] == [3]
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_street_user_imports_a_posting_by_name_and_birth_date(users, demo):
    person = Person.objects.filter(street__short_name="南湖", postings__end_date__isnull=True).first()
    current = person.postings.get(end_date__isnull=True)
    resource = PostingResource(user=users["nanhu"])
    exported = resource.export(queryset=Posting.objects.filter(pk=current.pk))
    row = dict(zip(exported.headers, exported[0], strict=True))
    assert row["身份证号码"] != person.id_number  # masked
    row["任职截止日期"] = "2006-12-31"
    data = tablib.Dataset([row[h] for h in exported.headers], headers=exported.headers)
    result = PostingResource(user=users["nanhu"]).import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    current.refresh_from_db()
    assert str(current.end_date) == "2006-12-31"

    # A 滨湖 committee is outside 南湖's scope: the row is refused.
    row["社区代码"] = demo["committees"]["滨湖社区"].code
    row["任职起始日期"] = "2007-01-01"
    row["任职截止日期"] = ""
    data = tablib.Dataset([row[h] for h in exported.headers], headers=exported.headers)
    before = Posting.objects.count()
    result = PostingResource(user=users["nanhu"]).import_data(data, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert Posting.objects.count() == before
