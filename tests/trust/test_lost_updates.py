"""No lost updates: two people editing one committee; the second save is refused."""

from communities.models import Committee

from .forms import change_form_data

URL = "/admin/communities/committee/{pk}/change/"


def test_second_save_of_a_stale_copy_is_refused_naming_what_changed(clients, demo):
    committee = demo["committees"]["沿河社区"]
    url = URL.format(pk=committee.pk)
    first = change_form_data(clients["clerk"].get(url))
    second = change_form_data(clients["admin"].get(url))

    first["households"] = 3001
    assert clients["clerk"].post(url, first).status_code == 302

    second["population"] = 9999
    second["households"] = committee.households  # what the admin saw, not the clerk's 3001
    response = clients["admin"].post(url, second)
    assert response.status_code == 200  # the form again, not saved
    page = response.content.decode()
    form = response.context["adminform"].form
    assert any(e.code == "stale" for e in form.non_field_errors().as_data())
    message = " ".join(form.non_field_errors())
    label = str(Committee._meta.get_field("households").verbose_name)
    assert label in message
    assert "3,001" in message or "3001" in message
    assert str(Committee._meta.get_field("population").verbose_name) not in message
    # The admin's input is still on the page.
    assert 'value="9999"' in page
    committee.refresh_from_db()
    assert committee.households == 3001 and committee.population != 9999

    # Having seen the message, saving again keeps the admin's values knowingly.
    again = change_form_data(response)
    assert again["population"] in (9999, "9999")
    assert clients["admin"].post(url, again).status_code == 302
    committee.refresh_from_db()
    assert committee.population == 9999


def test_saving_a_fresh_copy_twice_in_a_row_works(clients, demo):
    committee = demo["committees"]["沿河社区"]
    url = URL.format(pk=committee.pk)
    for households in (2100, 2200):
        data = change_form_data(clients["clerk"].get(url))
        data["households"] = households
        assert clients["clerk"].post(url, data).status_code == 302
    committee.refresh_from_db()
    assert committee.households == 2200


def test_a_forged_token_is_refused(clients, demo):
    committee = demo["committees"]["沿河社区"]
    url = URL.format(pk=committee.pk)
    data = change_form_data(clients["clerk"].get(url))
    data["_audit_version"] = "forged"
    data["households"] = 1234
    response = clients["clerk"].post(url, data)
    assert response.status_code == 200
    committee.refresh_from_db()
    assert committee.households != 1234


def test_every_scoped_change_form_carries_a_version(clients, demo):
    from staffing.models import Person

    person = Person.objects.filter(street=demo["streets"]["南湖"]).first()
    response = clients["nanhu"].get(f"/admin/staffing/person/{person.pk}/change/")
    assert response.status_code == 200
    assert 'name="_audit_version"' in response.content.decode()
