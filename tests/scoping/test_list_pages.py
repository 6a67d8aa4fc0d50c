"""The registers' list pages, made cheaper to render: the street filter's fast links are the
and the filter template renders them as the admin's template did."""

from html import escape

import pytest
from django.contrib.admin.filters import RelatedFieldListFilter
from django.utils.encoding import iri_to_uri

from scoping.admin_base import ScopedRelatedFieldListFilter

QUERIES = [
    "",
    "?status__exact=active",
    "?street__id__exact={street}",
    "?street__id__exact={street}&kind__exact=community&q=社区&o=2.-1",
    "?q=jianyechoice",  # the placeholder in another parameter: the admin's own way
]


def street_filter(response):
    changelist = response.context["cl"]
    specs = [s for s in changelist.filter_specs if isinstance(s, ScopedRelatedFieldListFilter)]
    assert [s.field_path for s in specs] == ["street"]
    return changelist, specs[0]


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES)
def test_street_filter_links_are_the_admins(clients, demo, query):
    street = demo["streets"]["南湖"]
    response = clients["clerk"].get(
        "/admin/communities/committee/" + query.format(street=street.pk)
    )
    assert response.status_code == 200
    changelist, spec = street_filter(response)
    ours = list(spec.choices(changelist))
    django = list(RelatedFieldListFilter.choices(spec, changelist))
    assert ours == django
    assert len(ours) == 1 + len(spec.lookup_choices) > 2
    html = response.content.decode()
    for choice in ours:
        link = escape(iri_to_uri(choice["query_string"]))
        selected = ' class="selected"' if choice["selected"] else ""
        assert f'<li{selected}><a href="{link}">{escape(str(choice["display"]))}</a></li>' in html


@pytest.mark.django_db
def test_street_user_has_no_street_filter(clients, demo):
    """Scoped: the street filter's only choice would be the user's own street, so the admin
    does not show it."""
    response = clients["nanhu"].get("/admin/communities/committee/")
    changelist = response.context["cl"]
    assert not any(isinstance(s, ScopedRelatedFieldListFilter) for s in changelist.filter_specs)
    assert demo["streets"]["滨湖"].name not in response.content.decode()


@pytest.mark.django_db
def test_selected_street_is_marked(clients, demo):
    street = demo["streets"]["南湖"]
    response = clients["clerk"].get(f"/admin/communities/committee/?street__id__exact={street.pk}")
    changelist, spec = street_filter(response)
    selected = [c["display"] for c in spec.choices(changelist) if c["selected"]]
    assert selected == [street.name]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_row_checkbox_is_djangos(demo, language):
    from django.contrib import admin
    from django.utils import translation

    from communities.models import Committee
    from staffing.models import Person

    for model in (Committee, Person):
        model_admin = admin.site._registry[model]
        objects = list(model.objects.all()[:3])
        objects.append(model(pk=99999, name='南湖<社区>&"'))
        with translation.override(language):
            for obj in objects:
                ours = model_admin.action_checkbox(obj)
                assert ours == admin.ModelAdmin.action_checkbox(model_admin, obj)
                assert f'value="{obj.pk}"' in ours


@pytest.mark.django_db
def test_street_label_field_is_its_str(demo):
    """The street filter reads ``Street.label_field`` instead of ``str(street)``: the same."""
    from communities.models import Street

    for street in Street.objects.all():
        assert getattr(street, Street.label_field) == str(street)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    [
        "/admin/communities/committee/?street__id__exact={street}&o=2",
        "/admin/staffing/person/",
        "/admin/communities/street/",
    ],
)
def test_row_links_are_djangos(clients, demo, page):
    """Each row's change link, built once per page, is the link Django's ``reverse()`` gives."""
    from django.contrib.admin.views.main import ChangeList

    from scoping.admin_base import ScopedChangeList

    response = clients["clerk"].get(page.format(street=demo["streets"]["南湖"].pk))
    changelist = response.context["cl"]
    assert isinstance(changelist, ScopedChangeList)
    rows = list(changelist.result_list)
    assert rows
    html = response.content.decode()
    for row in rows:
        link = changelist.url_for_result(row)
        assert link == ChangeList.url_for_result(changelist, row)
        assert f'href="{link}' in html
    # A key that needs quoting is quoted as reverse() quotes it.
    odd = type(rows[0])(pk="a/b_c 南")
    assert changelist.url_for_result(odd) == ChangeList.url_for_result(changelist, odd)
