"""The compiled export (set-based rows of :mod:`imports.exports`) is the per-instance export.

For every register of ``imports.registry.REGISTERS`` and for an administrator, a clerk and a
street user (whose ID-card numbers are masked), the rows made from ``values_list`` tuples by
the compiled plan must be exactly, value for value and type for type, the rows the
resource's own ``export_field`` gives cell by cell — on the demo data with formula-like text
("=1+1", "+x", "-x", "@x", a tab) planted in the text and choice columns. And the files
written from them (.xlsx by the fast sheet writer, CSV) must be those the per-instance path
writes through openpyxl.
"""

import csv
import datetime
import decimal
import io
import zipfile

import openpyxl
import pytest
from django.db import DatabaseError, models, transaction
from import_export import fields, widgets
from openpyxl.utils.exceptions import IllegalCharacterError

from communities.models import Committee
from communities.resources import CommitteeResource
from imports.exports import (
    NotCompilable,
    compile_plan,
    export_register,
    export_rows,
    headers_of,
    instance_rows,
    write_csv,
    write_xlsx,
    write_xlsx_rows,
)
from imports.registry import REGISTERS, resource_class
from scoping.rules import scope_queryset
from staffing.models import Person, Posting

FORMULAS = ("=1+1", "+x", "-x", "@x", "\tx")
ROLES = ("admin", "clerk", "nanhu")


def typed(rows):
    return [[(type(value).__name__, value) for value in row] for row in rows]


@pytest.fixture
def formula_text(users):
    """Formula-like text in the text and choice columns of the first rows of every register's
    model, and of the first rows a 南湖 user sees; returns what was planted, by register."""
    planted = {}
    for register in sorted(REGISTERS):
        model = resource_class(register)._meta.model
        columns = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.primary_key
        ]
        everyone = model._default_manager.order_by("pk")
        street = scope_queryset(model._default_manager.all(), users["nanhu"]).order_by("pk")
        pks = list(everyone.values_list("pk", flat=True)[:5])
        pks += list(street.values_list("pk", flat=True)[:5])
        for number, pk in enumerate(dict.fromkeys(pks)):
            for field in columns:
                text = f"{FORMULAS[number % len(FORMULAS)]}{number}"
                if field.max_length:
                    text = text[: field.max_length]
                try:
                    with transaction.atomic():
                        model._default_manager.filter(pk=pk).update(**{field.name: text})
                except DatabaseError:
                    continue  # a constraint refuses it (a unique code cut short...)
                planted.setdefault(register, set()).add(field.name)
    return planted


def test_formula_text_was_planted(formula_text):
    assert {"name"} <= formula_text["committees"]
    assert {"id_number", "name", "gender"} <= formula_text["people"]
    assert {"note"} <= formula_text["premises"]


@pytest.mark.django_db
@pytest.mark.parametrize("register", sorted(REGISTERS))
def test_every_register_compiles(users, register):
    for role in ROLES:
        plan = compile_plan(resource_class(register)(user=users[role]))  # NotCompilable: why
        assert plan.headers == headers_of(resource_class(register)(user=users[role]))


@pytest.mark.django_db
@pytest.mark.parametrize("register", sorted(REGISTERS))
def test_compiled_rows_are_the_instance_rows(users, formula_text, register):
    for role in ROLES:
        resource = resource_class(register)(user=users[role])
        queryset = resource.get_queryset().order_by("pk")
        plan = compile_plan(resource)
        old = [headers_of(resource), *instance_rows(resource, queryset)]
        new = [plan.headers, *plan.rows(queryset)]
        assert len(new) > 1 or role == "nanhu", f"no {register} in the demo data"
        assert typed(new) == typed(old), (register, role)
        if register in formula_text and role == "admin":
            guarded = [v for row in new[1:] for v in row if isinstance(v, str) and v[:1] == "'"]
            assert guarded, f"no formula-like text reached the {register} export"
        text = [v for row in new for v in row if isinstance(v, str)]
        assert not any(v.startswith(("=", "+", "-", "@", "\t")) for v in text)


