"""Every surface × every role over the communities registers.

Roles: admin, clerk, viewer (the district roles: every street), nanhu (street staff of 南湖:
only 南湖's rows) and anonymous (sent to the login page). Surfaces: changelist, search, list
filters, change / delete / history pages, autocomplete, form choices, actions, export,
import, reports, and write attempts on another street's rows.
"""

import csv
import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse

from audit.locking import VERSION_FIELD, version_token
from communities.models import Committee, CommunityCentre, Street, Title
from scoping.rules import street_id_of

from .conftest import DISTRICT_ROLES, ROLES

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Spec:
    model: type
    own: dict  # lookup of a 南湖 row
    other: dict  # lookup of a 滨湖 row
    search: str  # a 滨湖 term that the search fields match
    expected_total: int | None  # rows the district sees (None: count from the database)
    expected_nanhu: int | None


SPECS = {
    "committee": Spec(Committee, {"name": "南湖东路社区"}, {"name": "滨湖社区"}, "滨湖社区", 38, 9),
    "street": Spec(Street, {"short_name": "南湖"}, {"short_name": "滨湖"}, "滨湖", 5, 1),
    "title": Spec(
        Title,
        {"committee__name": "南湖东路社区", "kind": "star"},
        {"committee__name": "滨湖社区", "kind": "star"},
        "滨湖社区",
        22,
        None,
    ),
    "communitycentre": Spec(
        CommunityCentre, {"name": "南湖社区中心"}, {"name": "滨湖社区中心"}, "滨湖社区中心", 8, 1
    ),
}
MODELS = list(SPECS)


def url(model_name, view, *args):
    return reverse(f"admin:communities_{model_name}_{view}", args=args)


def row(model_name, which):
    spec = SPECS[model_name]
    return spec.model.objects.get(**(spec.own if which == "own" else spec.other))


def nanhu_rows(model_name, demo):
    spec = SPECS[model_name]
    nanhu = demo["streets"]["南湖"]
    return {obj.pk for obj in spec.model.objects.all() if street_id_of(obj) == nanhu.pk}


def changelist_rows(response):
    assert response.status_code == 200, response.status_code
    return list(response.context_data["cl"].result_list)


def street_names(objs):
    return {Street.objects.get(pk=street_id_of(obj)).short_name for obj in objs}


def assert_login_redirect(response):
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(reverse("admin:login")), response["Location"]


# Anonymous ---------------------------------------------------------------------------------


def anonymous_urls(demo):
    committee = demo["committees"]["南湖东路社区"].pk
    return [
        reverse("home"),
        reverse("admin:index"),
        url("committee", "changelist"),
        url("committee", "changelist") + "?q=南湖",
        url("committee", "add"),
        url("committee", "change", committee),
        url("committee", "delete", committee),
        url("committee", "history", committee),
        url("committee", "export"),
        url("committee", "import"),
        url("street", "changelist"),
        url("title", "changelist"),
        url("communitycentre", "changelist"),
        url("communitycentre", "add"),
        reverse("admin:autocomplete")
        + "?app_label=communities&model_name=committee&field_name=shares_office_with",
        reverse("reports:report-list"),
        reverse("reports:report-detail", args=["establishment"]) + "?year=2006",
        reverse("reports:report-detail", args=["establishment"]) + "?year=2006&format=xlsx",
    ]


def test_anonymous_is_sent_to_login_everywhere(demo, client):
    for path in anonymous_urls(demo):
        assert_login_redirect(client.get(path))
    before = Committee.objects.count()
    response = client.post(
        url("committee", "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [Committee.objects.first().pk],
            "post": "yes",
        },
    )
    assert_login_redirect(response)
    assert Committee.objects.count() == before


# Changelist, search, filters ---------------------------------------------------------------


