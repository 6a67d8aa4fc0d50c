"""The import's compiled steps (issue 17) do what the per-row calls they replace did: history
rows in one multi-row insert equal simple-history's, each column's import plan equals
``import_field``, the compiled field checks equal ``full_clean`` (values and messages), a new
instance from the factory equals ``Model()``."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from audit.history import write_history
from communities.models import Street
from imports.registry import REGISTERS
from scoping.resources import full_clean_compiled, instance_factory
from staffing.idcards import gender_of, make_id_number
from staffing.models import Person, Posting
from staffing.resources import PersonResource

TRACKED = [
    "id",
    "name",
    "gender",
    "birth_date",
    "phone",
    "education",
    "party_member",
    "id_number",
    "street_id",
]
WHO = ["history_type", "history_user_id", "history_change_reason"]


def people(street, start, count):
    made = []
    for i in range(start, start + count):
        birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=i)
        number = make_id_number("320105", birth, i)
        made.append(
            Person(
                name=f"历史{i}",
                gender=gender_of(number),
                birth_date=birth,
                id_number=number,
                phone="",
                education="",
                party_member=i % 2 == 0,
                street=street,
            )
        )
    return made


def history_of(objs, kind="+"):
    rows = Person.history.filter(id__in=[o.pk for o in objs], history_type=kind)
    return list(rows.order_by("history_id").values_list(*TRACKED, *WHO))


def stored(objs):
    rows = {
        row[0]: row
        for row in Person.objects.filter(pk__in=[o.pk for o in objs]).values_list(*TRACKED)
    }
    return [rows[o.pk] for o in objs]


@pytest.mark.django_db
def test_history_rows_equal_simple_historys(users):
    street = Street.objects.order_by("sort_order").first()
    admin = users["admin"]
    theirs = bulk_create_with_history(
        people(street, 0, 5), Person, default_user=admin, default_change_reason="import #1"
    )
    ours = Person.objects.bulk_create(people(street, 5, 5))
    write_history(Person, ours, update=False, user=admin, reason="import #1")
    # Each history row holds the row's values as stored, and who and why, as simple-history's
    # own helper writes them.
    for history, row in zip(history_of(ours), stored(ours), strict=True):
        assert history == (*row, "+", admin.pk, "import #1")
    for history, row in zip(history_of(theirs), stored(theirs), strict=True):
        assert history == (*row, "+", admin.pk, "import #1")
    assert Person.history.filter(id=ours[0].pk).get().history_date is not None
    # Updates: "~", the values after the change; an instance's own reason wins.
    for obj in ours + theirs:
        obj.phone = "13900000000"
    Person.objects.bulk_update(ours, ["phone"])
    ours[0]._change_reason = "own reason"
    write_history(Person, ours, update=True, user=None, reason="import #2")
    bulk_update_with_history(theirs, Person, ["phone"], default_change_reason="import #2")
    assert [h[-3:] for h in history_of(ours, "~")] == [("~", None, "own reason")] + [
        ("~", None, "import #2")
    ] * 4
    assert [h[-3:] for h in history_of(theirs, "~")] == [("~", None, "import #2")] * 5
    for history, row in zip(history_of(ours, "~"), stored(ours), strict=True):
        assert history[: len(TRACKED)] == row and row[4] == "13900000000"


@pytest.mark.django_db
def test_a_posting_history_row_keeps_its_dates_and_keys(users):
    street = Street.objects.order_by("sort_order").first()
    person = Person.objects.bulk_create(people(street, 20, 1))[0]
    committee = street.committees.filter(revoked_on__isnull=True).first()
    from staffing.models import Position

    posting = Posting(
        person=person,
        committee=committee,
        position=Position.objects.first(),
        start_date=datetime.date(2006, 3, 1),
        end_date=datetime.date(2006, 9, 30),
    )
    Posting.objects.bulk_create([posting])
    write_history(Posting, [posting], update=False, user=users["clerk"], reason="import #9")
    row = Posting.history.get(id=posting.pk)
    assert (row.person_id, row.committee_id, row.start_date, row.end_date) == (
        person.pk,
        committee.pk,
        datetime.date(2006, 3, 1),
        datetime.date(2006, 9, 30),
    )
    assert (row.history_user_id, row.history_change_reason) == (users["clerk"].pk, "import #9")


@pytest.mark.django_db
def test_the_factory_makes_what_the_model_makes():
    for cls in REGISTERS.values():
        model = cls._meta.model
        made, plain = instance_factory(model)(), model()
        assert {k: v for k, v in made.__dict__.items() if k != "_state"} == {
            k: v for k, v in plain.__dict__.items() if k != "_state"
        }
        assert made._state.adding and made._state.db is None


def full_clean_errors(instance, compiled):
    try:
        if compiled:
            full_clean_compiled(instance, {"street"})
        else:
            instance.full_clean(
                exclude={"street"}, validate_unique=False, validate_constraints=False
            )
    except ValidationError as exc:
        return exc.message_dict
    return {}


@pytest.mark.django_db
def test_compiled_checks_equal_full_clean(users):
    street = Street.objects.order_by("sort_order").first()
    good = people(street, 30, 1)[0]
    cases = [
        {},
        {"id_number": " 11010519491231002x "},  # normalised, wrong check digit
        {"gender": "q"},  # not a choice
        {"education": "nonsense"},
        {"name": ""},  # blank
        {"name": "长" * 40},  # too long
        {"phone": "1" * 30},
        {"birth_date": datetime.date(1999, 1, 1)},  # against the ID number (clean())
        {"birth_date": "2006-13-45"},  # no date
        {"party_member": None},
    ]
    with translation.override("zh-hans"):
        for change in cases:
            a, b = Person(), Person()
            for obj in (a, b):
                obj.__dict__.update({k: v for k, v in good.__dict__.items() if k != "_state"})
                obj.__dict__.update(change)
            compiled, plain = full_clean_errors(a, True), full_clean_errors(b, False)
            assert compiled == plain, change
            assert (a.id_number, a.birth_date, a.name) == (b.id_number, b.birth_date, b.name)
        assert full_clean_errors(Person(**{}), True) == full_clean_errors(Person(), False)


@pytest.mark.django_db
def test_each_columns_plan_does_what_import_field_does(users):
    street = Street.objects.order_by("sort_order").first()
    resource = PersonResource(user=users["admin"])
    number = make_id_number("320105", datetime.date(1980, 2, 3), 5)
    cells = [
        ["  王五 ", "男", "1980年2月3日", number, 13900001111, "本科", "是", street.name],
        ["赵六", "外星", "不是日期", "1101**********1234", None, "博士后", "也许", "没有这个街道"],
    ]
    attributes = [
        "name",
        "gender",
        "birth_date",
        "id_number",
        "phone",
        "education",
        "party_member",
        "street",
    ]
    columns = {f.attribute: str(f.column_name) for f in resource.get_import_fields()}
    rows = [{columns[a]: v for a, v in zip(attributes, row, strict=True)} for row in cells]
    resource.prepare_import(rows)
    for row in rows:
        by_plan, by_call = Person(), Person()
        plan_errors, call_errors = {}, {}
        for fld in resource.get_import_fields():
            try:
                resource.import_plan(fld)(by_plan, row)
            except ValueError as exc:
                plan_errors[fld.attribute] = str(exc)
            try:
                resource.import_field(fld, by_call, row, user=users["admin"])
            except ValueError as exc:
                call_errors[fld.attribute] = str(exc)
        assert plan_errors == call_errors
        fields = [f.attname for f in Person._meta.concrete_fields]
        assert [getattr(by_plan, f) for f in fields] == [getattr(by_call, f) for f in fields]
    assert len(plan_errors) >= 5  # the second row's cells are wrong in five columns


@pytest.mark.django_db
def test_a_plan_sets_a_foreign_key_as_the_descriptor_does():
    from scoping.resources import _assigner

    street = Street.objects.order_by("sort_order").first()
    saved = Person.objects.bulk_create(people(street, 40, 1))[0]
    assign = _assigner(Posting, "person")
    ours, theirs = Posting(), Posting()
    assign(ours, saved)
    theirs.person = saved
    assert ours.person_id == theirs.person_id == saved.pk
    assert ours.person is saved  # cached: no query to read it back
    # Another value goes through the descriptor: None clears, an unsaved row is cached
    # without an id, a wrong model is refused as Django refuses it.
    assign(ours, None)
    theirs.person = None
    assert ours.person_id is None
    assert ours._state.fields_cache == theirs._state.fields_cache == {"person": None}
    unsaved = people(street, 41, 1)[0]
    assign(ours, unsaved)
    assert ours.person_id is None and ours.person is unsaved
    with pytest.raises(ValueError):
        assign(ours, street)