@pytest.mark.django_db
@pytest.mark.parametrize("register", ["people", "postings", "attendance", "exam-results"])
def test_street_user_gets_masked_id_numbers(users, formula_text, register):
    resource = resource_class(register)(user=users["nanhu"])
    rows = list(export_rows(resource))
    column = rows[0].index("身份证号码")
    numbers = [row[column] for row in rows[1:]]
    assert numbers and all(number == "" or "********" in number for number in numbers)
    whole = list(export_rows(resource_class(register)(user=users["admin"])))
    assert any("*" not in row[column] and row[column] for row in whole[1:])
    if register == "people":  # a formula-like number: guarded whole, masked for the street
        assert "'=1+10" in [row[column] for row in whole[1:]]


@pytest.mark.django_db
@pytest.mark.parametrize("register", sorted(REGISTERS))
def test_default_order_gives_the_same_rows(users, formula_text, register):
    resource = resource_class(register)(user=users["clerk"])
    new = list(export_rows(resource))
    old = list(export_rows(resource, compiled=False))
    assert new[0] == old[0]
    assert sorted(map(repr, typed(new[1:]))) == sorted(map(repr, typed(old[1:])))


def sheet_xml(path):
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


@pytest.mark.django_db
@pytest.mark.parametrize("register", sorted(REGISTERS))
def test_files_are_those_of_the_per_instance_path(users, formula_text, tmp_path, register):
    for role in ("admin", "nanhu"):
        resource = resource_class(register)(user=users[role])
        queryset = resource.get_queryset().order_by("pk")
        title = str(resource._meta.model._meta.verbose_name_plural)
        fast = tmp_path / f"{role}-fast.xlsx"
        count = export_register(register, fast, user=users[role], queryset=queryset)
        slow = tmp_path / f"{role}-slow.xlsx"
        assert (
            write_xlsx(export_rows(resource, queryset, compiled=False), slow, title=title) == count
        )
        fast_parts, slow_parts = sheet_xml(fast), sheet_xml(slow)
        assert fast_parts.keys() == slow_parts.keys()
        for name in fast_parts:
            if name != "docProps/core.xml":  # holds the time of writing
                assert fast_parts[name] == slow_parts[name], (register, role, name)
        book = openpyxl.load_workbook(fast)
        assert book.active.freeze_panes == "A2"
        assert book.active.max_row == count + 1
        assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)

        fast_csv, slow_csv = tmp_path / f"{role}-fast.csv", tmp_path / f"{role}-slow.csv"
        export_register(register, fast_csv, user=users[role], queryset=queryset)
        write_csv(export_rows(resource, queryset, compiled=False), slow_csv)
        assert fast_csv.read_bytes() == slow_csv.read_bytes()


TRICKY = [
    ["text", "", None, " leading", "trailing ", "a&b<c>d", "line\r\nbreak", "tab\tin", "#N/A"],
    [1, 0, -7, 10**15, 10**17, 1.5, decimal.Decimal("2468.50"), decimal.Decimal("-0.1"), True],
    ["'=1+1", "中文", "x" * 40000, "é", None, None, None, None, False],
    [],
    [None, "last"],
]


def test_fast_writer_writes_what_openpyxl_writes(tmp_path):
    header = [f"c{i}" for i in range(9)]
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    assert write_xlsx_rows(header, iter(TRICKY), fast, title="表") == len(TRICKY)
    assert write_xlsx([header, *TRICKY], slow, title="表") == len(TRICKY)
    fast_parts, slow_parts = sheet_xml(fast), sheet_xml(slow)
    assert fast_parts["xl/worksheets/sheet1.xml"] == slow_parts["xl/worksheets/sheet1.xml"]
    book = openpyxl.load_workbook(fast)
    assert book.sheetnames == ["表"]
    values = [[c.value for c in row] for row in book.active.iter_rows(min_row=2)]
    assert values[0][5] == "a&b<c>d" and values[0][6] == "line\r\nbreak"
    assert values[1][6] == 2468.5 and values[2][2] == "x" * 32767


