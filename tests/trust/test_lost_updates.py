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


# After a refused save, nothing is lost (issue 13, item 3) ----------------------------------


def _refused(response, code="stale"):
    assert response.status_code == 200  # the form again, not saved
    form = response.context["adminform"].form
    assert code in [e.code for e in form.non_field_errors().as_data()], form.errors
    return form


def test_a_field_only_the_other_changed_keeps_their_value_on_a_second_save(clients, demo):
    committee = demo["committees"]["沿河社区"]
    url = URL.format(pk=committee.pk)
    first = change_form_data(clients["clerk"].get(url))
    second = change_form_data(clients["admin"].get(url))
    old_households = committee.households

    first["households"] = 3001
    assert clients["clerk"].post(url, first).status_code == 302

    second["population"] = 9999  # the admin's edit; households left as the admin saw it
    response = clients["admin"].post(url, second)
    form = _refused(response)
    # The clerk's households are on the page now, not the admin's old copy; the admin's
    # population is kept; the households field is not a conflict (the admin never touched it).
    assert form["households"].value() == 3001
    assert form["population"].value() in (9999, "9999")
    assert "households" not in form.errors
    page = response.content.decode()
    assert 'value="3001"' in page and f'value="{old_households}"' not in page

    # Saving the page as shown keeps both edits.
    again = change_form_data(response)
    assert clients["admin"].post(url, again).status_code == 302
    committee.refresh_from_db()
    assert (committee.households, committee.population) == (3001, 9999)


def test_a_field_both_changed_shows_both_values_and_a_second_save_keeps_mine(clients, demo):
    committee = demo["committees"]["沿河社区"]
    url = URL.format(pk=committee.pk)
    first = change_form_data(clients["clerk"].get(url))
    second = change_form_data(clients["admin"].get(url))

    first["households"] = 3001
    assert clients["clerk"].post(url, first).status_code == 302

    second["households"] = 4002
    response = clients["admin"].post(url, second)
    form = _refused(response)
    # The admin's value in the input, the clerk's (current) value beside it.
    assert form["households"].value() in (4002, "4002")
    note = " ".join(form.errors["households"])
    assert "当前值" in note and ("3001" in note or "3,001" in note)
    assert [e.code for e in form.errors.as_data()["households"]] == ["conflict"]
    page = response.content.decode()
    assert 'value="4002"' in page and "当前值" in page
    committee.refresh_from_db()
    assert committee.households == 3001

    # Having seen both, the admin saves again: the admin's value, knowingly.
    again = change_form_data(response)
    assert clients["admin"].post(url, again).status_code == 302
    committee.refresh_from_db()
    assert committee.households == 4002


def test_a_change_landing_before_the_second_save_is_detected_again(clients, demo):
    committee = demo["committees"]["沿河社区"]
    url = URL.format(pk=committee.pk)
    first = change_form_data(clients["clerk"].get(url))
    second = change_form_data(clients["admin"].get(url))
    first["households"] = 3001
    assert clients["clerk"].post(url, first).status_code == 302
    second["households"] = 4002
    response = clients["admin"].post(url, second)
    _refused(response)

    # Before the admin saves again, the clerk changes the households once more.
    third = change_form_data(clients["clerk"].get(url))
    third["households"] = 3003
    assert clients["clerk"].post(url, third).status_code == 302

    again = change_form_data(response)
    response = clients["admin"].post(url, again)
    form = _refused(response)
    assert "3003" in " ".join(form.errors["households"])
    committee.refresh_from_db()
    assert committee.households == 3003


def test_many_to_many_fields_are_checked_and_kept_too(clients, demo):
    from communities.models import CommunityCentre

    centre = CommunityCentre.objects.filter(committees__isnull=False).first()
    url = f"/admin/communities/communitycentre/{centre.pk}/change/"
    first = change_form_data(clients["clerk"].get(url))
    second = change_form_data(clients["admin"].get(url))
    served = set(centre.committees.values_list("pk", flat=True))
    dropped = sorted(served)[0]

    first["committees"] = sorted(served - {dropped})
    assert clients["clerk"].post(url, first).status_code == 302

    second["address"] = "江东中路 1 号"
    response = clients["admin"].post(url, second)
    form = _refused(response)
    assert "committees" not in form.errors
    assert {int(pk) for pk in form["committees"].value()} == served - {dropped}

    assert clients["admin"].post(url, change_form_data(response)).status_code == 302
    centre.refresh_from_db()
    assert centre.address == "江东中路 1 号"
    assert set(centre.committees.values_list("pk", flat=True)) == served - {dropped}


def test_a_post_without_the_version_token_is_refused(clients, demo):
    committee = demo["committees"]["沿河社区"]
    url = URL.format(pk=committee.pk)
    data = change_form_data(clients["clerk"].get(url))
    del data["_audit_version"]
    data["households"] = 1234
    response = clients["clerk"].post(url, data)
    form = _refused(response, code="no_version")
    assert "版本标记" in " ".join(form.non_field_errors())
    assert form["households"].value() in (1234, "1234")  # the input kept
    assert "当前值" in " ".join(form.errors["households"])
    committee.refresh_from_db()
    assert committee.households != 1234

    # The page shown again carries a token: saving it is a knowing save.
    assert clients["clerk"].post(url, change_form_data(response)).status_code == 302
    committee.refresh_from_db()
    assert committee.households == 1234


def test_a_forged_or_foreign_token_is_refused_with_the_message(clients, demo):
    from audit.locking import version_token

    committee = demo["committees"]["沿河社区"]
    other = demo["committees"]["滨湖社区"]
    url = URL.format(pk=committee.pk)
    data = change_form_data(clients["clerk"].get(url))
    data["households"] = 1234
    for token in ("forged", data["_audit_version"][:-3] + "abc", version_token(other)):
        response = clients["clerk"].post(url, dict(data, _audit_version=token))
        assert response.status_code == 200
        codes = [e.code for e in response.context["adminform"].form.non_field_errors().as_data()]
        assert codes == ["no_version"], token
    committee.refresh_from_db()
    assert committee.households != 1234
