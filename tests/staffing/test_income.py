"""Income as received: the standard plus what the streets add (PayComponent), effective-dated,
per position or per person, scoped to the street; the report and the document's figure."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from imports.services import import_file
from reports.registry import RowLevel, get_report_class
from scoping.rules import SYSTEM
from staffing.idcards import make_id_number
from staffing.income import average_annual_income, income_by, income_of
from staffing.models import PayComponent, PayComponentKind, Person, Position, Posting
from staffing.resources import PayComponentResource

pytestmark = pytest.mark.django_db

JAN_1 = datetime.date(2006, 1, 1)
COMPONENTS = "/admin/staffing/paycomponent/"


def new_person(demo, street="南湖", committee="沿河社区", start=JAN_1, sequence=901, code="social-worker"):
    birth = datetime.date(1975, 3, 4)
    person = Person.objects.create(
        name=f"收入测试{sequence}",
        street=demo["streets"][street],
        birth_date=birth,
        gender="m",
        id_number=make_id_number("320105", birth, sequence),
    )
    Posting.objects.create(
        person=person,
        committee=demo["committees"][committee],
        position=Position.objects.get(code=code),
        start_date=start,
    )
    return person


def component(street, *, person=None, position=None, day=JAN_1, amount="100", basis="monthly",
              kind=PayComponentKind.SUBSIDY):
    return PayComponent.objects.create(
        street=street, person=person, position=position, effective_from=day,
        amount=Decimal(amount), basis=basis, kind=kind,
    )


# The document's figure, from the data --------------------------------------------------------


def test_the_demo_gives_the_documents_average_income(demo):
    """人均年收入约12600元: computed from the demo's postings, standards and components."""
    income = income_of(SYSTEM, 2006)
    assert income.staff == 219 and income.person_months == 219 * 12
    # The standard alone is the budget's staff funds (2,031,600), about 9,300 a person.
    assert income.standard == Decimal("2031600.00")
    assert income.standard * 12 / income.person_months < 9300
    average = average_annual_income(SYSTEM, 2006)
    assert abs(average - 12600) <= 100, average
    assert average == (income.total * 12 / income.person_months).quantize(Decimal("0.01"))
    # Every kind is used by the demo, and the total is their sum with the standard.
    assert all(amount > 0 for amount in income.components.values())
    assert income.total == income.standard + sum(income.components.values())


def test_mid_year_counts_the_half_year_and_annualises(demo):
    half = income_of(SYSTEM, 2006, as_of=datetime.date(2006, 6, 30))
    assert half.person_months == 219 * 6
    assert half.standard == Decimal("1015800.00")
    # 南湖's rise from July and the subsidies from December are not in the first half.
    assert half.average < average_annual_income(SYSTEM, 2006)
    with pytest.raises(ValueError):
        income_of(SYSTEM, 2006, as_of=datetime.date(2007, 1, 1))


# Effective dating -----------------------------------------------------------------------------


def test_a_component_from_july_counts_half_a_year(demo):
    nanhu = demo["streets"]["南湖"]
    person = new_person(demo)
    before = income_of(SYSTEM, 2006, street=nanhu)
    component(nanhu, person=person, day=datetime.date(2006, 7, 1), amount="100")
    after = income_of(SYSTEM, 2006, street=nanhu)
    assert after.components["subsidy"] - before.components["subsidy"] == Decimal("600.00")
    assert after.standard == before.standard  # the standard does not move


def test_a_component_from_the_15th_counts_from_the_next_month(demo):
    nanhu = demo["streets"]["南湖"]
    person = new_person(demo)
    before = income_of(SYSTEM, 2006, street=nanhu).components["subsidy"]
    component(nanhu, person=person, day=datetime.date(2006, 7, 15), amount="100")
    assert income_of(SYSTEM, 2006, street=nanhu).components["subsidy"] - before == Decimal("500.00")