@pytest.mark.parametrize("model_name", MODELS)
@pytest.mark.parametrize("role", [*DISTRICT_ROLES, "nanhu"])
def test_changelist_rows(model_name, role, client_for, demo):
    spec = SPECS[model_name]
    response = client_for(role).get(url(model_name, "changelist"))
    rows = changelist_rows(response)
    if role == "nanhu":
        assert {obj.pk for obj in rows} == nanhu_rows(model_name, demo)
        assert street_names(rows) == {"南湖"}
        if spec.expected_nanhu is not None:
            assert len(rows) == spec.expected_nanhu
        assert row(model_name, "own") in rows
        assert row(model_name, "other") not in rows
        # Nothing of 滨湖 anywhere on the page: not in rows, filters, totals or menus.
        assert "滨湖" not in response.content.decode()
    else:
        assert len(rows) == spec.model.objects.count() == spec.expected_total
        assert street_names(rows) == {"南湖", "滨湖", "南苑", "兴隆", "双闸"} or model_name in (
            "title",
            "communitycentre",
        )
        assert row(model_name, "other") in rows


@pytest.mark.parametrize("model_name", MODELS)
@pytest.mark.parametrize("role", [*DISTRICT_ROLES, "nanhu"])
def test_search_for_another_streets_row(model_name, role, client_for):
    spec = SPECS[model_name]
    response = client_for(role).get(url(model_name, "changelist"), {"q": spec.search})
    rows = changelist_rows(response)
    if role == "nanhu":
        assert rows == []
        assert "滨湖" not in response.content.decode().replace(spec.search, "")
    else:
        assert row(model_name, "other") in rows
        assert street_names(rows) == {"滨湖"}


def test_committee_totals_cover_own_street_only(clients, demo):
    response = clients["nanhu"].get(url("committee", "changelist"))
    nanhu_households = sum(
        c.households for c in Committee.objects.filter(street__short_name="南湖")
    )
    assert response.context_data["totals"]["households"] == nanhu_households == 21364


FILTERED = [("committee", "street"), ("communitycentre", "street"), ("title", "committee__street")]


def street_filter_choices(response, field_path):
    for spec in response.context_data["cl"].filter_specs:
        if getattr(spec, "field_path", None) == field_path:
            return [label for _pk, label in spec.lookup_choices]
    return None


@pytest.mark.parametrize("model_name,field_path", FILTERED)
@pytest.mark.parametrize("role", [*DISTRICT_ROLES, "nanhu"])
def test_street_filter_choices(model_name, field_path, role, client_for, rf, users):
    response = client_for(role).get(url(model_name, "changelist"))
    choices = street_filter_choices(response, field_path)
    if role == "nanhu":
        # One street is no choice: Django hides the filter; it must not list other streets.
        assert choices is None
        model_admin = admin.site._registry[SPECS[model_name].model]
        request = rf.get("/")
        request.user = users["nanhu"]
        filters = dict(
            item for item in model_admin.get_list_filter(request) if isinstance(item, tuple)
        )
        filter_class = filters[field_path]
        from django.contrib.admin.utils import get_fields_from_path

        field = get_fields_from_path(SPECS[model_name].model, field_path)[-1]
        spec = filter_class(field, request, {}, SPECS[model_name].model, model_admin, field_path)
        assert [label for _pk, label in spec.lookup_choices] == ["南湖街道"]
    else:
        assert choices == ["南湖街道", "滨湖街道", "南苑街道", "兴隆街道", "双闸街道"]


@pytest.mark.parametrize("model_name,field_path", FILTERED)
def test_tampered_street_filter_shows_nothing(model_name, field_path, clients, demo):
    binhu = demo["streets"]["滨湖"]
    query = {f"{field_path}__id__exact": binhu.pk}
    response = clients["nanhu"].get(url(model_name, "changelist"), query)
    # Django drops a filter with a single choice, so the street user simply gets their rows:
    # never one of 滨湖.
    assert street_names(changelist_rows(response)) <= {"南湖"}
    assert "滨湖" not in response.content.decode()
    rows = changelist_rows(clients["clerk"].get(url(model_name, "changelist"), query))
    assert rows and street_names(rows) == {"滨湖"}


