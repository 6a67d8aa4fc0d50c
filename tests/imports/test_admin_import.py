"""The admin's import flow (imports/admin_flow.py) through the one import path: upload →
preview (counts, notices, every error, the rows page by page) → confirm → result; scoped by
the user; only the uploader sees the job."""

import io

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from communities.models import Committee
from facilities.models import Premises
from imports import admin_flow
from imports.models import ImportJob, ImportRecord
from imports.registry import resource_class

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_URL = "/admin/communities/committee/import/"


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def workbook(register, user, queryset, changes=None):
    """The rows as ``user`` exports them, with ``changes`` ({row index: {header: value}})."""
    dataset = resource_class(register)(user=user).export(queryset=queryset)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(dataset.headers))
    for index, row in enumerate(dataset):
        row = list(row)
        for header, value in (changes or {}).get(index, {}).items():
            row[dataset.headers.index(header)] = value
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def committees_file(clerk, changes=None):
    return workbook("committees", clerk, Committee.objects.order_by("code"), changes)


def upload(client, content, url=IMPORT_URL, name="committees.xlsx"):
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type=XLSX)})


def test_the_changelist_import_button_leads_to_the_flow(clients):
    body = clients["clerk"].get("/admin/communities/committee/").content.decode()
    assert f"href='{IMPORT_URL}'" in body  # django-import-export's button, our URL
    assert 'href="/admin/communities/committee/export/' in body  # export left as it was
    page = clients["clerk"].get(IMPORT_URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'type="file"' in body and "/imports/committees/template.xlsx" in body
    assert '<div class="breadcrumbs">' in body and "/admin/communities/committee/" in body


def test_export_still_works(clients):
    response = clients["clerk"].get("/admin/communities/committee/export/")
    assert response.status_code == 200


def test_every_register_has_the_import_page(clients):
    from django.contrib import admin

    for register in admin_flow.REGISTERS:
        model = admin_flow.model_for_register(register)
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_import")
        assert admin.site._registry[model].get_import_register() == register
        assert clients["admin"].get(url).status_code == 200, register


def test_upload_preview_pages_then_confirm(clients, users, monkeypatch):
    monkeypatch.setattr(admin_flow, "PREVIEW_PER_PAGE", 10)
    clerk = clients["clerk"]
    count = Committee.objects.count()
    first, second = Committee.objects.order_by("code")[:2]
    content = committees_file(users["clerk"], {0: {"户数": 2500}, 1: {"户数": 2600}})
    records = ImportRecord.objects.count()

    response = upload(clerk, content)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"{IMPORT_URL}?token={job.token}"
    assert (job.phase, job.status, job.background) == ("check", "done", False)
    assert default_storage.exists(job.stored)

    page = clerk.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert (job.rows, job.new, job.updated, job.unchanged) == (count, 0, 2, count - 2)
    assert 'id="import-updated">2<' in body and f'id="import-unchanged">{count - 2}<' in body
    assert 'id="import-confirm"' in body
    # Ten rows a page; the page links keep the upload's token.
    assert len(page.context["page_obj"]) == 10
    assert f"?token={job.token}&amp;page=2" in body
    page4 = clerk.get(IMPORT_URL, {"token": str(job.token), "page": 4})
    assert [row[0] for row in page4.context["page_obj"]] == list(range(32, count + 2))
    assert Committee.objects.get(pk=first.pk).households != 2500  # nothing written yet
    assert ImportRecord.objects.count() == records

    done = clerk.post(IMPORT_URL, {"token": str(job.token), "confirm": "1"})
    assert done.status_code == 302
    assert done["Location"] == reverse("imports:job", args=[job.token])
    assert Committee.objects.get(pk=first.pk).households == 2500
    assert Committee.objects.get(pk=second.pk).households == 2600
    job.refresh_from_db()
    assert (job.phase, job.status, job.updated, job.stored) == ("import", "done", 2, "")
    record = ImportRecord.objects.get()
    assert job.record == record and record.written and record.updated == 2
    assert record.user == users["clerk"] and record.file_name == "committees.xlsx"

    result = clerk.get(done["Location"]).content.decode()
    assert 'id="import-result"' in result and 'id="import-updated">2<' in result
    assert f"{record.pk}" in result  # the record, named (the clerk cannot open it)
    admin_view = reverse("admin:imports_importrecord_change", args=[record.pk])
    assert admin_view not in result
    # The token is spent: confirming again or previewing is a 404.
    again = clerk.post(IMPORT_URL, {"token": str(job.token), "confirm": "1"})
    assert again.status_code == 404
    assert ImportRecord.objects.count() == 1


def test_the_administrator_sees_the_link_to_the_record(clients, users):
    client = clients["admin"]
    content = committees_file(users["admin"], {0: {"户数": 2501}})
    response = upload(client, content)
    job = ImportJob.objects.get()
    client.post(IMPORT_URL, {"token": str(job.token), "confirm": "1"})
    job.refresh_from_db()
    body = client.get(reverse("imports:job", args=[job.token])).content.decode()
    assert reverse("admin:imports_importrecord_change", args=[job.record_id]) in body
    assert client.get(reverse("admin:imports_importrecord_changelist")).status_code == 200
    assert client.get(reverse("admin:imports_importjob_changelist")).status_code == 200
    assert response.status_code == 302


def test_a_bad_row_is_listed_and_nothing_can_be_confirmed(clients, users):
    clerk = clients["clerk"]
    content = committees_file(users["clerk"], {0: {"户数": 1234}, 2: {"户数": -5}})
    before = dict(Committee.objects.values_list("code", "households"))
    response = upload(clerk, content)
    job = ImportJob.objects.get()
    assert job.error_count == 1
    assert job.stored == ""  # nothing to confirm: the file is already deleted
    body = clerk.get(response["Location"]).content.decode()
    assert 'id="import-errors"' in body
    sheet, row, column, _message = job.errors[0]
    assert (row, column) == (4, "户数")
    assert f"<td>{sheet}</td><td>4</td><td>户数</td>" in body
    assert 'id="import-confirm"' not in body
    refused = clerk.post(IMPORT_URL, {"token": str(job.token), "confirm": "1"})
    assert refused.status_code == 302  # back to the preview, with a message
    assert dict(Committee.objects.values_list("code", "households")) == before
    assert not ImportRecord.objects.exists()


def test_a_file_that_cannot_be_read_is_refused_on_the_form(clients):
    response = upload(clients["clerk"], b"not a workbook at all")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.stored == ""
    wrong_type = upload(clients["clerk"], b"x", name="committees.pdf")
    assert wrong_type.context["form"].errors["file"]


def test_street_staff_touching_another_street_is_refused_for_that_row(clients, users, demo):
    nanhu, binhu = demo["streets"]["南湖"], demo["streets"]["滨湖"]
    own = Premises.objects.filter(committee__street=nanhu).order_by("pk").first()
    other = Premises.objects.filter(committee__street=binhu).order_by("pk").first()
    queryset = Premises.objects.filter(pk__in=[own.pk, other.pk]).order_by(
        "committee__street__code", "pk"
    )
    rows = list(queryset)
    area = str(resource_class("premises").fields["area"].column_name)
    changes = {i: {area: 999} for i in range(2)}
    content = workbook("premises", users["clerk"], queryset, changes)
    before = list(Premises.objects.order_by("pk").values())
    url = "/admin/facilities/premises/import/"
    response = upload(clients["nanhu"], content, url=url, name="premises.xlsx")
    job = ImportJob.objects.get()
    other_row = 2 + rows.index(other)
    assert job.error_count >= 1
    assert {error[1] for error in job.errors} == {other_row}
    body = clients["nanhu"].get(response["Location"]).content.decode()
    assert 'id="import-confirm"' not in body
    assert list(Premises.objects.order_by("pk").values()) == before


def test_street_staff_cannot_import_committees(clients):
    assert clients["nanhu"].get(IMPORT_URL).status_code == 403
    assert clients["viewer"].get(IMPORT_URL).status_code == 403


def test_another_users_job_is_a_404(clients, users):
    content = committees_file(users["clerk"], {0: {"户数": 2502}})
    upload(clients["clerk"], content)
    job = ImportJob.objects.get()
    page = reverse("imports:job", args=[job.token])
    progress = reverse("imports:job-progress", args=[job.token])
    for other in ("admin", "viewer", "nanhu"):
        assert clients[other].get(page).status_code == 404
        assert clients[other].get(progress).status_code == 404
        # Nor can another user preview or confirm it with the token.
        assert clients[other].get(IMPORT_URL, {"token": str(job.token)}).status_code in (403, 404)
    assert clients["clerk"].get(progress).json()["phase"] == "check"
    superuser = users["viewer"]
    superuser.is_superuser = True
    superuser.save()
    client = Client()
    client.force_login(superuser)
    assert client.get(progress).status_code == 200


def test_a_token_from_another_session_is_a_404(clients, users):
    content = committees_file(users["clerk"], {0: {"户数": 2503}})
    upload(clients["clerk"], content)
    job = ImportJob.objects.get()
    fresh = Client()
    fresh.force_login(users["clerk"])
    assert fresh.get(IMPORT_URL, {"token": str(job.token)}).status_code == 404
    assert fresh.post(IMPORT_URL, {"token": str(job.token), "confirm": "1"}).status_code == 404


def test_estimated_rows_counts_without_reading_cells(tmp_path, users):
    from imports import jobs

    path = tmp_path / "committees.xlsx"
    path.write_bytes(committees_file(users["clerk"]))
    assert jobs.estimated_rows(path) == Committee.objects.count() + 1  # and the header
    csv = tmp_path / "rows.csv"
    csv.write_bytes(b"a,b\n1,2\n3,4\n")
    assert jobs.estimated_rows(csv) == 3
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"PK\x03\x04 nothing")
    assert jobs.estimated_rows(damaged) == 0


def test_uploads_never_confirmed_are_deleted_a_day_later(clients, users):
    from datetime import timedelta

    from django.utils import timezone

    upload(clients["clerk"], committees_file(users["clerk"], {0: {"户数": 2504}}))
    job = ImportJob.objects.get()
    stored = job.stored
    assert default_storage.exists(stored)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=2))
    upload(clients["clerk"], committees_file(users["clerk"], {0: {"户数": 2505}}))  # prunes
    assert not default_storage.exists(stored)
    job.refresh_from_db()
    assert job.stored == ""
    assert ImportJob.objects.exclude(stored="").count() == 1  # the new upload, kept
