"""Names people look up by eye sort by pinyin (scoping.sorting), on SQLite and PostgreSQL
alike: 安 before 白 before 沙 before 张, although their code points run 安 < 张 < 沙 < 白.
The bureau's own order (street, code) stays that of the reports."""

import datetime

import pytest

from communities.models import Committee
from imports.services import import_file
from scoping.sorting import fill_sort_keys, pinyin_key

# Codes in the reverse of the pinyin order, names whose code points are in neither.
NAMES = [
    ("Z9001", "张家测序社区"),
    ("Z9002", "沙洲测序社区"),
    ("Z9003", "白鹭测序社区"),
    ("Z9004", "安德测序社区"),
]
IN_PINYIN = ["安德测序社区", "白鹭测序社区", "沙洲测序社区", "张家测序社区"]


def test_the_key_orders_by_pinyin_and_tone():
    names = ["张", "沙", "白", "昂", "安"]
    assert sorted(names) == ["安", "张", "昂", "沙", "白"]  # code points
    assert sorted(names, key=pinyin_key) == ["安", "昂", "白", "沙", "张"]
    assert pinyin_key("南湖东路社区") == "nan2hu2dong1lu4she4qu1"
    # Only a-z and 0-9, so any collation compares it the same way.
    assert pinyin_key("南湖Ａ区（筹）·1") == "nan2hu2aqu1chou21"
    # A polyphonic surname takes pypinyin's most common reading (the README says so).
    assert pinyin_key("曾") == "ceng2" and pinyin_key("单") == "dan1"


def add_committees(street, *, bulk=False):
    rows = [
        Committee(code=code, name=name, street=street, established_on=datetime.date(2005, 1, 1))
        for code, name in NAMES
    ]
    if bulk:  # the bulk path fills the key as save() does (the field's pre_save)
        Committee.objects.bulk_create(rows)
    else:
        for row in rows:
            row.save()
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("bulk", [False, True], ids=["save", "bulk_create"])
def test_committee_list_is_in_pinyin_order(clients, demo, bulk):
    add_committees(demo["streets"]["南湖"], bulk=bulk)
    assert Committee.objects.get(code="Z9004").name_pinyin == pinyin_key("安德测序社区")
    response = clients["clerk"].get("/admin/communities/committee/", {"q": "测序"})
    assert [c.name for c in response.context["cl"].result_list] == IN_PINYIN


@pytest.mark.django_db
def test_the_whole_list_and_the_street_users_list_are_in_pinyin_order(clients, demo):
    add_committees(demo["streets"]["南湖"])
    for who in ("clerk", "nanhu"):
        response = clients[who].get("/admin/communities/committee/")
        names = [c.name for c in response.context["cl"].result_list]
        assert names == sorted(names, key=lambda n: (pinyin_key(n), n)), who
        assert [n for n in names if "测序" in n] == IN_PINYIN


@pytest.mark.django_db
def test_committee_choices_are_in_pinyin_order(clients, demo):
    add_committees(demo["streets"]["南湖"])
    # The autocomplete that offers committees (a title's committee).
    response = clients["clerk"].get(
        "/admin/autocomplete/",
        {
            "app_label": "communities",
            "model_name": "title",
            "field_name": "committee",
            "term": "测序",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == IN_PINYIN
    # A select of committees on a form (the centre's committees served).
    response = clients["clerk"].get("/admin/communities/communitycentre/add/")
    choices = [
        label for _pk, label in response.context["adminform"].form.fields["committees"].choices
    ]
    assert [c for c in choices if "测序" in c] == IN_PINYIN


@pytest.mark.django_db
def test_reports_keep_the_bureaus_order(clients, demo):
    """The establishment table lists committees by street and code, as on paper."""
    response = clients["clerk"].get("/reports/establishment/", {"year": 2006})
    assert response.status_code == 200
    committees = list(Committee.objects.established_in(2006).order_by("street__sort_order", "code"))
    body = response.content.decode()
    positions = [body.find(c.name) for c in committees if c.name in body]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_an_import_fills_and_refreshes_the_key(users, demo, tmp_path):
    path = tmp_path / "committees.csv"
    path.write_text("代码,名称,街道\nZ9101,安乐测序社区,南湖街道（320105001）\n", encoding="utf-8")
    outcome = import_file(register="committees", path=path, user=users["clerk"])
    assert outcome.errors == [] and outcome.new == 1
    assert Committee.objects.get(code="Z9101").name_pinyin == "an1le4ce4xu4she4qu1"
    # A renaming import (the bulk update path) brings the key along.
    path.write_text("代码,名称\nZ9101,张庄测序社区\n", encoding="utf-8")
    outcome = import_file(register="committees", path=path, user=users["clerk"])
    assert outcome.errors == [] and outcome.updated == 1
    assert Committee.objects.get(code="Z9101").name_pinyin == pinyin_key("张庄测序社区")


@pytest.mark.django_db
def test_the_data_migration_fills_stored_rows(demo):
    assert not Committee.objects.filter(name_pinyin="").exists()  # loaddemo's rows
    Committee.objects.update(name_pinyin="")
    fill_sort_keys(Committee)
    for name, key in Committee.objects.values_list("name", "name_pinyin"):
        assert key == pinyin_key(name) and key
