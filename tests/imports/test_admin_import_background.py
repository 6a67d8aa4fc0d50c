"""Big files in the background: past IMPORT_BACKGROUND_ROWS, the admin's upload is checked
and imported by the task worker (django-tasks-db's ``db_worker``), through the same
``import_file``; the user follows a progress page; nobody else sees it."""

import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from communities.models import Committee
from imports import jobs
from imports.models import ImportJob, ImportRecord

from .test_admin_import import IMPORT_URL, committees_file, upload

# The worker checks its database connection between tasks the way requests do, which a
# test's own transaction would not survive: these tests commit for real (and the demo data
# is loaded again for the tests after them, see tests/conftest.py).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_BACKGROUND_ROWS = 5


def run_worker():
    """``manage.py db_worker`` once: every queued task, then exit."""
    with open(os.devnull, "w") as sink:
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=sink
        )


def test_a_big_file_is_checked_and_imported_by_the_worker(clients, users):
    clerk = clients["clerk"]
    first = Committee.objects.order_by("code").first()
    count = Committee.objects.count()
    content = committees_file(users["clerk"], {0: {"户数": 3100}})

    # Upload: counted as big, queued for the worker; the user is sent to the progress page.
    response = upload(clerk, content)
    job = ImportJob.objects.get()
    page_url = reverse("imports:job", args=[job.token])
    progress_url = reverse("imports:job-progress", args=[job.token])
    assert response["Location"] == page_url
    assert (job.phase, job.status, job.background) == ("check", "queued", True)
    task = DBTaskResult.objects.get()
    assert task.task_path == "imports.tasks.run_import_job" and task.status == "READY"
    assert job.task_id == str(task.id)
    page = clerk.get(page_url).content.decode()
    assert "<progress" in page and "imports/progress.js" in page
    assert clerk.get(progress_url).json()["finished"] is False

    run_worker()
    job.refresh_from_db()
    assert (job.phase, job.status, job.rows, job.done, job.total) == (
        "check",
        "done",
        count,
        count,
        count,
    )
    assert (job.updated, job.unchanged, job.error_count) == (1, count - 1, 0)
    state = clerk.get(progress_url).json()
    assert state["finished"] is True
    assert state["next"] == f"{IMPORT_URL}?token={job.token}"  # on to the preview
    assert clerk.get(page_url)["Location"] == state["next"]
    preview = clerk.get(state["next"]).content.decode()
    assert 'id="import-updated">1<' in preview and 'id="import-confirm"' in preview
    assert Committee.objects.get(pk=first.pk).households != 3100

    # Confirm: queued again; nothing written before the worker runs.
    confirmed = clerk.post(IMPORT_URL, {"token": str(job.token), "confirm": "1"})
    assert confirmed["Location"] == page_url
    job.refresh_from_db()
    assert (job.phase, job.status) == ("import", "queued")
    assert not ImportRecord.objects.exists()
    assert "<progress" in clerk.get(page_url).content.decode()

    run_worker()
    job.refresh_from_db()
    assert (job.phase, job.status, job.updated, job.done, job.total) == (
        "import",
        "done",
        1,
        count,
        count,
    )
    assert Committee.objects.get(pk=first.pk).households == 3100
    record = ImportRecord.objects.get()
    assert job.record == record and record.written and record.user == users["clerk"]
    assert job.stored == "" and not default_storage.listdir(jobs.UPLOADS)[1]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    result = clerk.get(page_url).content.decode()
    assert 'id="import-result"' in result and 'id="import-updated">1<' in result

    # Nobody else sees it: not the administrator, not another street, not the JSON.
    for other in ("admin", "nanhu", "viewer"):
        assert clients[other].get(progress_url).status_code == 404
        assert clients[other].get(page_url).status_code == 404


def test_a_big_file_with_errors_is_refused_in_the_background(clients, users):
    clerk = clients["clerk"]
    before = dict(Committee.objects.values_list("code", "households"))
    content = committees_file(users["clerk"], {1: {"户数": -1}, 3: {"户数": "many"}})
    upload(clerk, content)
    run_worker()
    job = ImportJob.objects.get()
    assert (job.status, job.error_count) == ("done", 2)
    assert [(row, column) for _s, row, column, _m in job.errors] == [(3, "户数"), (5, "户数")]
    preview = clerk.get(f"{IMPORT_URL}?token={job.token}").content.decode()
    assert 'id="import-errors"' in preview and 'id="import-confirm"' not in preview
    assert clerk.post(IMPORT_URL, {"token": str(job.token), "confirm": "1"}).status_code == 302
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert dict(Committee.objects.values_list("code", "households")) == before


def test_a_big_file_the_import_cannot_read_fails_with_its_reason(clients):
    content = b"foo,bar\n" + b"1,2\n" * 20  # no key column (代码)
    upload(clients["clerk"], content, name="committees.csv")
    job = ImportJob.objects.get()
    assert job.background
    run_worker()
    job.refresh_from_db()
    assert job.status == "failed" and "代码" in job.message and job.stored == ""
    page = clients["clerk"].get(reverse("imports:job", args=[job.token])).content.decode()
    assert 'id="import-failed"' in page and "代码" in page


def test_progress_shows_while_the_import_holds_its_transaction(users, monkeypatch):
    """The callback is called inside import_file's transaction; the bar still moves."""
    import threading
    import time

    from django.db import connection, transaction

    from imports.services import ImportOutcome

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: there the bar moves between transactions only")
    job = ImportJob.objects.create(
        user=users["clerk"],
        register="committees",
        file_name="big.xlsx",
        stored=default_storage.save(f"{jobs.UPLOADS}/big.xlsx", ContentFile(b"PK")),
        background=True,
    )
    seen = []

    def read_from_outside():
        from django.db import connection as own

        seen.append(ImportJob.objects.values_list("done", "total").get(pk=job.pk))
        own.close()

    def import_file(**kwargs):
        with transaction.atomic():
            Committee.objects.filter(pk=Committee.objects.first().pk).update(households=1)
            kwargs["progress"](5, 10)
            time.sleep(jobs.PROGRESS_INTERVAL * 3)
            reader = threading.Thread(target=read_from_outside)
            reader.start()
            reader.join()
            transaction.set_rollback(True)
        return ImportOutcome(rows=10, unchanged=10)

    monkeypatch.setattr(jobs, "import_file", import_file)
    jobs.run_job(job, report_progress=True)
    assert seen == [(5, 10)]
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.unchanged) == ("done", 10, 10, 10)


def test_a_job_whose_file_is_gone_fails_with_a_message(users):
    job = ImportJob.objects.create(
        user=users["clerk"],
        register="committees",
        file_name="名册.xlsx",
        stored=f"{jobs.UPLOADS}/gone.xlsx",
        language="zh-hans",
    )
    jobs.run_job(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "重新上传" in job.message, job.message
