"""importxlsx returns FILE --user nanhu: the grid's workbook, validation and scoping."""

import io

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from imports.models import ImportJob
from imports.services import import_file
from returns.models import QuarterlyReturn, ReturnStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def workbook_from_grid(client, street, tmp_path, edit):
    response = client.get(
        reverse("returns:return-workbook", args=[2007, 1]) + f"?street={street.pk}"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.protection.sheet is True
    assert sheet["A1"].value == "建邺区南湖街道社区居委会季度报表（2007年第1季度）"
    header = [c.value for c in sheet[4]]  # below the title and the head lines
    assert header[:3] == ["社区居委会", "社区代码", "户数"]
    assert header[-2:] == ["年份", "季度"]
    assert sheet.cell(row=5, column=1).protection.locked is True
    assert sheet.cell(row=6, column=3).protection.locked is False  # 南湖西路社区: no return yet
    for row in sheet.iter_rows(min_row=5):
        values = {header[i]: cell for i, cell in enumerate(row) if i < len(header)}
        if values["社区代码"].value is None:
            break  # the total, then the signature lines
        edit(values)
    path = tmp_path / "returns.xlsx"
    book.save(path)
    return path


def fill(values):
    if values["户数"].value is None:
        values["户数"].value = 2000
        values["户籍人口"].value = 5660
        values["常住人口"].value = 6000
        values["义工人数"].value = 20
        values["开展活动次数"].value = 8
        values["一站式服务办件数"].value = 0


def run(path, user="nanhu-user", dry_run=False):
    out, err = io.StringIO(), io.StringIO()
    args = ["importxlsx", "returns", str(path), "--user", user]
    if dry_run:
        args.append("--dry-run")
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def nanhu_user(users):
    users["nanhu"].username = "nanhu-user"
    users["nanhu"].save()
    return users["nanhu"]


def test_import_of_the_filled_workbook(clients, demo, nanhu_user, tmp_path):
    path = workbook_from_grid(clients["nanhu"], demo["streets"]["南湖"], tmp_path, fill)
    assert "试运行" in run(path, dry_run=True) or "Dry run" in run(path, dry_run=True)
    assert (
        QuarterlyReturn.objects.filter(
            year=2007, quarter=1, committee__street__short_name="南湖"
        ).count()
        == 3
    )
    run(path)
    saved = QuarterlyReturn.objects.filter(
        year=2007, quarter=1, committee__street__short_name="南湖"
    )
    assert saved.count() == 9
    assert all(r.status in (ReturnStatus.DRAFT, ReturnStatus.RETURNED) for r in saved)
    assert saved.get(committee__name="长虹社区").households == 2000
    assert saved.get(committee__name="长虹社区").updated_by == nanhu_user


def test_import_runs_the_validation_rules(clients, demo, nanhu_user, tmp_path):
    def bad(values):
        fill(values)
        if values["社区居委会"].value == "长虹社区":
            values["户籍人口"].value = 10  # fewer people than households: an error

    path = workbook_from_grid(clients["nanhu"], demo["streets"]["南湖"], tmp_path, bad)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("importxlsx", "returns", str(path), "--user", "nanhu-user", stderr=err)
    assert "户数多于户籍人口" in err.getvalue()
    assert not QuarterlyReturn.objects.filter(
        committee__name="长虹社区", year=2007, quarter=1
    ).exists()


def test_import_cannot_change_a_submitted_return(clients, demo, nanhu_user, tmp_path):
    QuarterlyReturn.objects.filter(committee__name="南湖东路社区", year=2007, quarter=1).update(
        status=ReturnStatus.SUBMITTED
    )

    def change(values):
        fill(values)
        if values["社区居委会"].value == "南湖东路社区":
            values["户数"].value = 1234

    path = workbook_from_grid(clients["nanhu"], demo["streets"]["南湖"], tmp_path, change)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("importxlsx", "returns", str(path), "--user", "nanhu-user", stderr=err)
    assert "已上报" in err.getvalue()
    assert (
        QuarterlyReturn.objects.get(committee__name="南湖东路社区", year=2007, quarter=1).households
        != 1234
    )


def test_the_locked_return_message_is_all_chinese(clients, demo, nanhu_user, tmp_path):
    """Not "The return is 已审核 and cannot be changed by an import." (issue 13, item 8)."""
    QuarterlyReturn.objects.filter(committee__name="南湖东路社区", year=2007, quarter=1).update(
        status=ReturnStatus.APPROVED, approved_at=timezone.now()
    )

    def change(values):
        fill(values)
        if values["社区居委会"].value == "南湖东路社区":
            values["户数"].value = 1234

    path = workbook_from_grid(clients["nanhu"], demo["streets"]["南湖"], tmp_path, change)
    with translation.override("zh-hans"):
        outcome = import_file(register="returns", path=path, user=nanhu_user, dry_run=True)
    messages = [error.message for error in outcome.errors]
    assert "该报表已审核，不能通过导入修改。" in messages, messages
    assert not any("return" in message for message in messages), messages


def test_browser_import_previews_then_saves(clients, demo, tmp_path):
    # The registers' one upload flow: post → the preview (a job) → confirm → saved.
    street = demo["streets"]["南湖"]
    path = workbook_from_grid(clients["nanhu"], street, tmp_path, fill)
    url = reverse("returns:return-import", args=[2007, 1]) + f"?street={street.pk}"
    with path.open("rb") as handle:
        upload = clients["nanhu"].post(url, {"file": handle})
    job = ImportJob.objects.get(register="returns")
    assert upload.status_code == 302 and upload["Location"] == f"{url}&token={job.token}"
    preview = clients["nanhu"].get(upload["Location"])
    assert preview.status_code == 200 and preview.context["job"] == job
    assert 'id="import-confirm"' in preview.content.decode()
    assert (
        QuarterlyReturn.objects.filter(year=2007, quarter=1, committee__street=street).count() == 3
    )
    done = clients["nanhu"].post(upload["Location"], {"token": str(job.token), "confirm": "1"})
    assert done["Location"] == reverse("imports:job", args=[job.token])
    assert (
        QuarterlyReturn.objects.filter(year=2007, quarter=1, committee__street=street).count() == 9
    )
    result = clients["nanhu"].get(done["Location"]).content.decode()
    assert 'id="import-result"' in result
    assert f'href="{reverse("returns:return-grid", args=[2007, 1])}?street={street.pk}"' in result


def upload_to_grid(client, street, path, name=None):
    """The grid's upload: (the import page's URL, the job, the response to the upload)."""
    url = reverse("returns:return-import", args=[2007, 1]) + f"?street={street.pk}"
    with path.open("rb") as handle:
        response = client.post(url, {"file": SimpleUploadedFile(name or path.name, handle.read())})
    return url, ImportJob.objects.filter(register="returns").latest("pk"), response


def test_grid_import_shows_every_error_with_row_and_column(clients, demo, tmp_path):
    lines = {}

    def bad(values):
        fill(values)
        name = values["社区居委会"].value
        lines[name] = values["户数"].row
        if name == "长虹社区":
            values["户籍人口"].value = 10  # fewer people than households: a rule's error
        if name == "南湖西路社区":
            values["义工人数"].value = "many"  # not a number: the cell's error

    street = demo["streets"]["南湖"]
    path = workbook_from_grid(clients["nanhu"], street, tmp_path, bad)
    before = list(QuarterlyReturn.objects.order_by("pk").values())
    _url, job, response = upload_to_grid(clients["nanhu"], street, path)
    assert job.stored == ""  # nothing to confirm
    page = clients["nanhu"].get(response["Location"])
    body = page.content.decode()
    assert 'id="import-errors"' in body and 'id="import-confirm"' not in body
    found = {(row, column) for _sheet, row, column, _m in job.errors}
    assert (lines["长虹社区"], "") in found  # a rule across figures: its row
    assert (lines["南湖西路社区"], "义工人数") in found
    assert f"<td>{lines['南湖西路社区']}</td><td>义工人数</td>" in body
    refused = clients["nanhu"].post(response["Location"], {"token": str(job.token), "confirm": "1"})
    assert refused.status_code == 302
    assert list(QuarterlyReturn.objects.order_by("pk").values()) == before  # all or nothing


def test_grid_import_refuses_another_streets_committee(clients, demo, tmp_path):
    other = demo["streets"]["滨湖"].committees.order_by("code").first()

    def foreign(values):
        fill(values)
        if values["社区居委会"].value == "长虹社区":
            values["社区代码"].value = other.code

    street = demo["streets"]["南湖"]
    path = workbook_from_grid(clients["nanhu"], street, tmp_path, foreign)
    before = list(QuarterlyReturn.objects.order_by("pk").values())
    _url, job, response = upload_to_grid(clients["nanhu"], street, path)
    assert job.error_count >= 1
    assert {column for _sheet, _row, column, _m in job.errors} == {"社区代码"}
    body = clients["nanhu"].get(response["Location"]).content.decode()
    assert 'id="import-confirm"' not in body
    assert list(QuarterlyReturn.objects.order_by("pk").values()) == before


def test_grid_import_takes_the_workbook_as_ods(clients, demo, tmp_path):
    street = demo["streets"]["南湖"]
    path = workbook_from_grid(clients["nanhu"], street, tmp_path, fill)
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    dataset = tablib.Dataset(*rows[1:], headers=rows[0])
    ods = tmp_path / "returns.ods"
    ods.write_bytes(dataset.export("ods"))
    url, job, response = upload_to_grid(clients["nanhu"], street, ods)
    assert response["Location"] == f"{url}&token={job.token}", job.message
    assert job.error_count == 0 and job.new == 6
    clients["nanhu"].post(response["Location"], {"token": str(job.token), "confirm": "1"})
    saved = QuarterlyReturn.objects.filter(year=2007, quarter=1, committee__street=street)
    assert saved.count() == 9
    assert saved.get(committee__name="长虹社区").households == 2000
