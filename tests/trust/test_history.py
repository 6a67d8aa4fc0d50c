"""History of every change: who, when, what; scoped like every other page; imports too."""

import csv

from audit.history import history_models
from communities.models import Committee
from communities.resources import CommitteeResource
from imports.services import import_file

from .forms import change_form_data

ADMIN_COMMITTEES = "/admin/communities/committee/"


def test_every_domain_model_has_history_in_the_audit_app():
    models = list(history_models())
    assert len(models) > 20
    for model in models:
        history_model = model.history.model
        assert history_model._meta.app_label == "audit", model


def committee_form(client, committee):
    response = client.get(f"{ADMIN_COMMITTEES}{committee.pk}/change/")
    assert response.status_code == 200
    return change_form_data(response)


def test_admin_change_is_recorded_with_user_and_difference(clients, users, demo):
    committee = demo["committees"]["沿河社区"]
    before = committee.history.count()
    data = committee_form(clients["clerk"], committee)
    data["households"] = committee.households + 7
    response = clients["clerk"].post(f"{ADMIN_COMMITTEES}{committee.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert committee.history.count() == before + 1
    record = committee.history.latest("history_date")
    assert record.history_user == users["clerk"]
    assert record.history_type == "~"
    assert record.households == committee.households + 7

    page = clients["clerk"].get(f"{ADMIN_COMMITTEES}{committee.pk}/history/")
    assert page.status_code == 200
    assert "clerk-district" in page.content.decode()


def test_street_user_sees_own_history_and_never_another_streets(clients, demo):
    streets = demo["streets"]
    own = Committee.objects.filter(street=streets["南湖"]).first()
    other = Committee.objects.filter(street=streets["滨湖"]).first()
    own.households += 1
    own.save()
    other.households += 1
    other.save()
    assert clients["nanhu"].get(f"{ADMIN_COMMITTEES}{own.pk}/history/").status_code == 200
    assert clients["nanhu"].get(f"{ADMIN_COMMITTEES}{other.pk}/history/").status_code == 404
    record = other.history.latest("history_date")
    past = f"{ADMIN_COMMITTEES}{other.pk}/history/{record.history_id}/"
    assert clients["nanhu"].get(past).status_code == 404
    assert clients["clerk"].get(past).status_code == 200


def test_deleted_rows_history_stays_scoped(clients, users, demo):
    other = Committee.objects.filter(street=demo["streets"]["滨湖"], name__endswith="社区").last()
    # A committee nobody refers to: a fresh copy, deleted at once.
    copy = Committee.objects.get(pk=other.pk)
    copy.pk = None
    copy.code = "X-DEL-1"
    copy.name = "待删社区"
    copy.shares_office_with = None
    copy.save()
    copy.delete()
    deleted_id = copy.pk or Committee.history.filter(code="X-DEL-1").first().id
    assert clients["nanhu"].get(f"{ADMIN_COMMITTEES}{deleted_id}/history/").status_code == 404
    assert clients["binhu"].get(f"{ADMIN_COMMITTEES}{deleted_id}/history/").status_code == 200
    assert clients["clerk"].get(f"{ADMIN_COMMITTEES}{deleted_id}/history/").status_code == 200


def test_past_versions_are_shown_never_restored(clients, demo):
    committee = demo["committees"]["沿河社区"]
    committee.households += 1
    committee.save()
    record = committee.history.latest("history_date")
    url = f"{ADMIN_COMMITTEES}{committee.pk}/history/{record.history_id}/"
    assert clients["admin"].get(url).status_code == 200
    assert clients["admin"].post(url, {"households": 1}).status_code == 403
    committee.refresh_from_db()
    assert committee.households != 1


def test_workflow_transition_history_has_who_status_and_reason(clients, users, demo):
    from returns.models import QuarterlyReturn

    item = QuarterlyReturn.objects.exclude(status="submitted").select_related("committee").first()
    item.status = "submitted"
    item.save()
    url = f"/returns/{item.year}/{item.quarter}/review/"
    response = clients["clerk"].post(
        url, {"action": "send_back", "ids": [item.pk], "reason": "户数与上季度不符"}
    )
    assert response.status_code == 302
    record = item.history.latest("history_date")
    assert record.status == "returned"
    assert record.reason == "户数与上季度不符"
    assert record.history_user == users["clerk"]
    # The history page shows the transition and its reason.
    page = clients["clerk"].get(f"/admin/returns/quarterlyreturn/{item.pk}/history/")
    assert "户数与上季度不符" in page.content.decode()


def test_an_import_of_1000_rows_leaves_1000_records_by_the_importer(users, demo, tmp_path):
    clerk = users["clerk"]
    template = Committee.objects.filter(kind="residents", status="operating").first() or (
        Committee.objects.filter(shares_office_with__isnull=True).first()
    )
    dataset = CommitteeResource(user=clerk).export(
        queryset=Committee.objects.filter(pk=template.pk)
    )
    headers = list(dataset.headers)
    row = list(dataset[0])
    code_col = headers.index(str(CommitteeResource.fields["code"].column_name))
    name_col = headers.index(str(CommitteeResource.fields["name"].column_name))
    path = tmp_path / "committees-1000.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for number in range(1000):
            new = list(row)
            new[code_col] = f"T{number:04d}"
            new[name_col] = f"测试{number:04d}社区"
            writer.writerow(["" if value is None else value for value in new])
    before = Committee.history.count()
    outcome = import_file(register="committees", path=path, user=clerk)
    assert outcome.written, [str(e) for e in outcome.errors][:5]
    assert outcome.new == 1000
    created = Committee.history.filter(code__startswith="T", history_type="+")
    assert created.count() == 1000
    assert created.filter(history_user=clerk).count() == 1000
    assert Committee.history.count() == before + 1000
