"""A street user cannot read, save, submit or import another street's return, by any route."""

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from returns.models import QuarterlyReturn, ReturnStatus
from returns.workflow import return_approve, return_save, return_submit

from .conftest import grid_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def binhu_return(demo):
    return QuarterlyReturn.objects.get(committee__name="滨湖社区", year=2007, quarter=1)


def test_grid_of_another_street_shows_own_street(clients, demo):
    binhu = demo["streets"]["滨湖"]
    response = clients["nanhu"].get(
        reverse("returns:return-grid", args=[2007, 1]) + f"?street={binhu.pk}"
    )
    names = {line["row"].committee.name for line in response.context["lines"]}
    assert "南湖东路社区" in names and "滨湖社区" not in names
    assert "滨湖社区" not in response.content.decode()


def test_history_review_workbook_and_admin_of_another_street(clients, demo, binhu_return):
    nanhu = clients["nanhu"]
    assert nanhu.get(reverse("returns:return-history", args=[binhu_return.pk])).status_code == 404
    assert nanhu.get(reverse("returns:return-review", args=[2007, 1])).status_code == 403
    change = reverse("admin:returns_quarterlyreturn_change", args=[binhu_return.pk])
    assert nanhu.get(change).status_code == 404
    listing = nanhu.get(reverse("admin:returns_quarterlyreturn_changelist") + "?q=滨湖社区")
    assert listing.context["cl"].result_count == 0
    binhu = demo["streets"]["滨湖"]
    workbook = nanhu.get(reverse("returns:return-workbook", args=[2007, 1]) + f"?street={binhu.pk}")
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(workbook.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert "滨湖社区" not in names and "南湖东路社区" in names
    completeness = nanhu.get(reverse("returns:completeness", args=[2007, 1]))
    assert [line.label for line in completeness.context["result"].streets] == ["南湖街道"]


def test_saving_another_streets_committee_through_the_grid_is_404(clients, demo, binhu_return):
    nanhu_street = demo["streets"]["南湖"]
    url = reverse("returns:return-grid", args=[2007, 1]) + f"?street={nanhu_street.pk}"
    data = grid_data(clients["nanhu"].get(url))
    data["form-0-committee"] = str(binhu_return.committee_id)
    data["form-0-households"] = "1"
    data["action"] = "save"
    assert clients["nanhu"].post(url, data).status_code == 404
    binhu_return.refresh_from_db()
    assert binhu_return.households != 1


def test_workflow_refuses_another_streets_return(users, binhu_return):
    with pytest.raises(PermissionDenied):
        return_save(
            committee=binhu_return.committee,
            year=2007,
            quarter=1,
            user=users["nanhu"],
            data={"households": 1},
            version=binhu_return.version,
        )
    with pytest.raises(PermissionDenied):
        return_submit(returns=[binhu_return], user=users["nanhu"])
    with pytest.raises(PermissionDenied):
        return_approve(returns=[binhu_return], user=users["nanhu"])  # nor approve at all
    binhu_return.refresh_from_db()
    assert binhu_return.status == ReturnStatus.DRAFT and binhu_return.households != 1


def test_submitting_another_streets_return_through_the_admin_does_nothing(clients, binhu_return):
    clients["nanhu"].post(
        reverse("admin:returns_quarterlyreturn_changelist"),
        {"action": "submit_selected", "_selected_action": [binhu_return.pk]},
    )
    binhu_return.refresh_from_db()
    assert binhu_return.status == ReturnStatus.DRAFT


def test_importing_another_streets_return_is_refused(users, demo, tmp_path):
    import io

    from returns.resources import QuarterlyReturnResource

    headers = [
        str(QuarterlyReturnResource().fields[n].column_name)
        for n in (
            "committee",
            "year",
            "quarter",
            "households",
            "registered_population",
            "resident_population",
            "volunteers",
            "activities",
            "one_stop_cases",
            "note",
            "comment",
        )
    ]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    sheet.append(["320105002001", 2007, 1, 2600, 7300, 7700, 20, 8, 0, "", ""])
    path = tmp_path / "binhu.xlsx"
    workbook.save(path)
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "importxlsx", "returns", str(path), "--user", users["nanhu"].username, stderr=errors
        )
    assert "320105002001" in errors.getvalue()
    assert (
        QuarterlyReturn.objects.get(committee__code="320105002001", year=2007, quarter=1).households
        != 2600
    )


def test_viewer_can_read_but_not_save(clients, demo):
    street = demo["streets"]["南湖"]
    url = reverse("returns:return-grid", args=[2007, 1]) + f"?street={street.pk}"
    page = clients["viewer"].get(url)
    assert page.status_code == 200
    data = grid_data(page)
    data["action"] = "save"
    assert clients["viewer"].post(url, data).status_code == 403
