"""The upload flows never ask the storage for a local path (object storage has none): with
a storage whose ``path()`` raises NotImplementedError, an admin upload and the quarterly
grid's upload are checked, previewed and imported."""

import io
from contextlib import contextmanager

import openpyxl
import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import Committee
from imports.models import ImportJob
from imports.registry import resource_class
from returns.models import QuarterlyReturn

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class NoPathStorage(FileSystemStorage):
    """Files on disk, but like object storage for its callers: ``path()`` is not there.
    (Its own methods still find their files.)"""

    _inside = 0
    asked: list[str] = []  # the names callers asked a path for (none, says the test)

    def path(self, name):
        if not self._inside:
            NoPathStorage.asked.append(name)
            raise NotImplementedError("This backend doesn't support absolute paths.")
        return super().path(name)

    @contextmanager
    def _own(self):
        self._inside += 1
        try:
            yield
        finally:
            self._inside -= 1


def _own_use(name):
    method = getattr(FileSystemStorage, name)

    def wrapped(self, *args, **kwargs):
        with self._own():
            return method(self, *args, **kwargs)

    return wrapped


for _name in ("_open", "_save", "delete", "exists", "listdir", "size", "get_modified_time"):
    setattr(NoPathStorage, _name, _own_use(_name))


@pytest.fixture(autouse=True)
def storage_without_paths(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.NoPathStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    with pytest.raises(NotImplementedError):
        default_storage.path("anything")
    NoPathStorage.asked.clear()
    yield
    assert not NoPathStorage.asked, "an upload flow asked the storage for a local path"


def test_an_admin_upload_needs_no_path(clients, users):
    dataset = resource_class("committees")(user=users["clerk"]).export(
        queryset=Committee.objects.order_by("code")
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(dataset.headers))
    for index, row in enumerate(dataset):
        row = list(row)
        if index == 0:
            row[dataset.headers.index("户数")] = 2700
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    url = "/admin/communities/committee/import/"
    response = clients["clerk"].post(
        url, {"file": SimpleUploadedFile("committees.xlsx", out.getvalue(), content_type=XLSX)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302, job.message
    assert response["Location"] == f"{url}?token={job.token}"
    assert clients["clerk"].get(response["Location"]).status_code == 200
    clients["clerk"].post(url, {"token": str(job.token), "confirm": "1"})
    job.refresh_from_db()
    assert (job.phase, job.status, job.updated) == ("import", "done", 1)
    assert Committee.objects.order_by("code").first().households == 2700


def test_a_grid_upload_needs_no_path(clients, demo):
    street = demo["streets"]["南湖"]
    workbook = clients["nanhu"].get(
        reverse("returns:return-workbook", args=[2007, 1]) + f"?street={street.pk}"
    )
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    sheet = book.active
    header = [c.value for c in sheet[4]]  # below the title and the head lines
    for row in sheet.iter_rows(min_row=5):
        values = {header[i]: cell for i, cell in enumerate(row) if i < len(header)}
        if values["社区代码"].value is None:
            break  # the total and the signature lines
        if values["户数"].value is None:
            for name, value in zip(
                ("户数", "户籍人口", "常住人口", "义工人数", "开展活动次数", "一站式服务办件数"),
                (2000, 5660, 6000, 20, 8, 0),
                strict=True,
            ):
                values[name].value = value
    out = io.BytesIO()
    book.save(out)
    url = reverse("returns:return-import", args=[2007, 1]) + f"?street={street.pk}"
    response = clients["nanhu"].post(
        url, {"file": SimpleUploadedFile("returns.xlsx", out.getvalue(), content_type=XLSX)}
    )
    job = ImportJob.objects.get(register="returns")
    assert response.status_code == 302, job.message
    assert clients["nanhu"].get(response["Location"]).status_code == 200
    clients["nanhu"].post(response["Location"], {"token": str(job.token), "confirm": "1"})
    job.refresh_from_db()
    assert (job.phase, job.status, job.new) == ("import", "done", 6)
    assert (
        QuarterlyReturn.objects.filter(year=2007, quarter=1, committee__street=street).count() == 9
    )