def test_a_later_row_supersedes_and_a_yearly_amount_counts_by_the_month(demo):
    nanhu = demo["streets"]["南湖"]
    person = new_person(demo, start=datetime.date(2006, 4, 10))  # paid from April: 9 months
    before = income_of(SYSTEM, 2006, street=nanhu).components
    component(nanhu, person=person, amount="1200", basis="yearly", kind=PayComponentKind.BONUS)
    component(nanhu, person=person, amount="100")  # monthly, from January
    component(nanhu, person=person, amount="0", day=datetime.date(2006, 10, 1))  # ends it
    after = income_of(SYSTEM, 2006, street=nanhu).components
    assert after["bonus"] - before["bonus"] == Decimal("900.00")  # 1,200 x 9/12
    assert after["subsidy"] - before["subsidy"] == Decimal("600.00")  # April-September


def test_a_position_component_pays_that_position_on_the_streets_committees_only(demo):
    binhu = demo["streets"]["滨湖"]
    volunteer = Position.objects.get(code="volunteer")
    party = Position.objects.get(code="party-worker")
    before = income_by(user=SYSTEM, year=2006)
    component(binhu, position=party, amount="10", kind=PayComponentKind.SUBSIDY)
    after = income_by(user=SYSTEM, year=2006)
    party_workers = Posting.objects.filter(
        committee__street=binhu, position=party, end_date__isnull=True, start_date__lte=JAN_1
    ).count()
    assert party_workers
    grown = after[binhu.pk].components["subsidy"] - before[binhu.pk].components["subsidy"]
    assert grown == Decimal(10 * 12 * party_workers)
    for street_id, income in after.items():
        if street_id != binhu.pk:
            assert income.components == before[street_id].components
    # Volunteers are unpaid: a component for them is refused, and they are never counted.
    row = PayComponent(street=binhu, position=volunteer, kind="bonus", amount=1, effective_from=JAN_1)
    with pytest.raises(Exception) as refused:
        row.full_clean()
    assert "position" in refused.value.message_dict


# Scoping --------------------------------------------------------------------------------------


def test_a_street_user_sees_and_counts_their_own_street_only(demo, users):
    nanhu, binhu = demo["streets"]["南湖"], demo["streets"]["滨湖"]
    everything = income_by(user=SYSTEM, year=2006)
    own = income_of(users["nanhu"], 2006)
    assert own == everything[nanhu.pk]
    assert set(income_by(user=users["nanhu"], year=2006)) == {nanhu.pk}
    assert income_of(users["nanhu"], 2006, street=binhu).person_months == 0
    assert not PayComponent.objects.for_user(users["nanhu"]).exclude(street=nanhu).exists()


