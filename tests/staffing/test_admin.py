"""The staffing admin: bad input refused with a message, masking, scope, query counts."""


import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.locking import VERSION_FIELD, version_token
from staffing.models import PayStandard, Person, Position, Posting

from .factories import add_people

PEOPLE = "/admin/staffing/person/"
POSTINGS = "/admin/staffing/posting/"


def nanhu_person():
    return Person.objects.filter(street__short_name="南湖", id_number__isnull=False).first()


def binhu_person():
    return Person.objects.filter(street__short_name="滨湖").first()


@pytest.mark.django_db
def test_pay_standard_without_position_is_refused(clients):
    before = PayStandard.objects.count()
    response = clients["admin"].post(
        "/admin/staffing/paystandard/add/",
        {"monthly_amount": "900", "effective_from": "2007-01-01", "note": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["position"]
    assert PayStandard.objects.count() == before


@pytest.mark.django_db
def test_clerk_cannot_change_pay_standards(clients):
    response = clients["clerk"].post(
        "/admin/staffing/paystandard/add/",
        {"position": Position.objects.get(code="director").pk, "monthly_amount": "900",
         "effective_from": "2007-01-01"},
    )
    assert response.status_code == 403


def person_form(street, id_number, **extra):
    data = {
        "name": "赵六",
        "gender": "m",
        "birth_date": "",
        "id_number": id_number,
        "phone": "",
        "street": street.pk,
        "education": "college",
        "postings-TOTAL_FORMS": "0",
        "postings-INITIAL_FORMS": "0",
        "exam_results-TOTAL_FORMS": "0",
        "exam_results-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_wrong_check_digit_in_the_admin_form(clients, demo):
    before = Person.objects.count()
    response = clients["admin"].post(
        PEOPLE + "add/", person_form(demo["streets"]["南湖"], "110105194912310021")
    )
    assert response.status_code == 200
    assert "校验码" in str(response.context["adminform"].form.errors["id_number"])
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_person_with_postings_inline_is_saved_and_overlaps_are_refused(clients, demo):
    committee = demo["committees"]["沿河社区"]
    worker = Position.objects.get(code="social-worker")
    rows = {
        "postings-TOTAL_FORMS": "2",
        "postings-0-committee": committee.pk,
        "postings-0-position": worker.pk,
        "postings-0-start_date": "2006-01-01",
        "postings-1-committee": committee.pk,
        "postings-1-position": worker.pk,
        "postings-1-start_date": "2006-06-01",
    }
    before = Person.objects.count(), Posting.objects.count()
    data = person_form(demo["streets"]["南湖"], "11010519491231002X", gender="f", **rows)
    response = clients["nanhu"].post(PEOPLE + "add/", data)
    assert response.status_code == 200
    assert "请先结束原任职" in str(response.context["inline_admin_formsets"][0].formset.non_form_errors())
    assert (Person.objects.count(), Posting.objects.count()) == before

    data["postings-0-end_date"] = "2006-05-31"
    response = clients["nanhu"].post(PEOPLE + "add/", data)
    assert response.status_code == 302
    person = Person.objects.get(id_number="11010519491231002X")
    assert person.postings.count() == 2


@pytest.mark.django_db
def test_moving_a_person_to_another_street_on_their_page(clients, demo):
    person = Person.objects.filter(street__short_name="南湖", postings__end_date__isnull=True).first()
    current = person.postings.get(end_date__isnull=True)
    target = demo["committees"]["滨湖社区"]
    data = person_form(
        demo["streets"]["滨湖"],
        person.id_number,
        name=person.name,
        gender=person.gender,
        birth_date=person.birth_date.isoformat(),
        education=person.education,
        **{
            "postings-TOTAL_FORMS": "2",
            "postings-INITIAL_FORMS": "1",
            "postings-0-id": current.pk,
            "postings-0-person": person.pk,
            "postings-0-committee": current.committee_id,
            "postings-0-position": current.position_id,
            "postings-0-start_date": current.start_date.isoformat(),
            "postings-0-end_date": "2006-12-31",
            "postings-1-person": person.pk,
            "postings-1-committee": target.pk,
            "postings-1-position": current.position_id,
            "postings-1-start_date": "2007-01-01",
        },
    )
    data[VERSION_FIELD] = version_token(person)  # as the change page carries it
    # Moving to 滨湖 without the new posting: refused with a message.
    wrong = dict(data, **{"postings-TOTAL_FORMS": "1"})
    response = clients["clerk"].post(f"{PEOPLE}{person.pk}/change/", wrong)
    assert response.status_code == 200
    assert "最近一次任职" in str(response.context["inline_admin_formsets"][0].formset.non_form_errors())
    response = clients["clerk"].post(f"{PEOPLE}{person.pk}/change/", data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    person.refresh_from_db()
    assert person.street.short_name == "滨湖"
    assert person.postings.count() == 2  # history kept


@pytest.mark.django_db
def test_street_user_cannot_post_to_another_streets_committee(clients, demo):
    before = Posting.objects.count()
    response = clients["nanhu"].post(
        POSTINGS + "add/",
        {
            "person": nanhu_person().pk,
            "committee": demo["committees"]["滨湖社区"].pk,
            "position": Position.objects.get(code="social-worker").pk,
            "start_date": "2007-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["committee"]
    assert Posting.objects.count() == before


@pytest.mark.django_db
def test_posting_ending_before_it_starts_in_the_admin(clients, demo):
    person = Person.objects.create(name="钱七", street=demo["streets"]["南湖"])
    response = clients["nanhu"].post(
        POSTINGS + "add/",
        {
            "person": person.pk,
            "committee": demo["committees"]["沿河社区"].pk,
            "position": Position.objects.get(code="social-worker").pk,
            "start_date": "2006-05-01",
            "end_date": "2006-04-01",
        },
    )
    assert response.status_code == 200
    assert "不能早于起始日期" in str(response.context["adminform"].form.errors)
    assert not person.postings.exists()


@pytest.mark.django_db
def test_id_numbers_are_masked_for_everyone_but_administrators(clients):
    person = nanhu_person()
    masked = person.id_number[:6] + "********" + person.id_number[-4:]
    query = f"?q={person.name}"
    clerk_page = clients["clerk"].get(PEOPLE + query).content.decode()
    assert masked in clerk_page and person.id_number not in clerk_page
    admin_page = clients["admin"].get(PEOPLE + query).content.decode()
    assert person.id_number in admin_page
    change = clients["nanhu"].get(f"{PEOPLE}{person.pk}/change/").content.decode()
    assert masked in change and person.id_number not in change
    assert person.id_number in clients["admin"].get(f"{PEOPLE}{person.pk}/change/").content.decode()


def export(client, url, tmp_path):
    """Export through import-export's admin page, every field, as .xlsx."""
    form = client.get(url + "export/").context["form"]
    data = {"resource": "0"}
    for name, field in form.fields.items():
        if name == "format":
            data[name] = next(k for k, label in field.choices if "xlsx" in str(label).lower())
        elif name not in ("resource", "export_items"):
            data[name] = "on"
    response = client.post(url + "export/", data)
    assert response.status_code == 200
    target = tmp_path / "export.xlsx"
    target.write_bytes(response.content)
    return [[c.value for c in row] for row in openpyxl.load_workbook(target).active.iter_rows()]


@pytest.mark.django_db
def test_exports_mask_id_numbers_for_the_clerk(clients, tmp_path):
    person = nanhu_person()
    clerk_rows = export(clients["clerk"], PEOPLE, tmp_path)
    header = clerk_rows[0]
    assert "身份证号码" in header
    column = header.index("身份证号码")
    numbers = {row[column] for row in clerk_rows[1:]}
    assert person.id_number not in numbers
    assert person.id_number[:6] + "********" + person.id_number[-4:] in numbers
    admin_rows = export(clients["admin"], PEOPLE, tmp_path)
    assert person.id_number in {row[column] for row in admin_rows[1:]}
    posting_rows = export(clients["clerk"], POSTINGS, tmp_path)
    assert "身份证号码" in posting_rows[0]
    assert person.id_number not in {c for row in posting_rows for c in row}


@pytest.mark.django_db
def test_street_user_cannot_see_another_streets_people_or_postings(clients):
    other = binhu_person()
    page = clients["nanhu"].get(PEOPLE + "?q=").content.decode()
    assert other.name not in page or Person.objects.filter(name=other.name, street__short_name="南湖").exists()
    assert clients["nanhu"].get(f"{PEOPLE}{other.pk}/change/").status_code == 404
    posting = other.postings.first()
    assert clients["nanhu"].get(f"{POSTINGS}{posting.pk}/change/").status_code == 404
    listed = clients["nanhu"].get(POSTINGS).context["cl"].queryset
    assert not listed.exclude(committee__street__short_name="南湖").exists()
    assert clients["binhu"].get(f"{PEOPLE}{other.pk}/change/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", [PEOPLE, POSTINGS, "/admin/staffing/attendance/",
                                 "/admin/staffing/trainingclass/", "/admin/staffing/examresult/"])
def test_changelist_query_counts_do_not_grow(clients, demo, url, django_assert_max_num_queries):
    client = clients["clerk"]
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    add_people(demo, 60)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_postings_filter_by_start_year_instead_of_a_date_hierarchy(clients, demo):
    from staffing.models import Posting

    years = sorted({d.year for d in Posting.objects.values_list("start_date", flat=True)})
    assert len(years) > 1
    page = clients["clerk"].get("/admin/staffing/posting/")
    assert page.status_code == 200
    assert "任职起始年份" in page.content.decode()
    for year in (years[0], years[-1]):
        assert f"?start_date_year={year}" in page.content.decode()
    year = years[-1]
    filtered = clients["clerk"].get(f"/admin/staffing/posting/?start_date_year={year}")
    expected = Posting.objects.filter(start_date__year=year).count()
    assert filtered.context["cl"].result_count == expected < Posting.objects.count()
    # A street user's years and rows are their street's only.
    street = clients["nanhu"].get(f"/admin/staffing/posting/?start_date_year={year}")
    assert street.status_code == 200
    assert all(
        p.committee.street.name.startswith("南湖") for p in street.context["cl"].result_list
    )
