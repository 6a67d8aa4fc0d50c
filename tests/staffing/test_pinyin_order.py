"""People are listed by the pinyin of their names (scoping.sorting), not by code point."""

import datetime

import pytest

from imports.services import import_file
from scoping.sorting import pinyin_key
from staffing.idcards import make_id_number
from staffing.models import Person

# Code points: 安 U+5B89 < 张 U+5F20 < 沙 U+6C99 < 白 U+767D.
NAMES = ["张测序", "沙测序", "白测序", "安测序"]
IN_PINYIN = ["安测序", "白测序", "沙测序", "张测序"]


def add_people(demo):
    for index, name in enumerate(NAMES):
        birth = datetime.date(1970 + index, 1, 1)
        Person.objects.create(
            name=name,
            street=demo["streets"]["南湖"],
            birth_date=birth,
            id_number=make_id_number("320105", birth, 801 + index * 2),
        )


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["clerk", "nanhu"])
def test_people_list_is_in_pinyin_order(clients, demo, who):
    add_people(demo)
    response = clients[who].get("/admin/staffing/person/", {"q": "测序"})
    assert [p.name for p in response.context["cl"].result_list] == IN_PINYIN
    # The person autocomplete (a posting's person) offers them in the same order.
    response = clients[who].get(
        "/admin/autocomplete/",
        {"app_label": "staffing", "model_name": "posting", "field_name": "person", "term": "测序"},
    )
    assert [r["text"] for r in response.json()["results"]] == IN_PINYIN


@pytest.mark.django_db
def test_imported_people_get_their_key(users, demo, tmp_path):
    birth = datetime.date(1980, 5, 4)
    number = make_id_number("320105", birth, 812)  # even: a woman
    path = tmp_path / "people.csv"
    path.write_text(
        f"姓名,性别,出生日期,身份证号码,中共党员,街道\n曾测序,女,1980-05-04,{number},是,南湖\n",
        encoding="utf-8",
    )
    outcome = import_file(register="people", path=path, user=users["admin"])
    assert outcome.errors == [] and outcome.new == 1
    person = Person.objects.get(id_number=number)
    assert person.party_member is True
    assert person.name_pinyin == pinyin_key("曾测序") == "ceng2ce4xu4"