def test_the_admin_is_scoped(demo, clients):
    binhu_row = PayComponent.objects.filter(street__short_name="滨湖").first()
    nanhu_row = PayComponent.objects.filter(street__short_name="南湖").first()
    street_user = clients["nanhu"]
    listing = street_user.get(COMPONENTS)
    assert listing.status_code == 200
    shown = {row.street.short_name for row in listing.context["cl"].result_list}
    assert shown == {"南湖"}
    assert street_user.get(f"{COMPONENTS}{binhu_row.pk}/change/").status_code == 404
    assert street_user.get(f"{COMPONENTS}{nanhu_row.pk}/change/").status_code == 200
    # Adding a row for another street is refused; nothing is written.
    before = PayComponent.objects.count()
    response = street_user.post(
        f"{COMPONENTS}add/",
        {
            "street": demo["streets"]["滨湖"].pk,
            "kind": "bonus",
            "position": Position.objects.get(code="director").pk,
            "basis": "yearly",
            "amount": "100",
            "effective_from": "2007-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["street"]
    assert PayComponent.objects.count() == before


def test_a_street_user_adds_a_component_in_the_admin(demo, clients):
    response = clients["nanhu"].post(
        f"{COMPONENTS}add/",
        {
            "street": demo["streets"]["南湖"].pk,
            "kind": "bonus",
            "position": Position.objects.get(code="director").pk,
            "basis": "yearly",
            "amount": "120.50",
            "effective_from": "2007-01-01",
            "note": "先进奖",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = PayComponent.objects.get(note="先进奖")
    assert row.amount == Decimal("120.50") and row.street.short_name == "南湖"


def test_both_a_position_and_a_person_is_refused_with_the_typed_values_kept(demo, clients):
    person = Person.objects.filter(street__short_name="南湖").first()
    before = PayComponent.objects.count()
    response = clients["clerk"].post(
        f"{COMPONENTS}add/",
        {
            "street": demo["streets"]["南湖"].pk,
            "kind": "subsidy",
            "position": Position.objects.get(code="director").pk,
            "person": person.pk,
            "basis": "monthly",
            "amount": "35.5",
            "effective_from": "2007-01-01",
        },
    )
    assert response.status_code == 200
    assert "只能填一项" in response.content.decode()
    assert 'value="35.5"' in response.content.decode()
    assert PayComponent.objects.count() == before


# Import ---------------------------------------------------------------------------------------


def headers():
    with translation.override("zh-hans"):
        return [str(h) for h in PayComponentResource(user=SYSTEM).get_export_headers()]


def workbook(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    columns = headers()
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])
    book.save(path)
    return path


def test_import_with_a_bad_row_names_it_and_writes_nothing(demo, users, tmp_path):
    assert headers()[:3] == ["街道", "类别", "岗位"]
    good = {"街道": "南湖街道", "类别": "奖金", "岗位": "主任", "发放方式": "按年",
            "金额（元）": 300, "起始执行日期": "2007-01-01"}
    bad_amount = dict(good, 岗位="副主任", **{"金额（元）": "三百"})
    both = dict(good, 岗位="社工", 身份证号码=Person.objects.filter(
        street__short_name="南湖").exclude(id_number=None).first().id_number)
    path = workbook(tmp_path / "components.xlsx", [good, bad_amount, both])
    before = PayComponent.objects.count()
    with translation.override("zh-hans"):
        outcome = import_file(register="pay-components", path=path, user=users["clerk"])
    assert not outcome.written
    assert PayComponent.objects.count() == before
    found = {(error.row, error.column) for error in outcome.errors}
    assert (3, "金额（元）") in found, [str(e) for e in outcome.errors]
    assert any(error.row == 4 and "只能填一项" in error.message for error in outcome.errors)
    assert not any(error.row == 2 for error in outcome.errors)
    message = next(str(e) for e in outcome.errors if e.row == 3)
    assert "第 3 行" in message or "3" in message


def test_import_of_another_streets_row_is_refused_for_a_street_user(demo, users, tmp_path):
    row = {"街道": "滨湖街道", "类别": "奖金", "岗位": "主任", "发放方式": "按年",
           "金额（元）": 300, "起始执行日期": "2007-01-01"}
    path = workbook(tmp_path / "other.xlsx", [row])
    before = PayComponent.objects.count()
    with translation.override("zh-hans"):
        outcome = import_file(register="pay-components", path=path, user=users["nanhu"])
    assert not outcome.written and outcome.errors
    assert outcome.errors[0].row == 2 and outcome.errors[0].column == "街道"
    assert PayComponent.objects.count() == before


def test_an_export_imports_back_unchanged_and_an_edit_updates_its_row(demo, users, tmp_path):
    from imports.exports import export_register

    path = tmp_path / "export.xlsx"
    export_register("pay-components", path, user=users["admin"])
    count = PayComponent.objects.count()
    outcome = import_file(register="pay-components", path=path, user=users["admin"])
    assert outcome.written and outcome.new == 0 and outcome.updated == 0
    assert outcome.unchanged == count
    # An edited amount updates its row, per position and per person alike.
    book = openpyxl.load_workbook(path)
    sheet = book.active
    columns = [cell.value for cell in sheet[1]]
    amount = columns.index("金额（元）")
    for row in sheet.iter_rows(min_row=2):
        row[amount].value = float(row[amount].value) + 1
    book.save(path)
    outcome = import_file(register="pay-components", path=path, user=users["admin"])
    assert outcome.written and outcome.new == 0 and outcome.updated == count, outcome.errors[:3]
    assert PayComponent.objects.count() == count


# The report -----------------------------------------------------------------------------------


def report(user, year=2006):
    return get_report_class("income")(user=user, year=year)


def test_the_report_gives_the_figures_of_the_data(demo, users):
    table = report(users["clerk"])
    rows = table.rows()
    total, streets = rows[0], rows[1:]
    assert total.level == RowLevel.TOTAL and all(r.level == RowLevel.STREET for r in streets)
    everything = income_of(SYSTEM, 2006)
    assert total.values["average"] == average_annual_income(SYSTEM, 2006) == everything.average
    assert total.values["staff"] == 219
    assert total.values["standard"] == Decimal("2031600.00")
    assert total.values["total"] == everything.total
    by_street = income_by(user=SYSTEM, year=2006)
    for row in streets:
        street = demo["streets"][row.label.removesuffix("街道")]
        income = by_street[street.pk]
        assert row.values["component_street_allowance"] == income.components["street_allowance"]
        assert row.values["average"] == income.average
    # The total's average is worked out from the sums, never an average of averages.
    assert sum(r.values["total"] for r in streets) == total.values["total"]
    assert total.values["average"] == (
        total.values["total"] * 12 / total.values["person_months"]
    ).quantize(Decimal("0.01"))
    # A street user's table is their street.
    own = report(users["nanhu"]).rows()
    assert [r.label for r in own[1:]] == ["南湖街道"]
    assert own[0].values["average"] == by_street[demo["streets"]["南湖"].pk].average


def test_the_report_page_and_workbook(demo, clients, tmp_path):
    response = clients["clerk"].get("/reports/income/", {"year": 2006})
    assert response.status_code == 200
    body = response.content.decode()
    assert "社区工作者收入情况表" in body and "人均年收入" in body
    assert "12,601.74" in body
    target = tmp_path / "income.xlsx"
    call_command("exportreport", "income", "--year", "2006", "--output", str(target),
                 stdout=io.StringIO())
    sheet = openpyxl.load_workbook(target).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "人均年收入" in values


def test_report_and_admin_queries_do_not_grow_with_rows(
    demo, clients, django_assert_max_num_queries
):
    from django.core.cache import cache

    client = clients["clerk"]
    pages = [("/reports/income/", {"year": 2006}), (COMPONENTS, {})]
    counts = []
    for url, params in pages:
        cache.clear()
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url, params).status_code == 200
        counts.append(len(captured.captured_queries))
    nanhu = demo["streets"]["南湖"]
    for index in range(30):
        person = new_person(demo, sequence=700 + index * 2)
        component(nanhu, person=person, amount=str(10 + index))
        component(nanhu, person=person, amount="5", kind=PayComponentKind.BONUS,
                  day=datetime.date(2006, 1 + index % 12, 1))
    for (url, params), count in zip(pages, counts, strict=True):
        cache.clear()
        with django_assert_max_num_queries(count):
            assert client.get(url, params).status_code == 200


def test_the_template_says_position_or_person(demo, users):
    from imports.template_workbooks import template_workbook

    with translation.override("zh-hans"):
        content = template_workbook(register="pay-components", user=users["nanhu"])
    book = openpyxl.load_workbook(io.BytesIO(content))
    notes = {row[0]: row[1:] for row in book.worksheets[-1].iter_rows(min_row=2, values_only=True)}
    assert notes["岗位"][0] == notes["身份证号码"][0] == "二者填一项（主键）"
    assert "留空" in notes["岗位"][1] and "留空" in notes["身份证号码"][1]
    assert notes["街道"][0] == "是（主键）"
    # The example row is the street user's own.
    assert book.worksheets[0].cell(row=2, column=1).value == "南湖街道"


def test_the_demo_components_are_valid_and_load_once(demo):
    from staffing import demo as staffing_demo

    rows = PayComponent.objects.select_related("street", "position", "person__street")
    for row in rows:
        row.full_clean()
    before = list(PayComponent.objects.order_by("pk").values())
    assert {row["kind"] for row in before} == set(PayComponentKind.values)
    assert any(row["person_id"] for row in before) and any(row["position_id"] for row in before)
    staffing_demo.load(demo["context"])
    assert list(PayComponent.objects.order_by("pk").values()) == before