def test_fast_writer_refuses_what_openpyxl_refuses(tmp_path):
    with pytest.raises(IllegalCharacterError, match="bell"):
        write_xlsx_rows(["a"], [["ok"], ["bell\x07"]], tmp_path / "x.xlsx")
    with pytest.raises(IllegalCharacterError):
        write_xlsx([["a"], ["bell\x07"]], tmp_path / "y.xlsx")
    with pytest.raises(TypeError):
        write_xlsx_rows(["a"], [[datetime.date(2006, 7, 1)]], tmp_path / "z.xlsx")


class ShoutingCommitteeResource(CommitteeResource):
    def dehydrate_name(self, committee):
        return committee.name.upper() + "!"


class MysteryWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return f"<{value}>"


class MysteryCommitteeResource(CommitteeResource):
    name = fields.Field(attribute="name", column_name="名称", widget=MysteryWidget())


class PropertyCommitteeResource(CommitteeResource):
    name = fields.Field(attribute="street__district__pk", column_name="名称")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "resource_type, expected",
    [
        (ShoutingCommitteeResource, lambda c: c.name.upper() + "!"),
        (MysteryCommitteeResource, lambda c: f"<{c.name}>"),
        (PropertyCommitteeResource, lambda c: str(c.street.district.pk)),
    ],
)
def test_what_does_not_compile_falls_back_to_export_field(users, resource_type, expected):
    resource = resource_type(user=users["clerk"])
    with pytest.raises(NotCompilable):
        compile_plan(resource)
    rows = list(export_rows(resource, Committee.objects.order_by("pk")))
    column = rows[0].index("名称")
    assert [row[column] for row in rows[1:]] == [
        expected(c) for c in Committee.objects.order_by("pk")
    ]


class TwiceCommitteeResource(CommitteeResource):
    code_again = fields.Field(attribute="code", column_name="代码（再）")
    street_again = fields.Field(attribute="street__name", column_name="街道（再）")

    class Meta(CommitteeResource.Meta):
        fields = (*CommitteeResource.Meta.fields, "code_again", "street_again")


@pytest.mark.django_db
def test_a_path_read_once_serves_every_column_that_shows_it(users, formula_text):
    resource = TwiceCommitteeResource(user=users["nanhu"])
    plan = compile_plan(resource)
    assert plan.paths.count("code") == 1 and plan.paths.count("street__name") == 1
    queryset = resource.get_queryset().order_by("pk")
    new = [plan.headers, *plan.rows(queryset)]
    assert typed(new) == typed([headers_of(resource), *instance_rows(resource, queryset)])
    assert len(new) > 1 and new[0][-2:] == ["代码（再）", "街道（再）"]
    distinct = list(plan.rows(queryset.distinct()))
    assert typed(distinct) == typed(new[1:])


@pytest.mark.django_db
def test_a_callers_queryset_is_kept_filtered_and_scoped(users, demo, tmp_path):
    path = tmp_path / "postings.csv"
    everyone = Posting.objects.all()
    count = export_register("postings", path, user=users["nanhu"], queryset=everyone)
    nanhu = Posting.objects.filter(committee__street=demo["streets"]["南湖"])
    assert count == nanhu.count() > 0
    one = Committee.objects.filter(street=demo["streets"]["南湖"]).first()
    filtered = Posting.objects.filter(committee=one).distinct()
    count = export_register("postings", path, user=users["clerk"], queryset=filtered)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert count == len(rows) - 1 == Posting.objects.filter(committee=one).count()
    assert {row[3] for row in rows[1:]} == {one.code}


@pytest.mark.django_db
def test_person_rows_read_their_number_once(users, django_assert_max_num_queries):
    resource = resource_class("postings")(user=users["admin"])
    with django_assert_max_num_queries(3):
        rows = list(export_rows(resource))
    assert len(rows) == Posting.objects.count() + 1
    assert Person.objects.exists()