# Object pages --------------------------------------------------------------------------------

# (page, role) -> (status for the own street's row, status for the other street's row)
OBJECT_PAGES = {
    ("change", "admin"): (200, 200),
    ("change", "clerk"): (200, 200),
    ("change", "viewer"): (200, 200),
    ("change", "nanhu"): (200, 404),
    ("delete", "admin"): (200, 200),
    ("delete", "clerk"): (200, 200),
    ("delete", "viewer"): (403, 403),
    ("delete", "nanhu"): (403, 404),
    ("history", "admin"): (200, 200),
    ("history", "clerk"): (200, 200),
    ("history", "viewer"): (200, 200),
    ("history", "nanhu"): (200, 404),
}


@pytest.mark.parametrize("model_name", MODELS)
@pytest.mark.parametrize("page,role", list(OBJECT_PAGES))
def test_object_pages(model_name, page, role, client_for):
    expected_own, expected_other = OBJECT_PAGES[(page, role)]
    client = client_for(role)
    own, other = row(model_name, "own"), row(model_name, "other")
    assert client.get(url(model_name, page, own.pk)).status_code == expected_own
    response = client.get(url(model_name, page, other.pk))
    assert response.status_code == expected_other
    if expected_other == 404:
        assert "滨湖" not in response.content.decode()


@pytest.mark.parametrize("model_name", MODELS)
def test_unknown_id_is_404_not_a_redirect(model_name, clients):
    for role in ("clerk", "nanhu"):
        assert clients[role].get(url(model_name, "change", 999999)).status_code == 404


# Autocomplete ------------------------------------------------------------------------------

AUTOCOMPLETE = [("committee", "shares_office_with"), ("title", "committee")]


def autocomplete(client, model_name, field_name, term=""):
    return client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "communities",
            "model_name": model_name,
            "field_name": field_name,
            "term": term,
        },
    )


@pytest.mark.parametrize("model_name,field_name", AUTOCOMPLETE)
@pytest.mark.parametrize("role", [*DISTRICT_ROLES, "nanhu"])
def test_autocomplete(model_name, field_name, role, client_for, demo):
    client = client_for(role)
    everything = autocomplete(client, model_name, field_name)
    assert everything.status_code == 200
    texts = [result["text"] for result in everything.json()["results"]]
    binhu_search = [
        r["text"] for r in autocomplete(client, model_name, field_name, "滨湖").json()["results"]
    ]
    if role == "nanhu":
        nanhu = Committee.objects.filter(street__short_name="南湖").order_by("code")
        assert sorted(texts) == sorted(c.name for c in nanhu)
        assert len(texts) == 9
        assert binhu_search == []
    else:
        assert binhu_search == ["滨湖社区"]
        assert everything.json()["pagination"]["more"] is True  # 38 committees, 20 a page


# Form choices ----------------------------------------------------------------------------


def form_choices(response, field):
    form = response.context_data["adminform"].form
    return [str(obj) for obj in form.fields[field].queryset]


def test_centre_add_form_lists_own_street_only(writer_client, clients):
    response = writer_client.get(url("communitycentre", "add"))
    assert response.status_code == 200
    assert form_choices(response, "street") == ["南湖街道"]
    assert set(form_choices(response, "committees")) == set(
        Committee.objects.filter(street__short_name="南湖").values_list("name", flat=True)
    )
    assert "滨湖" not in response.content.decode()
    clerk_form = clients["clerk"].get(url("communitycentre", "add"))
    assert form_choices(clerk_form, "street") == [
        "南湖街道",
        "滨湖街道",
        "南苑街道",
        "兴隆街道",
        "双闸街道",
    ]
    assert len(form_choices(clerk_form, "committees")) == 38


def test_committee_change_form_choices_are_scoped(writer_client):
    own = Committee.objects.get(name="南湖东路社区")
    response = writer_client.get(url("committee", "change", own.pk))
    assert form_choices(response, "street") == ["南湖街道"]
    assert len(form_choices(response, "shares_office_with")) == 9
    assert "滨湖" not in response.content.decode()


