"""``scoping.bulk.insert_rows`` writes new rows as ``bulk_create`` does (issue 17): the same
stored values (the name's pinyin sort key, dates, keys), each row's id read back and the row
marked saved, a related row saved since it was assigned giving its id, an unsaved one refused,
``auto_now_add`` filled."""

import datetime

import pytest

from budgets.models import Scenario
from communities.models import Street
from scoping.bulk import insert_rows
from staffing.models import Person, Position, Posting

from .test_compiled_import import people as compiled_people

COLUMNS = [
    "name",
    "name_pinyin",
    "gender",
    "birth_date",
    "phone",
    "education",
    "party_member",
    "id_number",
    "street_id",
]


def people(street, start, count):
    """The compiled-import tests' people, named so that their pinyin key is checkable."""
    made = compiled_people(street, start, count)
    for i, person in enumerate(made, start=start):
        person.name = f"曾单{i}"
        person.phone = f"1390000{i:04d}"
    return made


def stored(objs):
    query = Person.objects.filter(pk__in=[o.pk for o in objs]).values_list("pk", *COLUMNS)
    rows = {row[0]: row[1:] for row in query}
    return [rows[o.pk] for o in objs]


@pytest.mark.django_db
def test_rows_are_stored_as_bulk_create_stores_them():
    street = Street.objects.order_by("sort_order").first()
    theirs = Person.objects.bulk_create(people(street, 0, 3))
    ours = people(street, 0, 3)
    Person.objects.filter(pk__in=[o.pk for o in theirs]).delete()
    insert_rows(Person, ours)
    assert all(o.pk is not None and not o._state.adding and o._state.db == "default" for o in ours)
    assert len({o.pk for o in ours}) == 3
    # Same values as bulk_create stored, the pinyin sort key computed on the way.
    expected = [tuple(getattr(o, c) for c in COLUMNS) for o in theirs]
    assert stored(ours) == expected
    assert stored(ours)[0][1].startswith("ceng2dan1")
    # The ids came back in the rows' order: each row's id holds its own values.
    assert [Person.objects.get(pk=o.pk).id_number for o in ours] == [o.id_number for o in ours]


@pytest.mark.django_db
def test_a_related_row_saved_after_it_was_assigned_gives_its_id():
    street = Street.objects.order_by("sort_order").first()
    person = people(street, 10, 1)[0]
    committee = street.committees.filter(revoked_on__isnull=True).first()
    posting = Posting(
        person=person,  # unsaved when assigned
        committee=committee,
        position=Position.objects.first(),
        start_date=datetime.date(2006, 3, 1),
    )
    insert_rows(Person, [person])
    insert_rows(Posting, [posting])
    row = Posting.objects.get(pk=posting.pk)
    assert (row.person_id, row.committee_id, row.start_date) == (
        person.pk,
        committee.pk,
        datetime.date(2006, 3, 1),
    )


@pytest.mark.django_db
def test_an_unsaved_related_row_is_refused_and_nothing_is_written():
    street = Street.objects.order_by("sort_order").first()
    posting = Posting(
        person=people(street, 20, 1)[0],
        committee=street.committees.first(),
        position=Position.objects.first(),
        start_date=datetime.date(2006, 3, 1),
    )
    before = Posting.objects.count()
    with pytest.raises(ValueError, match="unsaved related object 'person'"):
        insert_rows(Posting, [posting])
    assert Posting.objects.count() == before


@pytest.mark.django_db
def test_auto_now_add_is_filled():
    scenario = Scenario(name="批量写入")
    insert_rows(Scenario, [scenario])
    row = Scenario.objects.get(pk=scenario.pk)
    assert row.created_at is not None
    now = datetime.datetime.now(datetime.UTC)
    assert abs(row.created_at - now) < datetime.timedelta(minutes=5)


@pytest.mark.django_db
def test_history_keeps_backslashes_tabs_and_line_breaks(users):
    # On PostgreSQL history rows go in by COPY, whose text format escapes these.
    from audit.history import write_history

    street = Street.objects.order_by("sort_order").first()
    person = people(street, 30, 1)[0]
    person.phone = "a\\b\tc\nd\re"
    person.education = ""
    insert_rows(Person, [person])
    write_history(Person, [person], update=False, user=users["admin"], reason="导入 #3\t\\N")
    row = Person.history.get(id=person.pk)
    assert (row.phone, row.education, row.history_change_reason, row.history_user_id) == (
        "a\\b\tc\nd\re",
        "",
        "导入 #3\t\\N",
        users["admin"].pk,
    )
    assert row.birth_date == person.birth_date and row.street_id == street.pk
    assert row.history_date is not None and row.history_type == "+"