def test_street_staff_have_no_add_form(clients):
    for model_name in MODELS:
        assert clients["nanhu"].get(url(model_name, "add")).status_code == 403


# Actions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("model_name", MODELS)
@pytest.mark.parametrize("who", ["nanhu", "writer"])
def test_delete_selected_of_another_street_deletes_nothing(model_name, who, clients, writer_client):
    client = writer_client if who == "writer" else clients["nanhu"]
    other = row(model_name, "other")
    before = SPECS[model_name].model.objects.count()
    client.post(
        url(model_name, "changelist"),
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )
    assert SPECS[model_name].model.objects.count() == before
    assert SPECS[model_name].model.objects.filter(pk=other.pk).exists()


def test_delete_selected_mixed_deletes_own_rows_only(writer_client):
    own, other = row("title", "own"), row("title", "other")
    response = writer_client.post(
        url("title", "changelist"),
        {"action": "delete_selected", "_selected_action": [own.pk, other.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Title.objects.filter(pk=own.pk).exists()
    assert Title.objects.filter(pk=other.pk).exists()


def test_clerk_delete_selected_works(clients):
    other = row("title", "other")
    clients["clerk"].post(
        url("title", "changelist"),
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )
    assert not Title.objects.filter(pk=other.pk).exists()


# Export ------------------------------------------------------------------------------------


def export_post(client, model_name, extension, **extra):
    model_admin = admin.site._registry[SPECS[model_name].model]
    formats = model_admin.get_export_formats()
    index = next(i for i, f in enumerate(formats) if f().get_extension() == extension)
    resource_class = model_admin.resource_classes[0]
    data = {"resource": "0", "format": str(index), **extra}
    for field in resource_class().get_export_order():
        data[f"{resource_class.__name__.lower()}_{field}"] = "on"
    return client.post(url(model_name, "export"), data)


def exported_rows(response, extension):
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment")
    if extension == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
    else:
        values = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *rows = values
    return [dict(zip(header, r, strict=True)) for r in rows]


def exported_streets(model_name, rows):
    if model_name == "street":
        return {r["名称"] for r in rows}
    if model_name == "title":
        codes = {r["社区代码"] for r in rows}
        return set(Street.objects.filter(committees__code__in=codes).values_list("name", flat=True))
    return {r["街道"] for r in rows}


@pytest.mark.parametrize("model_name", MODELS)
@pytest.mark.parametrize("role", [*DISTRICT_ROLES, "nanhu"])
@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_export(model_name, role, extension, client_for, demo):
    rows = exported_rows(export_post(client_for(role), model_name, extension), extension)
    if role == "nanhu":
        assert exported_streets(model_name, rows) == {"南湖街道"}
        assert len(rows) == len(nanhu_rows(model_name, demo))
    else:
        assert len(rows) == SPECS[model_name].expected_total
        assert "滨湖街道" in exported_streets(model_name, rows)


def test_export_of_selected_items_ignores_other_streets_ids(clients):
    own, other = row("committee", "own"), row("committee", "other")
    response = export_post(
        clients["nanhu"], "committee", "xlsx", export_items=[str(own.pk), str(other.pk)]
    )
    rows = exported_rows(response, "xlsx")
    assert [r["名称"] for r in rows] == ["南湖东路社区"]


def test_export_filtered_by_search_as_street_user(clients):
    response = clients["nanhu"].post(url("committee", "export") + "?q=社区", {})
    # The export form page (GET-like) renders; then the file itself keeps the search.
    assert response.status_code == 200
    model_admin = admin.site._registry[Committee]
    index = next(
        i for i, f in enumerate(model_admin.get_export_formats()) if f().get_extension() == "csv"
    )
    data = {"resource": "0", "format": str(index)}
    for field in model_admin.resource_classes[0]().get_export_order():
        data[f"committeeresource_{field}"] = "on"
    rows = exported_rows(clients["nanhu"].post(url("committee", "export") + "?q=滨湖", data), "csv")
    assert rows == []


# Import ------------------------------------------------------------------------------------


def committee_csv(rows_by_code, clerk):
    """The committees as the clerk exports them, with changes per code; only those rows."""
    from communities.resources import CommitteeResource

    dataset = CommitteeResource(user=clerk).export()
    header = dataset.headers
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for values in dataset:
        record = dict(zip(header, values, strict=True))
        if record["代码"] in rows_by_code:
            record.update(rows_by_code[record["代码"]])
            writer.writerow([record[h] for h in header])
    return out.getvalue().encode("utf-8")


def import_post(client, content, name="committees.csv"):
    """Uploads the file to the admin's import page (imports/admin_flow.py); a successful
    upload is followed to its preview."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url("committee", "import"), {"file": SimpleUploadedFile(name, content)})
    if response.status_code == 302:
        return client.get(response["Location"])
    return response


def import_job():
    from imports.models import ImportJob

    return ImportJob.objects.order_by("-pk").first()


def snapshot():
    return list(Committee.objects.order_by("pk").values())


def test_street_staff_cannot_import(clients, users):
    content = committee_csv({row("committee", "own").code: {"户数": 1}}, users["clerk"])
    before = snapshot()
    assert clients["nanhu"].get(url("committee", "import")).status_code == 403
    assert import_post(clients["nanhu"], content).status_code == 403
    assert snapshot() == before


def test_viewer_cannot_import(clients, users):
    content = committee_csv({row("committee", "own").code: {"户数": 1}}, users["clerk"])
    before = snapshot()
    assert import_post(clients["viewer"], content).status_code == 403
    assert snapshot() == before


def test_import_touching_another_street_is_refused(writer_client, users):
    own, other = row("committee", "own"), row("committee", "other")
    content = committee_csv({own.code: {"户数": 1111}, other.code: {"户数": 2222}}, users["clerk"])
    before = snapshot()
    response = import_post(writer_client, content)
    assert response.status_code == 200
    assert import_job().error_count and not import_job().can_confirm
    assert 'id="import-confirm"' not in response.content.decode()
    assert "权限范围" in response.content.decode()
    assert snapshot() == before


def test_import_cannot_move_another_streets_row_into_own(writer_client, users):
    """A 滨湖 committee's code claimed for 南湖: never found, never taken over."""
    other = row("committee", "other")
    content = committee_csv({other.code: {"街道": "南湖街道", "户数": 1}}, users["clerk"])
    before = snapshot()
    response = import_post(writer_client, content)
    assert import_job().error_count and not import_job().can_confirm
    assert 'id="import-confirm"' not in response.content.decode()
    assert snapshot() == before
    assert Committee.objects.get(pk=other.pk).street.short_name == "滨湖"


def test_resource_import_is_scoped_without_the_admin(nanhu_writer, users):
    import tablib

    from communities.resources import CommitteeResource

    other = row("committee", "other")
    content = committee_csv({other.code: {"户数": 3333}}, users["clerk"]).decode()
    dataset = tablib.Dataset().load(content, format="csv")
    before = snapshot()
    result = CommitteeResource(user=nanhu_writer).import_data(dataset, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert snapshot() == before


def test_clerk_import_preview_then_confirm(clients, users):
    """Positive control: the same flow writes for a clerk."""
    own, other = row("committee", "own"), row("committee", "other")
    content = committee_csv({own.code: {"户数": 2500}, other.code: {"户数": 2600}}, users["clerk"])
    response = import_post(clients["clerk"], content)
    assert response.status_code == 200
    job = import_job()
    assert job.error_count == 0 and job.can_confirm and job.updated == 2
    assert Committee.objects.get(pk=own.pk).households == 2468  # preview writes nothing
    done = clients["clerk"].post(url("committee", "import"), {"token": job.token, "confirm": 1})
    assert done.status_code == 302
    assert Committee.objects.get(pk=own.pk).households == 2500
    assert Committee.objects.get(pk=other.pk).households == 2600


# Reports -----------------------------------------------------------------------------------


def report_url(extra=""):
    return reverse("reports:report-detail", args=["establishment"]) + "?year=2006" + extra


@pytest.mark.parametrize("role", [*DISTRICT_ROLES, "nanhu"])
def test_report_page(role, client_for):
    response = client_for(role).get(report_url())
    assert response.status_code == 200
    labels = [r["label"] for r in response.context["rows"]]
    body = response.content.decode()
    if role == "nanhu":
        assert labels == ["合计", "南湖街道"]
        assert response.context["rows"][0]["cells"][0] == "9"
        assert "滨湖" not in body
        assert "南湖街道社区居委会建制情况表（2006年）" in body
    else:
        assert labels == ["合计", "南湖街道", "滨湖街道", "南苑街道", "兴隆街道", "双闸街道"]
        assert response.context["rows"][0]["cells"][0] == "36"
        assert "85,100" in body  # thousands grouped as statistical tables write them


@pytest.mark.parametrize("role", [*DISTRICT_ROLES, "nanhu"])
def test_report_xlsx(role, client_for):
    response = client_for(role).get(report_url("&format=xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    labels = [sheet.cell(row=r, column=1).value for r in range(5, sheet.max_row + 1)]
    labels = [label for label in labels if label and not str(label).startswith("单位负责人")]
    everything = " ".join(str(c) for r in sheet.iter_rows(values_only=True) for c in r if c)
    if role == "nanhu":
        assert labels == ["合计", "南湖街道"]
        assert sheet.cell(row=5, column=2).value == 9
        assert "滨湖" not in everything
    else:
        assert labels == ["合计", "南湖街道", "滨湖街道", "南苑街道", "兴隆街道", "双闸街道"]
        assert sheet.cell(row=5, column=2).value == 36


def test_report_csv_as_street_user(clients):
    response = clients["nanhu"].get(report_url("&format=csv"))
    text = response.content.decode("utf-8-sig")
    assert "南湖街道" in text and "滨湖" not in text


# Write attempts ----------------------------------------------------------------------------


def committee_form_data(committee, **changes):
    """The change form of ``committee`` as posted from its page (with its version token)."""
    data = {
        VERSION_FIELD: version_token(committee),
        "code": committee.code,
        "name": committee.name,
        "street": committee.street_id,
        "kind": committee.kind,
        "status": committee.status,
        "shares_office_with": committee.shares_office_with_id or "",
        "established_on": committee.established_on.isoformat() if committee.established_on else "",
        "revoked_on": committee.revoked_on.isoformat() if committee.revoked_on else "",
        "area_type": committee.area_type,
        "households": committee.households,
        "population": committee.population,
        "one_stop_service": committee.one_stop_service,
        "one_stop_since": committee.one_stop_since.isoformat() if committee.one_stop_since else "",
        "titles-TOTAL_FORMS": "0",
        "titles-INITIAL_FORMS": "0",
        "titles-MIN_NUM_FORMS": "0",
        "titles-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["nanhu", "writer"])
def test_post_change_of_another_streets_committee_is_404(who, clients, writer_client):
    client = writer_client if who == "writer" else clients["nanhu"]
    other = row("committee", "other")
    before = snapshot()
    response = client.post(
        url("committee", "change", other.pk), committee_form_data(other, households=1)
    )
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("who", ["nanhu", "writer"])
def test_post_delete_of_another_streets_committee_is_404(who, clients, writer_client):
    client = writer_client if who == "writer" else clients["nanhu"]
    other = row("communitycentre", "other")
    response = client.post(url("communitycentre", "delete", other.pk), {"post": "yes"})
    assert response.status_code == 404
    assert CommunityCentre.objects.filter(pk=other.pk).exists()


def test_add_centre_in_another_street_is_a_form_error(writer_client, demo):
    binhu = demo["streets"]["滨湖"]
    before = CommunityCentre.objects.count()
    response = writer_client.post(
        url("communitycentre", "add"),
        {"name": "越界社区中心", "street": binhu.pk, "status": "planned", "address": ""},
    )
    assert response.status_code == 200
    errors = response.context_data["adminform"].form.errors
    assert "street" in errors
    assert "选择一个有效的选项" in str(errors["street"])
    assert CommunityCentre.objects.count() == before
    assert not CommunityCentre.objects.filter(name="越界社区中心").exists()


def test_add_centre_serving_another_streets_committee_is_a_form_error(writer_client, demo):
    nanhu = demo["streets"]["南湖"]
    binhu_committee = row("committee", "other")
    response = writer_client.post(
        url("communitycentre", "add"),
        {
            "name": "越界社区中心",
            "street": nanhu.pk,
            "status": "planned",
            "committees": [binhu_committee.pk],
        },
    )
    assert response.status_code == 200
    assert "committees" in response.context_data["adminform"].form.errors
    assert not CommunityCentre.objects.filter(name="越界社区中心").exists()


def test_own_centre_add_works_for_writer(writer_client, demo):
    """Positive control: the scoped form accepts the own street."""
    nanhu = demo["streets"]["南湖"]
    response = writer_client.post(
        url("communitycentre", "add"),
        {"name": "沿河社区中心", "street": nanhu.pk, "status": "planned"},
    )
    assert response.status_code == 302
    assert CommunityCentre.objects.get(name="沿河社区中心").street == nanhu


def test_moving_own_committee_to_another_street_is_refused(writer_client, demo):
    own = row("committee", "own")
    before = snapshot()
    response = writer_client.post(
        url("committee", "change", own.pk),
        committee_form_data(own, street=demo["streets"]["滨湖"].pk),
    )
    assert response.status_code == 200
    assert "street" in response.context_data["adminform"].form.errors
    assert snapshot() == before


def test_sharing_office_with_another_streets_committee_is_refused_for_writer(writer_client):
    own, other = row("committee", "own"), row("committee", "other")
    before = snapshot()
    response = writer_client.post(
        url("committee", "change", own.pk),
        committee_form_data(own, status="sharing", shares_office_with=other.pk),
    )
    assert response.status_code == 200
    assert "shares_office_with" in response.context_data["adminform"].form.errors
    assert snapshot() == before


# Role permissions (DESIGN.md) --------------------------------------------------------------


def test_viewer_reads_but_cannot_write(clients, demo):
    viewer = clients["viewer"]
    own = row("committee", "own")
    before = snapshot()
    assert viewer.get(url("committee", "change", own.pk)).status_code == 200
    assert viewer.get(url("committee", "add")).status_code == 403
    assert (
        viewer.post(
            url("committee", "change", own.pk), committee_form_data(own, households=1)
        ).status_code
        == 403
    )
    new = committee_form_data(own, code="999", name="新社区")
    assert viewer.post(url("committee", "add"), new).status_code == 403
    nanhu = demo["streets"]["南湖"]
    assert (
        viewer.post(
            url("communitycentre", "add"), {"name": "x", "street": nanhu.pk, "status": "planned"}
        ).status_code
        == 403
    )
    assert snapshot() == before


@pytest.mark.parametrize("role", ["admin", "clerk"])
def test_district_writers_change_committees(role, clients):
    other = row("committee", "other")
    response = clients[role].post(
        url("committee", "change", other.pk), committee_form_data(other, households=2600)
    )
    assert response.status_code == 302, response.context_data["adminform"].form.errors
    assert Committee.objects.get(pk=other.pk).households == 2600


def test_street_staff_read_committees_but_cannot_change_them(clients):
    own = row("committee", "own")
    before = snapshot()
    page = clients["nanhu"].get(url("committee", "change", own.pk))
    assert page.status_code == 200
    assert page.context_data["has_change_permission"] is False
    response = clients["nanhu"].post(
        url("committee", "change", own.pk), committee_form_data(own, households=1)
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_only_the_administrator_changes_standards(clients):
    from communities.models import PlanningStandard

    standard = PlanningStandard.objects.get(area_type="old")
    path = reverse("admin:communities_planningstandard_change", args=[standard.pk])
    data = {"area_type": "old", "households": 2500, VERSION_FIELD: version_token(standard)}
    assert clients["clerk"].post(path, data).status_code == 403
    assert PlanningStandard.objects.get(pk=standard.pk).households == 2400
    assert clients["admin"].post(path, data).status_code == 302
    assert PlanningStandard.objects.get(pk=standard.pk).households == 2500


@pytest.mark.parametrize("role", ROLES)
def test_admin_index(role, client_for):
    response = client_for(role).get(reverse("admin:index"))
    if role == "anonymous":
        assert_login_redirect(response)
        return
    assert response.status_code == 200
    models = {m["object_name"] for app in response.context_data["app_list"] for m in app["models"]}
    assert {"Committee", "Street", "Title", "CommunityCentre"} <= models


RESOURCES = {
    "street": "StreetResource",
    "title": "TitleResource",
    "communitycentre": "CommunityCentreResource",
    "committee": "CommitteeResource",
}


@pytest.mark.parametrize("model_name", MODELS)
def test_every_register_refuses_another_streets_row_on_import(model_name, nanhu_writer, users):
    """The clerk's export of one 滨湖 row, re-imported by a 南湖 user with write rights."""
    from communities import resources

    resource_class = getattr(resources, RESOURCES[model_name])
    spec = SPECS[model_name]
    other = row(model_name, "other")
    dataset = resource_class(user=users["clerk"]).export(
        queryset=spec.model.objects.filter(pk=other.pk)
    )
    assert len(dataset) == 1
    before = list(spec.model.objects.order_by("pk").values())
    result = resource_class(user=nanhu_writer).import_data(dataset, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert list(spec.model.objects.order_by("pk").values()) == before
    # The clerk re-importing the same file is fine (nothing changed, nothing refused).
    clerk_result = resource_class(user=users["clerk"]).import_data(dataset, dry_run=True)
    assert not clerk_result.has_errors() and not clerk_result.has_validation_errors()


@pytest.mark.parametrize("model_name", ["title", "communitycentre"])
def test_import_updates_rows_keyed_by_a_foreign_key(model_name, nanhu_writer, users):
    """Titles (keyed by committee) and centres (keyed by street) update, not duplicate."""
    from communities import resources

    resource_class = getattr(resources, RESOURCES[model_name])
    spec = SPECS[model_name]
    for user, which in ((users["clerk"], "other"), (nanhu_writer, "own")):
        obj = row(model_name, which)
        dataset = resource_class(user=user).export(queryset=spec.model.objects.filter(pk=obj.pk))
        name_column = "称号名称" if model_name == "title" else "地址"
        index = dataset.headers.index(name_column)
        dataset[0] = tuple(v if i != index else "改过的" for i, v in enumerate(dataset[0]))
        before = spec.model.objects.count()
        result = resource_class(user=user).import_data(dataset, dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        assert spec.model.objects.count() == before
        obj.refresh_from_db()
        assert getattr(obj, "name" if model_name == "title" else "address") == "改过的"


def test_admin_csv_export_has_a_bom_and_neutralises_formulas(clients):
    committee = row("committee", "own")
    committee.name = "=HYPERLINK(\"http://x\")"
    committee.save()
    response = export_post(clients["clerk"], "committee", "csv")
    assert response.content.startswith("\ufeff".encode())
    rows = exported_rows(response, "csv")
    names = {r["名称"] for r in rows}
    assert "'=HYPERLINK(\"http://x\")" in names
    assert committee.name not in names
    # Numbers stay numbers in the workbook.
    sheet_rows = exported_rows(export_post(clients["clerk"], "committee", "xlsx"), "xlsx")
    assert all(isinstance(r["户数"], int) for r in sheet_rows)
